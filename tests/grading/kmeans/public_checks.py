"""Public example checks of the kmeans task, shipped with the handout for the student's self-check.

Every expected value is computed here from the task text's definition or published in it; nothing
comes from the reference or the hidden tests, and passing does not promise full marks.
`CHECKS` lists (title, check, rubric test ids); a check gets the student proxy and the data files by name, and raises
on failure through the grader's own feedback helpers.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Mapping

import numpy as np

from autograder.api import as_array, check_array, describe_value, fail, is_figure, none_hint


def _result(student: Any, what: str, X: np.ndarray, init: list[int]) -> tuple[Any, Any, Any]:
    result = student.call("kmeans", X, init)
    if result is None:
        fail(none_hint("kmeans"))
    if not isinstance(result, (list, tuple)) or len(result) != 3:
        fail(f"`{what}` returned {describe_value(result)}; (centres, labels, n_iter) was expected.")
    return result[0], result[1], result[2]


def _kmeans_shapes(student: Any, files: Mapping[str, Path]) -> None:
    """P = 3 centres of D = 2 features: a transposed (2, 3) result cannot pass for (3, 2)."""
    X = as_array(student.call("make_blobs"), "make_blobs()")
    what = "kmeans(make_blobs(), [0, 50, 100])"
    centres, labels, n_iter = _result(student, what, X, [0, 50, 100])
    shape = as_array(centres, "the centres of " + what).shape
    if shape != (3, X.shape[1]):
        hint = ": transposed? One row per centre was expected" if shape == (X.shape[1], 3) else ""
        fail(f"`{what}`: the centres have shape {shape}; (3, {X.shape[1]}) was expected{hint}.")
    if as_array(labels, "the labels of " + what).shape != (len(X),):
        fail(f"`{what}`: the labels have shape {as_array(labels, what).shape}; ({len(X)},) was expected.")
    if isinstance(n_iter, bool) or not isinstance(n_iter, (int, np.integer)) or not 1 <= n_iter <= 100:
        fail(f"`{what}`: n_iter is {describe_value(n_iter)}; a whole number of rounds from 1 to max_iter was expected.")


# A worked example (N = 7, D = 3, P = 2), small enough to do by hand: two groups far apart; the
# initial centres are rows 3 and 0, in that order, so the far group's centre comes first.
TINY_X = np.array([[0, 0, 0], [1, 0, 0], [0, 1, 0], [10, 10, 10], [11, 10, 10], [10, 11, 10], [10, 10, 11]],
                  dtype=np.float64)
TINY_INIT = [3, 0]
TINY_CENTRES = np.array([[10.25, 10.25, 10.25], [1 / 3, 1 / 3, 0.0]])  # the mean of each group
TINY_LABELS = np.array([1, 1, 1, 0, 0, 0, 0])


def _kmeans_values(student: Any, files: Mapping[str, Path]) -> None:
    what = "kmeans on 7 points in two far-apart groups (3-D), init_indices [3, 0]"
    centres, labels, _ = _result(student, what, TINY_X, TINY_INIT)
    check_array(centres, TINY_CENTRES, f"the centres of {what} (one row per centre, in the order of init_indices)",
                rtol=0, atol=2e-5)
    check_array(labels, TINY_LABELS, f"the labels of {what}", rtol=0, atol=0)


def _plot_returns_a_figure(student: Any, files: Mapping[str, Path]) -> None:
    """plot_kmeans returns its Figure (the template's docstring); what it draws the hidden test judges."""
    X = TINY_X[:, :2]
    what = "plot_kmeans(X, init_centres, centres, labels)"
    figure = student.call("plot_kmeans", X, X[TINY_INIT], TINY_CENTRES[:, :2], TINY_LABELS)
    if figure is None:
        fail(none_hint(what) + " Return the matplotlib Figure (`fig, ax = plt.subplots()` ... `return fig`).")
    if not is_figure(figure):
        fail(f"`{what}` returned {describe_value(figure)}; a matplotlib Figure was expected.")


CHECKS = [
    ("kmeans returns centres, labels and n_iter of the right shapes (P = 3, D = 2)", _kmeans_shapes,
     "kmeans.matches_reference[5]"),
    ("kmeans on a small worked example (P = 2, D = 3)", _kmeans_values, "kmeans.matches_reference[2]"),
    ("plot_kmeans returns a matplotlib Figure", _plot_returns_a_figure, "kmeans.plot"),
]
