"""Similar submissions of a large class: 500 submissions of one task (k-means), the goal under a minute on 2 cores.

The class is generated: each student's k-means is put together from interchangeable ways of
writing each step (distances, assignment, update, stopping, the loop, the plot, helpers or not,
extra lines), so students share idioms as real ones do and most pairs are partly alike; 5% are
disguised copies of a classmate (renamed, reordered, recommented: tests/project/similar_class.py);
a tenth hand in a notebook; a few hand in only the template. OUT is written as grade-all leaves it
(batch.json), then `similarity_for` runs as grade-all runs it. Peak memory: the largest resident
set of this process and of its forked readers. Not run by CI.

Usage: .venv/bin/python benchmarks/similarity_benchmark.py [--students 500] [--jobs 2]
Writes docs/benchmarks_similarity.txt.
"""

from __future__ import annotations

import argparse
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from autograder.classroom import similarity  # noqa: E402
from autograder.course.paths import ASSIGNMENTS_DIR  # noqa: E402
from benchmarks.measure import ROOT, machine  # noqa: E402
from tests.project import similar_class as sc  # noqa: E402
from tests.project.test_similarity import graded_out  # noqa: E402

DISTANCES = [
    "d = ((X[:, None, :] - C[None, :, :]) ** 2).sum(axis=2)",
    "d = np.linalg.norm(X[:, np.newaxis] - C[np.newaxis], axis=-1)",
    "d = (X ** 2).sum(1)[:, None] + (C ** 2).sum(1)[None, :] - 2 * X @ C.T",
    "d = np.stack([((X - c) ** 2).sum(axis=1) for c in C], axis=1)",
    "d = np.array([[np.sum((x - c) ** 2) for c in C] for x in X])",
    "d = np.einsum('nkd,nkd->nk', X[:, None] - C[None], X[:, None] - C[None])",
]
ASSIGN = ["labels = d.argmin(axis=1)", "labels = np.argmin(d, axis=1)", "labels = np.array([row.argmin() for row in d])"]
UPDATE = [
    "new = np.array([X[labels == k].mean(axis=0) if np.any(labels == k) else C[k] for k in range(len(C))])",
    "new = C.copy()\n{i}for k in range(len(C)):\n{i}    if (labels == k).any():\n{i}        new[k] = X[labels == k].mean(0)",
    "counts = np.bincount(labels, minlength=len(C))\n{i}sums = np.zeros_like(C)\n{i}np.add.at(sums, labels, X)\n"
    "{i}new = np.where(counts[:, None] > 0, sums / np.maximum(counts, 1)[:, None], C)",
    "new = np.copy(C)\n{i}for k in np.unique(labels):\n{i}    new[k] = np.mean(X[labels == k], axis=0)",
    "new = []\n{i}for k, c in enumerate(C):\n{i}    members = X[labels == k]\n{i}    new.append(members.mean(0) if len(members) else c)\n"
    "{i}new = np.array(new)",
]
STOP = ["shift = np.sqrt(((new - C) ** 2).sum(axis=1)).max()", "shift = np.linalg.norm(new - C, axis=1).max()",
        "shift = max(np.hypot(*(new - C).T))", "shift = float(np.max(np.sqrt(np.sum((new - C) ** 2, axis=-1))))"]
PLOTS = [
    "fig, ax = plt.subplots()\n    ax.scatter(X[:, 0], X[:, 1], c=labels, s=10, label='data')\n"
    "    ax.scatter(init_centres[:, 0], init_centres[:, 1], marker='x', c='k', label='initial centres')\n"
    "    ax.scatter(centres[:, 0], centres[:, 1], marker='*', c='r', s=200, label='final centres')\n    ax.legend()\n    return fig",
    "fig = plt.figure()\n    plt.scatter(*X.T, c=labels, label='data')\n    plt.plot(*init_centres.T, 'ks', label='initial centres')\n"
    "    plt.plot(*centres.T, 'r^', markersize=12, label='final centres')\n    plt.legend(loc='upper left')\n    return fig",
    "fig = plt.figure(figsize=(6, 6))\n    ax = fig.add_subplot(111)\n    for k in range(len(centres)):\n"
    "        ax.scatter(X[labels == k, 0], X[labels == k, 1], s=8, label='data' if k == 0 else None)\n"
    "    ax.scatter(init_centres[:, 0], init_centres[:, 1], marker='D', color='black', label='initial centres')\n"
    "    ax.scatter(centres[:, 0], centres[:, 1], marker='P', color='red', label='final centres')\n"
    "    ax.set_title('k-means')\n    ax.legend()\n    return fig",
]
EXTRAS = ["assert X.ndim == 2, 'X must be 2-D'", "print('round', it, 'shift', shift)", "history.append(C.copy())",
          "if verbose:\n{i}    print(f'{it}: {shift:.3g}')", "n_changed = int((labels != old_labels).sum()) if old_labels is not None else -1",
          "old_labels = labels.copy()", "inertia = float(np.take_along_axis(d, labels[:, None], 1).sum())",
          "sizes = [int((labels == k).sum()) for k in range(len(C))]", "if np.isnan(new).any():\n{i}    raise ValueError('nan')",
          "moves.append(shift)", "empty = [k for k in range(len(C)) if not np.any(labels == k)]"]
HEADS = [
    ["    X = np.asarray(X, dtype=float)", "    C = X[list(init_indices)].copy()"],
    ["    data = np.array(X, dtype=np.float64)", "    X = data", "    C = np.array([data[i] for i in init_indices])"],
    ["    if not isinstance(X, np.ndarray):", "        X = np.array(X)", "    X = X.astype(np.float64)",
     "    idx = np.asarray(init_indices, dtype=int)", "    C = X[idx, :].astype(float)"],
    ["    X = np.atleast_2d(np.asarray(X, float))", "    n, dim = X.shape", "    C = np.empty((len(init_indices), dim))",
     "    for k, index in enumerate(init_indices):", "        C[k] = X[index]"],
]
STATE = ["    history, old_labels, labels = [], None, np.zeros(len(X), dtype=int)",
         "    labels = np.full(X.shape[0], -1)\n    old_labels = None\n    history = []\n    moves = []",
         "    labels, old_labels, history, moves = None, None, list(), list()"]
RETURNS = ["    return C, labels, it", "    return C.astype(np.float64), labels.astype(np.int64), int(it)",
           "    centres = C\n    return (centres, np.asarray(labels), it)", "    result = (C, labels, it)\n    return result"]
PLOT_EXTRAS = ["ax = plt.gca()\n    ax.set_title(f'k-means, {len(centres)} centres')", "plt.grid(alpha=0.3)",
               "plt.gca().set_aspect('equal')", "plt.xlabel('x1')\n    plt.ylabel('x2')", "plt.tight_layout()"]


def student(rng: random.Random) -> str:
    """One student's k-means module, put together from the ways above."""
    i = " " * 8
    helper = rng.random() < 0.4
    distance = rng.choice(DISTANCES)
    body = [f"{i}{distance}" if not helper else f"{i}d = pairwise_sq(X, C)", f"{i}{rng.choice(ASSIGN)}",
            f"{i}{rng.choice(UPDATE).replace('{i}', i)}", f"{i}{rng.choice(STOP).replace('{i}', i)}"]
    for extra in rng.sample(EXTRAS, rng.randrange(5)):
        body.insert(rng.randrange(1, len(body) + 1), f"{i}{extra.replace('{i}', i)}")
    body += [f"{i}C = new", f"{i}if shift < tol:", f"{i}    break"]
    loop = ["    for it in range(1, max_iter + 1):", "    it = 0\n    while it < max_iter:\n        it += 1",
            "    for it in itertools.count(1):\n        if it > max_iter:\n            it -= 1\n            break"][rng.randrange(3)]
    kmeans = (["def kmeans(X, init_indices, max_iter=100, tol=1e-6" + rng.choice(["", ", verbose=False"]) + "):"]
              + rng.choice(HEADS) + [rng.choice(STATE), loop] + body + [rng.choice(RETURNS)])
    plot = (["def plot_kmeans(X, init_centres, centres, labels):",
             "    X, init_centres, centres = map(np.asarray, (X, init_centres, centres))", "    " + rng.choice(PLOTS)])
    extras = ["    " + e for e in rng.sample(PLOT_EXTRAS, rng.randrange(3))]
    plot = plot[:-1] + [plot[-1].rsplit("\n", 1)[0]] + extras + ["    " + plot[-1].rsplit("\n", 1)[1].strip()]
    functions = [kmeans, plot] if rng.random() < 0.7 else [plot, kmeans]
    if helper:
        functions.insert(rng.randrange(len(functions) + 1),
                         ["def pairwise_sq(X, C):", "    " + distance.replace("d = ", "return ")])
    verbose = "verbose = False\n" if "verbose" in "".join(body) and "verbose=False" not in kmeans[0] else ""
    return ("import itertools\nimport numpy as np\nimport matplotlib.pyplot as plt\n" + verbose + "\n\n"
            + "\n\n\n".join("\n".join(f) for f in functions) + "\n")


def make_class(folder: Path, students: int, seed: int = 0) -> dict[str, int]:
    rng = random.Random(seed)
    kinds = {"own": 0, "copy": 0, "notebook": 0, "template": 0}
    written: list[str] = []
    for number in range(students):
        name = f"student_{number:03d}"
        draw = rng.random()
        if draw < 0.02:
            kinds["template"] += 1
            sc.write(folder, name, {"kmeans.py": sc.template_source("kmeans")})
            continue
        if draw < 0.07 and written:
            kinds["copy"] += 1
            code = rng.choice([sc.recommented, lambda s: sc.disguised(s, {"kmeans", "plot_kmeans"}, number)])(
                rng.choice(written))
        else:
            kinds["own"] += 1
            code = student(rng)
        written.append(code)
        if rng.random() < 0.1:
            kinds["notebook"] += 1
            sc.write(folder, name, {"homework.ipynb": sc.notebook(sc.with_template("kmeans", code))})
        else:
            sc.write(folder, name, {"kmeans.py": sc.with_template("kmeans", code)})
    return kinds


def cpu_seconds() -> float:
    """CPU time of this process and its (finished) forked readers: what the work costs whatever the load."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def load() -> str:
    return "load average " + " ".join(Path("/proc/loadavg").read_text().split()[:3])


def peak_mb() -> tuple[float, float]:
    return (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--students", type=int, default=500)
    parser.add_argument("--jobs", type=int, nargs="+", default=[2, 1])
    args = parser.parse_args()
    lines = [f"similarity of {args.students} submissions of one task (kmeans); {machine()}"]
    with tempfile.TemporaryDirectory() as tmp:
        klass = Path(tmp) / "class"
        kinds = make_class(klass, args.students)
        lines.append("class: " + ", ".join(f"{k} {n}" for k, n in kinds.items()))
        out = graded_out(klass, Path(tmp) / "out")
        for jobs in args.jobs:
            started, cpu, before = time.monotonic(), cpu_seconds(), load()
            findings = similarity.similarity_for(out, ASSIGNMENTS_DIR / "full.toml", jobs=jobs)
            seconds, cpu = time.monotonic() - started, cpu_seconds() - cpu
            kmeans = findings.tasks["kmeans"]
            self_mb, children_mb = peak_mb()
            lines.append(f"--jobs {jobs}: {seconds:.1f} s wall, {cpu:.1f} s CPU ({before} before, {load()} after; "
                         f"reading and fingerprinting {findings.read_seconds:.1f} s, "
                         f"comparing {findings.seconds - findings.read_seconds:.1f} s); {kmeans.compared} compared, "
                         f"{kmeans.compared * (kmeans.compared - 1) // 2} pairs, {kmeans.detailed} compared in detail "
                         f"(the rest below the threshold by the array screen), {len(kmeans.pairs) + kmeans.more} at or above "
                         f"{findings.settings.threshold:.0%}; peak RSS {self_mb:.0f} MB (this process), "
                         f"{children_mb:.0f} MB (largest reader)")
            print(lines[-1], flush=True)
    (ROOT / "docs" / "benchmarks_similarity.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
