"""Worker side: the registry of probes, small trusted routines that drive student objects that
cannot cross the pipe (a model stays in the worker; the grader asks for shapes, logits, losses).

Each task's own probes live in `tests/grading/<task>/probes.py` and register themselves with
`@probe("names", "they", "use")`; the grader reads those names (for the salvage rule) from the
same decorator, without running the file. A probe receives `lookup(name)` (the student's object or
None) and the manifest. A probe fails the student's way only by raising SubmissionProblem or from
inside the student's code; any other failure is the grader's own and is reported as such.

Writing a task's probes.py (it runs in the worker, which imports this module as `probes`):

    from probes import Lookup, SubmissionProblem, probe, require

    @probe("build_model")                      # the submission's names it uses
    def probe_model_shapes(lookup: Lookup, manifest: dict, batch: int) -> list[int]:
        model = require(lookup, "build_model")()  # SubmissionProblem if missing
        return list(model(torch.zeros(batch, 784)).shape)

and in the hidden test: `student.probe("model_shapes", 32)` (the name without `probe_`).

A yardstick (what `student.race(name, rounds, yardstick)` times the student against) is a probe
too, usually one that uses no student name, run in a separate worker that holds no student code:
`probe_matmul` below, or a task's own plain-loop version of its function, in its probes.py.
"""

from __future__ import annotations

import difflib
import importlib
import os
import runpy
import sys
import traceback
from typing import Any, Callable

import numpy as np
from wire import DeviceSpec, TensorData

Lookup = Callable[[str], Any]
"""`lookup(name)`: the submission's object bound to a required name, or None.
Example: `fit = lookup("sgd_fit") or default_fit`."""


class SubmissionProblem(Exception):
    """A problem with the submission that the student must fix (shown as the message, capitalised,
    with a full stop). Example: `raise SubmissionProblem("`build_model()` returned None, not a model")`."""


def from_plain(value: Any) -> Any:
    """Arguments from the grader: rebuild torch objects the student's functions expect.
    Example: `from_plain(TensorData(x, "torch.float32", "cpu"))` is a float32 tensor on the CPU."""
    if isinstance(value, DeviceSpec):
        import torch
        return torch.device(value.name)
    if isinstance(value, TensorData):
        import torch
        return torch.from_numpy(value.array.copy()).to(value.device)
    if isinstance(value, list):
        return [from_plain(v) for v in value]
    if isinstance(value, tuple):
        return tuple(from_plain(v) for v in value)
    if isinstance(value, dict):
        return {k: from_plain(v) for k, v in value.items()}
    return value


REGISTRY: dict[str, Callable[..., Any]] = {}
"""{probe name: function} of every registered probe. Example: `REGISTRY["matmul"](lookup, manifest, a, b)`."""


def probe(*uses: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register `probe_<name>` under `<name>`; `uses` are the submission's names it calls.
    Example: `@probe("train_step")` above `def probe_one_step(lookup, manifest, seed): ...`, called from
    a hidden test as `student.probe("one_step", 0)`."""
    def register(function: Callable[..., Any]) -> Callable[..., Any]:
        name = function.__name__.removeprefix("probe_")
        if name in REGISTRY:
            raise RuntimeError(f"two probes are registered as {name!r}")
        REGISTRY[name] = function
        return function
    return register


def require(lookup: Lookup, name: str) -> Any:
    """The submission's object for `name`, or SubmissionProblem ("`name` is not defined in your
    submission", which the grader turns into its did-you-mean message).
    Example: `model = require(lookup, "build_model")()`."""
    obj = lookup(name)
    if obj is None:
        raise SubmissionProblem(f"`{name}` is not defined in your submission")
    return obj


@probe()
def probe_environment(lookup: Lookup, manifest: dict[str, Any]) -> dict[str, Any]:
    """What the worker can see: used for the instructor's protection report.
    Example: `student.probe("environment")` -> `{"uid": 1001, "cuda": False, "cwd": "/work"}`."""
    try:
        import torch
        cuda = bool(torch.cuda.is_available())
    except Exception:
        cuda = False
    return {"uid": os.getuid(), "cuda": cuda, "cwd": os.getcwd()}


# ---- yardsticks: run in a worker that holds no student code, so no student can slow them down.
# Tasks add their own (a plain-loop version of their function) in their probes.py.

@probe()
def probe_matmul(lookup: Lookup, manifest: dict[str, Any], feats: np.ndarray, protos: np.ndarray) -> np.ndarray:
    """A plain matrix product (a, d) x (b, d)^T: a yardstick for speed checks.

    Timed by the grader like a student call (same transfer sizes), so a ratio to it measures the
    student's own cost, not the machine's load or the pipe's.
    Example: `student.race("numpydists", rounds, "matmul")`, each round's yardstick args `(X, T)`.
    """
    return np.asarray(feats) @ np.asarray(protos).T


@probe()
def probe_run_script(lookup: Lookup, manifest: dict[str, Any], module: str, argv: list[str]) -> dict[str, Any]:
    """Run the submission's `<module>.py` as `python <module>.py ARGV` would, `if __name__ ==
    "__main__":` block included, in this worker (its working folder holds the data files). What it
    prints reaches the grader as the reply's output. Returns {"exit": status, "error": the last
    line of its traceback, at its own line, or None}: a script that fails is an outcome to show.
    Example: `student.run_script("fun.py", "10")` in a hidden test (grading/scripts.py).
    """
    path = os.path.join(manifest["code_dir"], f"{module}.py")
    if not os.path.isfile(path):
        raise SubmissionProblem(f"`{module}.py` is not in your submission")
    saved, sys.argv = sys.argv, [f"{module}.py", *map(str, argv)]
    try:
        runpy.run_path(path, run_name="__main__")
        return {"exit": 0, "error": None}
    except SystemExit as exc:
        return {"exit": exc.code if isinstance(exc.code, int) else 0 if exc.code is None else 1, "error": None}
    except Exception as exc:
        lines = [f.lineno for f in traceback.extract_tb(exc.__traceback__) if f.filename == path]
        where = f"line {lines[-1]}: " if lines else ""
        return {"exit": 1, "error": f"{where}{type(exc).__name__}: {exc}"}
    finally:
        sys.argv = saved


@probe()
def probe_imports(lookup: Lookup, manifest: dict[str, Any], modules: list[str]) -> dict[str, str | None]:
    """{module: None when `import module` works in this sandboxed worker, else why not}: how
    `autograder validate` checks a task's requirements.txt where student code will run.
    Example: `probe_imports(lookup, manifest, ["yaml"])` -> `{"yaml": None}`."""
    found: dict[str, str | None] = {}
    for module in modules:
        try:
            importlib.import_module(module)
            found[module] = None
        except BaseException as exc:  # an import may raise anything, SystemExit included
            found[module] = f"{type(exc).__name__}: {exc}"
    return found


# ---- objects of the submission's classes: made and kept here, in the worker, reached by handle
# (grading/objects.py). A fresh worker holds none: the grader says so instead of calling.

OBJECTS: list[Any] = []
"""The objects `probe_new` built, by handle (their index). Example: `OBJECTS[0]` is `student.new(...)`'s first."""


@probe()
def probe_new(lookup: Lookup, manifest: dict[str, Any], class_name: str, args: list[Any],
              kwargs: dict[str, Any]) -> int:
    """Build `class_name(*args, **kwargs)`; returns the object's handle.
    Example: `student.new("KNearestNeighbor", k=3)` (grading/objects.py) sends `["KNearestNeighbor", [], {"k": 3}]`."""
    OBJECTS.append(require(lookup, class_name)(*args, **kwargs))
    return len(OBJECTS) - 1


def _object(handle: int) -> Any:
    if not isinstance(handle, int) or not 0 <= handle < len(OBJECTS):
        raise SubmissionProblem("the object no longer exists: an earlier call ended the process that held it")
    return OBJECTS[handle]


def _attribute(obj: Any, name: str) -> Any:
    """`obj.name`, or the student's problem said with the closest public name of the object."""
    try:
        return getattr(obj, name)
    except AttributeError:
        public = [n for n in dir(obj) if not n.startswith("_")]
        close = difflib.get_close_matches(name, public, n=1)
        raise SubmissionProblem(f"your `{type(obj).__name__}` object has no attribute `{name}`"
                                + (f" (did you mean `{close[0]}`?)" if close else "")) from None


@probe()
def probe_method(lookup: Lookup, manifest: dict[str, Any], handle: int, method: str, args: list[Any],
                 kwargs: dict[str, Any]) -> Any:
    """`obj.method(*args, **kwargs)` on the object of `handle`.
    Example: `knn.call("train", X, y)` sends `[handle, "train", [X, y], {}]`."""
    bound = _attribute(_object(handle), method)
    if not callable(bound):
        raise SubmissionProblem(f"`{type(_object(handle)).__name__}.{method}` is not a method")
    return bound(*args, **kwargs)


@probe()
def probe_attribute(lookup: Lookup, manifest: dict[str, Any], handle: int, name: str) -> Any:
    """`obj.name` of the object of `handle`. Example: `knn.get("X_train")` sends `[handle, "X_train"]`."""
    return _attribute(_object(handle), name)
