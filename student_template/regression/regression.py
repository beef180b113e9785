"""Task 4: linear regression, SGD against least squares.

Data (qn2_data.csv): corn produced (column 3) against fertilizer (column 1) and insecticides
(column 2). Fit y ~ w1 x1 + w2 x2 + b twice: with torch.optim.SGD, and exactly by least squares,
theta = (X^T X)^-1 X^T y with a bias column (solve the system, do not invert the matrix).
Compare the parameters and the predictions for TEST_SET; try several learning rates.
"""

import numpy as np
import torch

DATA_FILE = "qn2_data.csv"
TEST_SET = [[6, 4], [10, 5], [14, 8]]


def load_data(path=DATA_FILE):
    """(X, y): X (N, 2) float64 = columns 1 and 2 of the CSV, y (N,) float64 = column 3. Header optional."""
    raise NotImplementedError("load_data is not implemented yet")


def least_squares(X, y):
    """Least squares with a bias. X: (N, D) raw features (no bias column), y: (N,).

    Returns theta as a numpy array (D + 1,): [bias, w1, ..., wD]."""
    raise NotImplementedError("least_squares is not implemented yet")


def sgd_fit(X, y, lr=None, epochs=None):
    """Fit y ~ X w + b with torch.optim.SGD (choose good defaults for lr and epochs).

    Returns (w, b): w a numpy array (D,), b a float, in the units of the raw X (if you standardise
    the features inside, map the weights back)."""
    raise NotImplementedError("sgd_fit is not implemented yet")


def predict(X, w, b):
    """Predictions X w + b as a numpy array (N,)."""
    raise NotImplementedError("predict is not implemented yet")


if __name__ == "__main__":
    X, y = load_data()
    theta = least_squares(X, y)
    w, b = sgd_fit(X, y)
    print("least squares:", theta, predict(TEST_SET, theta[1:], theta[0]))
    print("SGD:          ", w, b, predict(TEST_SET, w, b))
    print("SGD with other learning rates (mean squared error on the data; least squares gives "
          f"{np.mean((predict(X, theta[1:], theta[0]) - y) ** 2):.4g}):")
    for lr in (1e-4, 1e-2, 1e-1, 1.0):
        w, b = sgd_fit(X, y, lr=lr)
        print(f"lr={lr:g}: w={w}, b={b:.4g}, mean squared error {np.mean((predict(X, w, b) - y) ** 2):.4g}")
