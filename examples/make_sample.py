"""Writes examples/sample_submission/homework.ipynb: a realistic, half-finished student notebook.

It is the README's demo: some tasks right, some wrong (a transposed result, a loop left in, an
off-by-one), some not started, IPython magics and a crashing cell, so the grader's report shows
what students see. Run it again after changing the cells below.
"""

from pathlib import Path

import nbformat

CELLS = [
    ("md", "# Homework 1\nPairwise distances, broadcasting, k-means."),
    ("code", "%matplotlib inline\nimport numpy as np\nimport torch\nimport matplotlib.pyplot as plt"),
    ("code", '''def forloopdists(feats, protos):
    out = np.zeros((len(feats), len(protos)))
    for i in range(len(feats)):
        for j in range(len(protos)):
            out[i, j] = np.sum((feats[i] - protos[j]) ** 2)
    return out


def numpydists(feats, protos):
    # broadcasting: (N, 1, D) - (1, P, D)
    return np.sum((feats[None, :, :] - protos[:, None, :]) ** 2, axis=2)


def pytorchdists(feats0, protos0, device):
    f = torch.from_numpy(feats0).to(device)
    p = torch.from_numpy(protos0).to(device)
    return torch.stack([((p - row) ** 2).sum(1) for row in f]).cpu().numpy()'''),
    ("code", "X = np.random.rand(5, 3)\nprint(numpydists(X, X).shape)\nthis_cell_crashes()"),
    ("code", '''def broadcast_shape(a, b):
    a, b = list(a), list(b)
    while len(a) < len(b):
        a.insert(0, 1)
    while len(b) < len(a):
        b.insert(0, 1)
    out = []
    for x, y in zip(a, b):
        if x != y and x != 1 and y != 1:
            return None
        out.append(max(x, y))
    return tuple(out)


BROADCAST_ANSWERS = [None, (3, 1, 4, 5), None, (7, 4), (6, 3, 2, 7), None, (8, 2, 3, 2, 6), None]'''),
    ("code", '''def kmeans(X, init_indices, max_iter=100, tol=1e-6):
    centres = X[init_indices].copy()
    for it in range(max_iter):
        labels = np.argmin(((X[:, None] - centres[None]) ** 2).sum(-1), axis=1)
        new = np.array([X[labels == k].mean(0) if np.any(labels == k) else centres[k]
                        for k in range(len(centres))])
        done = np.all(np.linalg.norm(new - centres, axis=1) < tol)
        centres = new
        if done:
            break
    return centres, labels, it'''),
    ("code", "!pip list | grep torch"),
]


def main() -> None:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell(src) if kind == "md" else nbformat.v4.new_code_cell(src)
                for kind, src in CELLS]
    out = Path(__file__).resolve().parent / "sample_submission" / "homework.ipynb"
    out.parent.mkdir(exist_ok=True)
    nbformat.write(nb, str(out))
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
