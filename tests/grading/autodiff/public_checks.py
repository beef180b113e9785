"""Public example checks of the autodiff task, shipped with the handout for the student's self-check.

Every expected value is computed here from the task text's definition or published in it; nothing
comes from the reference or the hidden tests, and passing does not promise full marks.
`CHECKS` lists (title, check, rubric test ids); a check gets the student proxy and the data files by name, and raises
on failure through the grader's own feedback helpers.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Mapping

import numpy as np

from autograder.api import check_array, fail


def _grad_xyz(student: Any, files: Mapping[str, Path]) -> None:
    x, y, z = -2.0, 5.0, -4.0
    what = "grad_xyz(-2, 5, -4)"
    got = student.call("grad_xyz", x, y, z)
    if isinstance(got, (int, float)) and not isinstance(got, bool):
        fail(f"`{what}` returned one number, {got:g}; (df/dx, df/dy, df/dz) was expected.")
    check_array(got, np.array([z, z, x + y]), what, rtol=0, atol=2e-5)


def _grad_quadratic(student: Any, files: Mapping[str, Path]) -> None:
    x = np.array([[0.0, 1.0], [-2.0, 0.5]])
    check_array(student.call("grad_quadratic", x), 4 * x + 5, "grad_quadratic([[0, 1], [-2, 0.5]])",
                rtol=1e-4, atol=2e-4)


def _grad_logsumexp(student: Any, files: Mapping[str, Path]) -> None:
    """The task text: the gradient of log(sum(exp(x))) is softmax(x); large entries must not overflow."""
    for x in (np.array([1.0, 2.0, 3.0, 0.5]), np.array([500.0, 501.0, 499.0])):
        expected = np.exp(x - x.max()) / np.exp(x - x.max()).sum()
        check_array(student.call("grad_logsumexp", x), expected, f"grad_logsumexp({x.tolist()})", rtol=0, atol=2e-5)


CHECKS = [
    ("grad_xyz at the handout's point", _grad_xyz, "autodiff.grad_xyz"),
    ("grad_quadratic on a 2x2 input", _grad_quadratic, "autodiff.grad_quadratic"),
    ("grad_logsumexp is softmax, without overflow", _grad_logsumexp, "autodiff.grad_logsumexp"),
]
