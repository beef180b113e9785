"""Worker-side probes of the optim task: the optimiser and the model stay in the worker; the grader
gets plain data (the optimiser's class and hyper-parameters, logits before and after training,
what train_steps returned, how the optimiser was stepped). Registered with `@probe`, run only inside
the sandbox."""

from __future__ import annotations

import types
from typing import Any

import numpy as np

from probes import Lookup, SubmissionProblem, probe, require  # the worker's probe registry

THREADS = 1  # the grader's figures (docs/performance.md) are for one thread: training is small


def _plain(value: Any) -> Any:
    """A hyper-parameter as plain data (a one-element tensor as its number, anything odd as text)."""
    import torch
    if isinstance(value, torch.Tensor) and value.numel() == 1:
        return value.item()
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, (tuple, list)) and all(isinstance(v, (int, float)) for v in value):
        return list(value)
    return repr(value)


def _config(lookup: Lookup, name: str) -> dict[str, Any]:
    configs = require(lookup, "CONFIGS")
    if not isinstance(configs, dict) or not isinstance(configs.get(name), dict):
        raise SubmissionProblem(f"CONFIGS[{name!r}] is not a dict of the optimiser's settings")
    return configs[name]


def _optimizer(lookup: Lookup, name: str, params: Any) -> Any:
    import torch
    made = require(lookup, "build_optimizer")(name, params, _config(lookup, name))
    if not isinstance(made, torch.optim.Optimizer):
        raise SubmissionProblem(f"build_optimizer({name!r}, ...) returned {type(made).__name__}, "
                                "not a torch.optim optimiser")
    return made


@probe("build_optimizer", "CONFIGS")
def probe_optim_made(lookup: Lookup, manifest: dict[str, Any], name: str) -> dict[str, Any]:
    """The optimiser build_optimizer builds for `name` over a grader-owned linear model."""
    import torch
    torch.manual_seed(0)
    model = torch.nn.Linear(28 * 28, 10)
    optimizer = _optimizer(lookup, name, model.parameters())
    held = {id(p) for group in optimizer.param_groups for p in group["params"]}
    cls = type(optimizer)
    return {"class": f"{cls.__module__}.{cls.__qualname__}",
            "classes": [f"{c.__module__}.{c.__qualname__}" for c in cls.__mro__],
            "defaults": {k: _plain(v) for k, v in optimizer.defaults.items() if k != "params"},
            "groups": [{k: _plain(v) for k, v in g.items() if k != "params"} for g in optimizer.param_groups],
            "covers_model": all(id(p) in held for p in model.parameters())}


def _as_batch(images: np.ndarray) -> Any:
    import torch
    return torch.from_numpy(np.asarray(images, dtype=np.float32).reshape(-1, 1, 28, 28) / 255.0)


class _Watch:
    """Counts the model's forward passes and how the optimiser's step() is called."""

    def __init__(self, model: Any, optimizer: Any, needs_closure: bool) -> None:
        self.forwards = self.steps = self.closure_calls = self.stale_calls = 0
        self.needs_closure = needs_closure
        model.register_forward_hook(self._forward)
        original = optimizer.step

        def step(_self: Any, closure: Any = None, *args: Any, **kwargs: Any) -> Any:
            self.steps += 1
            if closure is None:
                if self.needs_closure:
                    raise SubmissionProblem(
                        "L-BFGS `step()` needs a closure that re-computes the loss: optimizer.step(closure), "
                        "where closure() clears the gradients, computes the loss on the batch, calls "
                        "backward() and returns the loss")
                return original(*args, **kwargs)
            return original(self._watched(closure), *args, **kwargs)

        # A bound method, as torch's own: a learning-rate scheduler wraps step() through __func__.
        optimizer.step = types.MethodType(step, optimizer)

    def _forward(self, *_: Any) -> None:
        self.forwards += 1

    def _watched(self, closure: Any) -> Any:
        def watched() -> Any:
            before = self.forwards
            loss = closure()
            self.closure_calls += 1
            self.stale_calls += self.forwards == before
            return loss
        return watched


def _number(value: Any) -> float | None:
    import torch
    if isinstance(value, torch.Tensor) and value.numel() == 1:
        return float(value.item())
    if isinstance(value, (int, float, np.floating)) and not isinstance(value, bool):
        return float(value)
    return None


@probe("build_classifier", "build_optimizer", "train_steps", "CONFIGS")
def probe_optim_train(lookup: Lookup, manifest: dict[str, Any], name: str, images: np.ndarray,
                      labels: np.ndarray, steps: int, eval_images: np.ndarray, before: bool = True,
                      seed: int = 0) -> dict[str, Any]:
    """Train a fresh build_classifier() with the student's optimiser and train_steps for `steps` steps
    (batch size from CONFIGS); report the logits on `eval_images` (before training too, if asked),
    what train_steps returned and how step() was called. The grader computes losses and errors itself."""
    import torch
    threads = torch.get_num_threads()
    torch.set_num_threads(THREADS)
    try:
        return _trained(lookup, name, images, labels, steps, eval_images, before, seed)
    finally:
        torch.set_num_threads(threads)  # the worker's later tests (other tasks) keep their threads


def _trained(lookup: Lookup, name: str, images: np.ndarray, labels: np.ndarray, steps: int,
             eval_images: np.ndarray, report_before: bool, seed: int) -> dict[str, Any]:
    import torch
    torch.manual_seed(seed)
    model = require(lookup, "build_classifier")()
    if not isinstance(model, torch.nn.Module):
        raise SubmissionProblem(f"build_classifier() returned {type(model).__name__}, not a torch.nn.Module")
    optimizer = _optimizer(lookup, name, model.parameters())
    watch = _Watch(model, optimizer, needs_closure=isinstance(optimizer, torch.optim.LBFGS))
    x, y, x_eval = _as_batch(images), torch.from_numpy(np.asarray(labels, dtype=np.int64)), _as_batch(eval_images)

    def logits() -> np.ndarray:
        with torch.no_grad():
            out = model(x_eval)
        if not isinstance(out, torch.Tensor):
            raise SubmissionProblem(f"the model returned {type(out).__name__}, not a tensor")
        return out.detach().float().numpy().copy()

    before = logits() if report_before else None
    batch_size = _config(lookup, name).get("batch_size", 64)
    forwards = watch.forwards
    returned = require(lookup, "train_steps")(model, optimizer, x, y, steps, batch_size)
    counts = {"steps": watch.steps, "closure_calls": watch.closure_calls, "stale_calls": watch.stale_calls,
              "forwards": watch.forwards - forwards}
    plain = [_number(r) for r in returned] if isinstance(returned, (list, tuple)) else None
    return {"before": before, "after": logits(), "returned": plain, "batch_size": _plain(batch_size), **counts}
