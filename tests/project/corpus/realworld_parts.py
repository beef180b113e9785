"""Pieces of the real-world submissions (realworld.py), each written once: student-style distance
functions, and the reference's own k-means, plot and regression code read from reference/."""

from __future__ import annotations

import ast

from autograder.course.paths import REFERENCE_DIR

HEADER = "import time\nimport numpy as np\nimport torch\n"  # 3 lines: a part's `def` lands on line 5

LOOP_OK = '''
def forloopdists(feats, protos):
    out = np.zeros((feats.shape[0], protos.shape[0]))
    for i in range(feats.shape[0]):
        for j in range(protos.shape[0]):
            out[i, j] = np.sum((feats[i] - protos[j]) ** 2)
    return out
'''
LOOP_LISTS = '''
def forloopdists(feats, protos):
    rows = []
    for i in range(len(feats)):
        row = []
        for j in range(len(protos)):
            row.append(np.sum((feats[i] - protos[j]) ** 2))
        rows.append(row)
    return rows
'''
LOOP_TORCH32 = '''
def forloopdists(feats, protos):
    out = torch.zeros(feats.shape[0], protos.shape[0])
    for i in range(feats.shape[0]):
        for j in range(protos.shape[0]):
            out[i, j] = float(((feats[i] - protos[j]) ** 2).sum())
    return out
'''
LOOP_TENSOR_SCALARS = '''
def forloopdists(feats, protos):
    f, p = torch.from_numpy(feats), torch.from_numpy(protos)
    return [[torch.sum((f[i] - p[j]) ** 2) for j in range(len(p))] for i in range(len(f))]
'''
LOOP_FLOAT_ACCUMULATOR = '''
def forloopdists(feats, protos):
    N, D = feats.shape
    out = np.empty((N, protos.shape[0]))
    for i in range(N):
        for j in range(protos.shape[0]):
            d = 0.0
            for k in range(D):
                d += (feats[i, k] - protos[j, k]) ** 2
            out[i, j] = d
    return out
'''
NUMPY_OK = '''
def numpydists(feats, protos):
    return ((feats[:, None, :] - protos[None, :, :]) ** 2).sum(-1)
'''
NUMPY_MATMUL = '''
def numpydists(feats, protos):
    sq = (feats ** 2).sum(1)[:, None] + (protos ** 2).sum(1)[None, :]
    return np.maximum(sq - 2 * feats @ protos.T, 0)
'''
TORCH_OK = '''
def pytorchdists(feats0, protos0, device):
    f, p = torch.from_numpy(feats0).to(device), torch.from_numpy(protos0).to(device)
    return (f.pow(2).sum(1, keepdim=True) + p.pow(2).sum(1) - 2 * f @ p.T).clamp(min=0).cpu().numpy()
'''
TORCH32 = '''
def pytorchdists(feats0, protos0, device):
    f = torch.tensor(feats0, dtype=torch.float32, device=device)
    p = torch.tensor(protos0, dtype=torch.float32, device=device)
    return torch.cdist(f, p) ** 2
'''


def distances(loop: str = LOOP_OK, numpy: str = NUMPY_OK, torch: str = TORCH_OK) -> str:
    """A distances.py: the header, then the three functions in the handout's order."""
    return HEADER + loop + numpy + torch


def _reference_definition(task: str, name: str) -> str:
    source = (REFERENCE_DIR / task / f"{task}.py").read_text(encoding="utf-8")
    node = next(n for n in ast.parse(source).body if getattr(n, "name", None) == name)
    return "\n" + ast.get_source_segment(source, node) + "\n"


KMEANS_OK = _reference_definition("kmeans", "kmeans")
PLOT_OK = _reference_definition("kmeans", "plot_kmeans")
REGRESSION_OK = (REFERENCE_DIR / "regression" / "regression.py").read_text(encoding="utf-8")
