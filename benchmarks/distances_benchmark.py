"""Benchmark the pairwise-distance methods of Task 1 (not run by CI; prints and records figures).

Methods: Python loops, numpy broadcast (N, P, D), numpy matrix product, torch broadcast, torch
matrix product (the reference, chunked), torch.cdist. Each is reported in seconds, GFLOP/s (counting
the 2 N P D flops of the matrix product) and as a ratio to one plain torch.mm of the same shape.
Usage: .venv/bin/python benchmarks/distances_benchmark.py [--quick]
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import numpy as np
import torch

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from reference.distances import distances  # noqa: E402

CPU = torch.device("cpu")
SIZES = [(1000, 100, 300), (5000, 500, 300), (50000, 500, 300), (250000, 500, 300)]
LIMITS = {"loops": 2e6, "numpy broadcast": 3e8, "torch broadcast": 3e8}  # max N*P*D (or N*P for loops)


def methods():
    return {
        "loops": lambda X, T: distances.forloopdists(X, T),
        "numpy broadcast": lambda X, T: distances.numpydists_broadcast(X, T),
        "numpy matmul": lambda X, T: distances.numpydists(X, T),
        "torch broadcast": lambda X, T: distances.pytorchdists_broadcast(X, T, CPU),
        "torch matmul (ref)": lambda X, T: distances.pytorchdists(X, T, CPU),
        "torch.cdist": lambda X, T: (torch.cdist(torch.from_numpy(X), torch.from_numpy(T)) ** 2).numpy(),
    }


def best_of(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main(quick: bool) -> list[tuple]:
    rows = []
    rng = np.random.default_rng(0)
    for n, p, d in SIZES[:2] if quick else SIZES:
        X, T = rng.normal(size=(n, d)), rng.normal(size=(p, d))
        tx, tt = torch.from_numpy(X), torch.from_numpy(T)
        repeats = 3 if n * p * d < 1e9 else 1
        mm = best_of(lambda: tx @ tt.T, repeats)
        flops = 2.0 * n * p * d
        for name, fn in methods().items():
            size = n * p if name == "loops" else n * p * d
            if size > LIMITS.get(name, float("inf")):
                continue
            seconds = best_of(lambda: fn(X, T), 1 if name == "loops" else repeats)
            rows.append((n, p, d, name, seconds, flops / seconds / 1e9, seconds / mm))
            print(f"N={n:>6} P={p} D={d} {name:<20} {seconds:9.4f} s {flops / seconds / 1e9:8.2f} GFLOP/s "
                  f"{seconds / mm:8.1f} x torch.mm", flush=True)
        X = T = tx = tt = None  # free the largest inputs before the next size
    return rows


def chart(rows: list[tuple], path: Path) -> None:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 4.5))
    for name in methods():
        pts = [(r[0], r[4]) for r in rows if r[3] == name]
        if pts:
            ax.loglog(*zip(*pts), marker="o", label=name)
    ax.set_xlabel("N (P = 100 or 500, D = 300)")
    ax.set_ylabel("seconds (best of repeats)")
    ax.set_title(f"Pairwise squared distances on {os.cpu_count()} CPU cores")
    ax.legend()
    fig.savefig(path, dpi=120, bbox_inches="tight")


if __name__ == "__main__":
    results = main("--quick" in sys.argv)
    chart(results, ROOT / "docs" / "benchmarks_distances.png")
    with open(ROOT / "docs" / "benchmarks_distances.txt", "w") as fh:
        fh.write(f"cores: {os.cpu_count()}, torch {torch.__version__}, threads {torch.get_num_threads()}\n")
        for r in results:
            fh.write(f"N={r[0]} P={r[1]} D={r[2]} {r[3]}: {r[4]:.4f} s, {r[5]:.2f} GFLOP/s, {r[6]:.1f}x torch.mm\n")
