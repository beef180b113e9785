"""Reference for T5: MNIST with the lecture's CNN (contract: student_template/mnist.py).

CNN of lecture 004: 1x28x28 -> conv 5x5 (24) + ReLU + max-pool -> 24x14x14 -> conv 5x5 (32) + ReLU +
max-pool -> 32x7x7 -> linear -> 10 logits. Also a small MLP, training with SGD, Adagrad or L-BFGS,
per-epoch losses and errors, and the loss plot. Self-contained so it can be handed in as a file.
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

WEIGHTS_FILE = "mnist_weights.pt"


def build_cnn() -> nn.Module:
    return nn.Sequential(
        nn.Conv2d(1, 24, kernel_size=5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(24, 32, kernel_size=5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(32 * 7 * 7, 10))


def build_mlp(hidden: int = 256) -> nn.Module:
    return nn.Sequential(nn.Flatten(), nn.Linear(28 * 28, hidden), nn.ReLU(), nn.Linear(hidden, 10))


def build_model() -> nn.Module:
    """The graded model: (B, 1, 28, 28) float32 in [0, 1] -> (B, 10) logits."""
    return build_cnn()


def to_batch(images: np.ndarray) -> torch.Tensor:
    """uint8 (B, 28, 28) -> float32 (B, 1, 28, 28) in [0, 1]."""
    return torch.from_numpy(np.asarray(images, dtype=np.float32).reshape(-1, 1, 28, 28) / 255.0)


def classification_error(outputs, labels) -> float:
    """Percent of samples whose highest score is not the true label."""
    scores = outputs.detach().cpu().numpy() if isinstance(outputs, torch.Tensor) else np.asarray(outputs)
    truth = labels.detach().cpu().numpy() if isinstance(labels, torch.Tensor) else np.asarray(labels)
    return float(100.0 * np.mean(scores.argmax(axis=1) != truth))


def train_step(model: nn.Module, optimizer: torch.optim.Optimizer, images: torch.Tensor, labels: torch.Tensor) -> float:
    """One step of cross-entropy on a batch; returns the batch loss before the step."""
    model.train()
    optimizer.zero_grad()
    loss = nn.functional.cross_entropy(model(images), labels)
    loss.backward()
    optimizer.step()
    return float(loss.item())


def make_optimizer(name: str, params, lr: float | None = None) -> torch.optim.Optimizer:
    if name == "sgd":
        return torch.optim.SGD(params, lr=lr or 0.05, momentum=0.9)
    if name == "adagrad":
        return torch.optim.Adagrad(params, lr=lr or 0.02)
    if name == "lbfgs":
        return torch.optim.LBFGS(params, lr=lr or 0.5, max_iter=5, history_size=10)
    raise ValueError(f"unknown optimiser {name!r}")


def evaluate(model: nn.Module, images: np.ndarray, labels: np.ndarray, batch: int = 1000) -> tuple[float, float]:
    """(mean cross-entropy, error in percent) over a data set."""
    model.eval()
    losses, outputs = [], []
    with torch.no_grad():
        for start in range(0, len(images), batch):
            logits = model(to_batch(images[start:start + batch]))
            target = torch.from_numpy(labels[start:start + batch].astype(np.int64))
            losses.append(float(nn.functional.cross_entropy(logits, target, reduction="sum")))
            outputs.append(logits)
    return sum(losses) / len(images), classification_error(torch.cat(outputs), labels)


def train(model: nn.Module, data, optimizer_name: str = "sgd", epochs: int = 2, batch_size: int = 64,
          lr: float | None = None, seed: int = 0, progress: bool = True) -> dict[str, list[float]]:
    """Train and evaluate after every epoch; returns per-epoch train/test losses and errors."""
    from tqdm import tqdm

    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    optimizer = make_optimizer(optimizer_name, model.parameters(), lr)
    history: dict[str, list[float]] = {"train_loss": [], "test_loss": [], "train_error": [], "test_error": []}
    labels_all = data.train_labels.astype(np.int64)
    for epoch in range(epochs):
        order = rng.permutation(len(labels_all))
        batches = range(0, len(order), batch_size)
        for start in tqdm(batches, desc=f"epoch {epoch + 1}/{epochs}", disable=not progress, leave=False):
            idx = order[start:start + batch_size]
            x, y = to_batch(data.train_images[idx]), torch.from_numpy(labels_all[idx])
            if optimizer_name == "lbfgs":
                def closure() -> torch.Tensor:
                    optimizer.zero_grad()
                    loss = nn.functional.cross_entropy(model(x), y)
                    loss.backward()
                    return loss
                model.train()
                optimizer.step(closure)
            else:
                train_step(model, optimizer, x, y)
        for split in ("train", "test"):
            images, labels = getattr(data, f"{split}_images"), getattr(data, f"{split}_labels")
            loss, error = evaluate(model, images, labels)
            history[f"{split}_loss"].append(loss)
            history[f"{split}_error"].append(error)
    return history


def plot_losses(train_losses, test_losses):
    """Training and test loss per epoch on one axes."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 4))
    epochs = np.arange(1, len(train_losses) + 1)
    ax.plot(epochs, train_losses, marker="o", label="train")
    ax.plot(epochs, test_losses, marker="o", label="test")
    ax.set_xlabel("epoch")
    ax.set_ylabel("cross-entropy loss")
    ax.legend()
    return fig


if __name__ == "__main__":
    import sys
    import time
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "student_template" / "mnist"))
    from mnist_data import load_mnist  # the task's own reader, handed out with the template

    epochs = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    mnist = load_mnist()
    model = build_model()
    start = time.time()
    history = train(model, mnist, "sgd", epochs=epochs, batch_size=64, lr=0.05)
    print(f"{epochs} epochs in {time.time() - start:.0f} s: test error {history['test_error']}")
    torch.save(model.state_dict(), Path(__file__).with_name(WEIGHTS_FILE))
    plot_losses(history["train_loss"], history["test_loss"]).savefig("mnist_losses.png")
