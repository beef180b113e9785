"""Public example checks of the regression task, shipped with the handout for the student's self-check.

Every expected value is computed here from the task text's definition or published in it; nothing
comes from the reference or the hidden tests, and passing does not promise full marks.
`CHECKS` lists (title, check, rubric test ids); a check gets the student proxy and the data files by name, and raises
on failure through the grader's own feedback helpers.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Mapping

import numpy as np

from autograder.api import as_array, check_array, describe_value, fail

CORN_FILE = "qn2_data.csv"
CORN_FIT = np.array([31.98, 0.650, 1.110])  # published: corn = 31.98 + 0.650 x1 + 1.110 x2 (rounded)


def read_corn(files: Mapping[str, Path]) -> tuple[np.ndarray, np.ndarray]:
    """Columns 1 and 2 (features) and 3 (corn) of the handout's CSV; a header line is skipped."""
    if CORN_FILE not in files:
        fail(f"`{CORN_FILE}` was not found next to your files: it ships with the handout.")
    table = np.genfromtxt(files[CORN_FILE], delimiter=",", dtype=np.float64)
    table = table[~np.isnan(table).any(axis=1)]
    return table[:, :2], table[:, 2]


def _least_squares(student: Any, files: Mapping[str, Path]) -> None:
    X, y = read_corn(files)
    got = student.call("least_squares", X, y)
    check_array(got, CORN_FIT, "least_squares(X, y) on the corn data (published fit, rounded)", rtol=0, atol=0.01)


def _predict(student: Any, files: Mapping[str, Path]) -> None:
    X, w, b = np.array([[1.0, 2.0], [3.0, -1.0]]), np.array([0.5, 2.0]), 1.0
    check_array(student.call("predict", X, w, b), np.array([5.5, 0.5]), "predict([[1, 2], [3, -1]], [0.5, 2], 1)",
                rtol=1e-10, atol=1e-10)


def _sgd_fit_uses_sgd(student: Any, files: Mapping[str, Path]) -> None:
    """One epoch on three samples returns (w, b) as the docstring says (w of shape (D,) = (2,)); and
    the task text asks for torch.optim.SGD, read from the code as the grader reads it."""
    X, y = np.array([[0.0, 1.0], [1.0, 0.0], [1.0, 1.0]]), np.array([1.0, 2.0, 3.0])
    what = "sgd_fit(X of shape (3, 2), y, lr=0.01, epochs=1)"
    result = student.call("sgd_fit", X, y, lr=0.01, epochs=1)
    if not isinstance(result, (list, tuple)) or len(result) != 2:
        fail(f"`{what}` returned {describe_value(result)}; (w, b) was expected.")
    if as_array(result[0], f"w of {what}").reshape(-1).shape != (2,):
        fail(f"`{what}`: w has shape {as_array(result[0], what).shape}; (2,), one weight per feature, was expected.")
    if not student.mentions("sgd_fit", "SGD"):
        fail("`sgd_fit` does not use torch.optim.SGD (the task asks for it): build the optimiser with "
             "`torch.optim.SGD(...)` and step it in your loop.")


CHECKS = [
    ("least_squares on the corn data matches the published fit", _least_squares, "regression.least_squares_corn"),
    ("predict on a tiny case", _predict, "regression.predictions"),
    ("sgd_fit uses torch.optim.SGD", _sgd_fit_uses_sgd, "regression.sgd_uses_optim_sgd"),
]
