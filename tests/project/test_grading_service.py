"""The grading service (issue 27): one long-lived grader per batch slot grades exactly as a fresh
`autograder grade` per submission does, and nothing one submission does reaches the next.

The oracle is the fresh-process path itself (AUTOGRADER_GRADING_SERVICE=0): the same class graded
both ways with one slot (every submission through the same service, in the same order) must give
the same results.json test by test, and the same output.txt, after a submission that monkeypatches
numpy and the builtins in its worker and one that kills its own worker.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
import types
from pathlib import Path

import numpy
import pytest

from autograder.classroom import batch, service
from autograder.course import timing
from autograder.course.launch import TRUSTED_CWD
from autograder.course.paths import GRADING_TESTS, PROJECT_ROOT
from autograder.verbs.serve import Baseline
from tests.project.corpus import build

MONKEYPATCHING = '''
import builtins as _builtins
import numpy as _np

_np.sum = lambda *args, **kwargs: 42
_builtins.len = lambda obj: 7
_np.set_printoptions(precision=1)


def broadcast_shape(a, b):
    return (1,)
'''

SELF_KILLING = '''
import os as _os


def broadcast_shape(a, b):
    _os.kill(_os.getpid(), 9)
'''


def _class(folder: Path) -> Path:
    """Reference, template, monkeypatcher, self-killer, then the reference and template again: the
    later ones are graded by a service that graded the hostile ones just before."""
    reference = build.reference_submission(folder.parent / "reference_source")
    shutil.copytree(reference, folder / "a_reference")
    build.template_submission(folder / "b_template")
    for name, source in (("c_monkeypatches", MONKEYPATCHING), ("d_kills_its_worker", SELF_KILLING)):
        shutil.copytree(reference, folder / name)
        build.replace_function(folder / name, "broadcasting", source)
    shutil.copytree(reference, folder / "e_reference_again")
    build.template_submission(folder / "f_template_again")
    return folder


def _grade_all(klass: Path, out: Path, service_on: bool, jobs: int = 1) -> None:
    env = {**os.environ, service.SERVICE_ENV: "1" if service_on else "0"}
    done = subprocess.run([sys.executable, "-m", "autograder", "grade-all", str(klass), "--out", str(out), "--jobs", str(jobs)],
                          cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr


def without_measured_figures(text: str) -> str:
    """Feedback without what differs between any two runs: the speed tests' measured figures."""
    return re.sub(r"\d+(\.\d+)? (times|ms)\b", r"N \2", text)


def _tests(out: Path, name: str) -> list[tuple]:
    document = json.loads((out / name / "results.json").read_text(encoding="utf-8"))
    return [(t["name"], t["score"], t["status"], without_measured_figures(t["output"])) for t in document["tests"]] + \
        [("total", document["score"])]


def _log(out: Path, name: str) -> str:
    """output.txt without what differs between any two runs (measured figures, seconds, the OUT folder)."""
    text = (out / name / "output.txt").read_text(encoding="utf-8").replace(str(out), "OUT")
    return without_measured_figures(re.sub(r"\(\d+(\.\d+)? s\)", "(s)", text))


def test_service_and_fresh_processes_grade_a_class_identically(tmp_path: Path) -> None:
    klass = _class(tmp_path / "class")
    _grade_all(klass, tmp_path / "fresh", service_on=False, jobs=2)  # the oracle: a process per submission, any order
    _grade_all(klass, tmp_path / "served", service_on=True)  # one service grades all six in turn
    names = sorted(p.name for p in klass.iterdir())
    for name in names:
        assert _tests(tmp_path / "served", name) == _tests(tmp_path / "fresh", name), name
        assert _log(tmp_path / "served", name) == _log(tmp_path / "fresh", name), name
    statuses = {n: json.loads((tmp_path / "served" / n / "batch.json").read_text())["status"] for n in names}
    assert set(statuses.values()) == {"graded"}, statuses
    scores = {n: _tests(tmp_path / "served", n)[-1][1] for n in names}
    assert scores["a_reference"] == scores["e_reference_again"] == 100
    assert scores["b_template"] == scores["f_template_again"] == 0
    assert scores["c_monkeypatches"] < 100 and scores["d_kills_its_worker"] < 100


def test_a_job_leaves_nothing_behind_in_the_service(tmp_path: Path) -> None:
    """What a job can change in the grader's process is put back: the hidden tests' modules go."""
    here, saved_path, saved_env = os.getcwd(), list(sys.path), dict(os.environ)
    baseline = Baseline()
    try:
        os.chdir(tmp_path)
        os.environ["AG_LEFT_BEHIND"] = "1"
        os.environ.pop("PATH", None)
        sys.path.insert(0, str(tmp_path))
        numpy.set_printoptions(precision=2)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        timing.add("a phase", 1.0)
        hidden = types.ModuleType("distances.test_distances")
        hidden.__file__ = str(GRADING_TESTS / "distances" / "test_distances.py")
        namespace = types.ModuleType("distances")
        namespace.__path__ = [str(GRADING_TESTS / "distances")]  # type: ignore[attr-defined]
        sys.modules.update({"distances": namespace, "distances.test_distances": hidden})
        dropped = baseline.restore()
        assert os.getcwd() == str(TRUSTED_CWD)
        assert dict(os.environ) == baseline.environ and "AG_LEFT_BEHIND" not in os.environ
        assert sys.path == baseline.path
        assert numpy.get_printoptions()["precision"] == baseline.numpy_print["precision"]
        assert signal.getsignal(signal.SIGTERM) == baseline.handlers[signal.SIGTERM]
        assert timing.summary() == {}
        assert {"distances", "distances.test_distances"} <= set(dropped)
        assert "distances" not in sys.modules and "autograder.classroom.service" in sys.modules
        assert "numpy" not in dropped and not any(name.startswith("autograder.") for name in dropped)
    finally:
        os.chdir(here)
        sys.path[:] = saved_path
        os.environ.clear()
        os.environ.update(saved_env)


def test_a_service_that_dies_mid_job_fails_that_job_only(tmp_path: Path) -> None:
    """Killed while grading: that job ends as a crashed grader's would (no return code 0, so "grader
    error"), and the slot's next job gets a new service that grades it in full."""
    template = build.template_submission(tmp_path / "template")
    services, running = service.Services(), batch.Running()
    try:
        first = tmp_path / "first"
        first.mkdir()
        killer = threading.Thread(target=_kill_when_grading, args=(services,))
        killer.start()
        returncode, timed_out = services.grade(template, first / "partial.json", first / batch.OUTPUT, None, 300, running)
        killer.join()
        assert (returncode, timed_out) != (0, False)
        assert batch.status_of(None, returncode, timed_out) == "grader error"
        second = tmp_path / "second"
        second.mkdir()
        assert services.grade(template, second / "partial.json", second / batch.OUTPUT, None, 300, running) == (0, False)
        assert json.loads((second / "partial.json").read_text())["score"] == 0
        assert "results written to" in (second / batch.OUTPUT).read_text()
    finally:
        services.close()
    assert not services.every and not running.procs


def _kill_when_grading(services: service.Services) -> None:
    """SIGKILL the service (alone: its worker is left to it) once it has said something of this job."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        alive = [s for s in services.every if s.alive()]
        if alive and _grading(alive[0]):
            os.kill(alive[0].proc.pid, signal.SIGKILL)
            return
        time.sleep(0.05)


def _workers(svc: service.GradingService) -> list[int]:
    """The service's processes that are a worker's: the sandbox user's (as root), or any process
    below it but the worker template it keeps between jobs (sandbox/zygote.py)."""
    from autograder.sandbox.processes import descendants

    found = []
    for pid in descendants(svc.proc.pid):
        try:
            owner = os.stat(f"/proc/{pid}").st_uid
            template = b"zygote_main.py" in Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            continue
        if owner != 0 or not template:
            found.append(pid)
    return found


def _grading(svc: service.GradingService) -> bool:
    """Whether the service has started a worker (it is in the middle of a job)."""
    return bool(_workers(svc))


def test_the_fresh_process_path_stays_selectable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(service.SERVICE_ENV, "0")
    assert not service.enabled()
    monkeypatch.delenv(service.SERVICE_ENV)
    assert service.enabled()


def test_a_timed_out_job_kills_the_service_tree_and_a_crashed_start_is_a_grader_error(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """As batch.grade_one's subprocess: past the timeout the service and all below it are killed and
    the next job gets a new service; a service that cannot even start fails its job, not the batch."""
    template = build.template_submission(tmp_path / "template")
    services, running = service.Services(), batch.Running()
    try:
        slow = tmp_path / "slow"
        slow.mkdir()
        assert services.grade(template, slow / "partial.json", slow / batch.OUTPUT, None, 0.5, running) == (None, True)
        assert not services.every
        ok = tmp_path / "ok"
        ok.mkdir()
        assert services.grade(template, ok / "partial.json", ok / batch.OUTPUT, None, 300, running) == (0, False)
        (served,) = services.every
        assert served.alive() and not _workers(served)  # idle: its worker is gone with the job
        monkeypatch.setattr(sys, "executable", shutil.which("false"))
        monkeypatch.setenv("AG_OTHER_ENVIRONMENT", "1")  # a new environment: a new service, from `false`
        crashed = tmp_path / "crashed"
        crashed.mkdir()
        returncode, timed_out = services.grade(template, crashed / "partial.json", crashed / batch.OUTPUT, None, 300,
                                               running, env=dict(os.environ))
        assert not timed_out and batch.status_of(None, returncode, timed_out) == "grader error"
        assert not served.alive()  # replaced, not leaked
    finally:
        services.close()
    assert not services.every and not running.procs


def _state(pid: int) -> str:
    with open(f"/proc/{pid}/stat", encoding="ascii") as fh:
        return fh.read().rsplit(")", 1)[1].split()[0]


def test_killing_a_timed_out_service_leaves_the_batchs_other_children_running(tmp_path: Path) -> None:
    """The batch's other children (the other slots' services, the similarity readers) are not the
    timed-out service's: they must not be frozen with its tree."""
    template = build.template_submission(tmp_path / "template")
    sibling = subprocess.Popen(["sleep", "60"])
    services, running = service.Services(), batch.Running()
    try:
        slow = tmp_path / "slow"
        slow.mkdir()
        assert services.grade(template, slow / "partial.json", slow / batch.OUTPUT, None, 0.5, running) == (None, True)
        assert _state(sibling.pid) != "T"
    finally:
        services.close()
        sibling.kill()
        sibling.wait()


def _template_below(pid: int) -> bool:
    from autograder.sandbox.processes import descendants

    for child in descendants(pid):
        try:
            with open(f"/proc/{child}/cmdline", "rb") as fh:
                if b"zygote_main" in fh.read():
                    return True
        except OSError:
            continue
    return False


def test_a_prestarted_service_grades_the_first_job_and_an_unused_one_ends(tmp_path: Path) -> None:
    from autograder.sandbox.processes import descendants

    """prestart: the service a thread takes is the one started ahead (warmed up: its first job finds
    the worker template running); one no job took ends on close, its template with it."""
    template = build.template_submission(tmp_path / "template")
    services, running = service.Services(), batch.Running()
    try:
        services.prestart(2)
        started = {s.proc.pid for s in services.spare}
        assert len(started) == 2
        if os.geteuid() == 0:  # as root each warms up by starting its worker template, before any job
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline and not all(_template_below(s.proc.pid) for s in services.spare):
                time.sleep(0.2)
            assert all(_template_below(s.proc.pid) for s in services.spare)
        job = tmp_path / "job"
        job.mkdir()
        assert services.grade(template, job / "partial.json", job / batch.OUTPUT, None, 300, running) == (0, False)
        (used,) = [s for s in services.every if s not in services.spare]
        assert used.proc.pid in started and used.startup is None
        assert "results written to" in (job / batch.OUTPUT).read_text()
        unused = services.spare[0]
        below = [unused.proc.pid] + descendants(unused.proc.pid)
    finally:
        services.close()
    assert unused.proc.returncode is not None
    time.sleep(0.5)
    assert not [pid for pid in below if os.path.exists(f"/proc/{pid}") and _state(pid) != "Z"]
    assert services.startup_logs is None
