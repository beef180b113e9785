"""Public example checks, one or two per task, that ship with the handout for the self-check.

They are written for the handout alone: every expected value is either computed here from the
definition in the task text or published in it (the corn fit, the broadcasting table). They do not
use the reference or the hidden tests, and passing them does not promise full marks. Failures
read like the grader's, through autograder.feedback.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Mapping

import numpy as np

from autograder.feedback import as_array, check_array, check_scalar, describe_value, fail, none_hint
from autograder.sandbox.wire import DeviceSpec, TensorData

CORN_FILE = "qn2_data.csv"
CORN_FIT = np.array([31.98, 0.650, 1.110])  # published: corn = 31.98 + 0.650 x1 + 1.110 x2 (rounded)
HANDOUT_PAIRS = [((4, 1), (3, 1, 1, 5), (3, 1, 4, 5)), ((3, 1, 3), (2, 3, 3), None)]  # from the task table


@dataclass(frozen=True)
class PublicCheck:
    task: str
    title: str
    run: Callable[[Any, Mapping[str, Path]], None]  # (student proxy, data files by name); raises on failure


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


def _broadcast(student: Any, files: Mapping[str, Path]) -> None:
    for a, b, expected in HANDOUT_PAIRS:
        got = student.call("broadcast_shape", a, b)
        if isinstance(got, np.ndarray):
            got = tuple(int(v) for v in got)
        if isinstance(got, list):
            got = tuple(got)
        if got != expected:
            fail(f"`broadcast_shape({a}, {b})` returned {describe_value(got) if got is not None else None}, "
                 f"expected {expected} (see the table of the handout).")


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


CHECKS = [
    PublicCheck("distances", "forloopdists on a small random input", _distances("forloopdists")),
    PublicCheck("distances", "numpydists on a small random input", _distances("numpydists")),
    PublicCheck("distances", "pytorchdists on a small random input (CPU)", _distances("pytorchdists")),
    PublicCheck("broadcasting", "broadcast_shape on two pairs of the handout", _broadcast),
    PublicCheck("kmeans", "kmeans returns centres, labels and n_iter of the right shapes", _kmeans_shapes),
    PublicCheck("regression", "least_squares on the corn data matches the published fit", _least_squares),
    PublicCheck("regression", "predict on a tiny case", _predict),
    PublicCheck("mnist", "classification_error on a tiny crafted case", _classification_error),
    PublicCheck("mnist", "build_model maps 2 images to (2, 10) scores", _model_shapes),
    PublicCheck("autodiff", "grad_xyz at the handout's point", _grad_xyz),
    PublicCheck("autodiff", "grad_quadratic on a 2x2 input", _grad_quadratic),
]
