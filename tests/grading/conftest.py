"""Shared inputs of the hidden tests: the real MNIST test set, loaded once per grading run."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def mnist():
    from autograder.mnist_data import load_mnist

    return load_mnist()
