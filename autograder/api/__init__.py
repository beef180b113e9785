"""Layer 4b, the test author's API: the one module hidden tests, public checks and task conftests
import from (`from autograder.api import fail, check_array`). It re-exports names of the grading
layer and below and is imported by nothing in the engine (the hidden tests load it at run time).

Why one module: the tests then depend on this page, not on the engine's internals (the sandbox
client, the wire format, the source index), so the engine can be restructured without touching a
test, and a test author has one place to read. `tests/project/test_api.py` keeps it that way: a file
under tests/grading/ that imports another autograder module fails the project's tests.

Fixtures (arguments of a pytest hidden test; given by autograder/grading/plugin.py):
    student       StudentProxy  the submission, run in its sandbox: `student.call("numpydists", X, T)`;
                  its methods (each docstring has an example):
        call(name, *args, timeout=None, **kwargs)   the function's value, as plain data
        get(name, timeout=None)                     a module-level constant: `student.get("BEST_K")`
        has(name)                                   whether the submission defines it
        probe(probe, *args, what="", timeout=None)  a worker-side probe (autograder/sandbox/probes.py)
        race(name, rounds, yardstick, timeout=None, on=None) -> (yours, yardstick's) best seconds;
                  rounds yield ((args for name), (args for the yardstick probe), check(value));
                  `on=obj` times a method of a StudentObject
        loops(name)                                 [LoopFinding(label, line, what)]: `loops("KNN.predict")`
        function_source(name), mentions(name, identifier)   what the student wrote, read, never run
        new(class_name, *args, timeout=None, **kwargs)     a StudentObject, kept in the worker
        files()                                     {path: size in bytes} of the files handed in
        run_script(module, *argv, timeout=None)     a ScriptRun: `python fun.py ARGV` in the sandbox
    StudentObject  an object of the student's class: `knn = student.new("KNearestNeighbor", k=3)`;
                   `knn.call("train", X, y)`, `knn.get("X_train")` (values, errors and time limits as `call`)
    ScriptRun      `run = student.run_script("fun.py", "10")`: `run.output`, `run.exit`, `run.error`, `run.ok`
    entry         Entry         the test's rubric entry: `entry["rtol"]`, `entry.get("seed", 0)`
    credit        Credit        partial credit: `credit.set(0.5, "the labels are right, the centres not")`
    notes         list[str]     lines shown under the result: `notes.append("your error: 1.2 %")`
    leaderboard   Leaderboard   `leaderboard("test error (%)", 1.25, "asc")`
    StudentTestCase             the same, as `self.student`, `self.entry`... in a unittest.TestCase

Checks (raise Feedback, whose message the student reads as it is):
    fail(msg)                   `fail("`cluster` returned 3 centres; 2 were expected.")`
    Feedback                    `except Feedback as exc: problems.append(str(exc))`
    check_array(v, exp, what, rtol, atol=0, notes=None)  `check_array(got, expected, "numpydists(X, T)", rtol=1e-10)`
    check_scalar(v, exp, what, rtol=1e-9, atol=0)        `check_scalar(got, 25.0, "error", rtol=0, atol=1e-6)`
    agrees(v, exp, rtol=1e-9, atol=0) -> bool            `if agrees(got, X @ w, atol=1e-6): fail("the bias is missing")`
                                the only other way a test compares a student's values (the float32 allowance applies)
    check_array(..., causes=(*DEFAULT_CAUSES, "non_negative"))  opt into a cause rule (autograder/grading/causes.py)
    check_array(..., amplification=cond)  a computation that amplifies float32 rounding (a linear solve)
    as_array(v, what, notes=None)                        `centres = as_array(result[0], "the centres")`
    describe_value(v)           `fail(f"returned {describe_value(got)}; a tuple was expected")`
    code_span(text)             `fail(f"in {code_span(finding.label)}")`: student text, safe in Markdown
    none_hint(what)             `fail(none_hint("cluster"))`: "... returned None: did you forget `return`?"
    shape_hint(got, expected)   `fail(shape_hint((50, 200), (200, 50)))`: "...: transposed?"
    missing_message(index, name, contract)  `fail(missing_message(student.index, "sgd_fit", student.contract))`
    CannotJudge                 `except CannotJudge: pytest.skip(...)` (student.loops() cannot see the code)
    WorkerTimeout               `except WorkerTimeout as exc: fail(f"{exc} Train fewer steps.")` (a call ran out of time)

Values that cross the sandbox:
    TensorData(array, dtype, device)  a torch tensor as data: `TensorData(x.astype(np.float32), "torch.float32", "cpu")`
    DeviceSpec(device)                an argument the worker turns into torch.device: `DeviceSpec("cuda")`
    Opaque                            a value with no plain-data form, described: `Opaque.type_name == "builtins.ellipsis"`
    Figure, is_figure(value)          a figure the student's code returned, as a description:
                                      `if is_figure(fig): lines = fig["axes"][0]["lines"]`

A task's own files:
    task_file(task, filename)         `task_file("fit", "data.csv")` -> Path
    task_module(task, filename)       `task_module("digits", "reader.py").load()`
    timed(label)                      `with timed("data set (within tests: digits)"): ...` (instructor log)
    loaded_once(key, load)            a data set read once per grading process, read-only (a service grades many)

A hidden test's own `print(...)` is shown to the student under that test's result ("Printed by the
test:", at most 10,000 characters), as gradescope-utils does.

Time limits of the student's calls (none to pass by hand): an explicit `timeout=` argument of
`student.call`/`probe`/`get`, else the rubric entry's `timeout`, else `@pytest.mark.timeout(seconds)`
on the test, else `[limits] call_timeout`; a timeout message names which one applied.

Gradescope's decorators (`gradescope_utils.autograder_utils.decorators`: weight, number, visibility,
tags, partial_credit, leaderboard) work on pytest functions and StudentTestCase methods alike
(autograder/course/gradescope_tests.py); the rubric wins where both speak.

This module imports neither pytest nor tomllib at import time: public checks run in the students'
self-check, where neither needs to be installed.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any, Callable

from autograder.course import timing
from autograder.course.markdown import code_span
from autograder.course.tasks import shipped_module, task
from autograder.grading.causes import DEFAULT_CAUSES
from autograder.grading.diagnosis import missing_message
from autograder.grading.feedback import (
    Feedback,
    agrees,
    as_array,
    check_array,
    check_scalar,
    describe_value,
    fail,
    none_hint,
    shape_hint,
)
from autograder.grading.fixtures import Credit, Leaderboard, StudentTestCase
from autograder.grading.loops import CannotJudge
from autograder.grading.objects import StudentObject
from autograder.grading.scripts import ScriptRun
from autograder.sandbox.replies import WorkerTimeout
from autograder.sandbox.wire import DeviceSpec, Opaque, TensorData

if TYPE_CHECKING:
    from autograder.course.rubric import Entry
    from autograder.grading.student import StudentProxy

__all__ = ["StudentProxy", "StudentObject", "ScriptRun", "Entry", "Credit", "Leaderboard", "StudentTestCase",
           "fail", "Feedback", "agrees", "DEFAULT_CAUSES", "check_array", "check_scalar", "as_array", "describe_value",
           "code_span", "none_hint",
           "shape_hint", "missing_message", "CannotJudge", "WorkerTimeout", "TensorData", "DeviceSpec", "Opaque",
           "Figure", "is_figure",
           "task_file", "task_module", "timed", "loaded_once"]

# Where the fixtures' types live; imported on first use, so a public check never pulls in pytest.
_LAZY = {"StudentProxy": "autograder.grading.student", "Entry": "autograder.course.rubric"}

Figure = dict
"""A figure the student's code returned (`student.call("plot_clusters", ...)`), as plain data:
`{"__kind__": "figure", "suptitle": str, "axes": [{"title", "xlabel", "ylabel", "legend": [str],
"lines": [{"label", "x", "y", "marker", "linestyle", "color"}], "collections": [{"label",
"offsets": (n, 2)}]}], "png": uint8 array or why not drawn}`; a figure of more than 500,000 points is
described thinned. The plugin keeps its PNG (the figure as drawn) for the TA's feedback page.
Example: `curves = [line for ax in fig["axes"] for line in ax["lines"]]`."""


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'autograder.api' has no attribute {name!r}")


def is_figure(value: Any) -> bool:
    """Whether a value the student's code returned is a matplotlib figure (see `Figure`).
    Example: `if not is_figure(fig): fail(f"returned {describe_value(fig)}; a Figure was expected")`."""
    return isinstance(value, dict) and value.get("__kind__") == "figure"


def task_file(task_name: str, filename: str) -> Path:
    """A file of a task's folders (tests/grading/<task>/, then student_template/<task>/, then
    reference/<task>/), so a test names data by task, not by path.
    Example: `task_file("fit", "data.csv")`."""
    return task(task_name).file(filename)


def task_module(task_name: str, filename: str) -> ModuleType:
    """A Python file of a task's folders, imported once under a name of its own (two tasks' helpers
    never shadow each other); in a student's handout (public checks), the helper shipped in
    `homework/`. FileNotFoundError when there is none.
    Example: `task_module("digits", "reader.py").load()`."""
    return shipped_module(task_name, filename)


_LOADED: dict[str, Any] = {}


def loaded_once(key: str, load: Callable[[], Any]) -> Any:
    """`load()`'s value, loaded once per grading process and handed to every later call with the
    same `key`: a grading service grades a class in one process, and a data set read for each
    submission is the same every time. Its numpy arrays are made read-only, so that no test can
    change what the next submission's tests see (copy before modifying).
    Example: `loaded_once("digits test set", lambda: task_module("digits", "reader.py").load())`."""
    if key not in _LOADED:
        _LOADED[key] = _read_only(load())
    return _LOADED[key]


def _read_only(value: Any) -> Any:
    import numpy as np

    if isinstance(value, np.ndarray):
        value.setflags(write=False)
    elif isinstance(value, (tuple, list)):
        for item in value:
            _read_only(item)
    elif isinstance(value, dict):
        for item in value.values():
            _read_only(item)
    elif hasattr(value, "__dict__"):
        for item in vars(value).values():
            _read_only(item)
    return value


def timed(label: str) -> AbstractContextManager[None]:
    """Count the seconds spent inside under `label` in the instructor's timing summary (data
    loading in a fixture, say). Example: `with timed("data set (within tests: digits)"): ...`."""
    return timing.phase(label)
