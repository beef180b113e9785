"""Seeded mistakes and correct variants for T3, k-means with fixed initialisation.

Most k-means cases are one edit of the same plain numpy loop (LOOP), so each case shows exactly
the line a student got wrong.
"""

from tests.project.corpus.cases import Mistake, Variant

LOOP = '''
def kmeans(X, init_indices, max_iter=100, tol=1e-6):
    import numpy as np
    X = np.asarray(X, dtype=np.float64)
    centres = X[np.asarray(init_indices)].copy()
    labels = np.zeros(len(X), dtype=np.int64)
    n_iter = 0
    for _ in range(max_iter):
        d = ((X[:, None, :] - centres[None, :, :]) ** 2).sum(axis=2)
        labels = d.argmin(axis=1)
        new = centres.copy()
        for j in range(len(centres)):
            members = X[labels == j]
            if len(members):
                new[j] = members.mean(axis=0)
        n_iter += 1
        moved = np.sqrt(((new - centres) ** 2).sum(axis=1)).max()
        centres = new
        if moved < tol:
            break
    return centres, labels, n_iter
'''


def edit(old: str, new: str) -> str:
    """LOOP with one edit; fails loudly if the edited text is not there (LOOP changed)."""
    if old not in LOOP:
        raise ValueError(f"{old!r} is not in LOOP")
    return LOOP.replace(old, new)


MATCHES = ("kmeans.matches_reference[2]", "kmeans.matches_reference[5]", "kmeans.matches_reference[8]")

MISTAKES = [
    Mistake("kmeans: random instead of fixed initialisation", "kmeans",
            edit("X[np.asarray(init_indices)]", "X[np.random.default_rng(0).choice(len(X), len(init_indices), replace=False)]"),
            loses=MATCHES + ("kmeans.max_iter", "kmeans.tol"), says="starts at X[init_indices[j]]"),
    Mistake("kmeans: argmin over the samples axis", "kmeans",
            edit("d.argmin(axis=1)", "d.argmin(axis=0)").replace("X[labels == j]", "X[np.flatnonzero(labels == j)]"),
            loses=MATCHES + ("kmeans.max_iter", "kmeans.tol"), says="argmin ran over the samples axis"),
    Mistake("kmeans: tolerance ignored", "kmeans",
            edit("        if moved < tol:\n            break\n", ""),
            loses=MATCHES + ("kmeans.tol",), says="Stop after the first round in which every centre moved by less than tol"),
    Mistake("kmeans: one round more than max_iter", "kmeans",
            edit("range(max_iter)", "range(max_iter + 1)"),
            loses=("kmeans.max_iter",), says="one round MORE"),
    Mistake("kmeans: n_iter counts one round too many", "kmeans",
            edit("n_iter = 0", "n_iter = 1"),
            loses=MATCHES, says="you count one round more than the reference"),
    Mistake("kmeans: labels recomputed after the last update", "kmeans",
            edit("    return centres, labels, n_iter",
                 "    labels = ((X[:, None, :] - centres[None, :, :]) ** 2).sum(axis=2).argmin(axis=1)\n"
                 "    return centres, labels, n_iter"),
            loses=("kmeans.max_iter", "kmeans.tol"), says="computed after the last update"),
    Mistake("kmeans: plot without the initial centres", "kmeans", '''
def plot_kmeans(X, init_centres, centres, labels):
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots()
    ax.scatter(X[:, 0], X[:, 1], c=labels, s=8, label="data")
    ax.scatter(centres[:, 0], centres[:, 1], marker="*", s=200, c="k", label="final centres")
    ax.legend()
    return fig
''', loses=("kmeans.plot",), says="initial centres are not drawn"),
    Mistake("kmeans: plot that cannot tell the centres apart", "kmeans", '''
def plot_kmeans(X, init_centres, centres, labels):
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots()
    ax.scatter(X[:, 0], X[:, 1], c=labels, s=8)
    ax.scatter(init_centres[:, 0], init_centres[:, 1], marker="x", c="k")
    ax.scatter(centres[:, 0], centres[:, 1], marker="x", c="k")
    return fig
''', loses=("kmeans.plot",), says="nothing tells the initial and the final centres apart"),
    Mistake("kmeans: plot_kmeans returns the axes", "kmeans", '''
def plot_kmeans(X, init_centres, centres, labels):
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots()
    ax.scatter(X[:, 0], X[:, 1], c=labels, s=8, label="data")
    ax.scatter(init_centres[:, 0], init_centres[:, 1], marker="x", label="initial centres")
    ax.scatter(centres[:, 0], centres[:, 1], marker="*", label="final centres")
    ax.legend()
    return ax
''', loses=("kmeans.plot",), says="return `ax.figure`"),
]

VARIANTS = [
    Variant("kmeans: an empty centre jumps to the sample farthest from its centre", "kmeans",
            edit("            if len(members):\n                new[j] = members.mean(axis=0)\n",
                 "            if len(members):\n                new[j] = members.mean(axis=0)\n"
                 "            else:\n"
                 "                far = d[np.arange(len(X)), labels].argmax()\n"
                 "                new[j] = X[far]\n")),
    Variant("kmeans: torch, returning tensors and a tensor n_iter", "kmeans", '''
def kmeans(X, init_indices, max_iter=100, tol=1e-6):
    import torch
    X = torch.as_tensor(X, dtype=torch.float64)
    centres = X[list(init_indices)].clone()
    n_iter = torch.tensor(0)
    for _ in range(max_iter):
        labels = torch.cdist(X, centres).pow(2).argmin(dim=1)
        one_hot = torch.nn.functional.one_hot(labels, len(centres)).to(X.dtype)
        counts = one_hot.sum(dim=0)
        sums = one_hot.T @ X
        new = torch.where(counts[:, None] > 0, sums / counts.clamp_min(1)[:, None], centres)
        n_iter += 1
        moved = (new - centres).norm(dim=1).max()
        centres = new
        if moved < tol:
            break
    return centres, labels, n_iter
'''),
    Variant("kmeans: torch.Tensor (float32) throughout, a while loop", "kmeans", '''
def kmeans(X, init_indices, max_iter=100, tol=1e-6):
    import torch
    X = torch.Tensor(X)
    centres = X[torch.tensor(init_indices)]
    n_iter, moved = 0, float("inf")
    while n_iter < max_iter and moved >= tol:
        d = ((X[:, None, :] - centres[None, :, :]) ** 2).sum(dim=2)
        labels = torch.argmin(d, dim=1)
        new = torch.stack([X[labels == k].mean(dim=0) if (labels == k).any() else centres[k]
                           for k in range(len(centres))])
        moved = float((new - centres).norm(dim=1).max())
        centres, n_iter = new, n_iter + 1
    return centres.numpy(), labels.numpy(), n_iter
'''),
    Variant("kmeans: plot with two subplots, before and after", "kmeans", '''
def plot_kmeans(X, init_centres, centres, labels):
    import matplotlib.pyplot as plt
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
    left.plot(X[:, 0], X[:, 1], ".", color="grey")
    left.plot(init_centres[:, 0], init_centres[:, 1], "rx")
    left.set_title("Data and initial centres")
    for k in range(len(centres)):
        right.scatter(X[labels == k, 0], X[labels == k, 1], s=6)
    right.scatter(centres[:, 0], centres[:, 1], marker="*", s=150, c="k")
    right.set_title("Clusters after k-means")
    return fig
'''),
]

MISTAKES += [
    Mistake("kmeans: handed in as k_means", "kmeans", "", renamed=("kmeans", "k_means"),
            loses=("kmeans.matches_reference[2]", "kmeans.matches_reference[5]", "kmeans.matches_reference[8]",
                   "kmeans.max_iter", "kmeans.tol"), points=15, says="did you mean `k_means` (kmeans.py, line"),
]
