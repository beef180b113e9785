"""Seeded mistakes and correct variants for T6, autograd and calculus exercises."""

from tests.project.corpus.cases import Mistake, Variant

MISTAKES = [
    Mistake("autodiff: grad_xyz returns the function value", "autodiff", '''
def grad_xyz(x, y, z):
    import torch
    x, y, z = (torch.tensor(float(v), requires_grad=True) for v in (x, y, z))
    f = (x + y) * z
    f.backward()
    return float(f)
''', loses=("autodiff.grad_xyz",), says="value of f"),
    Mistake("autodiff: grad_quadratic returns the function values", "autodiff", '''
def grad_quadratic(x):
    import torch
    t = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    z = 2 * t * t + 5 * t
    z.sum().backward()
    return z.detach().numpy()
''', loses=("autodiff.grad_quadratic",), says="function values"),
    Mistake("autodiff: softmax by hand with the wrong sign", "autodiff", '''
def grad_logsumexp(x):
    import numpy as np
    e = np.exp(-np.asarray(x, dtype=np.float64))
    return e / e.sum()
''', loses=("autodiff.grad_logsumexp",), says="check the sign"),
    Mistake("autodiff: logsumexp that overflows", "autodiff", '''
def grad_logsumexp(x):
    import torch
    t = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    torch.log(torch.exp(t).sum()).backward()
    return t.grad.numpy()
''', loses=("autodiff.grad_logsumexp",), says="overflows"),
    Mistake("autodiff: the same slice three times", "autodiff", '''
def middle_column(A):
    import numpy as np
    A = np.asarray(A)
    return [A[:, 1]] * 3
''', loses=("autodiff.middle_column",), says="only one expression"),
    Mistake("autodiff: hard-coded middle column of the handout", "autodiff", '''
def middle_column(A):
    import numpy as np
    return [np.array([2, 5, 8]), np.array([2.0, 5.0, 8.0]), np.array([2, 5, 8])]
''', loses=("autodiff.middle_column",), says="not close enough"),
    Mistake("autodiff: Hessian eigenvalues unsorted (np.linalg.eig)", "autodiff", '''
def hessian_sin_sin(x, y):
    import numpy as np
    import torch
    f = lambda v: torch.sin(v[0]) * torch.sin(v[1])
    H = torch.autograd.functional.hessian(f, torch.tensor([x, y], dtype=torch.float64)).numpy()
    return H, np.linalg.eig(H)[0]
''', loses=("autodiff.hessian",), says="not in ascending order"),
    Mistake("autodiff: maximum and minimum swapped", "autodiff", '''
def critical_point_type(x, y):
    import numpy as np
    d, o = -np.sin(x) * np.sin(y), np.cos(x) * np.cos(y)
    eig = np.linalg.eigvalsh(np.array([[d, o], [o, d]]))
    if eig[0] > 0:
        return "maximum"
    if eig[1] < 0:
        return "minimum"
    return "saddle"
''', loses=("autodiff.critical_points",), says="classified wrongly"),
    Mistake("autodiff: plane fitted by least squares (MSE) instead of MAE", "autodiff", '''
def fit_plane(points, values, lr=None, steps=None):
    import torch
    P = torch.tensor(points, dtype=torch.float64)
    v = torch.tensor(values, dtype=torch.float64)
    ab = torch.zeros(2, dtype=torch.float64, requires_grad=True)
    optimiser = torch.optim.SGD([ab], lr=lr or 0.1)
    for _ in range(steps or 3000):
        optimiser.zero_grad()
        ((P @ ab - v) ** 2).mean().backward()
        optimiser.step()
    return float(ab[0]), float(ab[1])
''', loses=("autodiff.fit_plane",), says="mean ABSOLUTE error"),
]

VARIANTS = [
    Variant("autodiff: slices that keep a column shape, and np.take", "autodiff", '''
def middle_column(A):
    import numpy as np
    A = np.asarray(A)
    return [A[:, 1:2], np.take(A, 1, axis=1), A.T[1]]
'''),
    Variant("autodiff: plane fit with torch.optim.SGD on nn.L1Loss and a decaying learning rate", "autodiff", '''
def fit_plane(points, values, lr=None, steps=None):
    import torch
    P = torch.tensor(points, dtype=torch.float64)
    v = torch.tensor(values, dtype=torch.float64)
    plane = torch.nn.Linear(2, 1, bias=False, dtype=torch.float64)
    optimiser = torch.optim.SGD(plane.parameters(), lr=lr or 0.5)
    schedule = torch.optim.lr_scheduler.StepLR(optimiser, step_size=500, gamma=0.5)
    loss = torch.nn.L1Loss()
    for _ in range(steps or 6000):
        optimiser.zero_grad()
        loss(plane(P).squeeze(1), v).backward()
        optimiser.step()
        schedule.step()
    a, b = plane.weight.detach().reshape(-1).tolist()
    return a, b
'''),
    Variant("autodiff: answers in words of their own, float32 tensors everywhere", "autodiff", '''
def grad_xyz(x, y, z):
    import torch
    t = torch.tensor([x, y, z], dtype=torch.float64, requires_grad=True)
    ((t[0] + t[1]) * t[2]).backward()
    return t.grad


def grad_quadratic(x):
    import torch
    t = torch.tensor(x, dtype=torch.float32, requires_grad=True)
    (2 * t ** 2 + 5 * t).sum().backward()
    return t.grad


def critical_point_type(x, y):
    import torch
    f = lambda v: torch.sin(v[0]) * torch.sin(v[1])
    eig = torch.linalg.eigvalsh(torch.autograd.functional.hessian(f, torch.tensor([float(x), float(y)])))
    if (eig > 1e-6).all():
        return "Local minimum"
    if (eig < -1e-6).all():
        return "Local Maximum"
    return "Saddle point"
'''),
]
