"""Worker-side probes of the MNIST task: a model built by `build_model()` stays in the worker; the
grader asks for what it needs to judge (output shapes, logits on the test images, the logits around
a training step) and gets plain data. Registered with `@probe`, run only inside the sandbox."""

from __future__ import annotations

from typing import Any

import numpy as np

from probes import Lookup, SubmissionProblem, probe, require  # the worker's probe registry


def _build_model(lookup: Lookup) -> Any:
    import torch
    model = require(lookup, "build_model")()
    if not isinstance(model, torch.nn.Module):
        raise SubmissionProblem(f"build_model() returned {type(model).__name__}, not a torch.nn.Module")
    return model


def _as_batch(images: np.ndarray) -> Any:
    import torch
    return torch.from_numpy(np.asarray(images, dtype=np.float32).reshape(-1, 1, 28, 28) / 255.0)


def _logits(model: Any, batch: Any) -> Any:
    import torch
    out = model(batch)
    if not isinstance(out, torch.Tensor):
        raise SubmissionProblem(f"the model returned {type(out).__name__}, not a tensor")
    return out


@probe("build_model")
def probe_model_shapes(lookup: Lookup, manifest: dict[str, Any], batch: int = 4) -> dict[str, Any]:
    import torch
    model = _build_model(lookup)
    model.eval()
    with torch.no_grad():
        out = _logits(model, torch.zeros(batch, 1, 28, 28))
    return {"shape": list(out.shape), "dtype": str(out.dtype),
            "parameters": int(sum(p.numel() for p in model.parameters()))}


@probe("build_model")
def probe_mnist_eval(lookup: Lookup, manifest: dict[str, Any], images: np.ndarray,
                     weights_name: str, batch: int = 200) -> np.ndarray:
    """Load the submitted state_dict into build_model() and return logits for the given images."""
    import torch
    path = manifest["files"].get(weights_name)
    if path is None:
        raise SubmissionProblem(f"the weights file `{weights_name}` is not in your submission")
    model = _build_model(lookup)
    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:
        raise SubmissionProblem(f"`{weights_name}` could not be read by torch.load(weights_only=True): {exc}") from None
    if not isinstance(state, dict):
        raise SubmissionProblem(f"`{weights_name}` holds a {type(state).__name__}; save model.state_dict() instead")
    try:
        model.load_state_dict(state)
    except Exception as exc:
        raise SubmissionProblem(f"the weights in `{weights_name}` do not fit build_model(): {exc}") from None
    model.eval()
    outputs = []
    with torch.no_grad():
        for start in range(0, len(images), batch):
            outputs.append(_logits(model, _as_batch(images[start:start + batch])).float().numpy())
    return np.concatenate(outputs)


@probe("build_model", "train_step")
def probe_train_step(lookup: Lookup, manifest: dict[str, Any], images: np.ndarray, labels: np.ndarray,
                     steps: int = 5, lr: float = 0.05) -> dict[str, Any]:
    """Run the student's train_step a few times on one batch; report the model's logits on that
    batch before and after, and what train_step returned. The grader computes the losses itself."""
    import torch
    torch.manual_seed(0)
    model = _build_model(lookup)
    train_step = require(lookup, "train_step")
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    x, y = _as_batch(images), torch.from_numpy(np.asarray(labels, dtype=np.int64))

    def logits_now() -> np.ndarray:
        with torch.no_grad():
            return _logits(model, x).detach().float().numpy().copy()

    before = logits_now()
    returned = [train_step(model, optimizer, x, y) for _ in range(steps)]
    returned_plain = [float(r) if isinstance(r, (int, float, np.floating)) or
                      (isinstance(r, torch.Tensor) and r.numel() == 1) else None for r in returned]
    return {"before": before, "after": logits_now(), "returned": returned_plain}
