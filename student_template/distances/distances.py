"""Task 1: pairwise squared distances, three ways.

For feats X of shape (N, D) and protos T of shape (P, D), compute the (N, P) matrix
d[i, j] = ||X[i, :] - T[j, :]||^2 (SQUARED Euclidean distance, no square root).
Implement it with Python loops, with numpy broadcasting (no Python loops) and with pytorch
(no Python loops). Check that the three agree, and compare their run times: there is more than
one way, and the ways differ in speed and memory use (think about ||x||^2 + ||t||^2 - 2 x.t).
"""

import time

import numpy as np
import torch


def forloopdists(feats, protos):
    """Squared distances with two Python for-loops.

    Args:
        feats: numpy array (N, D), float64.
        protos: numpy array (P, D), float64.
    Returns:
        numpy array (N, P), float64: d[i, j] = ||feats[i] - protos[j]||^2.
    """
    raise NotImplementedError("forloopdists is not implemented yet")


def numpydists(feats, protos):
    """Squared distances with numpy only, WITHOUT Python loops (no for, while, comprehension).

    Args and return value: as forloopdists.
    """
    raise NotImplementedError("numpydists is not implemented yet")


def pytorchdists(feats0, protos0, device):
    """Squared distances with pytorch on `device`, WITHOUT Python loops.

    Args:
        feats0: numpy array (N, D); protos0: numpy array (P, D).
        device: a torch.device, e.g. torch.device("cpu") or torch.device("cuda").
    Returns:
        numpy array (N, P) (move the result back to the CPU and convert it).
    """
    raise NotImplementedError("pytorchdists is not implemented yet")


if __name__ == "__main__":
    rng = np.random.default_rng(0)
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    ways = {"numpy": numpydists, "torch": lambda f, p: pytorchdists(f, p, device), "loops": forloopdists}
    for n, p, d in [(200, 50, 30), (1000, 100, 300), (5000, 500, 300)]:
        feats, protos = rng.normal(size=(n, d)), rng.normal(size=(p, d))
        timings, results = {}, {}
        for name, way in ways.items():
            if name == "loops" and n > 1000:
                continue  # slow at this size
            start = time.perf_counter()
            results[name] = way(feats, protos)
            timings[name] = time.perf_counter() - start
        gap = max(np.max(np.abs(r - results["numpy"])) for r in results.values())
        print(f"N={n} P={p} D={d}: " + ", ".join(f"{k} {v:.4f} s" for k, v in timings.items())
              + f"; largest difference {gap:.3g}")
