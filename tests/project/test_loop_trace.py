"""The loop check judges what runs: a traced call in a real worker reports the Python loops the
submission's code ran, however they were reached, and nothing for vectorised code."""

from __future__ import annotations

import shutil
import sys
import textwrap

import numpy as np
import pytest

from autograder.course.limits import Limits
from autograder.grading.loops import loops_that_ran
from autograder.sandbox.client import Worker, new_sandbox_dir
from autograder.sandbox.policy import SandboxPolicy

REPEATS = 8
SOURCE = textwrap.dedent('''
    import sys
    import numpy as np

    def vectorised(f, p):
        return ((f[:, None, :] - p[None, :, :]) ** 2).sum(axis=-1)

    def _by_rows(f, p):
        out = np.empty((len(f), len(p)))
        for i in range(len(f)):
            out[i] = ((f[i] - p) ** 2).sum(axis=1)
        return out

    def default_argument(f, p, _way=_by_rows):
        return _way(f, p)

    _WAYS = {"fast": _by_rows}

    def dict_of_functions(f, p):
        return _WAYS["fast"](f, p)

    def computed_getattr(f, p):
        return getattr(sys.modules[__name__], "_by" + "_rows")(f, p)

    _each = getattr(np, "vector" + "ize")

    def _pair(x, t):
        return ((x - t) ** 2).sum()

    def vectorize_alias(f, p):
        return _each(_pair, signature="(d),(d)->()")(f[:, None, :], p[None, :, :])

    def in_exec(f, p):
        scope = {"f": f, "p": p, "np": np}
        exec("out = np.array([[((a - b) ** 2).sum() for b in p] for a in f])", scope)
        return scope["out"]

    def blocks_of_rows(f, p):
        return np.concatenate([vectorised(f[s:s + 1000], p) for s in range(0, len(f), 1000)])

    def switches_tracing_off(f, p):
        sys.settrace(None)
        return _by_rows(f, p)
''')


@pytest.fixture(scope="module")
def worker(tmp_path_factory):
    policy = SandboxPolicy(Limits(call_timeout=20, load_timeout=60), sys.executable)
    sandbox = new_sandbox_dir()
    names = ["vectorised", "default_argument", "dict_of_functions", "computed_getattr", "vectorize_alias",
             "in_exec", "blocks_of_rows", "switches_tracing_off"]
    manifest = {"units": [{"module": "hw", "label": "hw.py", "source": SOURCE}], "names": {n: "hw" for n in names},
                "files": {}, "code_dir": str(sandbox / "code")}
    w = Worker(manifest, tmp_path_factory.mktemp("trace"), policy, sandbox)
    assert w.start().fatal is None
    yield w
    w.close()
    shutil.rmtree(sandbox)


def traced(worker, name):
    rng = np.random.default_rng(0)
    f, p = rng.normal(size=(40, 20)), rng.normal(size=(24, 20))
    reply = worker.request({"op": "call", "name": name, "args": [f, p], "kwargs": {}, "trace": REPEATS})
    np.testing.assert_allclose(reply.value, ((f[:, None, :] - p[None, :, :]) ** 2).sum(-1), rtol=1e-10)
    return loops_that_ran(reply.trace, name, REPEATS)


@pytest.mark.parametrize("name", ["vectorised", "blocks_of_rows"])
def test_vectorised_code_runs_no_loop(worker, name):
    assert traced(worker, name) == []


@pytest.mark.parametrize("name", ["default_argument", "dict_of_functions", "computed_getattr"])
def test_a_loop_counts_however_it_was_reached(worker, name):
    found = traced(worker, name)
    loop = SOURCE.splitlines().index("    for i in range(len(f)):") + 1
    assert [(f.label, f.line) for f in found] == [("hw.py", loop), ("hw.py", loop + 1)], found  # the for, its body
    assert "ran 40 times in one call" in found[1].what


def test_a_function_called_per_element_is_a_loop(worker):
    found = traced(worker, "vectorize_alias")
    assert any("`_pair` was called" in f.what and f.label == "hw.py" for f in found), found


def test_loops_in_code_made_by_exec_count(worker):
    found = traced(worker, "in_exec")
    assert found and all("code made with exec" in f.label for f in found), found


def test_switching_the_tracer_off_is_itself_a_finding(worker):
    assert any("switched off" in f.what for f in traced(worker, "switches_tracing_off"))


def test_an_unreadable_trace_is_a_finding_not_a_pass():
    assert loops_that_ran(None, "numpydists", REPEATS) != []
    assert loops_that_ran({"lines": "x", "calls": [{"line": "1"}]}, "numpydists", REPEATS) != []  # no switched_off
