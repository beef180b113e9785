"""Public example checks of the distances task, shipped with the handout for the student's self-check.

Every expected value is computed here from the task text's definition or published in it; nothing
comes from the reference or the hidden tests, and passing does not promise full marks.
`CHECKS` lists (title, check); a check gets the student proxy and the data files by name, and raises
on failure through the grader's own feedback helpers.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable, Mapping

import numpy as np

from autograder.api import DeviceSpec, check_array


def _small_pair(seed: int = 1) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    return rng.normal(size=(5, 3)), rng.normal(size=(4, 3)) + 0.5


def _squared_distances(feats: np.ndarray, protos: np.ndarray) -> np.ndarray:
    """The task's definition, written out: d[i, j] = sum_k (feats[i, k] - protos[j, k])^2."""
    out = np.zeros((len(feats), len(protos)))
    for k in range(feats.shape[1]):
        out += np.subtract.outer(feats[:, k], protos[:, k]) ** 2
    return out


def _distances(name: str) -> Callable[[Any, Mapping[str, Path]], None]:
    def run(student: Any, files: Mapping[str, Path]) -> None:
        feats, protos = _small_pair()
        args = (feats, protos, DeviceSpec("cpu")) if name == "pytorchdists" else (feats, protos)
        got = student.call(name, *args)
        check_array(got, _squared_distances(feats, protos), f"{name} on a (5, 3) and a (4, 3) input",
                    rtol=1e-4, atol=2e-4)
    return run


CHECKS = [
    ("forloopdists on a small random input", _distances("forloopdists")),
    ("numpydists on a small random input", _distances("numpydists")),
    ("pytorchdists on a small random input (CPU)", _distances("pytorchdists")),
]
