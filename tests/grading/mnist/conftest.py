"""Shared inputs of the hidden tests: the real MNIST test set, loaded once per grading process."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def mnist():
    from autograder.api import loaded_once, task_module, timed

    with timed("MNIST data (within tests: mnist)"):
        return loaded_once("MNIST", lambda: task_module("mnist", "mnist_data.py").load_mnist())
