"""Task 8: k-nearest neighbours.

Distances between test and training points, then a vote among the k nearest labels.
"""

import numpy as np


def distances(X_test, X_train):
    """(n_test, n_train) Euclidean distances between the rows of X_test and of X_train."""
    ### BEGIN SOLUTION
    squared = (X_test ** 2).sum(1)[:, None] + (X_train ** 2).sum(1)[None, :] - 2 * X_test @ X_train.T
    return np.sqrt(np.maximum(squared, 0))
    ### END SOLUTION


### BEGIN SOLUTION
def _vote(labels):
    values, counts = np.unique(labels, return_counts=True)
    return values[np.argmax(counts)]


def predict(dists, y_train, k=1):
    """The label of each test point: the most common among its k nearest training points."""
    nearest = np.argsort(dists, axis=1, kind="stable")[:, :k]
    return np.array([_vote(y_train[row]) for row in nearest])


BEST_K = 3
### END SOLUTION


if __name__ == "__main__":
    print(distances(np.zeros((2, 3)), np.ones((4, 3))))
