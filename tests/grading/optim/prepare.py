"""Set-up hook of the optim task, run once by `autograder prepare`: fill the MNIST cache (shared
with the mnist task) even when this task is graded without it."""

from __future__ import annotations


def prepare() -> str:
    from autograder.api import task_module

    reader = task_module("optim", "conftest.py").mnist_reader()
    return f"MNIST ready for optim: {len(reader.load_mnist().test_labels)} test images"
