"""Task 3: k-means with a fixed initialisation.

Data: 2-D, five Gaussian blobs of 50 points each (make_blobs below, given). The initial centres are
fixed rows of X (init_indices), so that every run can be reproduced. One round = assign each sample
to its nearest centre (squared distances as in Task 1, argmin over the CENTRES axis, ties to the
lowest index), then move each centre to the mean of its members. A centre with no members stays
where it is. Stop after max_iter rounds, or after the first round in which every centre moved by
less than tol (Euclidean distance). Plot the data, the initial and the final centres.
"""

import numpy as np

BLOB_CENTRES = np.array([[0.0, 0.0], [4.0, 4.0], [-4.0, 4.0], [4.0, -4.0], [-4.0, -4.0]])


def make_blobs(n_per_blob=50, seed=0):
    """Given: five 2-D Gaussian blobs of n_per_blob points each, in blob order. Returns (5 * n_per_blob, 2)."""
    rng = np.random.default_rng(seed)
    return np.concatenate([c + 0.6 * rng.standard_normal((n_per_blob, 2)) for c in BLOB_CENTRES])


def kmeans(X, init_indices, max_iter=100, tol=1e-6):
    """k-means (Lloyd's algorithm) from the centres X[init_indices].

    Args:
        X: (N, D) float64 data.
        init_indices: P row indices of X, the initial centres (in this order).
        max_iter: the most rounds to run.
        tol: stop after the first round in which every centre moved by less than tol.
    Returns:
        (centres, labels, n_iter): centres (P, D) float64 in the order of init_indices; labels (N,)
        ints, the cluster of each sample in the LAST round; n_iter, the number of rounds performed.
    """
    raise NotImplementedError("kmeans is not implemented yet")


def plot_kmeans(X, init_centres, centres, labels):
    """A matplotlib Figure: the data coloured by label, the initial centres and the final centres as
    distinct markers, with a legend naming "data", "initial centres" and "final centres".
    Return the Figure (do not call plt.show() here)."""
    raise NotImplementedError("plot_kmeans is not implemented yet")


if __name__ == "__main__":
    import matplotlib.pyplot as plt

    X = make_blobs()
    for P, init in {2: [0, 50], 5: [0, 60, 110, 160, 210], 8: [0, 1, 60, 110, 120, 160, 210, 220]}.items():
        centres, labels, n_iter = kmeans(X, init)
        print(f"P={P}: {n_iter} rounds")
        plot_kmeans(X, X[init], centres, labels).savefig(f"kmeans_P{P}.png")
    if plt.get_backend().lower() != "agg":  # in Jupyter (or with a display) show them too; Agg only saves
        plt.show()
