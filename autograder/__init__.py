"""Autograder for the first numpy and PyTorch exercises of deep-learning courses."""

__version__ = "0.1.0"
