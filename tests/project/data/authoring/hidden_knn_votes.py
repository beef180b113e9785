"""Hidden tests of the authored knn task, part 2 (a second file of the same task): the vote."""

import numpy as np

from autograder.api import fail


def test_predict(student):
    dists = np.array([[0.1, 0.5, 0.2, 0.9], [0.9, 0.8, 0.1, 0.0]])
    labels = np.array([1, 2, 1, 2])
    got = student.call("predict", dists, labels, k=3)
    if [int(v) for v in np.asarray(got).ravel()] != [1, 2]:
        fail(f"`predict` with k=3 gave {got}; [1, 2] was expected.")


def test_best_k(student):
    print("the student should read this line: checking BEST_K")
    if student.get("BEST_K") != 3:
        fail("`BEST_K` should be 3.")
