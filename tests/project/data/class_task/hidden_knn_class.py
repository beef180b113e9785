"""Hidden tests of the worked class example: values, attributes, no loops and speed, on methods."""

import numpy as np

from autograder.api import check_array, fail


def data(seed, n_train=40, n_test=15, d=8):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n_train, d)), rng.integers(0, 3, size=n_train), rng.normal(size=(n_test, d))


def expected(X_test, X_train):
    return np.sqrt(((X_test[:, None, :] - X_train[None, :, :]) ** 2).sum(-1))


def trained(student, X, y, k=1):
    knn = student.new("KNearestNeighbor", k=k)
    knn.call("train", X, y)
    return knn


def test_remembers_training_data(student):
    X, y, _ = data(1)
    check_array(trained(student, X, y).get("X_train"), X, "`knn.X_train` after `knn.train(X, y)`", rtol=0, atol=0)


def test_two_loops(student):
    X, y, X_test = data(0)
    check_array(trained(student, X, y).call("compute_distances_two_loops", X_test), expected(X_test, X),
                "`knn.compute_distances_two_loops(X_test)`", rtol=1e-9, atol=1e-9)


def test_no_loops(student):
    X, y, X_test = data(0)
    check_array(trained(student, X, y).call("compute_distances_no_loops", X_test), expected(X_test, X),
                "`knn.compute_distances_no_loops(X_test)`", rtol=1e-9, atol=1e-9)


def test_no_loops_has_no_python_loop(student):
    test_no_loops(student)  # right values first: loop-free garbage earns nothing
    found = student.loops("KNearestNeighbor.compute_distances_no_loops")
    if found:
        fail("`KNearestNeighbor.compute_distances_no_loops` still has Python loops: "
             + "; ".join(f"{f.label}, line {f.line}: {f.what}" for f in found))


def test_no_loops_speed(student, entry):
    X, y, _ = data(2, n_train=500, d=64)
    knn = trained(student, X, y)
    rng = np.random.default_rng(3)

    def rounds():
        for _ in range(3):
            X_test = rng.normal(size=(200, 64))

            def check(value, X_test=X_test):
                check_array(value, expected(X_test, X), "`knn.compute_distances_no_loops` (timed)", rtol=1e-6, atol=1e-6)
            yield (X_test,), (X_test, X), check

    yours, product = student.race("compute_distances_no_loops", rounds(), "matmul", on=knn)
    if yours > entry["max_ratio"] * product:
        fail(f"`compute_distances_no_loops` took {yours / product:.0f} times as long as one matrix product of "
             f"the same sizes; at most {entry['max_ratio']:g} times is expected of code without Python loops.")


def test_predict(student):
    X, y, X_test = data(4)
    knn = trained(student, X, y, k=3)
    dists = expected(X_test, X)
    nearest = y[np.argsort(dists, axis=1, kind="stable")[:, :3]]
    check_array(knn.call("predict_labels", dists), np.array([np.bincount(row).argmax() for row in nearest]),
                "`knn.predict_labels(dists)` with k=3", rtol=0, atol=0)
