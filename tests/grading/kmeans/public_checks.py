"""Public example checks of the kmeans task, shipped with the handout for the student's self-check.

Every expected value is computed here from the task text's definition or published in it; nothing
comes from the reference or the hidden tests, and passing does not promise full marks.
`CHECKS` lists (title, check); a check gets the student proxy and the data files by name, and raises
on failure through the grader's own feedback helpers.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Mapping

import numpy as np

from autograder.api import as_array, describe_value, fail, none_hint


def _kmeans_shapes(student: Any, files: Mapping[str, Path]) -> None:
    X = as_array(student.call("make_blobs"), "make_blobs()")
    what = "kmeans(make_blobs(), [0, 50])"
    result = student.call("kmeans", X, [0, 50])
    if result is None:
        fail(none_hint("kmeans"))
    if not isinstance(result, (list, tuple)) or len(result) != 3:
        fail(f"`{what}` returned {describe_value(result)}; (centres, labels, n_iter) was expected.")
    centres, labels, n_iter = result
    if as_array(centres, "the centres of " + what).shape != (2, X.shape[1]):
        fail(f"`{what}`: the centres have shape {as_array(centres, what).shape}; (2, {X.shape[1]}) was expected.")
    if as_array(labels, "the labels of " + what).shape != (len(X),):
        fail(f"`{what}`: the labels have shape {as_array(labels, what).shape}; ({len(X)},) was expected.")
    if isinstance(n_iter, bool) or not isinstance(n_iter, (int, np.integer)) or not 1 <= n_iter <= 100:
        fail(f"`{what}`: n_iter is {describe_value(n_iter)}; a whole number of rounds from 1 to max_iter was expected.")


CHECKS = [("kmeans returns centres, labels and n_iter of the right shapes", _kmeans_shapes)]
