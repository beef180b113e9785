"""Seeded mistakes and correct variants for T4, linear regression: least squares and SGD.

The SGD cases are edits of one full-batch torch.optim.SGD fit on standardised features (FIT).
"""

from tests.project.corpus.cases import Mistake, Variant

FIT = '''
def sgd_fit(X, y, lr=None, epochs=None):
    import numpy as np
    import torch
    lr = 0.1 if lr is None else lr
    epochs = 2000 if epochs is None else epochs
    X, y = np.asarray(X, dtype=np.float64), np.asarray(y, dtype=np.float64)
    mu, sd = X.mean(axis=0), X.std(axis=0)
    Xs, yt = torch.tensor((X - mu) / sd), torch.tensor(y)
    torch.manual_seed(0)
    model = torch.nn.Linear(X.shape[1], 1, dtype=torch.float64)
    optimiser = torch.optim.SGD(model.parameters(), lr=lr)
    for _ in range(epochs):
        optimiser.zero_grad()
        loss = ((model(Xs).squeeze(1) - yt) ** 2).mean()
        loss.backward()
        optimiser.step()
    w = model.weight.detach().numpy().ravel() / sd
    return w, float(model.bias.detach()) - float(w @ mu)
'''


def edit(old: str, new: str) -> str:
    if old not in FIT:
        raise ValueError(f"{old!r} is not in FIT")
    return FIT.replace(old, new)


MISTAKES = [
    Mistake("regression: bias column forgotten", "regression", '''
def least_squares(X, y):
    import numpy as np
    return np.linalg.solve(X.T @ X, X.T @ y)
''', loses=("regression.least_squares_corn", "regression.least_squares_hidden"), says="bias column"),
    Mistake("regression: ones column added but the bias dropped from theta", "regression", '''
def least_squares(X, y):
    import numpy as np
    A = np.column_stack([np.ones(len(X)), X])
    return np.linalg.solve(A.T @ A, A.T @ y)[1:]
''', loses=("regression.least_squares_corn", "regression.least_squares_hidden"), says="bias column"),
    Mistake("regression: bias placed last in theta", "regression", '''
def least_squares(X, y):
    import numpy as np
    A = np.column_stack([X, np.ones(len(X))])
    return np.linalg.solve(A.T @ A, A.T @ y)
''', loses=("regression.least_squares_corn", "regression.least_squares_hidden"), says="the bias comes first"),
    Mistake("regression: Adam instead of SGD", "regression",
            edit("torch.optim.SGD(model.parameters(), lr=lr)", "torch.optim.Adam(model.parameters(), lr=lr)")
            .replace("lr = 0.1 if", "lr = 0.5 if"),
            loses=("regression.sgd_uses_optim_sgd",), says="uses torch.optim.Adam"),
    Mistake("regression: far too few epochs", "regression", edit("epochs = 2000 if", "epochs = 3 if"),
            loses=("regression.sgd_close_to_least_squares", "regression.predictions"), says="that is too far"),
    Mistake("regression: learning rate so large that SGD diverges", "regression", edit("lr = 0.1 if", "lr = 5.0 if"),
            loses=("regression.sgd_close_to_least_squares", "regression.predictions"), says="diverged"),
    Mistake("regression: predict ignores the bias", "regression", '''
def predict(X, w, b):
    import numpy as np
    return np.asarray(X, dtype=np.float64) @ np.asarray(w, dtype=np.float64)
''', loses=("regression.predictions",), says="without the bias"),
]

VARIANTS = [
    Variant("regression: least squares with np.linalg.lstsq, returned as a list", "regression", '''
def least_squares(X, y):
    import numpy as np
    A = np.hstack([np.ones((len(X), 1)), X])
    return np.linalg.lstsq(A, y, rcond=None)[0].tolist()
'''),
    Variant("regression: SGD without standardisation, small lr with momentum, many epochs", "regression", '''
def sgd_fit(X, y, lr=1e-3, epochs=20000):
    import torch
    Xt = torch.tensor(X, dtype=torch.float64)
    yt = torch.tensor(y, dtype=torch.float64).reshape(-1, 1)
    w = torch.zeros(Xt.shape[1], 1, dtype=torch.float64, requires_grad=True)
    b = torch.zeros(1, dtype=torch.float64, requires_grad=True)
    optimiser = torch.optim.SGD([w, b], lr=lr, momentum=0.9)
    for _ in range(epochs):
        optimiser.zero_grad()
        torch.nn.functional.mse_loss(Xt @ w + b, yt).backward()
        optimiser.step()
    return w.detach().reshape(-1), b.detach()
'''),
    Variant("regression: predict in torch, returning a column tensor", "regression", '''
def predict(X, w, b):
    import torch
    X = torch.as_tensor(X, dtype=torch.float32)
    w = torch.as_tensor(w, dtype=torch.float32).reshape(-1, 1)
    return X @ w + float(b)
'''),
]

VARIANTS += [
    Variant("regression: the data file read by its bare name at the top level", "regression", "",
            then='\nCORN_X, CORN_Y = load_data("qn2_data.csv")\n',
            files={"qn2_data.csv": "fertilizer,insecticides,corn\n6,4,40\n10,4,44\n12,5,46\n"},
            lacks="FileNotFoundError"),
]

VARIANTS += [  # issue 25: a float32 fit is judged at float32 precision, amplified by the solve's conditioning
    Variant("regression: least squares solved in float32 by the normal equations", "regression", '''
def least_squares(X, y):
    import numpy as np
    A = np.column_stack([np.ones(len(X)), X]).astype(np.float32)
    return np.linalg.solve(A.T @ A, A.T @ np.asarray(y, dtype=np.float32))
''', says="checked at float32 precision"),
]
