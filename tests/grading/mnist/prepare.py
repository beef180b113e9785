"""Set-up hook of the MNIST task, run once by `autograder prepare` when the image is built: fill the
MNIST cache so that no grading run pays for reading and verifying the data."""

from __future__ import annotations


def prepare() -> str:
    from autograder.api import task_module

    data = task_module("mnist", "mnist_data.py").load_mnist()
    return f"MNIST ready: {len(data.train_labels)} training and {len(data.test_labels)} test images"
