"""Task 5: MNIST classification.

Train a classifier on MNIST, evaluate it on the test set after every epoch and plot the training
and test loss on one plot. Find an SGD configuration (learning rate, momentum, batch size, ...) that
gives few test errors; compare with two other optimisers (e.g. Adagrad and L-BFGS).
The lecture's CNN: (B, 1, 28, 28) -> conv -> (B, 24, 14, 14) -> conv -> (B, 32, 7, 7) -> (B, 10) logits.

What the grader does: it builds your model with build_model(), loads the weights file you submit
(WEIGHTS_FILE, made with torch.save(model.state_dict(), WEIGHTS_FILE)) and measures its error on
the real MNIST test set; it also calls classification_error, train_step and plot_losses.
Images reach the model as float32 tensors (B, 1, 28, 28) with pixel values in [0, 1].
"""

import torch
from torch import nn

WEIGHTS_FILE = "mnist_weights.pt"


def build_model():
    """Return a fresh (untrained) torch.nn.Module mapping (B, 1, 28, 28) float32 to (B, 10) scores."""
    raise NotImplementedError("build_model is not implemented yet")


def classification_error(outputs, labels):
    """Classification error in PERCENT (0 to 100): the share of samples whose highest score is wrong.

    Args:
        outputs: (N, 10) scores (logits or probabilities), a numpy array or a tensor.
        labels: (N,) true classes 0..9, a numpy array or a tensor.
    Returns:
        a float, e.g. 1.5 for 1.5 % misclassified.
    """
    raise NotImplementedError("classification_error is not implemented yet")


def train_step(model, optimizer, images, labels):
    """One optimisation step on one batch with the cross-entropy loss.

    Args:
        model: the network; optimizer: a torch optimizer over its parameters;
        images: float32 tensor (B, 1, 28, 28); labels: int64 tensor (B,).
    Returns:
        the batch loss as a float (before or after the step).
    """
    raise NotImplementedError("train_step is not implemented yet")


def plot_losses(train_losses, test_losses):
    """One matplotlib Figure with two lines, labelled "train" and "test", loss against epoch.

    Returns the Figure (do not call plt.show() in this function).
    """
    raise NotImplementedError("plot_losses is not implemented yet")


if __name__ == "__main__":
    # Load MNIST with any loader you like (torchvision.datasets.MNIST works on most laptops),
    # train with train_step, evaluate after each epoch, then:
    #   plot_losses(train_losses, test_losses).savefig("losses.png")
    #   torch.save(model.state_dict(), WEIGHTS_FILE)
    print("Train your model here and save its state_dict to", WEIGHTS_FILE)
