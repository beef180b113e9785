"""Reference for T3: k-means with fixed initialisation (contract: student_template/kmeans.py).

Rule for an empty cluster: its centre stays where it was. INIT_INDICES are chosen so that no
cluster ever empties on make_blobs(seed=0), so any sane rule gives the same runs there.
Self-contained (numpy and matplotlib only) so it can be handed in as a student file.
"""

from __future__ import annotations

import numpy as np

BLOB_CENTRES = np.array([[0.0, 0.0], [4.0, 4.0], [-4.0, 4.0], [4.0, -4.0], [-4.0, -4.0]])
INIT_INDICES = {2: [0, 50], 5: [0, 60, 110, 160, 210], 8: [0, 1, 60, 110, 120, 160, 210, 220]}


def make_blobs(n_per_blob=50, seed=0):
    """Five 2-D Gaussian blobs of n_per_blob points each (standard deviation 0.6), in blob order."""
    rng = np.random.default_rng(seed)
    return np.concatenate([c + 0.6 * rng.standard_normal((n_per_blob, 2)) for c in BLOB_CENTRES])


def kmeans(X, init_indices, max_iter=100, tol=1e-6):
    """Lloyd's algorithm from centres X[init_indices]; returns (centres, labels, n_iter)."""
    X = np.asarray(X, dtype=np.float64)
    centres = X[np.asarray(init_indices, dtype=np.int64)].copy()
    labels = np.zeros(len(X), dtype=np.int64)
    n_iter = 0
    for n_iter in range(1, max_iter + 1):
        dists = ((X[:, None, :] - centres[None, :, :]) ** 2).sum(axis=2)
        labels = dists.argmin(axis=1)
        new = centres.copy()
        for k in range(len(centres)):
            members = X[labels == k]
            if len(members):
                new[k] = members.mean(axis=0)
        shift = np.sqrt(((new - centres) ** 2).sum(axis=1)).max()
        centres = new
        if shift < tol:
            break
    return centres, labels.astype(np.int64), int(n_iter)


def plot_kmeans(X, init_centres, centres, labels):
    """Data coloured by cluster, initial centres (x) and final centres (*), with a legend."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    X, init_centres, centres = np.asarray(X), np.asarray(init_centres), np.asarray(centres)
    fig, ax = plt.subplots(figsize=(6, 6))
    ax.scatter(X[:, 0], X[:, 1], c=labels, cmap="tab10", s=12, label="data")
    ax.scatter(init_centres[:, 0], init_centres[:, 1], marker="x", s=120, c="black", label="initial centres")
    ax.scatter(centres[:, 0], centres[:, 1], marker="*", s=250, c="red", label="final centres")
    ax.set_title(f"k-means with P = {len(centres)}")
    ax.legend()
    return fig
