"""Hidden tests, T1 pairwise squared distances: agreement, accepted types, no loops, speed, GPU."""

from __future__ import annotations

import numpy as np
import pytest

from autograder.feedback import as_array, check_array, describe_value, fail
from autograder.sandbox.wire import DeviceSpec

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
                    f"{name}(feats {feats.shape}, protos {protos.shape})", entry["rtol"], entry["atol"], notes)


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
                f"{name} with float32 input", entry["rtol"], entry["atol"] * 100, notes)


def test_numpy_float32_input(student, entry, notes):
    check_float32_input(student, entry, notes, "numpydists")


def test_torch_float32_input(student, entry, notes):
    check_float32_input(student, entry, notes, "pytorchdists")


def require_no_loops(student, name: str) -> None:
    found = student.loops(name)
    if found:
        lines = [f"- {f.label}, line {f.line}: {f.what}" for f in found]
        fail(f"`{name}` must not use Python loops (a comprehension or map counts too). Found:\n" + "\n".join(lines)
             + "\n\nUse broadcasting or a matrix product: ||x||^2 + ||t||^2 - 2 x.t")


def require_computing(student, name: str) -> None:
    """Style and speed points only for a function that computes something: a stub has no loops
    and is fast, but earns nothing. Wrong values are judged (once) by the agreement tests."""
    feats, protos = data(9, 4, 3, seed=1)
    what = f"{name}(feats {feats.shape}, protos {protos.shape})"
    result = as_array(call(student, name, feats, protos), what)
    if result.size != 9 * 4 or result.dtype.kind not in "biuf" or not np.isfinite(result).all():
        fail(f"`{what}` returned {describe_value(result)}, not 9 x 4 finite numbers, so its loops and speed "
             "were not judged.")


def test_numpy_no_loops(student):
    require_computing(student, "numpydists")
    require_no_loops(student, "numpydists")


def test_torch_no_loops(student):
    require_computing(student, "pytorchdists")
    require_no_loops(student, "pytorchdists")


def speedup_over_loops(student, name: str, repeats: int) -> float:
    feats, protos = data(*SPEED_LOOPS, seed=3)
    args = (feats, protos, DeviceSpec("cpu")) if name == "pytorchdists" else (feats, protos)
    fast, loops = student.race(name, args, "loop_distances", (feats, protos), repeats=repeats)
    return loops / max(fast, 1e-9)


def check_faster(student, entry, notes, name: str) -> None:
    require_computing(student, name)
    ratio = speedup_over_loops(student, name, int(entry["repeats"]))
    notes.append(f"`{name}` ran {ratio:.1f} times faster than plain Python loops (two nested `for`, the "
                 f"grader's own) on {SPEED_LOOPS[0]} x {SPEED_LOOPS[1]} points of dimension {SPEED_LOOPS[2]}.")
    if ratio < entry["min_speedup"]:
        fail(f"`{name}` is not clearly faster than plain Python loops (only {ratio:.1f} times). "
             "Vectorise it: no Python loop, one broadcasting expression or a matrix product.")


def test_numpy_faster_than_loops(student, entry, notes):
    check_faster(student, entry, notes, "numpydists")


def test_torch_faster_than_loops(student, entry, notes):
    check_faster(student, entry, notes, "pytorchdists")


def slowdown(student, shape: tuple[int, int, int], repeats: int) -> tuple[float, float]:
    """(seconds of pytorchdists, its ratio to a plain matrix product of the same shapes)."""
    feats, protos = data(*shape, seed=5)
    yours, yardstick = student.race("pytorchdists", (feats, protos, DeviceSpec("cpu")), "matmul", (feats, protos),
                                    repeats=repeats)
    return yours, yours / max(yardstick, 1e-9)


def test_torch_speed_vs_reference(student, entry, notes):
    require_computing(student, "pytorchdists")
    repeats = int(entry["repeats"])
    yours, ratio = slowdown(student, SPEED_TORCH, repeats)
    notes.append(f"`pytorchdists` took {yours * 1000:.1f} ms for {SPEED_TORCH[0]} x {SPEED_TORCH[1]} points "
                 f"of dimension {SPEED_TORCH[2]}: {ratio:.1f} times a plain matrix product of the same size.")
    if ratio > entry["max_slowdown"]:
        fail(f"`pytorchdists` is {ratio:.0f} times slower than one matrix product of the same size. "
             "The fast form is ||x||^2 + ||t||^2 - 2 x t^T, computed with torch.mm / @ and no Python loop.")
    yours, ratio = slowdown(student, SPEED_MANY_ROWS, repeats)
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
                "pytorchdists on cuda", entry["rtol"], entry["atol"], notes)
