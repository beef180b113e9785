"""Task 5b: MNIST with SGD, Adagrad and L-BFGS.

Find a configuration of SGD (learning rate, momentum, mini-batch size, ...) that gives few test
errors, then attempt the same with Adagrad and with L-BFGS (a second-order method), and say which
were easier to configure. Write your three configurations as data in CONFIGS: the grader builds
each optimiser from them with YOUR build_optimizer and trains YOUR build_classifier() with YOUR
train_steps. The network is a small MLP (784 -> 128 -> 10 is plenty), not the lecture's CNN, so that
all three optimisers train in seconds. Images reach the model as float32 tensors (B, 1, 28, 28) in
[0, 1]. The names are not Task 5's (build_model, train_step, ...): both tasks share one notebook.

What the grader does: it checks that build_optimizer builds the optimiser named, with the
hyper-parameters of CONFIGS; that train_steps lowers the loss on a fixed batch of MNIST for each
optimiser (L-BFGS through a closure); that percent_misclassified is exact; and that each
configuration, trained for a fixed number of steps on 5,000 training images, reaches a test error
below a bound on 1,000 test images (and puts it on the leaderboard).
"""

import argparse
import sys
from pathlib import Path

import torch
from torch import nn
from tqdm import tqdm

# Your three configurations. Every key is a keyword argument of the optimiser (torch.optim.SGD,
# torch.optim.Adagrad, torch.optim.LBFGS), except "batch_size": the mini-batch size of train_steps.
# Numbers, not strings: 0.01, not "0.01". Replace every `...`; the SGD values are a starting point,
# not a good choice. Add any other setting the optimiser takes (momentum, max_iter, ...).
CONFIGS = {
    "sgd": {"lr": 0.01, "momentum": 0.0, "batch_size": 64},
    "adagrad": {"lr": ..., "batch_size": ...},
    "lbfgs": {"lr": ..., "batch_size": ...},
}


def build_classifier():
    """Return a fresh (untrained) torch.nn.Module mapping (B, 1, 28, 28) float32 to (B, 10) scores."""
    raise NotImplementedError("build_classifier is not implemented yet")


def build_optimizer(name, params, config):
    """The optimiser called `name` over `params`, built from `config`.

    Args:
        name: "sgd", "adagrad" or "lbfgs" (torch.optim.SGD, torch.optim.Adagrad, torch.optim.LBFGS).
        params: the model's parameters (model.parameters()).
        config: one of CONFIGS' values; every key but "batch_size" is a keyword argument of the optimiser.
    Returns:
        the torch.optim optimiser.
    """
    raise NotImplementedError("build_optimizer is not implemented yet")


def train_steps(model, optimizer, images, labels, steps, batch_size):
    """Run exactly `steps` optimiser steps of the cross-entropy loss on mini-batches of the data.

    L-BFGS evaluates the loss several times per step: its step() needs a closure that clears the
    gradients, re-computes the loss on the batch, calls backward() and returns the loss. (SGD and
    Adagrad accept the same closure.)

    Args:
        model: the network; optimizer: from build_optimizer over the model's parameters;
        images: float32 tensor (N, 1, 28, 28); labels: int64 tensor (N,);
        steps: how many calls of optimizer.step; batch_size: samples per step (reshuffle when used up).
    Returns:
        a list of `steps` floats: the loss of each step's batch.
    """
    raise NotImplementedError("train_steps is not implemented yet")


def percent_misclassified(outputs, labels):
    """Classification error in PERCENT (0 to 100): the share of samples whose highest score is wrong.

    Args:
        outputs: (N, 10) scores, a numpy array or a tensor; labels: (N,) classes 0..9, either kind.
    Returns:
        a float, e.g. 12.5 when 1 sample of 8 is misclassified.
    """
    raise NotImplementedError("percent_misclassified is not implemented yet")


def _mnist_subsets(train_size, test_size=10000):
    """((train images, labels), (test images, labels)) as tensors (N, 1, 28, 28) in [0, 1] and (N,).

    Given code: Task 5's reader (mnist_data.py, in the same handout) when it is here, else torchvision."""
    here = Path(__file__).resolve().parent if "__file__" in globals() else Path.cwd()
    sys.path[:0] = [str(here), str(here / "homework")]
    try:
        from mnist_data import load_mnist
        mnist = load_mnist()
        splits = [(mnist.train_images, mnist.train_labels), (mnist.test_images, mnist.test_labels)]
    except (ImportError, RuntimeError):  # this task alone, or no MNIST for it: torchvision downloads it
        try:
            from torchvision.datasets import MNIST
        except ImportError:
            sys.exit("No MNIST reader: pip install torchvision, or put Task 5's mnist_data.py next to this file.")
        splits = [(s.data, s.targets) for s in (MNIST("data", train=flag, download=True) for flag in (True, False))]
    return [(torch.as_tensor(x[:n]).float().unsqueeze(1) / 255, torch.as_tensor(y[:n]).long())
            for (x, y), n in zip(splits, (train_size, test_size))]


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="Train build_classifier() with the three CONFIGS.")
    parser.add_argument("--steps", type=int, default=500, help="steps per optimiser (L-BFGS: a tenth)")
    parser.add_argument("--train-size", type=int, default=10000)
    args, _ = parser.parse_known_args()  # "known": Jupyter passes arguments of its own

    import matplotlib
    if "ipykernel" not in sys.modules:
        matplotlib.use("Agg")  # a file, no window; in Jupyter the figure is also shown inline
    import matplotlib.pyplot as plt

    (train_x, train_y), (test_x, test_y) = _mnist_subsets(args.train_size)
    figure, axes = plt.subplots(figsize=(7, 4))
    for name, config in CONFIGS.items():
        torch.manual_seed(0)
        model = build_classifier()
        optimizer = build_optimizer(name, model.parameters(), config)
        steps = max(1, args.steps // 10) if name == "lbfgs" else args.steps
        losses = []
        for _ in tqdm(range(10), desc=name):  # ten rounds of train_steps, for the progress bar
            losses += train_steps(model, optimizer, train_x, train_y, max(1, steps // 10), config["batch_size"])
        with torch.no_grad():
            errors = [percent_misclassified(model(x), y) for x, y in ((train_x, train_y), (test_x, test_y))]
        print(f"{name}: training error {errors[0]:.2f} %, test error {errors[1]:.2f} %")
        axes.plot(losses, label=name)
    axes.set(xlabel="step", ylabel="training batch loss", yscale="log")
    axes.legend()
    figure.savefig("optim_losses.png")
    print("saved optim_losses.png")
    if "ipykernel" in sys.modules:
        plt.show()
