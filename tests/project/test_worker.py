"""The sandboxed worker as a real process: calls, failures that stay local, limits, protections."""

from __future__ import annotations

import os
import sys
import textwrap

import numpy as np
import pytest

import shutil

from autograder.intake.manifest import build_manifest
from autograder.sandbox.client import (MissingName, StudentCodeError, Worker, WorkerDied, WorkerTimeout,
                                       new_sandbox_dir)
from autograder.course.limits import Limits
from autograder.sandbox.policy import SandboxPolicy
from autograder.intake.submission import CodeUnit, Submission

SOURCE = textwrap.dedent('''
    import os, sys, time, socket
    import numpy as np

    def add(a, b):
        return a + b

    def boom():
        value = 41
        raise ValueError(f"bad value {value}")

    def hang():
        while True:
            pass

    def die():
        os._exit(3)

    def exit_inside():
        sys.exit(0)

    def chatty():
        print("x" * 200_000)
        return 1

    def huge():
        return np.ones(10 ** 11)

    def too_big_to_return():
        return np.ones(20_000_000)  # 160 MB: allocatable, but more than a result may carry

    def fake_clock():
        time.perf_counter = lambda: 0.0
        time.time = lambda: 0.0
        end = time.monotonic() + 0.3
        while time.monotonic() < end:
            pass
        return "done"

    def whoami():
        return os.getuid()

    def read(path):
        with open(path) as fh:
            return fh.read()

    def connect():
        socket.create_connection(("127.0.0.1", 9), timeout=2)
        return "connected"

    sys.exit(0)  # at import: must not stop the rest of the file from loading
    after_exit = 1
''')


@pytest.fixture(scope="module")
def worker(tmp_path_factory):
    run_dir = tmp_path_factory.mktemp("worker")
    policy = SandboxPolicy(Limits(call_timeout=10, load_timeout=60, output_kb=8), sys.executable)
    sandbox = new_sandbox_dir()
    manifest = {"units": [{"module": "hw", "label": "hw.py", "source": SOURCE},
                          {"module": "hw", "label": "hw.py (2)", "source": "later = add(1, 0)\nmissing_dep + 1\nnever = 0"}],
                "names": {"add": "hw", "boom": "hw"}, "files": {}, "code_dir": str(sandbox / "code")}
    w = Worker(manifest, run_dir, policy, sandbox)
    report = w.start()
    yield w, report
    w.close()
    shutil.rmtree(sandbox)


def test_load_report_keeps_partial_modules(worker):
    w, report = worker
    assert report.fatal is None
    first, second = report.units
    assert first["error"]["type"] == "SystemExit"
    assert second["error"]["type"] == "NameError" and second["error"]["frames"][0]["line"] == 2
    assert report.found == {"add": {"module": "hw", "callable": True}, "boom": {"module": "hw", "callable": True}}
    assert w.request({"op": "get", "name": "later"}).value == 1  # defined before the failing line
    assert w.request({"op": "get", "name": "after_exit"}).value == 1  # sys.exit() at import did not stop it
    assert w.request({"op": "get", "name": "never"}).value == 0  # nor did the failing statement
    assert second["failed_statements"] == 1
    with pytest.raises(MissingName):
        w.request({"op": "get", "name": "no_such_name"})


def test_values_cross_as_plain_data(worker):
    w, _ = worker
    reply = w.request({"op": "call", "name": "add", "args": [np.arange(3.0), np.ones(3)]})
    assert np.array_equal(reply.value, [1.0, 2.0, 3.0]) and reply.value.dtype == np.float64


def test_student_exception_shows_their_line(worker):
    w, _ = worker
    with pytest.raises(StudentCodeError) as info:
        w.request({"op": "call", "name": "boom"})
    assert info.value.error["message"] == "bad value 41"
    assert info.value.error["frames"][-1]["code"] == 'raise ValueError(f"bad value {value}")'


@pytest.mark.parametrize("name,error,words", [("hang", WorkerTimeout, "time limit"),
                                              ("die", WorkerDied, "status 3")])
def test_hang_or_crash_fails_alone(worker, name, error, words):
    w, _ = worker
    starts = w.starts
    with pytest.raises(error, match=words):
        w.request({"op": "call", "name": name}, timeout=1.5)
    assert w.request({"op": "call", "name": "add", "args": [1, 2]}).value == 3
    assert w.starts == starts + 1


def test_sys_exit_inside_a_call_is_an_error_not_an_exit(worker):
    w, _ = worker
    with pytest.raises(StudentCodeError, match="SystemExit"):
        w.request({"op": "call", "name": "exit_inside"})


def test_output_is_captured_and_cut(worker):
    w, _ = worker
    reply = w.request({"op": "call", "name": "chatty"})
    assert reply.value == 1 and reply.stdout.startswith("xxxx") and "cut at 8 KB" in reply.stdout
    assert len(reply.stdout) < 9000


def test_memory_limit(worker):
    w, _ = worker
    with pytest.raises((StudentCodeError, WorkerDied), match="Memory|memory"):
        w.request({"op": "call", "name": "huge"})


def test_oversized_result_is_refused_and_the_worker_replaced(worker):
    w, _ = worker
    with pytest.raises(WorkerDied, match="could not be accepted.*too large"):
        w.request({"op": "call", "name": "too_big_to_return"})
    assert w.request({"op": "call", "name": "add", "args": [1, 1]}).value == 2


def test_time_is_measured_by_the_grader(worker):
    w, _ = worker
    reply = w.request({"op": "call", "name": "fake_clock"})
    assert reply.value == "done" and reply.wall >= 0.3 and reply.cpu > 0  # CPU share varies with load


@pytest.mark.skipif(os.geteuid() != 0, reason="dropping privileges needs root")
def test_runs_unprivileged_without_network_and_cannot_read_private_files(worker, tmp_path):
    w, _ = worker
    assert w.request({"op": "call", "name": "whoami"}).value != 0
    secret = tmp_path / "secret.txt"
    secret.write_text("hidden")
    os.chmod(secret, 0o600)
    with pytest.raises(StudentCodeError, match="PermissionError|FileNotFoundError"):
        w.request({"op": "call", "name": "read", "args": [str(secret)]})
    with pytest.raises(StudentCodeError, match="OSError|Network|unreachable|refused"):
        w.request({"op": "call", "name": "connect"})
    assert w.policy.protections.network_blocked and w.policy.protections.user


@pytest.mark.skipif(os.geteuid() != 0, reason="dropping privileges needs root")
def test_worker_cannot_read_hidden_tests_reference_or_rubric(worker):
    from autograder.grading.grade import protect_grader_files
    from autograder.course.paths import ASSIGNMENTS_DIR, GRADING_TESTS, REFERENCE_DIR

    w, _ = worker
    protect_grader_files(lambda line: None)
    for path in (ASSIGNMENTS_DIR / "full.toml", GRADING_TESTS / "distances" / "rubric.toml", REFERENCE_DIR / "distances" / "distances.py", GRADING_TESTS / "distances" / "test_distances.py"):
        assert path.is_file()
        with pytest.raises(StudentCodeError, match="PermissionError|FileNotFoundError"):
            w.request({"op": "call", "name": "read", "args": [str(path)]})


@pytest.mark.parametrize("top_level,reason", [
    ("import time\ntime.sleep(600)", "took longer than 5 s"),
    ("import os\nos._exit(0)", "ended the process"),
])
def test_slow_or_exiting_top_level_code_still_leaves_the_functions(tmp_path, top_level, reason):
    sandbox = new_sandbox_dir()
    policy = SandboxPolicy(Limits(call_timeout=10, load_timeout=5), sys.executable)
    source = f"import numpy as np\nSIZE = np.array([1, 2])\n\ndef double(x):\n    return 2 * x\n\n{top_level}\n"
    units = [CodeUnit("nb", "nb.ipynb, cell 1", source, "nb.ipynb")]
    w = Worker(build_manifest(Submission(units), {"double": "nb"}, sandbox), tmp_path, policy, sandbox)
    try:
        report = w.start()
        assert report.fatal is None and reason in report.degraded
        assert w.request({"op": "call", "name": "double", "args": [21]}).value == 42
        assert w.request({"op": "get", "name": "SIZE"}).value.tolist() == [1, 2]
    finally:
        w.close()
        shutil.rmtree(sandbox)


def test_definitions_only_keeps_line_numbers():
    source = "import os\nX = [1, 2]\nmodel = train()\n@dec\ndef f():\n    return 1\nfor i in x:\n    pass\n"
    kept = Submission([CodeUnit("hw", "hw.py", source, "hw.py")]).index.definitions_only()["hw.py"]
    assert kept.splitlines() == ["import os", "X = [1, 2]", "", "@dec", "def f():", "    return 1", "", ""]


def test_a_forked_copy_of_the_worker_never_answers(tmp_path):
    """os.fork() in student code returns into the worker's loop in the child: only the real
    worker may answer, so the next call still gets its own reply."""
    sandbox = new_sandbox_dir()
    policy = SandboxPolicy(Limits(call_timeout=10, load_timeout=30), sys.executable)
    source = "import os\n\ndef fork_and_return(x):\n    os.fork()\n    return x\n\ndef same(x):\n    return x\n"
    manifest = {"units": [{"module": "hw", "label": "hw.py", "source": source}],
                "names": {"same": "hw"}, "files": {}, "code_dir": str(sandbox / "code")}
    w = Worker(manifest, tmp_path, policy, sandbox)
    try:
        w.start()
        assert w.request({"op": "call", "name": "fork_and_return", "args": [1]}).value == 1
        assert [w.request({"op": "call", "name": "same", "args": [v]}).value for v in (2, 3, 4)] == [2, 3, 4]
        assert w.starts == 1
    finally:
        w.close()
        shutil.rmtree(sandbox)
