"""Hidden tests, T6 autograd and calculus: gradients, slicing, the Hessian of sin x sin y, a plane fit.

The expected values are calculus done by hand in numpy here (df/dx of (x + y) z is z, the gradient of
logsumexp is softmax, ...), not the reference's autograd: an independent oracle. The plane fit is
judged by its loss: the minimal mean absolute error is found exactly (an L1 fit through the origin
with two parameters has an optimum where two residuals vanish), so any optimiser that gets close passes.
"""

from __future__ import annotations

import ast
import itertools
from typing import Any

import numpy as np

from autograder.api import agrees, as_array, check_array, describe_value, fail, none_hint
from reference.autodiff import autodiff as ref

XYZ_POINTS = [(-2.0, 5.0, -4.0), (1.5, -0.5, 2.0), (0.25, 3.0, -1.75)]
PI = float(np.pi)
HESSIAN_POINTS = [(0.0, 0.0), (PI / 2, PI / 2), (PI / 2, -PI / 2), (0.7, -1.3)]
CRITICAL_POINTS = [((0.0, 0.0), "saddle"), ((PI / 2, PI / 2), "maximum"), ((PI / 2, -PI / 2), "minimum"),
                   ((-PI / 2, -PI / 2), "maximum"), ((PI / 2, 3 * PI / 2), "minimum"), ((PI, PI), "saddle")]
HANDOUT_MATRIX = np.array([[1, 2, 3], [4, 5, 6], [7, 8, 9]], dtype=np.float64)
OTHER_MATRIX = np.array([[0.5, -3.0, 11.0], [2.0, 7.25, -1.0], [9.0, 4.0, 6.5]])


def numbers(value: Any, count: int, what: str) -> np.ndarray:
    """A tuple/list/array of `count` numbers (tensors of one element each are fine)."""
    if value is None:
        fail(none_hint(what))
    if isinstance(value, (tuple, list)):
        if len(value) != count:
            fail(f"`{what}` returned {describe_value(value)}; {count} numbers were expected.")
        return np.array([as_array(v, what).reshape(-1)[0] if as_array(v, what).size == 1 else np.nan
                         for v in value], dtype=np.float64)
    array = as_array(value, what).astype(np.float64).reshape(-1)
    if array.size != count:
        fail(f"`{what}` returned {describe_value(value)}; {count} numbers were expected.")
    return array


# ---------------------------------------------------------------- gradients
def test_grad_xyz(student, entry):
    for x, y, z in XYZ_POINTS:
        what = f"grad_xyz({x:g}, {y:g}, {z:g})"
        value = student.call("grad_xyz", x, y, z)
        f = (x + y) * z
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            hint = " That is the value of f itself: return the three partial derivatives." if agrees(value, f, rtol=0, atol=1e-9) else ""
            fail(f"`{what}` returned one number, {value:g}; (df/dx, df/dy, df/dz) was expected.{hint}")
        got = numbers(value, 3, what)
        expected = np.array([z, z, x + y])
        if not agrees(got, expected, rtol=0, atol=entry["atol"]):
            hint = ""
            if any(agrees(g, f, rtol=0, atol=entry["atol"]) for g in got):
                hint = f" {f:g} is the value of f = (x + y) z, not a derivative: call backward() and read .grad."
            fail(f"`{what}` returned {np.round(got, 6).tolist()}, expected {expected.tolist()} "
                 f"(df/dx = z, df/dy = z, df/dz = x + y).{hint}")


def test_grad_quadratic(student, entry, notes):
    rng = np.random.default_rng(3)
    for x in (np.full((2, 2), 2.0), rng.normal(size=(3, 4)) * 3):
        what = f"grad_quadratic(x of shape {x.shape})"
        got = as_array(student.call("grad_quadratic", x), what, notes)
        if agrees(got, 2 * x * x + 5 * x, rtol=entry["rtol"], atol=entry["atol"]):
            fail(f"`{what}` returned the function values 2x^2 + 5x, not the gradient 4x + 5.")
        check_array(got, 4 * x + 5, what, rtol=entry["rtol"], atol=entry["atol"], notes=notes)


def softmax(x: np.ndarray) -> np.ndarray:
    e = np.exp(x - x.max())
    return e / e.sum()


def test_grad_logsumexp(student, entry, credit, notes):
    vectors = [np.array([1.0, 2.0, 3.0]), np.array([-0.5, 0.0, 0.5, 4.0, -3.0]), np.array([7.0]),
               np.array([1000.0, 1001.0, 999.0]), np.array([-800.0, -799.0, -801.5])]
    problems = []
    for x in vectors:
        what = f"grad_logsumexp({x.tolist()})"
        expected = softmax(x)
        got = as_array(student.call("grad_logsumexp", x), what, notes).reshape(-1)  # float32 judged as float32
        if agrees(got, expected, rtol=0, atol=entry["atol"]):
            continue
        message = f"`{what}` returned {np.round(got, 6).tolist()}, expected softmax(x) = {np.round(expected, 6).tolist()}."
        if got.shape == expected.shape:
            if agrees(got, -expected, rtol=1e-5, atol=entry["atol"]):
                message += " That is -softmax(x): check the sign."
            elif agrees(got, softmax(-x), rtol=1e-5, atol=entry["atol"]):
                message += " That is softmax(-x): check the sign of the exponent."
            elif not np.isfinite(got).all():
                message += (" exp overflows (or underflows) for inputs this large: use torch.logsumexp, "
                            "or subtract max(x) before exponentiating.")
        problems.append(message)
    if problems:
        right = len(vectors) - len(problems)
        credit.set(right / len(vectors), f"{right} of {len(vectors)} vectors right")
        fail("\n".join(f"- {p}" for p in problems))


# ---------------------------------------------------------------- slicing
TRIVIAL_CALLS = {"range", "len", "list", "tuple", "print", "copy", "array", "asarray", "tensor", "clone",
                 "numpy", "tolist", "deepcopy"}


def column_expressions(function: ast.AST) -> set[str]:
    """Distinct subscript and (non-trivial) call expressions in a function's body."""
    found = set()
    for node in ast.walk(function):
        if isinstance(node, ast.Subscript):
            found.add(ast.unparse(node))
        elif isinstance(node, ast.Call):
            func = node.func
            called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if called not in TRIVIAL_CALLS:
                found.add(ast.unparse(node))
    return found


def test_middle_column(student, notes):
    for A in (HANDOUT_MATRIX, OTHER_MATRIX):
        what = f"middle_column({A.tolist()})"
        value = student.call("middle_column", A)
        if value is None:
            fail(none_hint(what))
        if not isinstance(value, (list, tuple)) or len(value) != 3:
            fail(f"`{what}` returned {describe_value(value)}; a list of three arrays was expected.")
        for i, column in enumerate(value):
            check_array(column, A[:, 1], f"{what}, item {i}", rtol=0.0, atol=0.0, notes=notes)
    hit = student.index.function_node("middle_column", student.contract.get("middle_column"))
    expressions = column_expressions(hit[1]) if hit is not None else None
    if expressions is None:
        notes.append("The source of `middle_column` could not be read; the three expressions were not compared.")
    elif len(expressions) < 2:
        fail("`middle_column` returns the right column three times, but it uses only one expression "
             f"({', '.join(sorted(expressions)) or 'none found'}). Write three different ones, for example "
             "A[:, 1], A[..., 1] and A.T[1].")


# ---------------------------------------------------------------- Hessian of sin x sin y
def hessian(x: float, y: float) -> tuple[np.ndarray, np.ndarray]:
    """By hand: f_xx = f_yy = -sin x sin y, f_xy = cos x cos y; eigenvalues f_xx -+ |f_xy|."""
    d, o = -np.sin(x) * np.sin(y), np.cos(x) * np.cos(y)
    return np.array([[d, o], [o, d]]), np.array([d - abs(o), d + abs(o)])


def real_part(array: np.ndarray, what: str, atol: float) -> np.ndarray:
    if array.dtype.kind == "c":
        if np.abs(array.imag).max() > atol:
            fail(f"`{what}` has complex eigenvalues; a symmetric matrix has real ones (use eigvalsh).")
        return array.real
    return array


def test_hessian(student, entry, notes):
    atol = entry["atol"]
    for x, y in HESSIAN_POINTS:
        what = f"hessian_sin_sin({x:.6g}, {y:.6g})"
        value = student.call("hessian_sin_sin", x, y)
        if value is None:
            fail(none_hint(what))
        if not isinstance(value, (tuple, list)) or len(value) != 2:
            fail(f"`{what}` returned {describe_value(value)}; a pair (H, eigenvalues) was expected.")
        H_expected, eig_expected = hessian(x, y)
        check_array(real_part(as_array(value[0], f"{what}: H"), f"{what}: H", atol), H_expected,
                    f"{what}: H", rtol=0.0, atol=atol, notes=notes)
        eig = real_part(as_array(value[1], f"{what}: eigenvalues"), f"{what}: eigenvalues", atol)
        eig = eig.astype(np.float64).reshape(-1)
        if eig.shape == (2,) and not agrees(eig, eig_expected, rtol=1e-5, atol=atol) and \
                agrees(np.sort(eig), eig_expected, rtol=1e-5, atol=atol):
            fail(f"`{what}`: eigenvalues {np.round(eig, 6).tolist()} are right but not in ascending order "
                 "(np.linalg.eig does not sort; use eigvalsh, or sort them).")
        check_array(eig, eig_expected, f"{what}: eigenvalues", rtol=0.0, atol=atol, notes=notes)


def point_type(answer: Any) -> str | None:
    """Lenient reading: case, spaces and words around it do not matter ("Local maximum" is fine)."""
    if not isinstance(answer, str):
        return None
    text = answer.strip().lower()
    kinds = [k for k, word in (("saddle", "saddle"), ("maximum", "max"), ("minimum", "min")) if word in text]
    return kinds[0] if len(kinds) == 1 else None


def test_critical_points(student):
    wrong, swapped = [], 0
    for (x, y), expected in CRITICAL_POINTS:
        answer = student.call("critical_point_type", x, y)
        swapped += {point_type(answer), expected} == {"maximum", "minimum"}
        if point_type(answer) != expected:
            eig = hessian(x, y)[1]
            wrong.append(f"- critical_point_type({x:.6g}, {y:.6g}) returned {describe_value(answer)}, expected "
                         f"\"{expected}\" (the Hessian's eigenvalues there are {np.round(eig, 6).tolist()})")
    if wrong and swapped == len(wrong):
        wrong.append("Every wrong answer swaps maximum and minimum: positive eigenvalues mean a minimum.")
    if wrong:
        fail("\n".join(["Some critical points are classified wrongly. Both eigenvalues positive: the surface "
                        "curves up in every direction, a minimum; both negative: a maximum; "
                        "mixed signs: a saddle."] + wrong))


# ---------------------------------------------------------------- plane fit
def mae(points: np.ndarray, values: np.ndarray, a: float, b: float) -> float:
    return float(np.abs(points @ np.array([a, b]) - values).mean())


def minimal_mae(points: np.ndarray, values: np.ndarray) -> float:
    """The exact minimum: some optimal (a, b) makes two residuals zero, so try every pair of points."""
    best = np.inf
    for i, j in itertools.combinations(range(len(values)), 2):
        A = points[[i, j]]
        if abs(np.linalg.det(A)) > 1e-12:
            a, b = np.linalg.solve(A, values[[i, j]])
            best = min(best, mae(points, values, a, b))
    return best


def test_fit_plane(student, entry, notes):
    points = np.asarray(ref.PLANE_POINTS, dtype=np.float64)
    values = np.asarray(ref.PLANE_VALUES, dtype=np.float64)
    what = "fit_plane(PLANE_POINTS, PLANE_VALUES)"
    a, b = numbers(student.call("fit_plane", points, values), 2, what)
    if not (np.isfinite(a) and np.isfinite(b)):
        fail(f"`{what}` returned a = {a}, b = {b}: the descent diverged (learning rate too large?).")
    best, yours = minimal_mae(points, values), mae(points, values, a, b)
    notes.append(f"Your plane: a = {a:.4f}, b = {b:.4f}, mean absolute error {yours:.4f} "
                 f"(the smallest possible is {best:.4f}).")
    if yours - best > entry["max_loss_excess"]:
        least_squares = np.linalg.lstsq(points, values, rcond=None)[0]
        hint = ""
        if agrees(np.array([a, b]), least_squares, rtol=1e-5, atol=1e-3):
            hint = " Your (a, b) is the least-squares plane: the task minimises the mean ABSOLUTE error."
        fail(f"`{what}`: your plane's mean absolute error is {yours:.4f}, clearly above the smallest possible, "
             f"{best:.4f}.{hint} Run more steps, or let the learning rate decay (the gradient of |r| does "
             "not shrink near the optimum, so a fixed step keeps jumping around it).")
