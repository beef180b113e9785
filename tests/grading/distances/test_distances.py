"""Hidden tests, T1 pairwise squared distances: agreement, accepted types, no loops, speed, GPU."""

from __future__ import annotations

import secrets

import numpy as np
import pytest

from autograder.api import DEFAULT_CAUSES, CannotJudge, DeviceSpec, Feedback, check_array, code_span, fail

CAUSES = (*DEFAULT_CAUSES, "non_negative")  # squared distances are never negative

# (N, P, D): N != P both ways, D != 300, degenerate sizes; the loops only see the small ones.
SHAPES = [(7, 5, 3), (13, 40, 17), (64, 9, 300), (1, 6, 2), (120, 80, 31)]
LOOP_SHAPES = SHAPES[:2] + [(1, 6, 2)]
# Many rows, few prototypes, small D: a Python loop pays per pair (or per row), vectorised code per
# element, so even a loop over rows hidden from the loop finder (in exec, say) is no faster than loops.
SPEED_LOOPS = (5000, 4, 5)
SPEED_TORCH = (1000, 200, 60)  # realistic: the (N, P, D) forms need 96 MB per temporary, within the factor
SPEED_MANY_ROWS = (20000, 4, 3)  # next to a matrix product, a loop over rows costs ~100x, vectorised code ~2x


def data(n: int, p: int, d: int, seed: int, dtype: type = np.float64) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    return (rng.normal(size=(n, d)) * 2 + 1).astype(dtype), (rng.normal(size=(p, d)) * 2).astype(dtype)


def exact(feats: np.ndarray, protos: np.ndarray) -> np.ndarray:
    """The definition itself, in float64: no cancellation, so it is the fairest oracle."""
    f, p = feats.astype(np.float64), protos.astype(np.float64)
    return ((f[:, None, :] - p[None, :, :]) ** 2).sum(axis=-1)


def call(student, name: str, feats: np.ndarray, protos: np.ndarray, device: str = "cpu"):
    if name == "pytorchdists":
        return student.call(name, feats, protos, DeviceSpec(device))
    return student.call(name, feats, protos)


def check_shapes(student, name: str, entry, notes, shapes) -> None:
    for i, (n, p, d) in enumerate(shapes):
        feats, protos = data(n, p, d, seed=100 + i)
        check_array(call(student, name, feats, protos), exact(feats, protos),
                    f"{name}(feats {feats.shape}, protos {protos.shape})", entry["rtol"], entry["atol"], notes, CAUSES)


def test_forloop_agrees(student, entry, notes):
    check_shapes(student, "forloopdists", entry, notes, LOOP_SHAPES)


def test_numpy_agrees(student, entry, notes):
    check_shapes(student, "numpydists", entry, notes, SHAPES)


def test_torch_agrees(student, entry, notes):
    check_shapes(student, "pytorchdists", entry, notes, SHAPES)


def check_float32_input(student, entry, notes, name: str) -> None:
    """Each function is judged on its own: a correct numpydists keeps its point when pytorchdists fails."""
    feats, protos = data(50, 20, 40, seed=7, dtype=np.float32)
    check_array(call(student, name, feats, protos), exact(feats, protos),
                f"{name} with float32 input", entry["rtol"], entry["atol"] * 100, notes, CAUSES)


def test_numpy_float32_input(student, entry, notes):
    check_float32_input(student, entry, notes, "numpydists")


def test_torch_float32_input(student, entry, notes):
    check_float32_input(student, entry, notes, "pytorchdists")


def require_no_loops(student, name: str, ran) -> None:
    """No loop ran during a watched call (`ran`, however it was reached), and none is in the code
    `name` is bound to (the reading explains a loop by its line, and sees `map` over builtins)."""
    try:
        found = sorted(set(ran) | set(student.loops(name)), key=lambda f: (f.label, f.line, f.what))
    except CannotJudge as exc:
        fail(f"{exc} This check reads the code of what `{name}` is bound to once your file has run; define it "
             "with `def` in your file (no exec, no wrapping object) to have it judged.")
    if found:
        lines = [f"- {code_span(f.label)}, line {f.line}: {f.what}" for f in found]
        fail(f"`{name}` must not use Python loops (a comprehension or map counts too). Found:\n" + "\n".join(lines)
             + "\n\nUse broadcasting or a matrix product: ||x||^2 + ||t||^2 - 2 x.t")


def fresh_data(shape: tuple[int, int, int]) -> tuple[np.ndarray, np.ndarray]:
    """Inputs no submission can have seen or predicted: nothing to cache, look up or precompute."""
    return data(*shape, seed=secrets.randbits(64))


def oracle(feats: np.ndarray, protos: np.ndarray, block: int = 128) -> np.ndarray:
    """`exact` by blocks of rows: the speed checks' large inputs stay small in the grader's memory."""
    return np.concatenate([exact(feats[i:i + block], protos) for i in range(0, len(feats), block)])


def arguments(name: str, feats: np.ndarray, protos: np.ndarray) -> tuple:
    return (feats, protos, DeviceSpec("cpu")) if name == "pytorchdists" else (feats, protos)


def values_checker(name: str, feats: np.ndarray, protos: np.ndarray, tolerance, why: str):
    """A check of `name`'s value on these inputs that withholds the points of `why` if it is wrong."""
    def check(value) -> None:
        what = f"{name}(feats {feats.shape}, protos {protos.shape})"
        try:
            check_array(value, oracle(feats, protos), what, tolerance["rtol"], tolerance["atol"], causes=CAUSES)
        except Feedback as exc:
            fail(f"{why} is earned only by a function whose values are right, and here they were not "
                 f"(on inputs drawn afresh for this check):\n\n{exc}")
    return check


# Each size over LOOP_REPEATS: a loop over rows, prototypes or coordinates runs more often than that;
# a loop over blocks of rows (how large inputs fit in memory) does not.
TRACED_SHAPE = (40, 24, 20)
LOOP_REPEATS = 8


def require_computing(student, name: str, tolerance, why: str) -> list:
    """Style and speed points only for a function that computes the right values: a stub or a wrong
    function has no loops and is fast, but earns nothing. Returns the loops the call ran."""
    feats, protos = fresh_data(TRACED_SHAPE)
    value, ran = student.call_traced(name, *arguments(name, feats, protos), repeats=LOOP_REPEATS)
    values_checker(name, feats, protos, tolerance, why)(value)
    return ran


def test_numpy_no_loops(student, entry):
    ran = require_computing(student, "numpydists", entry, "\"Computes without Python loops\"")
    require_no_loops(student, "numpydists", ran)


def test_torch_no_loops(student, entry):
    ran = require_computing(student, "pytorchdists", entry, "\"Computes without Python loops\"")
    require_no_loops(student, "pytorchdists", ran)


def race(student, entry, name: str, shape: tuple[int, int, int], yardstick: str, why: str) -> tuple[float, float]:
    """(best seconds of `name`, best of the yardstick), each round on fresh inputs whose result is checked."""
    def rounds():
        for _ in range(int(entry["repeats"])):
            feats, protos = fresh_data(shape)
            yield arguments(name, feats, protos), (feats, protos), values_checker(name, feats, protos, entry, why)
    return student.race(name, rounds(), yardstick)


def compared(ratio: float) -> str:
    """How much faster (`ratio` > 1) or slower the student's code ran, in words that are true either
    way: "3.2 times faster than", "about as fast as", "1.7 times slower than" (never "0.6 times faster")."""
    if ratio >= 1.05:
        return f"{ratio:.1f} times faster than"
    if ratio > 1 / 1.05:
        return "about as fast as"
    return f"{1 / max(ratio, 1e-9):.1f} times slower than"


def check_faster(student, entry, notes, name: str) -> None:
    why = "\"Faster than the loops\""
    require_computing(student, name, entry, why)
    fast, loops = race(student, entry, name, SPEED_LOOPS, "loop_distances", why)
    ratio = loops / max(fast, 1e-9)
    notes.append(f"`{name}` ran {compared(ratio)} plain Python loops (two nested `for`, the "
                 f"grader's own) on {SPEED_LOOPS[0]} x {SPEED_LOOPS[1]} points of dimension {SPEED_LOOPS[2]}.")
    if ratio < entry["min_speedup"]:
        fail(f"`{name}` is not clearly faster than plain Python loops (it ran {compared(ratio)} them). "
             "Vectorise it: no Python loop, one broadcasting expression or a matrix product.")


def test_numpy_faster_than_loops(student, entry, notes):
    check_faster(student, entry, notes, "numpydists")


def test_torch_faster_than_loops(student, entry, notes):
    check_faster(student, entry, notes, "pytorchdists")


def slowdown(student, entry, shape: tuple[int, int, int]) -> tuple[float, float]:
    """(seconds of pytorchdists, its ratio to a plain matrix product of the same shapes)."""
    yours, yardstick = race(student, entry, "pytorchdists", shape, "matmul", "\"Within a factor of the reference\"")
    return yours, yours / max(yardstick, 1e-9)


def test_torch_speed_vs_reference(student, entry, notes):
    require_computing(student, "pytorchdists", entry, "\"Within a factor of the reference\"")
    yours, ratio = slowdown(student, entry, SPEED_TORCH)
    notes.append(f"`pytorchdists` took {yours * 1000:.1f} ms for {SPEED_TORCH[0]} x {SPEED_TORCH[1]} points "
                 f"of dimension {SPEED_TORCH[2]}: {ratio:.1f} times a plain matrix product of the same size.")
    if ratio > entry["max_slowdown"]:
        fail(f"`pytorchdists` is {ratio:.0f} times slower than one matrix product of the same size. "
             "The fast form is ||x||^2 + ||t||^2 - 2 x t^T, computed with torch.mm / @ and no Python loop.")
    yours, ratio = slowdown(student, entry, SPEED_MANY_ROWS)
    notes.append(f"On {SPEED_MANY_ROWS[0]} points and {SPEED_MANY_ROWS[1]} prototypes of dimension "
                 f"{SPEED_MANY_ROWS[2]} it took {yours * 1000:.1f} ms: {ratio:.1f} times a matrix product.")
    if ratio > entry["max_slowdown_many_rows"]:
        fail(f"With many rows (N = {SPEED_MANY_ROWS[0]}) and few prototypes, `pytorchdists` is {ratio:.0f} times "
             "slower than a matrix product: its cost grows per row, as a Python loop over the rows does. "
             "Compute all rows at once.")


def test_gpu(student, entry, notes):
    if not student.probe("environment").get("cuda"):
        pytest.skip("no CUDA device on the grading machine: the GPU path of pytorchdists was not tested.")
    feats, protos = data(300, 70, 50, seed=11)
    check_array(call(student, "pytorchdists", feats, protos, device="cuda"), exact(feats, protos),
                "pytorchdists on cuda", entry["rtol"], entry["atol"], notes, CAUSES)
