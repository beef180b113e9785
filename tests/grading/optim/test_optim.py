"""Hidden tests, optim task: the three configurations as data, each optimiser as named and as
configured, each lowering the loss on a fixed batch (L-BFGS through a closure), the error function,
and the test error each configuration reaches on a fixed MNIST subset (a leaderboard column each).

The model and the optimisers stay in the worker (probes.py); the grader sends small fixed arrays
and computes every loss and error itself from the logits it gets back."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from autograder.api import Opaque, TensorData, WorkerTimeout, agrees, check_scalar, describe_value, fail, none_hint

OPTIMIZERS = {"sgd": "SGD", "adagrad": "Adagrad", "lbfgs": "LBFGS"}  # CONFIGS key -> torch.optim class
LABELS = {"sgd": "SGD", "adagrad": "Adagrad", "lbfgs": "L-BFGS"}
OWN = "batch_size"  # the one configuration key that is the training's, not the optimiser's


# ---------------------------------------------------------------- the configurations

def config_problems(name: str, config: Any) -> list[str]:
    """What is wrong with CONFIGS[name] as data, in words; empty when it is usable."""
    where = f"CONFIGS[{name!r}]"
    if not isinstance(config, dict):
        return [f"{where} is {describe_value(config)}; a dict of settings was expected, e.g. {{'lr': 0.01}}"]
    found = []
    for key, value in config.items():
        if isinstance(value, Opaque) and value.type_name == "builtins.ellipsis":
            found.append(f"{where}[{key!r}] is still `...`: fill in your value")
        elif isinstance(value, str):
            try:
                number = float(value)
            except ValueError:
                continue  # a real option given as text (L-BFGS's line_search_fn="strong_wolfe")
            found.append(f"{where}[{key!r}] is the string {value!r}: write the number {number:g} without quotes")
        elif key == "lr" and isinstance(value, (int, float)) and not value > 0:
            found.append(f"{where}['lr'] is {value!r}: a learning rate must be positive")
    size = config.get(OWN)
    if not (isinstance(size, int) and not isinstance(size, bool) and size > 0) and not isinstance(size, (str, Opaque)):
        found.append(f"{where}[{OWN!r}] is {describe_value(size)}; a positive whole number was expected, e.g. 64")
    return found


def checked_config(student: Any, name: str) -> dict[str, Any]:
    """CONFIGS[name] as submitted; fails with what to fix when it cannot be used."""
    configs = student.get("CONFIGS")
    if not isinstance(configs, dict):
        fail(f"CONFIGS is {describe_value(configs)}; a dict with the keys {', '.join(map(repr, OPTIMIZERS))} "
             "was expected, each a dict of that optimiser's settings.")
    if name not in configs:
        fail(f"CONFIGS has no entry {name!r} (it has {', '.join(map(repr, configs)) or 'none'}).")
    problems = config_problems(name, configs[name])
    if problems:
        fail("; ".join(problems) + ".")
    return configs[name]


def test_configs(student):
    configs = student.get("CONFIGS")
    if not isinstance(configs, dict):
        fail(f"CONFIGS is {describe_value(configs)}; a dict of three configurations was expected.")
    missing = [name for name in OPTIMIZERS if name not in configs]
    if missing:
        fail(f"CONFIGS lacks {', '.join(map(repr, missing))}: give a configuration for each of the three optimisers.")
    problems = [p for name in OPTIMIZERS for p in config_problems(name, configs[name])]
    if problems:
        fail("; ".join(problems) + ".")


# ---------------------------------------------------------------- the optimisers as named

def same_setting(got: Any, wanted: Any) -> bool:
    if all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in (got, wanted)):
        return agrees(got, wanted, rtol=1e-9, atol=0.0)
    if isinstance(got, list) and isinstance(wanted, (list, tuple)):
        return len(got) == len(wanted) and all(same_setting(g, w) for g, w in zip(got, wanted))
    return got == wanted


@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_optimizer_named(student, name):
    config = checked_config(student, name)
    made = student.probe("optim_made", name, what=f"build_optimizer({name!r}, params, CONFIGS[{name!r}])")
    wanted = f"torch.optim.{OPTIMIZERS[name]}"
    if not any(c.endswith(f".{OPTIMIZERS[name]}") and c.startswith("torch.optim.") for c in made["classes"]):
        shown = made["class"]
        if shown.startswith("torch.optim."):  # torch.optim.adagrad.Adagrad as torch.optim.Adagrad
            shown = "torch.optim." + shown.rsplit(".", 1)[-1]
        fail(f"`build_optimizer({name!r}, ...)` built `{shown}`, not {LABELS[name]}: {name!r} asks for `{wanted}`.")
    if not made["covers_model"]:
        fail(f"The {LABELS[name]} optimiser does not hold all the parameters it was given: "
             "pass `params` to the optimiser as they are.")
    for key, value in config.items():
        if key == OWN:
            continue
        got = made["defaults"].get(key, "(not a setting of this optimiser)")
        if not same_setting(got, value):
            fail(f"CONFIGS[{name!r}] says {key}={value!r}, but the {LABELS[name]} optimiser that build_optimizer "
                 f"built has {key}={got!r}: build it from the configuration it is given "
                 f"(e.g. {wanted}(params, **options)).")


# ---------------------------------------------------------------- training

def mean_cross_entropy(logits: Any, labels: np.ndarray, what: str) -> float:
    """The grader's own loss of (N, 10) logits; NaN when the model's outputs are not finite."""
    if not isinstance(logits, np.ndarray) or logits.shape != (len(labels), 10):
        fail(f"For {len(labels)} images your model returned {describe_value(logits)} {what}; "
             f"({len(labels)}, 10) scores were expected.")
    shifted = logits.astype(np.float64) - logits.max(axis=1, keepdims=True)
    return float(np.mean(np.log(np.exp(shifted).sum(axis=1)) - shifted[np.arange(len(labels)), labels]))


def check_stepping(result: dict[str, Any], name: str, steps: int) -> None:
    """train_steps returned one loss per step, called step() once per step, and (L-BFGS) used a closure
    that re-computes the loss."""
    returned = result["returned"]
    if returned is None:
        fail(f"`train_steps` returned no list: it must return the {steps} batch losses (floats, loss.item()).")
    if len(returned) != steps or any(r is None for r in returned):
        fail(f"`train_steps` returned {len(returned)} values for steps={steps}, not {steps} numbers: "
             "one loss per step, as floats (loss.item()).")
    if result["steps"] != steps:
        fail(f"With steps={steps}, `train_steps` called optimizer.step() {result['steps']} times: "
             f"exactly {steps} steps were asked for.")
    if name == "lbfgs" and result["stale_calls"]:
        fail(f"L-BFGS called your closure {result['closure_calls']} times, and {result['stale_calls']} of these "
             "calls did not run the model: the closure returns a loss computed outside it. L-BFGS evaluates "
             "the loss at new parameters on every call: the closure must clear the gradients, re-compute "
             "the loss (forward), call backward() and return it.")


def trained(student: Any, entry: Any, name: str, images: np.ndarray, labels: np.ndarray, shown: np.ndarray,
            before: bool) -> dict[str, Any]:
    """The probe's report of one training with the student's configuration, within the entry's time."""
    steps = int(entry["steps"])
    try:
        result = student.probe("optim_train", name, images, labels, steps, shown, before,
                               seed=int(entry["torch_seed"]), timeout=entry["timeout"],
                               what=f"train_steps with your {LABELS[name]} configuration")
    except WorkerTimeout as exc:
        cost = " (each L-BFGS step evaluates the loss up to max_iter times, more with a line search)" \
            if name == "lbfgs" else ""
        fail(f"{exc} Here, {steps} steps must finish within {entry['timeout']:g} s on one core"
             f"{cost}: a smaller network (an MLP), batch_size or max_iter.")
    check_stepping(result, name, steps)
    return result


def settings(config: dict[str, Any]) -> str:
    return ", ".join(f"{k}={v!r}" for k, v in config.items()) or "the optimiser's defaults"


@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_lowers_loss(student, entry, optim_data, name):
    config = checked_config(student, name)
    images, labels = optim_data.train_images[:entry["images"]], optim_data.train_labels[:entry["images"]]
    steps = int(entry["steps"])
    result = trained(student, entry, name, images, labels, images, True)
    before = mean_cross_entropy(result["before"], labels, "before training")
    after = mean_cross_entropy(result["after"], labels, f"after {steps} steps")
    said = f"With CONFIGS[{name!r}] ({settings(config)}), {steps} steps of {LABELS[name]}"
    if not np.isfinite(after) or after > before:
        fail(f"{said} made the loss on a fixed batch of {len(labels)} images grow from {before:.3f} to {after:.3f}: "
             "the training diverges. A smaller learning rate?")
    if after > before * (1 - entry["min_drop"]):
        rate = f"learning rate {config['lr']!r}" if "lr" in config else "default learning rate"
        fail(f"Your {LABELS[name]} {rate} barely moves the loss in {steps} steps ({before:.3f} -> {after:.3f} "
             f"on a fixed batch of {len(labels)} images; at least {entry['min_drop']:.0%} lower was expected). "
             "A larger learning rate?")


# ---------------------------------------------------------------- the error function

def error_cases() -> list[tuple[np.ndarray, np.ndarray, float]]:
    """(scores, labels, error in %) checkable by hand; the first tells accuracy and fractions apart."""
    labels = np.array([3, 1, 4, 1, 5, 9, 2])
    scores = np.full((7, 10), -1.0)
    scores[np.arange(7), labels] = 2.0
    wrong = scores.copy()
    wrong[:3, 0] = 5.0  # three of seven now score class 0 highest: 300/7 %, not a round number
    probabilities = np.exp(scores) / np.exp(scores).sum(axis=1, keepdims=True)
    return [(wrong, labels, 300 / 7), (probabilities, labels, 0.0), (-scores, labels, 100.0)]


def as_number(value: Any) -> Any:
    return value.array.item() if isinstance(value, TensorData) and value.array.size == 1 else value


def test_percent_misclassified(student, entry):
    for case, (scores, labels, expected) in enumerate(error_cases(), start=1):
        tensors = (TensorData(scores.astype(np.float32), "torch.float32", "cpu"),
                   TensorData(labels.astype(np.int64), "torch.int64", "cpu"))
        for kind, args in (("numpy arrays", (scores, labels)), ("tensors", tensors)):
            what = f"percent_misclassified (case {case}, {kind})"
            got = as_number(student.call("percent_misclassified", *args))
            if got is None:
                fail(none_hint(what))
            hints = {100 - expected: "the ACCURACY: the error was asked for", expected / 100: "a fraction: give percent",
                     round(expected, 2): "rounded: give the exact percentage"}
            for value, hint in hints.items():
                if expected not in (0.0, 100.0) and isinstance(got, (int, float)) and got != expected \
                        and agrees(got, value, rtol=0, atol=entry["atol"]):
                    fail(f"`{what}` returned {got!r}, {hint} ({expected!r}).")
            check_scalar(got, expected, what, rtol=0, atol=entry["atol"])


# ---------------------------------------------------------------- the configurations' test error

@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_test_error(student, entry, notes, leaderboard, optim_data, name):
    config = checked_config(student, name)
    steps, seen = int(entry["steps"]), int(entry["train_error_images"])
    data = optim_data
    shown = np.concatenate([data.train_images[:seen], data.test_images])
    result = trained(student, entry, name, data.train_images, data.train_labels, shown, False)
    logits = result["after"]
    if not isinstance(logits, np.ndarray) or logits.shape != (len(shown), 10):
        fail(f"After training, your model returned {describe_value(logits)} for {len(shown)} images.")
    wrong = logits.argmax(axis=1) != np.concatenate([data.train_labels[:seen], data.test_labels])
    train_error, test_error = 100 * wrong[:seen].mean(), 100 * wrong[seen:].mean()
    if not np.isfinite(logits).all():
        test_error = 100.0  # NaN scores classify nothing
    leaderboard(entry["leaderboard"], round(float(test_error), 2), "asc")
    notes.append(f"{LABELS[name]} ({settings(config)}), {steps} steps on {len(data.train_labels):,} training "
                 f"images: training error {train_error:.2f} % (first {seen:,}), test error {test_error:.2f} % "
                 f"({len(data.test_labels):,} test images).")
    if test_error > entry["max_error"]:
        fail(f"After {steps} steps your {LABELS[name]} configuration has a test error of {test_error:.2f} %; "
             f"at most {entry['max_error']:g} % was expected. Tune CONFIGS[{name!r}] (learning rate, "
             "batch size, momentum, ...) with `python optim.py`.")
