"""Generated classes for the similarity check: copies in disguise, independent solutions, the template.

The disguises are the ones TAs meet: variables and helper names renamed (a real rename, by the
tokenizer, so strings and attributes are untouched), functions reordered, comments and docstrings
rewritten. The independent k-means solutions below were written separately, each in its own style
(loops, broadcasting, norms, a class), the way different students solve it.
"""

from __future__ import annotations

import ast
import io
import random
import tokenize
from pathlib import Path

from autograder.course.tasks import all_tasks

KMEANS_SOLUTIONS = {
    "loops": '''import numpy as np
import matplotlib.pyplot as plt


def kmeans(X, init_indices, max_iter=100, tol=1e-6):
    X = np.asarray(X, dtype=float)
    centres = np.array([X[i] for i in init_indices], dtype=float)
    n, p = len(X), len(centres)
    labels = np.zeros(n, dtype=int)
    it = 0
    while it < max_iter:
        it += 1
        for s in range(n):
            best, best_d = 0, float("inf")
            for c in range(p):
                d = 0.0
                for j in range(X.shape[1]):
                    d += (X[s, j] - centres[c, j]) ** 2
                if d < best_d:
                    best, best_d = c, d
            labels[s] = best
        moved = 0.0
        for c in range(p):
            members = [X[s] for s in range(n) if labels[s] == c]
            if members:
                new = sum(members) / len(members)
                moved = max(moved, float(np.sqrt(((new - centres[c]) ** 2).sum())))
                centres[c] = new
        if moved < tol:
            break
    return centres, labels, it


def plot_kmeans(X, init_centres, centres, labels):
    fig = plt.figure(figsize=(5, 5))
    plt.scatter(X[:, 0], X[:, 1], c=labels, s=8, label="data")
    plt.scatter(init_centres[:, 0], init_centres[:, 1], marker="s", color="k", label="initial centres")
    plt.scatter(centres[:, 0], centres[:, 1], marker="P", color="m", label="final centres")
    plt.legend()
    return fig
''',
    "norms": '''import numpy as np
from matplotlib.figure import Figure


def kmeans(X, init_indices, max_iter=100, tol=1e-6):
    points = np.array(X, dtype=float)
    C = points[list(init_indices)]
    rounds = 0
    assignment = np.zeros(points.shape[0], dtype=int)
    while rounds < max_iter:
        rounds += 1
        d = np.linalg.norm(points[:, np.newaxis] - C[np.newaxis], axis=-1)
        assignment = np.argmin(d, axis=1)
        updated = np.array([points[assignment == j].mean(0) if np.any(assignment == j) else C[j]
                            for j in range(C.shape[0])])
        moved = np.linalg.norm(updated - C, axis=1)
        C = updated
        if np.all(moved < tol):
            break
    return C, assignment, rounds


def plot_kmeans(X, init_centres, centres, labels):
    figure = Figure()
    axes = figure.gca()
    axes.scatter(*np.asarray(X).T, c=labels, label="data")
    axes.plot(*np.asarray(init_centres).T, "k^", label="initial centres")
    axes.plot(*np.asarray(centres).T, "r*", markersize=15, label="final centres")
    axes.legend(loc="best")
    return figure
''',
    "einsum": '''import numpy as np
import matplotlib
import matplotlib.pyplot as plt


def squared_distances(A, B):
    aa = np.einsum("ij,ij->i", A, A)[:, None]
    bb = np.einsum("ij,ij->i", B, B)[None, :]
    return aa + bb - 2 * A @ B.T


def kmeans(X, init_indices, max_iter=100, tol=1e-6):
    data = np.asarray(X, np.float64)
    mu = data[np.array(init_indices)].copy()
    for step in range(1, max_iter + 1):
        lab = squared_distances(data, mu).argmin(1)
        counts = np.bincount(lab, minlength=len(mu))
        sums = np.zeros_like(mu)
        np.add.at(sums, lab, data)
        nxt = np.where(counts[:, None] > 0, sums / np.maximum(counts, 1)[:, None], mu)
        done = np.sqrt(((nxt - mu) ** 2).sum(1)).max() < tol
        mu = nxt
        if done:
            return mu, lab, step
    return mu, lab, max_iter


def plot_kmeans(X, init_centres, centres, labels):
    fig, ax = plt.subplots()
    for k in np.unique(labels):
        ax.scatter(X[labels == k, 0], X[labels == k, 1], s=10, label="data" if k == 0 else None)
    ax.scatter(init_centres[:, 0], init_centres[:, 1], c="black", marker="D", label="initial centres")
    ax.scatter(centres[:, 0], centres[:, 1], c="red", marker="X", s=100, label="final centres")
    ax.legend()
    ax.set_aspect("equal")
    return fig
''',
    "class": '''import numpy as np
import matplotlib.pyplot as plt


class Lloyd:
    def __init__(self, start):
        self.centres = np.array(start, dtype=float)

    def assign(self, X):
        gaps = X[:, None, :] - self.centres[None, :, :]
        return (gaps * gaps).sum(-1).argmin(-1)

    def update(self, X, labels):
        old = self.centres.copy()
        for k in range(len(self.centres)):
            mask = labels == k
            if mask.any():
                self.centres[k] = X[mask].mean(axis=0)
        return np.max(np.hypot(*(self.centres - old).T))


def kmeans(X, init_indices, max_iter=100, tol=1e-6):
    X = np.asarray(X, dtype=float)
    model = Lloyd(X[init_indices])
    count = 0
    labels = model.assign(X)
    for count in range(1, max_iter + 1):
        labels = model.assign(X)
        if model.update(X, labels) < tol:
            break
    return model.centres, labels, count


def plot_kmeans(X, init_centres, centres, labels):
    f = plt.figure()
    a = f.add_subplot(1, 1, 1)
    a.scatter(X[:, 0], X[:, 1], c=labels, cmap="viridis", alpha=0.6, label="data")
    a.scatter(*init_centres.T, marker="o", facecolors="none", edgecolors="k", s=150, label="initial centres")
    a.scatter(*centres.T, marker="*", c="orange", s=200, label="final centres")
    a.legend(frameon=False)
    a.grid(True)
    return f
''',
}


def template_source(task: str) -> str:
    return all_tasks()[task].template.read_text(encoding="utf-8")


def with_template(task: str, solution: str) -> str:
    """The template with the solution pasted below it, as a student fills in the handout: the
    template's given code (make_blobs, constants, the __main__ block) stays, its stubs are redefined."""
    return template_source(task) + "\n\n# ---- my solution ----\n" + solution


def rename(source: str, mapping: dict[str, str]) -> str:
    """`source` with every NAME token in `mapping` renamed (strings, comments and attributes untouched)."""
    tokens = list(tokenize.generate_tokens(io.StringIO(source).readline))
    previous = None
    out = []
    for token in tokens:
        after_dot = previous is not None and previous.string == "."
        if token.type == tokenize.NAME and token.string in mapping and not after_dot:
            token = token._replace(string=mapping[token.string])
        out.append(token)
        previous = token
    return tokenize.untokenize(out)


def local_names(source: str, keep: set[str]) -> list[str]:
    """Variables and parameters a student may rename freely (not the required names in `keep`)."""
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            found.add(node.id)
        elif isinstance(node, ast.arg):
            found.add(node.arg)
    return sorted(found - keep - {"self"})


def reorder(source: str, seed: int = 0) -> str:
    """The top-level functions and classes in another order (imports stay first)."""
    tree = ast.parse(source)
    lines = source.splitlines()
    head, blocks = [], []
    for node in tree.body:
        text = "\n".join(lines[min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", [])]) - 1:
                               node.end_lineno])
        (blocks if isinstance(node, (ast.FunctionDef, ast.ClassDef)) else head).append(text)
    order = list(range(len(blocks)))
    while len(order) > 1 and order == sorted(order):
        random.Random(seed).shuffle(order)
        seed += 1
    return "\n".join(head) + "\n\n\n" + "\n\n\n".join(blocks[i] for i in order) + "\n"


def disguised(source: str, keep: set[str], seed: int = 0) -> str:
    """Renamed variables (every local name gets another) and reordered functions."""
    names = local_names(source, keep)
    return reorder(rename(source, {n: f"{n}_{seed}x" if len(n) < 3 else n[::-1] + "_v" for n in names}), seed)


def recommented(source: str) -> str:
    """Every comment and docstring rewritten, comments added above each function."""
    tree = ast.parse(source)
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            node.body.insert(0, ast.Expr(ast.Constant(f"My own {node.name}, written for the homework.")))
    text = ast.unparse(tree)  # drops the old comments
    return "\n".join(f"# step: {line.strip()[:20]}\n{line}" if line.startswith("def ") else line
                     for line in text.splitlines()) + "\n"


def notebook(source: str) -> str:
    """`source` as a student's notebook: one code cell per top-level statement group, an IPython line."""
    import nbformat

    tree = ast.parse(source)
    lines = source.splitlines()
    nb = nbformat.v4.new_notebook()
    nb.cells.append(nbformat.v4.new_markdown_cell("# My homework"))
    nb.cells.append(nbformat.v4.new_code_cell("%matplotlib inline"))
    for node in tree.body:
        start = min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", [])])
        nb.cells.append(nbformat.v4.new_code_cell("\n".join(lines[start - 1:node.end_lineno])))
    return nbformat.writes(nb)


def write(folder: Path, name: str, files: dict[str, str]) -> Path:
    """A student's submission folder holding `files`."""
    target = folder / name
    target.mkdir(parents=True, exist_ok=True)
    for filename, text in files.items():
        (target / filename).write_text(text, encoding="utf-8")
    return target
