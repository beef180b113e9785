"""Reference for T6: autograd and calculus exercises (contract: student_template/autodiff.py).

Every derivative is taken by torch autograd, in float64; results come back as numpy / floats.
fit_plane minimises the mean absolute error by (sub)gradient descent with a step that decays as
1/sqrt(t), the usual schedule for a non-smooth loss, keeping the best iterate.
"""

from __future__ import annotations

import numpy as np

PLANE_POINTS = np.array([[0.8345, 0.9785], [0.0993, 0.6754], [1.8054, 1.8001], [1.8896, 0.7385], [0.9817, 0.2224]])
PLANE_VALUES = np.array([8.4596, 2.2981, 13.8385, 11.3696, 4.7279])


def grad_xyz(x, y, z):
    """(df/dx, df/dy, df/dz) of f = (x + y) z."""
    import torch

    x, y, z = (torch.tensor(float(v), dtype=torch.float64, requires_grad=True) for v in (x, y, z))
    ((x + y) * z).backward()
    return float(x.grad), float(y.grad), float(z.grad)


def grad_quadratic(x):
    """Gradient of sum(2 x^2 + 5 x): 4 x + 5, by autograd."""
    import torch

    t = torch.tensor(np.asarray(x, dtype=np.float64), requires_grad=True)
    (2 * t * t + 5 * t).sum().backward()
    return t.grad.numpy()


def grad_logsumexp(x):
    """Gradient of log(sum(exp(x))): softmax(x), by autograd (torch.logsumexp is overflow-safe)."""
    import torch

    t = torch.tensor(np.asarray(x, dtype=np.float64), requires_grad=True)
    torch.logsumexp(t, dim=0).backward()
    return t.grad.numpy()


def middle_column(A):
    """Three different indexing expressions for the middle column of a 3x3 array."""
    A = np.asarray(A)
    return [A[:, 1], A[..., 1], A.T[1]]


def hessian_sin_sin(x, y):
    """Hessian of sin(x) sin(y) at (x, y) and its eigenvalues in ascending order."""
    import torch

    f = lambda v: torch.sin(v[0]) * torch.sin(v[1])  # noqa: E731
    H = torch.autograd.functional.hessian(f, torch.tensor([float(x), float(y)], dtype=torch.float64)).numpy()
    return H, np.linalg.eigvalsh(H)


def critical_point_type(x, y):
    """"minimum" if both eigenvalues > 0, "maximum" if both < 0, else "saddle"."""
    eig = hessian_sin_sin(x, y)[1]
    if np.all(eig > 0):
        return "minimum"
    if np.all(eig < 0):
        return "maximum"
    return "saddle"


def fit_plane(points, values, lr=None, steps=None):
    """(a, b) of f(x, y) = a x + b y minimising the mean absolute error, by subgradient descent."""
    import torch

    lr = 0.5 if lr is None else lr
    steps = 4000 if steps is None else steps
    P = torch.tensor(np.asarray(points, dtype=np.float64))
    v = torch.tensor(np.asarray(values, dtype=np.float64))
    ab = torch.zeros(2, dtype=torch.float64, requires_grad=True)
    best, best_loss = ab.detach().clone(), float("inf")
    for t in range(1, steps + 1):
        loss = (P @ ab - v).abs().mean()
        if loss.item() < best_loss:
            best, best_loss = ab.detach().clone(), loss.item()
        ab.grad = None
        loss.backward()
        with torch.no_grad():
            ab -= lr / np.sqrt(t) * ab.grad
    return float(best[0]), float(best[1])
