"""Reference for the optim task: one MNIST classifier trained with SGD, Adagrad and L-BFGS
(contract: student_template/optim/optim.py). Self-contained, so it can be handed in as a file.

The model is a small MLP (784 -> 128 -> 10), not the lecture's CNN: three optimisers must train in
seconds, for the student and for the grader.
"""

from __future__ import annotations

from typing import Any, Iterable

import numpy as np
import torch
from torch import nn

CLASSES = {"sgd": torch.optim.SGD, "adagrad": torch.optim.Adagrad, "lbfgs": torch.optim.LBFGS}

# Keyword arguments of each optimiser, plus the mini-batch size the training uses.
CONFIGS = {
    "sgd": {"lr": 0.1, "momentum": 0.9, "batch_size": 64},
    "adagrad": {"lr": 0.05, "batch_size": 64},
    "lbfgs": {"lr": 1.0, "max_iter": 5, "history_size": 10, "line_search_fn": "strong_wolfe",
              "batch_size": 1000},
}


def build_classifier() -> nn.Module:
    """(B, 1, 28, 28) float32 in [0, 1] -> (B, 10) logits."""
    return nn.Sequential(nn.Flatten(), nn.Linear(28 * 28, 128), nn.ReLU(), nn.Linear(128, 10))


def build_optimizer(name: str, params: Iterable[Any], config: dict[str, Any]) -> torch.optim.Optimizer:
    """The optimiser called `name`, built from `config` (batch_size is the training's, not its own)."""
    if name not in CLASSES:
        raise ValueError(f"unknown optimiser {name!r}: one of {', '.join(CLASSES)}")
    options = {key: value for key, value in config.items() if key != "batch_size"}
    return CLASSES[name](params, **options)


def train_steps(model: nn.Module, optimizer: torch.optim.Optimizer, images: torch.Tensor, labels: torch.Tensor,
          steps: int, batch_size: int) -> list[float]:
    """`steps` optimiser steps on shuffled mini-batches; the loss of each step's batch, before it."""
    model.train()
    losses: list[float] = []
    order = torch.randperm(len(labels))
    position = 0
    for _ in range(steps):
        if position + batch_size > len(order):
            order, position = torch.randperm(len(labels)), 0
        batch = order[position:position + batch_size]
        position += batch_size
        x, y = images[batch], labels[batch]

        def closure() -> torch.Tensor:  # L-BFGS calls it several times per step; SGD and Adagrad once
            optimizer.zero_grad()
            loss = nn.functional.cross_entropy(model(x), y)
            loss.backward()
            return loss

        losses.append(float(optimizer.step(closure).item()))
    return losses


def percent_misclassified(outputs, labels) -> float:
    """Percent of samples whose highest score is not the true label."""
    scores = outputs.detach().cpu().numpy() if isinstance(outputs, torch.Tensor) else np.asarray(outputs)
    truth = labels.detach().cpu().numpy() if isinstance(labels, torch.Tensor) else np.asarray(labels)
    return float(100.0 * np.mean(scores.argmax(axis=1) != truth))
