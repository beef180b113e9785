"""The grader's surroundings against a submission that aims past its own worker: a batch's other
submissions and results, the slot lock files, the folders a basic-mode worker can write in, the
project's own files. Real sandbox users, real bwrap, real `grade-all` subprocesses."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Iterator

import pytest

from autograder.course.paths import PROJECT_ROOT
from autograder.course.rubric import load_rubric
from autograder.sandbox import basic, users
from autograder.course.limits import Limits
from autograder.sandbox.policy import SandboxPolicy
from tests.project.corpus.build import reference_submission, replace_function

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="sandbox users and root-owned folders need root")

NUMPY_TESTS = {"distances.numpy_agrees", "distances.numpy_float32_input", "distances.numpy_no_loops",
               "distances.numpy_faster_than_loops"}
DISTANCES = {i: e.points for i, e in load_rubric().entries.items() if e.task == "distances"}
THIEF = '''
def numpydists(feats, protos):
    found, last = [], None
    for path in ("{EXPORT}/alice/distances.py", "{OUT}/alice/results.json"):
        try:
            with open(path) as fh:
                found.append(fh.read())
        except OSError as exc:
            last = exc
    if not found:
        raise last
    namespace = {}
    exec(found[0], namespace)
    return namespace["numpydists"](feats, protos)
'''


def as_sandbox_user(policy: SandboxPolicy, code: str) -> subprocess.CompletedProcess[str]:
    """Run Python code as the policy's sandbox user, outside any view: what basic mode gives."""
    user = policy.user
    assert user is not None
    return subprocess.run(["setpriv", f"--reuid={user.pw_uid}", f"--regid={user.pw_gid}", "--clear-groups", "--",
                           sys.executable, "-I", "-c", code], capture_output=True, text=True, timeout=60)


@pytest.fixture
def policy() -> Iterator[SandboxPolicy]:
    made = SandboxPolicy(Limits(), sys.executable)
    yield made
    made.clear_leftovers()
    made.close()


@pytest.fixture
def shared_folder() -> Iterator[Path]:
    """A world-traversable folder outside /tmp (bubblewrap gives the worker its own /tmp), as a TA's."""
    folder = Path(tempfile.mkdtemp(prefix="ag-escape-", dir="/var/tmp"))
    os.chmod(folder, 0o755)
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


@pytest.mark.parametrize("mode", ["auto", "basic"])
def test_a_batch_shows_no_submission_its_classmates_work_or_results(mode, shared_folder):
    export, out = shared_folder / "export", shared_folder / "graded"
    reference_submission(export / "alice")
    thief = reference_submission(export / "mallory")
    replace_function(thief, "distances", THIEF.replace("{EXPORT}", str(export)).replace("{OUT}", str(out)))
    done = subprocess.run([sys.executable, "-m", "autograder", "grade-all", str(export), "--out", str(out), "--jobs", "1",
                           "--tests", "distances.*"], capture_output=True, text=True, timeout=900, cwd=PROJECT_ROOT,
                          env={**os.environ, "AUTOGRADER_SANDBOX": mode})
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    scores = {}
    for name in ("alice", "mallory"):
        document = json.loads((out / name / "results.json").read_text())
        scores[name] = {t["extra_data"]["id"]: t["score"] for t in document["tests"]}
    assert scores["alice"] == DISTANCES
    assert scores["mallory"] == {i: 0 if i in NUMPY_TESTS else p for i, p in DISTANCES.items()}
    mallory = json.loads((out / "mallory" / "results.json").read_text())
    said = " ".join(t["output"] for t in mallory["tests"])
    assert ("Permission denied" if mode == "basic" else "No such file") in said


def test_slot_locks_live_in_a_folder_of_roots_alone(policy):
    folder = users.lock_folder()
    info = os.lstat(folder)
    assert info.st_uid == 0 and info.st_mode & 0o777 == 0o700
    planted = as_sandbox_user(policy, f"import os; os.symlink('/etc/passwd', '{folder}/slot-63.lock')")
    assert "PermissionError" in planted.stderr


def test_a_planted_link_is_never_followed_by_root(tmp_path, monkeypatch):
    victim = tmp_path / "victim"
    monkeypatch.setattr(users, "SLOT_FOLDER", tmp_path / "locks")
    os.mkdir(tmp_path / "locks", 0o700)
    os.symlink(victim, tmp_path / "locks" / "slot-0.lock")
    with pytest.raises(OSError):
        users.claim_slot()
    assert not victim.exists()
    monkeypatch.setattr(users, "SLOT_FOLDER", tmp_path / "link")
    os.symlink(tmp_path / "locks", tmp_path / "link")
    with pytest.raises(RuntimeError, match="not a folder of root's alone"):
        users.lock_folder()


def test_a_process_claims_again_the_slot_it_held_before(tmp_path, monkeypatch):
    """A grading service keeps its sandbox users from one submission to the next, even when a lower
    slot fell free meanwhile (what it probed about them stays true)."""
    import fcntl

    for name, folder in (("SLOT_FOLDER", "locks"), ("LEGACY_LOCKS", "legacy")):
        os.mkdir(tmp_path / folder, 0o700)
        monkeypatch.setattr(users, name, tmp_path / folder)
    monkeypatch.setattr(users, "_HELD_HERE", [])
    other = os.open(tmp_path / "locks" / "slot-0.lock", os.O_RDWR | os.O_CREAT)  # another grader's slot 0
    fcntl.flock(other, fcntl.LOCK_EX)
    slot, fd = users.claim_slot()
    assert slot == 1
    os.close(other)  # slot 0 falls free
    users.release_slot(fd)
    again, fd = users.claim_slot()
    users.release_slot(fd)
    assert again == 1


def test_basic_mode_finds_a_writable_folder_deep_down_and_clears_it(policy, shared_folder):
    deep = shared_folder / "a" / "b"
    deep.mkdir(parents=True)
    os.chmod(deep, 0o1777)
    os.chmod(shared_folder / "a", 0o755)
    assert deep in basic.writable_folders(policy._drop)
    wrote = as_sandbox_user(policy, f"open('{deep}/left', 'w').write('x' * 5000); import os; os.makedirs('{deep}/d/e')")
    assert wrote.returncode == 0, wrote.stderr
    entries = basic.owned_entries(basic.writable_folders(policy._drop), policy.uid)
    assert {deep / "left", deep / "d"} <= set(entries)
    assert sum(basic.tree_bytes(p) for p in entries) >= 4096
    basic.remove(entries)
    assert not (deep / "left").exists() and not (deep / "d").exists()


def test_the_project_is_unreadable_to_the_sandbox_user_but_its_venv(policy):
    from autograder.grading.grade import protect_grader_files

    protect_grader_files(lambda line: None)
    probe = as_sandbox_user(policy, "import os, sys\n"
                            f"for name in ('benchmarks/speed_solutions.py', 'examples/sample_submission/homework.ipynb', 'docs/security.md', 'README.md'):\n"
                            f"    try:\n        open(os.path.join('{PROJECT_ROOT}', name)).read(1)\n        print('read', name)\n"
                            f"    except OSError as exc:\n        print(type(exc).__name__, name)\n"
                            "import numpy; print('numpy ok')")
    assert probe.stdout.count("PermissionError") == 4 and "numpy ok" in probe.stdout, probe.stdout + probe.stderr


def test_the_yardstick_runs_as_a_user_the_students_processes_cannot_signal(policy, tmp_path):
    from autograder.sandbox.client import trusted_worker

    yardstick = trusted_worker(policy, tmp_path)
    try:
        assert yardstick.start().fatal is None
        assert yardstick.policy.uid not in (None, policy.uid)
        tried = as_sandbox_user(policy, "import os, signal\ntry:\n"
                                f"    os.kill({yardstick.proc.pid}, signal.SIGSTOP)\n    print('stopped')\n"
                                "except PermissionError:\n    print('refused')")
        assert tried.stdout.strip() == "refused", tried.stdout + tried.stderr
    finally:
        yardstick.close()
        shutil.rmtree(yardstick.sandbox_dir, ignore_errors=True)


def state(pid: int) -> str:
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]


def stopped(pid: int) -> bool:
    """Whether the process is stopped, once a signal sent to it has had 2 s to land."""
    for _ in range(200):
        if state(pid) == "T":
            return True
        time.sleep(0.01)
    return False


def test_freezing_a_worker_freezes_what_escaped_its_tree_too():
    from autograder.sandbox import processes

    worker, stray = (subprocess.Popen(["sleep", "60"]) for _ in range(2))  # the stray: an orphan come back to us
    processes.LIVE_WORKERS.add(worker.pid)
    try:
        time.sleep(0.2)  # both started
        processes.freeze_tree(worker.pid, True)
        assert stopped(worker.pid) and stopped(stray.pid)
        processes.freeze_tree(worker.pid, False)
        time.sleep(0.2)
        assert state(worker.pid) != "T" and state(stray.pid) != "T"
    finally:
        processes.LIVE_WORKERS.discard(worker.pid)
        for proc in (worker, stray):
            proc.kill()
            proc.wait()
