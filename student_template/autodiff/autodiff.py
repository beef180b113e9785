"""Task 6: autograd and calculus. Use torch autograd for every derivative."""

import numpy as np
import torch

# The five points of the plane-fitting exercise: (x, y) and the observed value.
PLANE_POINTS = np.array([[0.8345, 0.9785], [0.0993, 0.6754], [1.8054, 1.8001], [1.8896, 0.7385], [0.9817, 0.2224]])
PLANE_VALUES = np.array([8.4596, 2.2981, 13.8385, 11.3696, 4.7279])


def grad_xyz(x, y, z):
    """(df/dx, df/dy, df/dz) of f(x, y, z) = (x + y) * z, as three floats, by autograd."""
    raise NotImplementedError("grad_xyz is not implemented yet")


def grad_quadratic(x):
    """Gradient of sum(2 x*x + 5 x) with respect to x (any shape), as a numpy array, by autograd."""
    raise NotImplementedError("grad_quadratic is not implemented yet")


def grad_logsumexp(x):
    """Gradient of log(sum_i exp(x_i)) for a 1-D x, as a numpy array, by autograd."""
    raise NotImplementedError("grad_logsumexp is not implemented yet")


def middle_column(A):
    """A list of THREE numpy arrays, each the middle column of the 3x3 array A, each taken with a
    different indexing expression."""
    raise NotImplementedError("middle_column is not implemented yet")


def hessian_sin_sin(x, y):
    """(H, eigenvalues) for f(x, y) = sin(x) sin(y): the 2x2 Hessian at (x, y) as a numpy array and
    its eigenvalues (2,) in ascending order."""
    raise NotImplementedError("hessian_sin_sin is not implemented yet")


def critical_point_type(x, y):
    """"saddle", "maximum" or "minimum" for the critical point (x, y) of sin(x) sin(y)."""
    raise NotImplementedError("critical_point_type is not implemented yet")


def fit_plane(points, values, lr=None, steps=None):
    """(a, b) of f(x, y) = a x + b y fitted to the points by gradient descent on the MEAN ABSOLUTE error."""
    raise NotImplementedError("fit_plane is not implemented yet")


if __name__ == "__main__":
    print(grad_xyz(-2.0, 5.0, -4.0))
    print(fit_plane(PLANE_POINTS, PLANE_VALUES))
