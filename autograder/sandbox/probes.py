"""Worker side: the registry of probes, small trusted routines that drive student objects that
cannot cross the pipe (a model stays in the worker; the grader asks for shapes, logits, losses).

Each task's own probes live in `tests/grading/<task>/probes.py` and register themselves with
`@probe("names", "they", "use")`; the grader reads those names (for the salvage rule) from the
same decorator, without running the file. A probe receives `lookup(name)` (the student's object or
None) and the manifest. A probe fails the student's way only by raising SubmissionProblem or from
inside the student's code; any other failure is the grader's own and is reported as such.
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


class SubmissionProblem(Exception):
    """A problem with the submission that the student must fix (shown as the message)."""


def from_plain(value: Any) -> Any:
    """Arguments from the grader: rebuild torch objects the student's functions expect."""
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


def probe(*uses: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register `probe_<name>` under `<name>`; `uses` are the submission's names it calls."""
    def register(function: Callable[..., Any]) -> Callable[..., Any]:
        name = function.__name__.removeprefix("probe_")
        if name in REGISTRY:
            raise RuntimeError(f"two probes are registered as {name!r}")
        REGISTRY[name] = function
        return function
    return register


def require(lookup: Lookup, name: str) -> Any:
    obj = lookup(name)
    if obj is None:
        raise SubmissionProblem(f"`{name}` is not defined in your submission")
    return obj


@probe()
def probe_environment(lookup: Lookup, manifest: dict[str, Any]) -> dict[str, Any]:
    """What the worker can see: used for the instructor's protection report."""
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
    """
    return np.asarray(feats) @ np.asarray(protos).T


@probe()
def probe_run_script(lookup: Lookup, manifest: dict[str, Any], module: str, argv: list[str]) -> dict[str, Any]:
    """Run the submission's `<module>.py` as `python <module>.py ARGV` would, `if __name__ ==
    "__main__":` block included, in this worker (its working folder holds the data files). What it
    prints reaches the grader as the reply's output. Returns {"exit": status, "error": the last
    line of its traceback, at its own line, or None}: a script that fails is an outcome to show.
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
    `autograder validate` checks a task's requirements.txt where student code will run."""
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


@probe()
def probe_new(lookup: Lookup, manifest: dict[str, Any], class_name: str, args: list[Any],
              kwargs: dict[str, Any]) -> int:
    """Build `class_name(*args, **kwargs)`; returns the object's handle."""
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
    """`obj.method(*args, **kwargs)` on the object of `handle`."""
    bound = _attribute(_object(handle), method)
    if not callable(bound):
        raise SubmissionProblem(f"`{type(_object(handle)).__name__}.{method}` is not a method")
    return bound(*args, **kwargs)


@probe()
def probe_attribute(lookup: Lookup, manifest: dict[str, Any], handle: int, name: str) -> Any:
    """`obj.name` of the object of `handle`."""
    return _attribute(_object(handle), name)
