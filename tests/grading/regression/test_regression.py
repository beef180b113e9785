"""Hidden tests, T4 linear regression: least squares, SGD with torch.optim.SGD, predictions.

The corn data is read by the reference's load_data from the task's handed-out CSV, so an instructor
who drops in their own CSV changes the expected values with it. Inverting X^T X instead of solving
is not punished: no data set separates inv from solve robustly (both lose accuracy alike when X^T X
is ill-conditioned), so a test for it would be noise.
"""

from __future__ import annotations

import ast

import numpy as np

from autograder.api import (Feedback, agrees, as_array, check_array, describe_value, fail, missing_message,
                            none_hint, task_file)
from reference.regression import regression as ref

OTHER_OPTIMISERS = ("Adam", "AdamW", "Adamax", "NAdam", "RAdam", "SparseAdam", "Adagrad", "Adadelta",
                    "RMSprop", "Rprop", "LBFGS", "ASGD")
GIVEN_W, GIVEN_B = np.array([0.75, -1.5]), 2.5


def corn() -> tuple[np.ndarray, np.ndarray]:
    X, y = ref.load_data(task_file("regression", ref.DATA_FILE))
    return np.asarray(X, dtype=np.float64), np.asarray(y, dtype=np.float64)


def handout_test_set() -> np.ndarray:
    return np.asarray(ref.TEST_SET, dtype=np.float64)


def least_squares_predictions(X: np.ndarray, y: np.ndarray, X_new: np.ndarray) -> np.ndarray:
    theta = np.asarray(ref.least_squares(X, y), dtype=np.float64)
    return theta[0] + X_new @ theta[1:]


# ---------------------------------------------------------------- least squares
def theta_hint(got: np.ndarray, X: np.ndarray, y: np.ndarray, expected: np.ndarray) -> str:
    """Name the usual mistakes: no bias column, bias last."""
    d = X.shape[1]
    no_bias = np.linalg.lstsq(X, y, rcond=None)[0]
    near = lambda a, b: agrees(a, b, rtol=1e-4, atol=1e-8)  # noqa: E731
    if got.size == d:
        return (" That is one weight per feature and no bias. Was the bias column (a column of ones) forgotten? "
                "theta = [bias, w1, ..., wD].")
    if got.size == d + 1 and (near(got[1:], no_bias) or near(got[:d], no_bias)):
        return (" Your weights are the least-squares fit WITHOUT a bias column: add a column of ones to X "
                "before solving the normal equations.")
    if got.size == d + 1 and near(np.roll(got, 1), expected):
        return " These are the right numbers in the wrong order: the bias comes first, theta = [bias, w1, ..., wD]."
    return ""


def check_theta(student, X: np.ndarray, y: np.ndarray, what: str, rtol: float, notes: list[str]) -> None:
    expected = np.asarray(ref.least_squares(X, y), dtype=np.float64)
    value = student.call("least_squares", X, y)
    if value is None:
        fail(none_hint(what))
    got = as_array(value, what, notes).reshape(-1)  # in its own dtype: a float32 fit is judged as float32
    hint = theta_hint(got, X, y, expected)
    if got.size != expected.size:
        fail(f"`{what}` returned {got.size} value(s), expected {expected.size}.{hint or ' theta = [bias, w1, ..., wD].'}")
    design = np.column_stack([np.ones(len(X)), X])
    try:  # solving the normal equations amplifies float32 rounding by the condition number of X^T X
        check_array(got, expected, what, rtol=rtol, atol=rtol * np.abs(expected).max(), notes=notes,
                    amplification=float(np.linalg.cond(design.T @ design)))
    except Feedback as exc:
        fail(f"{exc} You returned {np.round(got.astype(np.float64), 6).tolist()}, expected "
             f"{np.round(expected, 6).tolist()}.{hint}")


def test_least_squares_corn(student, entry, notes):
    X, y = corn()
    check_theta(student, X, y, f"least_squares(X, y) on the corn data ({len(y)} rows)", entry["rtol"], notes)


def hidden_sets(seed: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """Well-conditioned data sets with 1, 3 and 5 features, offsets and scales of their own."""
    rng = np.random.default_rng(seed)
    sets = []
    for n, d in ((12, 1), (40, 3), (25, 5)):
        X = rng.normal(size=(n, d)) * rng.uniform(0.5, 10, size=d) + rng.uniform(-20, 20, size=d)
        y = rng.normal() * 10 + X @ rng.normal(size=d) + rng.normal(size=n)
        sets.append((X, y))
    return sets


def test_least_squares_hidden(student, entry, notes):
    for X, y in hidden_sets(int(entry["seed"])):
        check_theta(student, X, y, f"least_squares(X, y) with X of shape {X.shape}", entry["rtol"], notes)


# ---------------------------------------------------------------- SGD
def is_stub(function: ast.AST) -> bool:
    """Only a docstring and `raise NotImplementedError(...)`: the untouched template."""
    body = [n for n in function.body if not (isinstance(n, ast.Expr) and isinstance(n.value, ast.Constant))]
    return len(body) == 1 and isinstance(body[0], ast.Raise) and "NotImplementedError" in ast.unparse(body[0])


def test_sgd_uses_optim_sgd(student):
    hit = student.index.function_node("sgd_fit", student.contract.get("sgd_fit"))
    if hit is None:
        fail(missing_message(student.index, "sgd_fit", student.contract) + ".")
    if not student.has("sgd_fit"):
        fail("`sgd_fit` is defined, but the code that defines it failed to run (see the top).")
    if is_stub(hit[1]):
        fail("`sgd_fit` is not implemented yet.")
    others = [name for name in OTHER_OPTIMISERS if student.mentions("sgd_fit", name)]
    if others:
        fail(f"`sgd_fit` uses torch.optim.{others[0]}; the task asks for torch.optim.SGD "
             "(plain stochastic gradient descent, which you then tune through its learning rate).")
    if not student.mentions("sgd_fit", "SGD"):
        fail("`sgd_fit` does not use torch.optim.SGD (neither it nor the functions it calls mention `SGD`). "
             "Build the optimiser with `torch.optim.SGD(model.parameters(), lr=...)` and call its step().")


def call_sgd(student, X: np.ndarray, y: np.ndarray, what: str, notes: list[str]):
    """The student's (w (D,), b) from sgd_fit(X, y) with the student's own defaults."""
    value = student.call("sgd_fit", X, y)
    if value is None:
        fail(none_hint(what))
    if not isinstance(value, (tuple, list)) or len(value) != 2:
        fail(f"`{what}` returned {describe_value(value)}; a pair (w, b) was expected.")
    w = as_array(value[0], f"{what}: w", notes).astype(np.float64).reshape(-1)
    b = as_array(value[1], f"{what}: b", notes).astype(np.float64).reshape(-1)
    if w.size != X.shape[1] or b.size != 1:
        fail(f"`{what}` returned w with {w.size} value(s) and b with {b.size}; expected {X.shape[1]} weights "
             "and one bias.")
    if not (np.isfinite(w).all() and np.isfinite(b).all()):
        fail(f"`{what}` returned NaN or infinite weights: the training diverged (learning rate too large?).")
    return w, float(b[0])


def check_close(got: np.ndarray, expected: np.ndarray, what: str, limit: float) -> None:
    if not agrees(got, expected, rtol=0.0, atol=limit):
        error = float(np.abs(np.asarray(got, dtype=np.float64) - expected).max())
        fail(f"{what}: the predictions differ from the least-squares predictions by up to {error:.3g}; "
             "that is too far. Train longer, tune the learning rate, or standardise the features "
             "(and map the weights back).")


def sgd_hidden_set(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """A small well-posed data set on the corn data's scale."""
    rng = np.random.default_rng(seed)
    X = rng.uniform(2, 30, size=(15, 2))
    y = 12 + X @ np.array([1.3, 0.6]) + rng.normal(size=15)
    return X, y


def test_sgd_close_to_least_squares(student, entry, notes):
    limit = entry["max_prediction_error"]
    for label, (X, y) in (("the corn data", corn()), ("a small data set of ours", sgd_hidden_set(int(entry["seed"])))):
        what = f"sgd_fit(X, y) on {label}"
        w, b = call_sgd(student, X, y, what, notes)
        check_close(X @ w + b, least_squares_predictions(X, y, X), f"`{what}`", limit)


def check_given_weights(student, entry, notes) -> None:
    X = handout_test_set()
    what = f"predict(TEST_SET, w={GIVEN_W.tolist()}, b={GIVEN_B})"
    value = student.call("predict", X, GIVEN_W, GIVEN_B)
    if value is None:
        fail(none_hint(what))
    got = as_array(value, what, notes).reshape(-1)
    if agrees(got, X @ GIVEN_W, rtol=0.0, atol=entry["atol"]):
        fail(f"`{what}` returned X w without the bias b: predictions are X w + b.")
    check_array(got, X @ GIVEN_W + GIVEN_B, what, rtol=0.0, atol=entry["atol"], notes=notes)


def check_sgd_predictions(student, entry, notes) -> None:
    X, y = corn()
    w, b = call_sgd(student, X, y, "sgd_fit(X, y) on the corn data", notes)
    what = "predict(TEST_SET, w, b) with your SGD weights"
    value = student.call("predict", handout_test_set(), w, b)
    if value is None:
        fail(none_hint(what))
    got = as_array(value, what, notes).reshape(-1)
    expected = least_squares_predictions(X, y, handout_test_set())
    if got.size != expected.size:
        fail(f"`{what}` returned {got.size} values, expected {expected.size}.")
    own = handout_test_set() @ w + b
    if not agrees(got, own, rtol=1e-5, atol=entry["atol"]):
        missing_bias = " (it leaves out the bias b)" if agrees(got, own - b, rtol=1e-5, atol=entry["atol"]) else ""
        fail(f"`{what}` returned {np.round(got, 4).tolist()}, but X w + b with your SGD weights is "
             f"{np.round(own, 4).tolist()}: `predict` does not compute X w + b{missing_bias}.")
    notes.append(f"Your predictions for the test set: {np.round(got, 2).tolist()}; "
                 f"least squares: {np.round(expected, 2).tolist()}.")
    check_close(got, expected, f"`{what}`", entry["max_prediction_error"])


def test_predictions(student, entry, credit, notes):
    """Two halves: predict itself with given weights, then the test-set predictions of your SGD fit."""
    problems = []
    for check in (check_given_weights, check_sgd_predictions):
        try:
            check(student, entry, notes)
        except Feedback as exc:
            problems.append(str(exc))
    if problems:
        credit.set((2 - len(problems)) / 2, "one of the two prediction checks passed")
        fail("\n\n".join(problems))
