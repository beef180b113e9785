"""Reference for T4: linear regression, SGD against least squares (contract: student_template/regression.py).

Least squares solves the normal equations (X^T X) theta = X^T y with a bias column, without an
inverse. SGD uses torch.optim.SGD on standardised features (the raw ones differ in scale, which makes
plain SGD crawl or diverge) and maps the weights back to the original units.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

DATA_FILE = "qn2_data.csv"  # student_template/regression/qn2_data.csv, handed out
TEST_SET = [[6, 4], [10, 5], [14, 8]]


def load_data(path=DATA_FILE):
    """Columns 1-2: fertilizer, insecticides (X); column 3: corn (y). A header line is optional."""
    rows = []
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.replace(";", ",").split(",") if c.strip()]
        try:
            rows.append([float(c) for c in cells[:3]])
        except ValueError:
            continue  # the header
    data = np.asarray(rows, dtype=np.float64)
    return data[:, :2], data[:, 2]


def least_squares(X, y):
    """theta = [bias, w1, ..., wD] from the normal equations with a bias column (no inverse)."""
    X = np.asarray(X, dtype=np.float64)
    A = np.hstack([np.ones((len(X), 1)), X])
    return np.linalg.solve(A.T @ A, A.T @ np.asarray(y, dtype=np.float64))


def sgd_fit(X, y, lr=None, epochs=None):
    """Full-batch steps of torch.optim.SGD on the mean squared error; returns (w, b) in raw units."""
    import torch

    lr = 0.1 if lr is None else lr
    epochs = 3000 if epochs is None else epochs
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    mean, std = X.mean(axis=0), X.std(axis=0)
    std[std == 0] = 1.0
    xs = torch.from_numpy((X - mean) / std)
    ys = torch.from_numpy(y)
    torch.manual_seed(0)
    model = torch.nn.Linear(X.shape[1], 1, dtype=torch.float64)
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    for _ in range(epochs):
        optimizer.zero_grad()
        loss = torch.mean((model(xs).squeeze(1) - ys) ** 2)
        loss.backward()
        optimizer.step()
    w_std = model.weight.detach().numpy().ravel()
    w = w_std / std
    b = float(model.bias.detach().numpy()[0] - (w_std * mean / std).sum())
    return w, b


def predict(X, w, b):
    return np.asarray(X, dtype=np.float64) @ np.asarray(w, dtype=np.float64) + float(b)


def lr_sweep(X, y, lrs=(1e-4, 0.1, 2.5), epochs=200):
    """Loss after each step for each learning rate: too small crawls, good converges, too big diverges."""
    import torch

    X = np.asarray(X, dtype=np.float64)
    xs = torch.from_numpy((X - X.mean(0)) / X.std(0))
    ys = torch.from_numpy(np.asarray(y, dtype=np.float64))
    curves = {}
    for lr in lrs:
        torch.manual_seed(0)
        model = torch.nn.Linear(X.shape[1], 1, dtype=torch.float64)
        optimizer = torch.optim.SGD(model.parameters(), lr=lr)
        losses = []
        for _ in range(epochs):
            optimizer.zero_grad()
            loss = torch.mean((model(xs).squeeze(1) - ys) ** 2)
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
        curves[lr] = losses
    return curves
