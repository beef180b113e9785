"""Public example checks of the distances task, shipped with the handout for the student's self-check.

Every expected value is worked out by hand from the task text's definition or published in it; nothing
comes from the reference or the hidden tests, and passing does not promise full marks.
`CHECKS` lists (title, check, rubric test ids); a check gets the student proxy and the data files by
name, and raises on failure through the grader's own feedback helpers.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable, Mapping

import numpy as np

from autograder.api import CannotJudge, DeviceSpec, check_array, fail

# A small example worked out by hand from the definition d[i, j] = sum_k (feats[i, k] - protos[j, k])^2,
# e.g. d[2, 0] = (3 - 0)^2 + (1 - 0)^2 + (1 - 0)^2 + (0 - 0)^2 = 11. Written out, not computed: the
# handout holds no code that computes the distances (that would be an answer). N = 3 rows, P = 2
# prototypes, D = 4 features, all different, so a transposed or reshaped result cannot pass.
FEATS = np.array([[0.0, 0.0, 1.0, 2.0], [1.0, 2.0, 0.0, 0.0], [3.0, 1.0, 1.0, 0.0]])
PROTOS = np.array([[0.0, 0.0, 0.0, 0.0], [1.0, 1.0, 2.0, 1.0]])
EXPECTED = np.array([[5.0, 4.0], [5.0, 6.0], [11.0, 6.0]])


def _call(student: Any, name: str, feats: np.ndarray, protos: np.ndarray) -> Any:
    args = (feats, protos, DeviceSpec("cpu")) if name == "pytorchdists" else (feats, protos)
    return student.call(name, *args)


def _distances(name: str, dtype: type = np.float64) -> Callable[[Any, Mapping[str, Path]], None]:
    def run(student: Any, files: Mapping[str, Path]) -> None:
        kind = " float32" if dtype == np.float32 else ""
        check_array(_call(student, name, FEATS.astype(dtype), PROTOS.astype(dtype)), EXPECTED,
                    f"{name} on a{kind} (3, 4) and a{kind} (2, 4) input (N = 3, P = 2, D = 4)",
                    rtol=1e-4, atol=2e-4 if dtype == np.float64 else 2e-3)
    return run


def _no_loops(name: str) -> Callable[[Any, Mapping[str, Path]], None]:
    """The grader's rule, read from the code as the grader reads it: no Python loop, comprehension or
    map, in a function that computes the distances (as the grader's test, a stub does not pass)."""
    def run(student: Any, files: Mapping[str, Path]) -> None:
        _distances(name)(student, files)
        try:
            found = student.loops(name)
        except CannotJudge as exc:
            fail(f"{exc} Define `{name}` with `def` in your file to have it judged.")
        if found:
            fail(f"`{name}` must not use Python loops (a comprehension or map counts too). Found:\n"
                 + "\n".join(f"- {f.label}, line {f.line}: {f.what}" for f in found))
    return run


CHECKS = [
    ("forloopdists on a small worked example", _distances("forloopdists"), "distances.forloop_agrees"),
    ("numpydists on a small worked example", _distances("numpydists"), "distances.numpy_agrees"),
    ("pytorchdists on a small worked example (CPU)", _distances("pytorchdists"), "distances.torch_agrees"),
    ("numpydists accepts float32 input", _distances("numpydists", np.float32), "distances.numpy_float32_input"),
    ("pytorchdists accepts float32 input", _distances("pytorchdists", np.float32), "distances.torch_float32_input"),
    ("numpydists has no Python loop", _no_loops("numpydists"), "distances.numpy_no_loops"),
    ("pytorchdists has no Python loop", _no_loops("pytorchdists"), "distances.torch_no_loops"),
]
