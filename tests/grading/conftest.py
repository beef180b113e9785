"""Shared inputs of the hidden tests: the real MNIST test set, loaded once per grading run."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def mnist():
    from autograder import timing
    from autograder.mnist_data import load_mnist

    with timing.phase("MNIST data (within tests: mnist)"):
        return load_mnist()
