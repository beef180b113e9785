"""Public example checks of the mnist task, shipped with the handout for the student's self-check.

Every expected value is computed here from the task text's definition or published in it; nothing
comes from the reference or the hidden tests, and passing does not promise full marks.
`CHECKS` lists (title, check); a check gets the student proxy and the data files by name, and raises
on failure through the grader's own feedback helpers.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Mapping

import numpy as np

from autograder.api import TensorData, check_scalar, fail


def _classification_error(student: Any, files: Mapping[str, Path]) -> None:
    scores = np.eye(10)[[3, 1, 4, 1]] * 2.0
    labels = np.array([3, 1, 4, 7])  # the last of the four is wrong: 25 %
    for args, kind in (((scores, labels), "numpy arrays"),
                       ((TensorData(scores.astype(np.float32), "torch.float32", "cpu"),
                         TensorData(labels.astype(np.int64), "torch.int64", "cpu")), "tensors")):
        what = f"classification_error on 4 samples with 1 wrong ({kind})"
        got = student.call("classification_error", *args)
        if isinstance(got, TensorData) and got.array.size == 1:
            got = got.array.item()
        check_scalar(got, 25.0, what, rtol=0, atol=5e-4)


def _model_shapes(student: Any, files: Mapping[str, Path]) -> None:
    info = student.probe("model_shapes", batch=2, what="build_model()")
    if tuple(info["shape"]) != (2, 10):
        fail(f"For 2 images (shape (2, 1, 28, 28)) your model returned shape {tuple(info['shape'])}; "
             "(2, 10) was expected.")


CHECKS = [
    ("classification_error on a tiny crafted case", _classification_error),
    ("build_model maps 2 images to (2, 10) scores", _model_shapes),
]
