"""Checks that fail with messages that teach: what was expected, what came back, where it went wrong.

Hidden tests use these instead of bare `assert`s, so a failure never shows test source, and the
student reads "(50, 200) where (200, 50) was expected: transposed?" rather than a traceback.
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from autograder.course.markdown import code_span, plain
from autograder.grading.causes import DEFAULT_CAUSES, likely_cause
from autograder.grading.libraries import library_hint
from autograder.sandbox.wire import Opaque, TensorData


class Feedback(AssertionError):
    """A failed check; its message is shown to the student as it is (markdown).
    Example: `except Feedback as exc: problems.append(str(exc))`."""


def fail(message: str) -> None:
    """Fail the test with `message` for the student (markdown), never a traceback.
    Example: `fail("`cluster` returned 3 centres; 2 were expected.")`."""
    raise Feedback(message)


def describe_value(value: Any) -> str:
    """What a returned value is, in a few words (type, dtype, shape, device), for a message.
    Example: `fail(f"returned {describe_value(got)}; a tuple was expected")`."""
    if value is None:
        return "None"
    if isinstance(value, TensorData):
        return f"a torch tensor ({value.dtype}, shape {tuple(value.array.shape)}, on {value.device})"
    if isinstance(value, np.ndarray):
        return f"a numpy array ({value.dtype}, shape {value.shape})"
    if isinstance(value, Opaque):
        return f"an object of type {code_span(value.type_name, 100)}"
    if isinstance(value, (list, tuple)):
        return f"a {type(value).__name__} of {len(value)} items"
    return code_span(repr(value), 200) if isinstance(value, (int, float, str, bool)) else type(value).__name__


def none_hint(what: str) -> str:
    """The message for a function that returned None: the usual cause is a missing `return`.
    Example: `fail(none_hint("cluster"))`."""
    return f"`{what}` returned None: did you forget `return`?"


def as_array(value: Any, what: str, notes: list[str] | None = None) -> np.ndarray:
    """Accept numpy arrays, tensors on any device, numpy scalars and (nested) lists of numbers,
    numpy scalars or 0-d tensors; anything else fails clearly. A 0-d value stays 0-d, and a table
    whose numbers are all float32 stays float32 (so it is judged at float32 precision).
    Example: `centres = as_array(result[0], "the centres")`."""
    if value is None:
        fail(none_hint(what))
    if isinstance(value, TensorData):
        if notes is not None and value.device != "cpu":
            notes.append(f"`{what}` returned a tensor on {value.device}; it was moved to the CPU to be checked.")
        return value.array
    if isinstance(value, np.ndarray):
        return value
    if isinstance(value, (list, tuple, int, float, np.number)) and not isinstance(value, bool):
        try:
            leaves: set[str] = set()
            array = np.asarray(_plain_numbers(value, leaves), dtype=_table_dtype(leaves))
        except (TypeError, ValueError):
            fail(f"`{what}` returned {describe_value(value)} that is not a rectangular table of numbers.")
        return array
    fail(f"`{what}` returned {describe_value(value)}; a numpy array was expected.")
    raise AssertionError  # unreachable, for type checkers


def _plain_numbers(value: Any, leaves: set[str]) -> Any:
    """Nested Python numbers (0-d arrays and tensors become scalars), noting each leaf's dtype."""
    if isinstance(value, TensorData):
        return _plain_numbers(value.array, leaves)
    if isinstance(value, np.ndarray):
        leaves.add(value.dtype.name)
        return value.tolist()
    if isinstance(value, (list, tuple)):
        return [_plain_numbers(v, leaves) for v in value]
    if isinstance(value, np.number):
        leaves.add(value.dtype.name)
        return value.item()
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        leaves.add("float64" if isinstance(value, float) else "int64")
        return value
    raise TypeError


def _table_dtype(leaves: set[str]) -> type:
    """float64, unless every number was a float32 (or float16): then that precision is kept."""
    low = leaves & {"float32", "float16"}
    if low and not leaves - low:
        return np.float32 if "float32" in low else np.float16
    return np.float64


def shape_hint(got: tuple[int, ...], expected: tuple[int, ...]) -> str:
    """A wrong shape, in words, with the likely mistake (transposed, a missing reduction...).
    Example: `fail(shape_hint((50, 200), (200, 50)))` says "transposed?"."""
    hint = f"the result has shape {got} where {expected} was expected"
    if len(got) == len(expected) == 2 and got == expected[::-1]:
        hint += ": transposed? (its two axes are swapped)"
    elif int(np.prod(got)) == int(np.prod(expected)):
        hint += ": same number of entries, so a reshape or transpose went wrong"
    elif len(got) == len(expected) + 1:
        hint += ": an axis was not reduced (a missing sum?)"
    return hint


def check_array(value: Any, expected: np.ndarray, what: str, rtol: float, atol: float = 0.0,
                notes: list[str] | None = None, causes: Sequence[str] = DEFAULT_CAUSES,
                amplification: float = 0.0) -> np.ndarray:
    """Shape, finiteness, then values: the first problem found is the one reported. `causes` names
    the rules (autograder/grading/causes.py) that may explain wrong values; a task opts into more.
    `amplification`: how much the computation asked for may amplify float32 rounding (for a linear
    solve, the condition number of the matrix solved), raising the float32 allowance to match.
    Example: `check_array(got, expected, "numpydists(X, T)", rtol=1e-10)`."""
    got = as_array(value, what, notes)
    expected = np.asarray(expected)
    if got.shape != expected.shape:
        if got.size == expected.size and got.ndim != expected.ndim:
            got = got.reshape(expected.shape)
            if notes is not None:
                notes.append(f"`{what}` returned shape {tuple(as_array(value, what).shape)}; it was reshaped to {expected.shape}.")
        else:
            fail(f"`{what}`: {shape_hint(tuple(got.shape), tuple(expected.shape))}.")
    if got.dtype.kind not in "biufc":
        fail(f"`{what}` returned an array of {got.dtype}, not numbers.")
    got64 = got.astype(np.float64)
    bad = ~np.isfinite(got64)
    if bad.any() and not (~np.isfinite(expected) == bad).all():
        where = tuple(int(i) for i in np.argwhere(bad)[0])
        fail(f"`{what}` returned {int(bad.sum())} NaN or infinite value(s), the first at index {where}.")
    if expected.size == 0:
        return got
    diff = np.abs(got64 - expected)
    scale = float(np.max(np.abs(expected), initial=0.0))
    allowed = atol + rtol * np.abs(expected)
    low = precision_allowance(got.dtype, scale, amplification)
    if (diff > np.maximum(allowed, low)).any():
        fail(_values_message(got, got64, expected, diff, allowed, scale, what, causes))
    if low and notes is not None and (diff > allowed).any() and not any(PRECISION_NOTE in n for n in notes):
        notes.append(f"`{what}` returned {got.dtype}: it was {PRECISION_NOTE} {got.dtype} precision (errors up to "
                     f"{low:.2g}, {precision_steps(amplification):g} rounding steps of the largest value, accepted), which cost "
                     "no points here. A float64 result keeps all the precision of float64 input.")
    return got


PRECISION_NOTE = "checked at"  # one such note per test is enough
LOW_PRECISION_ULPS = 256  # rounding steps of the largest value: what a float32 sum or matrix product loses
EXPLAINABLE_ULPS = 10_000  # beyond this, float32 rounding is not a credible cause (1e-3 relative)


def _is_low_precision(dtype: np.dtype) -> bool:
    return dtype.kind in "fc" and dtype.itemsize < (8 if dtype.kind == "f" else 16)


def precision_steps(amplification: float) -> float:
    """Rounding steps a correct low-precision result may be off by: LOW_PRECISION_ULPS, or more for a
    computation known to amplify rounding (a linear solve: the condition number of its matrix)."""
    return max(float(LOW_PRECISION_ULPS), float(amplification))


def precision_allowance(dtype: np.dtype, scale: float, amplification: float = 0.0) -> float:
    """How far a correct float32 (or float16) result may be from the float64 truth whose largest
    magnitude is `scale`; 0 for float64 results."""
    if not _is_low_precision(dtype):
        return 0.0
    return float(precision_steps(amplification) * np.finfo(dtype).eps * scale)


def agrees(value: Any, expected: Any, rtol: float = 1e-9, atol: float = 0.0, amplification: float = 0.0) -> bool:
    """Whether a student's value matches `expected` (same shape, within rtol/atol, with the same
    float32 allowance as check_array), without failing: for recognising a mistake before saying it.
    Hidden tests compare student values only through this, check_array and check_scalar
    (tests/project/test_agreement_only_through_api.py), so the dtype allowance applies everywhere.
    Example: `if agrees(got, X @ w, atol=1e-6): fail("predictions without the bias b")`."""
    try:
        check_array(value, expected, "value", rtol, atol, causes=(), amplification=amplification)
    except Feedback:
        return False
    return True


def _values_message(got: np.ndarray, got64: np.ndarray, expected: np.ndarray, diff: np.ndarray,
                    allowed: np.ndarray, scale: float, what: str, causes: Sequence[str]) -> str:
    """Where the values differ most, and the likeliest cause (precision only when it can explain it)."""
    over = diff > allowed
    worst = tuple(int(i) for i in np.unravel_index(int(np.argmax(diff - allowed)), diff.shape))
    rel = diff / np.maximum(np.abs(expected), 1e-300)
    message = (f"`{what}` is not close enough to the expected values: {int(over.sum())} of {over.size} entries "
               f"differ. The worst is at index {worst}: got {got64[worst]:.6g}, expected {expected[worst]:.6g}. "
               f"Largest absolute error {diff.max():.3g}, largest relative error {rel.max():.3g}.")
    cause = likely_cause(got64, expected, causes)
    if cause:
        return message + " " + cause
    if _is_low_precision(got.dtype):
        explainable = EXPLAINABLE_ULPS * float(np.finfo(got.dtype).eps) * scale
        if diff.max() <= explainable:
            return message + (f" Note: you returned {got.dtype}; an error this small can come from its rounding: "
                              "compute in float64.")
        return message + (f" You returned {got.dtype}, but its rounding cannot explain an error this large (at most "
                          f"about {explainable:.2g} here): the computation itself differs from the definition.")
    return message


def check_scalar(value: Any, expected: float, what: str, rtol: float = 1e-9, atol: float = 0.0) -> float:
    """One number (a 1-element array or tensor is fine), within tolerance; returns it as a float.
    Example: `check_scalar(got, 25.0, "error", rtol=0, atol=1e-6)`."""
    if value is None:
        fail(none_hint(what))
    if isinstance(value, (np.ndarray, TensorData)):
        array = as_array(value, what)
        if array.size != 1:
            fail(f"`{what}` returned {describe_value(value)} where a single number was expected.")
        value = array.reshape(())[()]
    if isinstance(value, bool) or not isinstance(value, (int, float, np.number)):
        fail(f"`{what}` returned {describe_value(value)} where a number was expected.")
    number = float(value)
    if not np.isfinite(number):
        fail(f"`{what}` returned {number}.")
    dtype = np.asarray(value).dtype
    low = precision_allowance(dtype, abs(expected))
    if abs(number - expected) > max(atol + rtol * abs(expected), low):
        fail(f"`{what}` returned {number:.6g}, expected {expected:.6g}.")
    return number


def format_student_error(error: dict[str, Any], what: str) -> str:
    """The student's exception with their own lines only (never the grader's frames)."""
    kind, message = error.get("type", "Error"), error.get("message", "")
    if kind == "NotImplementedError":
        name, _, rest = message.partition(" ")
        if name.isidentifier() and rest:  # the template's own "<name> is not implemented yet"
            return f"`{name}` {plain(rest.rstrip('.'))}."
        return f"`{what.removesuffix('()')}` is not implemented yet."
    if error.get("submission_problem"):  # raised by the grader's probes (marked by the worker, not by name)
        return message[:1].upper() + message[1:] + "."
    lines = [f"`{what}` raised {code_span(f'{kind}: {message}')}"]
    hint = error.get("hint") or error_hint(kind, str(message))
    if hint:
        lines += ["", hint]
    if error.get("arguments"):
        lines += ["", f"It was called with {error['arguments']}."]
    frames: Sequence[dict[str, Any]] = error.get("frames") or []
    if frames:
        lines.append("")
        lines.append("Where, in your code (innermost last):")
        for frame in frames:
            lines.append(f"- {code_span(frame.get('file'))}, line {frame.get('line')}, in {code_span(frame.get('function'))}: "
                         f"{code_span(frame.get('code', ''))}")
    return "\n".join(lines)


NUMPY_AS_TENSOR = ("'numpy.ndarray' object has no attribute", "not numpy.ndarray", "must be Tensor, not numpy",
                   "expected Tensor as element")



def error_hint(kind: str, message: str) -> str:
    """A known cause behind an exception message; "" when none is known."""
    if kind in ("AttributeError", "TypeError") and any(m in message for m in NUMPY_AS_TENSOR):
        return ("The inputs are numpy arrays, not torch tensors: convert them first, for example "
                "`torch.from_numpy(feats0).to(device)` or `torch.as_tensor(feats0, device=device)`.")
    if kind in ("ModuleNotFoundError", "ImportError"):
        return library_hint(message)
    return ""
