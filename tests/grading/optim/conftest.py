"""Shared inputs of the optim task's hidden tests: small fixed subsets of the real MNIST, loaded
once per grading run with the mnist task's own reader (student_template/mnist/mnist_data.py, in
the repository whether or not the mnist task is in the assignment)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pytest

TRAIN_SIZE = 5000  # the first images of the official training set: what the configurations train on
TEST_SIZE = 1000   # the first images of the official test set: what their test error is measured on


@dataclass(frozen=True)
class OptimData:
    train_images: np.ndarray  # (TRAIN_SIZE, 28, 28) uint8
    train_labels: np.ndarray  # (TRAIN_SIZE,) int64
    test_images: np.ndarray   # (TEST_SIZE, 28, 28) uint8
    test_labels: np.ndarray   # (TEST_SIZE,) int64


def mnist_reader():
    """The mnist task's reader module, found through the task registry."""
    from autograder.api import task_module
    return task_module("mnist", "mnist_data.py")


@pytest.fixture(scope="session")
def optim_data() -> OptimData:
    from autograder.api import loaded_once, timed

    with timed("MNIST data (within tests: optim)"):
        mnist = loaded_once("MNIST", lambda: mnist_reader().load_mnist())
        return OptimData(np.ascontiguousarray(mnist.train_images[:TRAIN_SIZE]),
                         mnist.train_labels[:TRAIN_SIZE].astype(np.int64),
                         np.ascontiguousarray(mnist.test_images[:TEST_SIZE]),
                         mnist.test_labels[:TEST_SIZE].astype(np.int64))
