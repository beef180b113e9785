"""The worker against a student who has read the grader's code (issue #16): replies written by
the student, tensor subclasses, hangs, the grading budget, and names rebound after their `def`."""

from __future__ import annotations

import re
import shutil
import sys
import textwrap
import time

import jsonschema
import numpy as np
import pytest

from autograder.grading.grade import grade_submission
from autograder.course.assignment import default_assignment
from autograder.grading.results import schema
from autograder.course.rubric import load_rubric
from autograder.sandbox.client import BudgetExhausted, Worker, WorkerDied, WorkerTimeout, new_sandbox_dir
from autograder.course.limits import Limits
from autograder.sandbox.policy import SandboxPolicy
from autograder.sandbox.wire import Opaque
from autograder.grading.loops import CannotJudge
from autograder.grading.student import StudentProxy
from autograder.intake.submission import CodeUnit, Submission
from tests.project.corpus.build import reference_submission, replace_function


DETERMINED = textwrap.dedent('''
    import functools, json, os, struct, sys
    import numpy as np
    import torch

    def malformed():
        value = {"__ndarray__": 0, "dtype": "float64", "shape": [1] * 100}
        header = json.dumps({"payload": {"__dict__": {"ok": True, "value": value}}, "buffers": 1}).encode()
        os.write(int(sys.argv[3]), struct.pack("<I", len(header)) + header + struct.pack("<Q", 8) + bytes(8))
        return 1

    def same(x):
        return x

    OVERRIDDEN = []

    class Lying(torch.Tensor):
        @classmethod
        def __torch_function__(cls, func, types, args=(), kwargs=None):
            OVERRIDDEN.append(getattr(func, "__name__", "?"))
            return torch.ones(3)

    def lying_tensor():
        return torch.zeros(3).as_subclass(Lying)

    class Dispatching(torch.Tensor):
        @classmethod
        def __torch_dispatch__(cls, func, types, args=(), kwargs=None):
            OVERRIDDEN.append("dispatch")
            return func(*args, **(kwargs or {}))

    def dispatching_tensor():
        return torch.zeros(3).as_subclass(Dispatching)

    def overridden():
        return len(OVERRIDDEN)

    def hang():
        while True:
            pass

    def loops(x):
        return [v for v in x]

    def vectorised(x):
        return np.asarray(x) * 2

    def _wrapper_of(fn):
        @functools.wraps(fn)
        def wrapper(*args):
            return fn(*args)
        return wrapper

    def calls_loops(x):
        return helper(x)

    def _plain(x):
        return x

    helper = _plain
    rebound = loops
    decorated = _wrapper_of(loops)
    partial = functools.partial(loops)
    built_in = len
    space = {}
    exec("def made(x):\\n    return x", space)
    made = space["made"]
    lam = lambda x: x  # noqa: E731
    helper = loops  # calls_loops now reaches a loop through its global
''')


@pytest.fixture(scope="module")
def determined(tmp_path_factory):
    run_dir = tmp_path_factory.mktemp("determined")
    sandbox = new_sandbox_dir()
    policy = SandboxPolicy(Limits(call_timeout=10, load_timeout=60), sys.executable)
    names = ["malformed", "same", "lying_tensor", "dispatching_tensor", "overridden", "hang", "rebound", "decorated", "partial", "built_in",
             "made", "lam", "calls_loops", "vectorised"]
    manifest = {"units": [{"module": "hw", "label": "hw.py", "source": DETERMINED}],
                "names": {n: "hw" for n in names}, "files": {}, "code_dir": str(sandbox / "code")}
    w = Worker(manifest, run_dir, policy, sandbox)
    assert w.start().fatal is None
    yield w, Submission([CodeUnit(module="hw", label="hw.py", source=DETERMINED, path="hw.py")])
    w.close()
    shutil.rmtree(sandbox)


def test_a_malformed_reply_is_the_students_fault_and_the_worker_is_replaced(determined):
    """Student code can write to the reply pipe: a reply that cannot be decoded fails that call
    only, and the honest reply it left behind cannot answer the next request."""
    w, _ = determined
    starts = w.starts
    with pytest.raises(WorkerDied, match="could not be accepted"):
        w.request({"op": "call", "name": "malformed"})
    assert [w.request({"op": "call", "name": "same", "args": [v]}).value for v in (1, 2)] == [1, 2]
    assert w.starts == starts + 1


def test_a_tensor_subclass_is_read_without_running_its_torch_function(determined):
    w, _ = determined
    value = w.request({"op": "call", "name": "lying_tensor"}).value
    assert np.array_equal(value.array, np.zeros(3))  # its own data, not what __torch_function__ says
    value = w.request({"op": "call", "name": "dispatching_tensor"}).value
    assert isinstance(value, Opaque) and "__torch_dispatch__" in value.text  # every operation on it is student code
    assert w.request({"op": "call", "name": "overridden"}).value == 0


HUNG = re.escape("time limit of 1.5 s (the test's `timeout=` argument) in test 1.2; it was not called again")


def test_a_function_that_timed_out_is_not_called_again(determined):
    w, submission = determined
    student = StudentProxy(w, submission, {})
    student.test_label = "1.2"
    with pytest.raises(WorkerTimeout, match=HUNG):
        student.call("hang", timeout=1.5)
    student.test_label = "1.5"
    started = time.monotonic()
    with pytest.raises(WorkerTimeout, match=HUNG):
        student.call("hang", timeout=1.5)
    assert time.monotonic() - started < 0.5
    assert student.call("same", 7) == 7


def test_the_grading_budget_stops_calls(determined):
    w, _ = determined
    w.deadline = time.monotonic() + 2
    try:
        started = time.monotonic()
        with pytest.raises(BudgetExhausted, match="time budget"):
            w.request({"op": "call", "name": "hang"}, timeout=30)
        assert time.monotonic() - started < 5
        with pytest.raises(BudgetExhausted):
            w.request({"op": "call", "name": "same", "args": [1]})
    finally:
        w.deadline = None
    assert w.request({"op": "call", "name": "same", "args": [1]}).value == 1


@pytest.mark.parametrize("name,finding", [
    ("rebound", "list comprehension (in `loops`, which `rebound` runs)"),
    ("decorated", "list comprehension (in `loops`, which `decorated` runs)"),
    ("calls_loops", "list comprehension (in `loops`, which `calls_loops` runs)"),
    ("vectorised", None), ("lam", None),
])
def test_the_loop_check_reads_what_the_name_is_bound_to(determined, name, finding):
    w, submission = determined
    found = [f.what for f in StudentProxy(w, submission, {}).loops(name)]
    assert found == ([finding] if finding else [])


@pytest.mark.parametrize("name,why", [("partial", "functools.partial"), ("built_in", "builtin_function_or_method"),
                                      ("made", "not in your files as written")])
def test_what_has_no_source_in_the_submission_is_not_judged(determined, name, why):
    w, submission = determined
    with pytest.raises(CannotJudge, match=why):
        StudentProxy(w, submission, {}).loops(name)


def test_a_grading_run_keeps_inside_its_time_budget(tmp_path):
    """Three functions that hang: the run stops calling at the budget, scores every test (0, with
    the reason) and leaves a valid results.json, instead of one time limit per test."""
    submission = reference_submission(tmp_path / "submission")
    hanging = ("forloopdists", "numpydists", "pytorchdists")
    replace_function(submission, "distances", "".join(f"def {name}(*args):\n    while True:\n        pass\n\n\n"
                                                      for name in hanging))
    rubric = tmp_path / "assignment.toml"
    text = re.sub(r"(?m)^call_timeout = .*$", "call_timeout = 4", default_assignment().read_text(encoding="utf-8"))
    rubric.write_text(re.sub(r"(?m)^grading_budget = .*$", "grading_budget = 12", text), encoding="utf-8")
    started = time.monotonic()
    document = grade_submission(submission, tmp_path / "results.json", rubric_path=rubric,
                                select=lambda test_id: test_id.startswith("distances."), log=lambda line: None)
    assert time.monotonic() - started < 12 + 8  # the budget, plus start-up and clean-up
    jsonschema.validate(document, schema())
    scored = [t for t in document["tests"] if t["max_score"] > 0]
    expected = [e for e in load_rubric(rubric).entries.values() if e.task == "distances" and e.points > 0]
    assert len(scored) == len(expected) and all(t["score"] == 0 for t in scored)
    assert sum("time budget (12 s" in t["output"] for t in scored) >= 5
