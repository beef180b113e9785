"""Public example checks of the distances task, shipped with the handout for the student's self-check.

Every expected value is worked out by hand from the task text's definition or published in it; nothing
comes from the reference or the hidden tests, and passing does not promise full marks.
`CHECKS` lists (title, check); a check gets the student proxy and the data files by name, and raises
on failure through the grader's own feedback helpers.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable, Mapping

import numpy as np

from autograder.api import DeviceSpec, check_array


# A small example worked out by hand from the definition d[i, j] = sum_k (feats[i, k] - protos[j, k])^2,
# e.g. d[2, 0] = (3 - 0)^2 + (1 - 0)^2 = 10. Written out, not computed: the handout holds no code that
# computes the distances (that would be an answer).
FEATS = np.array([[0.0, 0.0], [1.0, 2.0], [3.0, 1.0]])
PROTOS = np.array([[0.0, 0.0], [1.0, 1.0]])
EXPECTED = np.array([[0.0, 2.0], [5.0, 1.0], [10.0, 4.0]])


def _distances(name: str) -> Callable[[Any, Mapping[str, Path]], None]:
    def run(student: Any, files: Mapping[str, Path]) -> None:
        args = (FEATS, PROTOS, DeviceSpec("cpu")) if name == "pytorchdists" else (FEATS, PROTOS)
        got = student.call(name, *args)
        check_array(got, EXPECTED, f"{name} on the (3, 2) and (2, 2) example", rtol=1e-4, atol=2e-4)
    return run


CHECKS = [
    ("forloopdists on a small worked example", _distances("forloopdists")),
    ("numpydists on a small worked example", _distances("numpydists")),
    ("pytorchdists on a small worked example (CPU)", _distances("pytorchdists")),
]
