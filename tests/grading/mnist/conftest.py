"""Shared inputs of the hidden tests: the real MNIST test set, loaded once per grading run."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def mnist():
    from autograder import timing
    from autograder.tasks import task

    with timing.phase("MNIST data (within tests: mnist)"):
        return task("mnist").module("mnist_data.py").load_mnist()
