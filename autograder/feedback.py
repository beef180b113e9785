"""Checks that fail with messages that teach: what was expected, what came back, where it went wrong.

Hidden tests use these instead of bare `assert`s, so a failure never shows test source, and the
student reads "(50, 200) where (200, 50) was expected: transposed?" rather than a traceback.
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from autograder.sandbox.wire import Opaque, TensorData


class Feedback(AssertionError):
    """A failed check; its message is shown to the student as it is (markdown)."""


def fail(message: str) -> None:
    raise Feedback(message)


def describe_value(value: Any) -> str:
    if value is None:
        return "None"
    if isinstance(value, TensorData):
        return f"a torch tensor ({value.dtype}, shape {tuple(value.array.shape)}, on {value.device})"
    if isinstance(value, np.ndarray):
        return f"a numpy array ({value.dtype}, shape {value.shape})"
    if isinstance(value, Opaque):
        return f"an object of type `{value.type_name}`"
    if isinstance(value, (list, tuple)):
        return f"a {type(value).__name__} of {len(value)} items"
    return f"`{value!r}`"[:200] if isinstance(value, (int, float, str, bool)) else type(value).__name__


def none_hint(what: str) -> str:
    return f"`{what}` returned None: did you forget `return`?"


def as_array(value: Any, what: str, notes: list[str] | None = None) -> np.ndarray:
    """Accept numpy arrays, tensors on any device and (nested) lists; anything else fails clearly."""
    if value is None:
        fail(none_hint(what))
    if isinstance(value, TensorData):
        if notes is not None and value.device != "cpu":
            notes.append(f"`{what}` returned a tensor on {value.device}; it was moved to the CPU to be checked.")
        return value.array
    if isinstance(value, np.ndarray):
        return value
    if isinstance(value, (list, tuple, int, float)) and not isinstance(value, bool):
        try:
            array = np.asarray(_plain_numbers(value), dtype=np.float64)
        except (TypeError, ValueError):
            fail(f"`{what}` returned {describe_value(value)} that is not a rectangular table of numbers.")
        return array
    fail(f"`{what}` returned {describe_value(value)}; a numpy array was expected.")
    raise AssertionError  # unreachable, for type checkers


def _plain_numbers(value: Any) -> Any:
    if isinstance(value, TensorData):
        return value.array.tolist()
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, (list, tuple)):
        return [_plain_numbers(v) for v in value]
    if isinstance(value, (int, float, np.number)) and not isinstance(value, bool):
        return value
    raise TypeError


def shape_hint(got: tuple[int, ...], expected: tuple[int, ...]) -> str:
    hint = f"the result has shape {got} where {expected} was expected"
    if len(got) == len(expected) == 2 and got == expected[::-1]:
        hint += ": transposed? (rows should follow the first argument, columns the second)"
    elif int(np.prod(got)) == int(np.prod(expected)):
        hint += ": same number of entries, so a reshape or transpose went wrong"
    elif len(got) == len(expected) + 1:
        hint += ": an axis was not reduced (a missing sum?)"
    return hint


def check_array(value: Any, expected: np.ndarray, what: str, rtol: float, atol: float = 0.0,
                notes: list[str] | None = None) -> np.ndarray:
    """Shape, finiteness, then values: the first problem found is the one reported."""
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
    allowed = atol + rtol * np.abs(expected)
    over = diff > allowed
    if over.any():
        worst = tuple(int(i) for i in np.unravel_index(int(np.argmax(diff - allowed)), diff.shape))
        rel = diff / np.maximum(np.abs(expected), 1e-300)
        message = (f"`{what}` is not close enough to the expected values: {int(over.sum())} of {over.size} entries "
                   f"differ. The worst is at index {worst}: got {got64[worst]:.6g}, expected {expected[worst]:.6g}. "
                   f"Largest absolute error {diff.max():.3g}, largest relative error {rel.max():.3g}.")
        if np.allclose(np.sqrt(np.abs(expected)), got64, rtol=1e-4, atol=1e-6):
            message += " Your values look like the square roots of the expected ones: squared distances were asked for."
        elif got.dtype == np.float32 or got.dtype == np.float16:
            message += f" Note: you returned {got.dtype}; low precision may be the cause."
        fail(message)
    return got


def check_scalar(value: Any, expected: float, what: str, rtol: float = 1e-9, atol: float = 0.0) -> float:
    if value is None:
        fail(none_hint(what))
    if isinstance(value, (np.ndarray, TensorData)):
        array = as_array(value, what)
        if array.size != 1:
            fail(f"`{what}` returned {describe_value(value)} where a single number was expected.")
        value = array.reshape(()).item()
    if isinstance(value, bool) or not isinstance(value, (int, float, np.number)):
        fail(f"`{what}` returned {describe_value(value)} where a number was expected.")
    number = float(value)
    if not np.isfinite(number):
        fail(f"`{what}` returned {number}.")
    if abs(number - expected) > atol + rtol * abs(expected):
        fail(f"`{what}` returned {number:.6g}, expected {expected:.6g}.")
    return number


def format_student_error(error: dict[str, Any], what: str) -> str:
    """The student's exception with their own lines only (never the grader's frames)."""
    kind, message = error.get("type", "Error"), error.get("message", "")
    if kind == "NotImplementedError":
        name, _, rest = message.partition(" ")
        if name.isidentifier() and rest:  # the template's own "<name> is not implemented yet"
            return f"`{name}` {rest.rstrip('.')}."
        return f"`{what.removesuffix('()')}` is not implemented yet."
    if kind == "SubmissionProblem":  # raised by the grader's probes: already written for the student
        return message[:1].upper() + message[1:] + "."
    lines = [f"`{what}` raised `{kind}: {message}`"]
    frames: Sequence[dict[str, Any]] = error.get("frames") or []
    if frames:
        lines.append("")
        lines.append("Where, in your code (innermost last):")
        for frame in frames:
            lines.append(f"- {frame.get('file')}, line {frame.get('line')}, in `{frame.get('function')}`: "
                         f"`{frame.get('code', '')}`")
    return "\n".join(lines)
