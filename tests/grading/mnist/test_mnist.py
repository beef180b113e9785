"""Hidden tests, T5 MNIST: the error function, the model's shapes, a training step, the submitted
weights on the real test set (tiered credit, leaderboard), and the loss plot."""

from __future__ import annotations

import numpy as np

from autograder.api import TensorData, agrees, check_scalar, describe_value, fail, is_figure, none_hint

LEADERBOARD = "MNIST test error (%)"


def crafted_cases() -> list[tuple[np.ndarray, np.ndarray, float]]:
    """(scores, labels, expected error %) whose answers can be checked by hand."""
    eye = np.eye(10)
    rng = np.random.default_rng(4)
    labels = rng.integers(0, 10, size=40)
    scores = eye[labels] * 3 + rng.normal(scale=0.1, size=(40, 10))
    wrong = scores.copy()
    wrong[:10] = eye[(labels[:10] + 1) % 10] * 5  # the first 10 of 40 point elsewhere: 25 %
    # The 25 % case first: it tells an accuracy (75) or a fraction (0.25) apart from other mistakes.
    return [(wrong, labels, 25.0), (scores, labels, 0.0), (eye[(labels + 3) % 10], labels, 100.0)]


def test_classification_error(student, entry):
    for number, (scores, labels, expected) in enumerate(crafted_cases(), start=1):
        for as_tensor in (False, True):
            args = ((TensorData(scores.astype(np.float32), "torch.float32", "cpu"),
                     TensorData(labels.astype(np.int64), "torch.int64", "cpu")) if as_tensor else (scores, labels))
            what = f"classification_error (case {number}, {'tensors' if as_tensor else 'numpy arrays'})"
            got = student.call("classification_error", *args)
            if got is None:
                fail(none_hint(what))
            value = got.array.item() if isinstance(got, TensorData) and got.array.size == 1 else got
            if isinstance(value, (int, float, np.number)) and not isinstance(value, bool):
                if expected not in (0.0, 50.0, 100.0) and agrees(value, 100 - expected, rtol=0, atol=1e-6):
                    fail(f"`{what}` returned {float(value):g}, the ACCURACY: the error {expected:g} % was asked for.")
                if expected != 0 and agrees(value, expected / 100, rtol=0, atol=1e-9):
                    fail(f"`{what}` returned {float(value):g}, a fraction: give the error in percent ({expected:g}).")
            check_scalar(value, expected, what, rtol=0, atol=entry["atol"])


def test_model_shapes(student):
    for batch in (1, 4):
        info = student.probe("model_shapes", batch=batch, what="build_model()")
        if tuple(info["shape"]) != (batch, 10):
            fail(f"For a batch of {batch} images (shape ({batch}, 1, 28, 28)) your model returned shape "
                 f"{tuple(info['shape'])}; ({batch}, 10) was expected: one row of 10 class scores per image.")


def cross_entropy(logits, labels: np.ndarray) -> float:
    """Mean cross-entropy of (B, 10) logits, computed here: the worker only reports the logits."""
    if not isinstance(logits, np.ndarray) or logits.shape != (len(labels), 10) or not np.isfinite(logits).all():
        fail(f"For the training batch your model returned {describe_value(logits)}; "
             f"({len(labels)}, 10) finite scores were expected.")
    z = logits.astype(np.float64) - logits.max(axis=1, keepdims=True)
    return float(np.mean(np.log(np.exp(z).sum(axis=1)) - z[np.arange(len(labels)), labels]))


def test_train_step_lowers_loss(student, entry, mnist):
    images, labels = mnist.test_images[:64], mnist.test_labels[:64].astype(np.int64)
    result = student.probe("train_step", images, labels, steps=int(entry["steps"]), lr=float(entry["lr"]),
                           what="train_step(model, optimizer, images, labels)")
    if any(r is None for r in result["returned"]):
        fail("`train_step` must return the batch loss as a number (use loss.item()).")
    before, after = cross_entropy(result["before"], labels), cross_entropy(result["after"], labels)
    if not after < before:
        fail(f"After {entry['steps']} calls of `train_step` on the same batch the loss did not go down "
             f"({before:.4f} before, {after:.4f} after). "
             "Did you call loss.backward() and optimizer.step() (after optimizer.zero_grad())?")


def weights_name(student) -> str:
    try:
        name = student.get("WEIGHTS_FILE")
    except Exception:
        return "mnist_weights.pt"
    return name.rsplit("/", 1)[-1] if isinstance(name, str) and name else "mnist_weights.pt"


def test_weights_test_error(student, entry, credit, notes, leaderboard, mnist):
    logits = student.probe("mnist_eval", mnist.test_images, weights_name(student),
                           what="your model with your weights")
    if not isinstance(logits, np.ndarray) or logits.shape != (len(mnist.test_labels), 10):
        fail(f"Your model returned {describe_value(logits)} for the 10000 test images; (10000, 10) was expected.")
    error = float(100.0 * np.mean(logits.argmax(axis=1) != mnist.test_labels))
    leaderboard(LEADERBOARD, round(error, 2), "asc")
    notes.append(f"Test error of your weights on the 10,000 MNIST test images: {error:.2f} %.")
    reached = [fraction for limit, fraction in entry["tiers"] if error <= limit]
    fraction = max(reached, default=0.0)
    if fraction < 1.0:
        credit.set(fraction, f"{fraction:.0%} of the points for a test error of {error:.2f} %.")
        fail("Train longer or tune the optimiser to earn all the points (the lecture's CNN reaches about 1 %).")


def test_loss_plot(student):
    train, test = [2.1, 1.2, 0.8, 0.6], [2.0, 1.4, 1.1, 1.0]
    figure = student.call("plot_losses", train, test)
    if figure is None:
        fail(none_hint("plot_losses"))
    if not is_figure(figure):
        fail(f"`plot_losses` returned {describe_value(figure)}; a matplotlib Figure was expected.")
    curves = [line for ax in figure["axes"] for line in ax["lines"]]
    found = {name: any(agrees(c["y"], values, rtol=1e-5, atol=1e-8) for c in curves)
             for name, values in (("train", train), ("test", test))}
    missing = [name for name, ok in found.items() if not ok]
    if missing:
        fail(f"The figure has {len(curves)} line(s), but none shows the {' and '.join(missing)} losses it was given.")
    labels = " ".join(c["label"] for c in curves).lower() + " ".join(
        " ".join(ax["legend"]) for ax in figure["axes"]).lower()
    if not ("train" in labels and "test" in labels):
        fail("Label the two lines (label='train', label='test') and add a legend, so a reader knows which is which.")
