"""The grading session (autograder/grading/session.py) and the one-way flow of a read submission: the
refusal starts no worker, clean-up happens whatever a test raised, the submission's source is parsed
at intake and never again, and the worker loads the code files the manifest wrote without
rewriting them (the definitions-only retry included)."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest

from autograder.grading import grade as grading

from autograder.intake import submission as submission_module
from autograder.course.paths import PROJECT_ROOT
from autograder.sandbox.client import Worker
from autograder.course.limits import Limits
from autograder.sandbox.policy import Protections
from autograder.grading.session import UNPROTECTED, UNPROTECTED_ENV, GradingSession, refusal
from autograder.intake.submission import load_submission
from tests.project.corpus.build import reference_submission

BROADCASTING_ONLY = lambda test_id: test_id.startswith("broadcasting")  # noqa: E731  (one quick task)


@pytest.fixture
def unguarded(monkeypatch: pytest.MonkeyPatch) -> None:
    """This machine as a TA's laptop without bubblewrap: the worker could read the grader's files."""
    monkeypatch.setattr(Protections, "guards_grader_files", property(lambda self: False))
    monkeypatch.delenv(UNPROTECTED_ENV, raising=False)


@pytest.fixture
def worker_starts(monkeypatch: pytest.MonkeyPatch) -> list[Worker]:
    started: list[Worker] = []
    real = Worker.start

    def counted(self: Worker):
        started.append(self)
        return real(self)

    monkeypatch.setattr(Worker, "start", counted)
    return started


def test_unguarded_machine_refuses_and_starts_no_worker(unguarded, worker_starts, tmp_path: Path) -> None:
    assert refusal(Limits()) == UNPROTECTED
    assert refusal(Limits(), allow_unprotected=True) is None
    document = grading.grade_submission(reference_submission(tmp_path / "sub"), tmp_path / "results.json",
                                        log=lambda line: None)
    assert document["output"] == UNPROTECTED and document["tests"] == []
    assert worker_starts == []
    with GradingSession(Limits()) as session:
        assert session.refused
        with pytest.raises(RuntimeError, match="refuses"):
            session.start_worker(load_submission(tmp_path / "sub", tmp_path / "staging"), {}, tmp_path)
    assert worker_starts == []


def test_clean_up_removes_every_sandbox_even_when_a_test_raises(tmp_path: Path) -> None:
    folder = tmp_path / "sub"
    folder.mkdir()
    (folder / "hw.py").write_text("def f(x):\n    return x + 1\n", encoding="utf-8")
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    with pytest.raises(ZeroDivisionError):
        with GradingSession(Limits(), allow_unprotected=True) as session:
            worker = session.start_worker(load_submission(folder, tmp_path / "staging"), {"f": "hw"}, run_dir)
            assert worker.start().found == {"f": {"module": "hw", "callable": True}}
            yardstick = session.yardstick()
            yardstick.start()
            sandboxes = [worker.sandbox_dir, yardstick.sandbox_dir]
            assert all(p.is_dir() for p in sandboxes)
            1 / 0  # a failure of the grader's own while tests run
    assert not any(p.exists() for p in sandboxes)
    assert worker.proc is None and yardstick.proc is None
    assert session.policy is not None and session.policy._slot_lock == -1  # the sandbox user was given back


def test_a_grading_parses_the_submission_once_at_intake(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    path = reference_submission(tmp_path / "sub")
    sources = {p.read_text(encoding="utf-8") for p in path.glob("*.py")}
    loads: list[Path] = []
    parses: list[str] = []  # "intake" or "later", for each parse of a submitted file's text
    real_load, real_parse = grading.load_submission, ast.parse

    def load(*args, **kwargs):
        made = real_load(*args, **kwargs)
        loads.append(args[0])
        return made

    def parse(source, *args, **kwargs):
        if source in sources:
            parses.append("later" if loads else "intake")
        return real_parse(source, *args, **kwargs)

    monkeypatch.setattr(grading, "load_submission", load)
    monkeypatch.setattr(ast, "parse", parse)
    document = grading.grade_submission(path, tmp_path / "results.json", select=BROADCASTING_ONLY,
                                        log=lambda line: None)
    assert document["score"] == sum(t["max_score"] for t in document["tests"]) > 0
    assert loads == [path]
    # each file: once to compile it (compile_error), once to index it, both inside load_submission
    assert parses.count("intake") == 2 * len(sources) and "later" not in parses


def _snapshot(sandbox: Path) -> dict[str, tuple[int, int, bytes]]:
    """(inode, mtime, content) of everything staged for the worker (its working folder aside)."""
    return {str(p.relative_to(sandbox)): (p.stat().st_ino, p.stat().st_mtime_ns, p.read_bytes())
            for p in sandbox.rglob("*") if p.is_file() and "work" not in p.relative_to(sandbox).parts}


def test_the_definitions_only_retry_loads_the_staged_files_without_rewriting_them(tmp_path: Path) -> None:
    folder = tmp_path / "sub"
    folder.mkdir()
    (folder / "helpers.py").write_text("import os\n\ndef double(x):\n    return 2 * x\n\nos._exit(0)\n")
    (folder / "hw.py").write_text("from helpers import double\n\ndef quadruple(x):\n    return double(double(x))\n")
    read = load_submission(folder, tmp_path / "staging", ["hw"])
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    with GradingSession(Limits(load_timeout=30), allow_unprotected=True) as session:
        worker = session.start_worker(read, {"quadruple": "hw"}, run_dir)
        staged = _snapshot(worker.sandbox_dir)
        assert {"code/helpers.py", "code-definitions/helpers.py", "runtime/manifest.json"} <= set(staged)
        report = worker.start()
        assert "ended the process" in report.degraded and report.fatal is None
        assert worker.request({"op": "call", "name": "quadruple", "args": [3]}).value == 12  # helpers trimmed too
        assert _snapshot(worker.sandbox_dir) == staged
        assert os.access(worker.sandbox_dir / "code" / "helpers.py", os.R_OK)


@pytest.mark.skipif(os.geteuid() != 0, reason="only root drops to the sandbox user, who must enter the folders")
def test_a_private_tmpdir_does_not_lock_the_sandbox_user_out(tmp_path: Path) -> None:
    """A Dask worker or a pytest run may set $TMPDIR to a folder only root can enter: the sandbox
    folders then go to /tmp instead, and the submission loads as anywhere else."""
    private = tmp_path / "private"
    private.mkdir(mode=0o700)
    done = subprocess.run([sys.executable, "-m", "autograder", "grade", str(PROJECT_ROOT / "examples" / "sample_submission"),
                           "--out", str(tmp_path / "r.json"), "--tests", "broadcasting.*"], cwd=PROJECT_ROOT,
                          capture_output=True, text=True, timeout=300, env={**os.environ, "TMPDIR": str(private)})
    assert "TOTAL 12/12" in done.stdout, done.stdout[-3000:]
    assert not list(private.glob("ag-sandbox-*"))
