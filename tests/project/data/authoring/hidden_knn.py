"""Hidden tests of the authored knn task, part 1: the distances (values checked against numpy's own)."""

import numpy as np

from autograder.api import check_array


def test_distances(student, entry):
    rng = np.random.default_rng(entry["seed"])
    X_test, X_train = rng.normal(size=(7, 4)), rng.normal(size=(11, 4))
    expected = np.linalg.norm(X_test[:, None, :] - X_train[None, :, :], axis=2)
    check_array(student.call("distances", X_test, X_train), expected, "distances(X_test, X_train)",
                rtol=1e-9, atol=1e-9)
