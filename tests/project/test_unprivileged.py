"""The grader run by an ordinary user, as on a TA's laptop, on a copy of the project that user owns.

Without bubblewrap the worker runs with the TA's own permissions and could read the hidden tests and
the reference: the grader refuses to grade (a safe failure) unless told `--unprotected`. With
bubblewrap the worker cannot see the project at all, although it runs as the TA.
"""

from __future__ import annotations

import json
import os
import pwd
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import pytest

from autograder.course.paths import PROJECT_ROOT
from autograder.course.rubric import load_rubric
from autograder.sandbox import bubblewrap
from tests.project.corpus.build import reference_submission
from tests.project.hostile import cheating
from tests.project.hostile.case import Context
from tests.project.leaks import leaks, submitted_text

TA_USER = "ag-test-ta"
PYTHON = str(PROJECT_ROOT / ".venv" / "bin" / "python")
BROADCASTING = sum(e.points for e in load_rubric().entries.values() if e.task == "broadcasting")


@dataclass
class TA:
    home: Path
    project: Path
    prefix: list[str]  # runs a command as the TA
    uid: int
    gid: int

    def own(self, path: Path) -> None:
        if os.geteuid() == 0:
            for item in [path, *path.rglob("*")]:
                os.lchown(item, self.uid, self.gid)

    def grade(self, submission: Path, out: Path, mode: str, *extra: str) -> subprocess.CompletedProcess[str]:
        env = {"PATH": "/usr/bin:/bin", "HOME": str(self.home), "LANG": "C.UTF-8", "AUTOGRADER_SANDBOX": mode}
        return subprocess.run(self.prefix + [PYTHON, "-m", "autograder", "grade", str(submission), "--out", str(out),
                                             "--tests", "broadcasting.*", "-v", *extra],
                              cwd=self.project, env=env, capture_output=True, text=True, timeout=600)


@pytest.fixture(scope="module")
def ta() -> Iterator[TA]:
    if os.geteuid() == 0:
        if subprocess.run(["id", TA_USER], capture_output=True).returncode != 0:
            subprocess.run(["useradd", "--system", "--no-create-home", TA_USER], check=True)
        user = pwd.getpwnam(TA_USER)
        uid, gid = user.pw_uid, user.pw_gid
        prefix = ["setpriv", f"--reuid={uid}", f"--regid={gid}", "--clear-groups", "--"]
    else:
        uid, gid, prefix = os.getuid(), os.getgid(), []
    home = Path(tempfile.mkdtemp(prefix="ag-ta-home-"))  # not under pytest's root-only temp folder
    os.chmod(home, 0o755)
    project = home / "dl-autograder"
    shutil.copytree(PROJECT_ROOT, project, ignore=shutil.ignore_patterns(".venv", ".git", "__pycache__", "*.pyc"))
    ta = TA(home, project, prefix, uid, gid)
    ta.own(home)
    probe = subprocess.run(prefix + [PYTHON, "-c", "import autograder; print(autograder.__file__)"], cwd=project,
                           capture_output=True, text=True, env={"PATH": "/usr/bin:/bin", "HOME": str(home)})
    assert probe.stdout.strip() == str(project / "autograder" / "__init__.py"), probe.stderr
    yield ta
    shutil.rmtree(home, ignore_errors=True)


def submission(ta: TA, name: str, case_name: str | None = None) -> Path:
    reference = reference_submission(ta.home / f"{name}-reference")
    if case_name is None:
        folder = reference
    else:
        case = next(c for c in cheating.CHEATING if c.name == case_name)
        folder = case.build(reference, ta.home / name, Context(ta.project, ta.home / "out"))
    ta.own(folder)
    return folder


def test_without_bubblewrap_a_ta_run_refuses_to_grade(ta):
    out = ta.home / "refused.json"
    done = ta.grade(submission(ta, "plain"), out, "basic")
    assert done.returncode == 2, done.stdout + done.stderr
    assert "Not graded" in done.stderr and "sudo apt install bubblewrap" in done.stderr
    document = json.loads(out.read_text())
    assert document["score"] == 0 and document["tests"] == [] and "--unprotected" in document["output"]


def test_with_unprotected_it_grades_and_says_what_was_missing(ta):
    out = ta.home / "unprotected.json"
    done = ta.grade(submission(ta, "plain2"), out, "basic", "--unprotected")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "protection: unprivileged user: NO" in done.stdout
    assert "hidden tests, reference and rubric unreadable by the worker: NO" in done.stdout
    assert json.loads(out.read_text())["score"] == BROADCASTING


def test_with_bubblewrap_the_worker_cannot_see_the_project(ta):
    if not bubblewrap.available() and os.geteuid() != 0:  # as root, setup.sh has installed it
        pytest.skip("bubblewrap is not installed, and only root can install it")
    honest = ta.home / "reference.json"
    done = ta.grade(submission(ta, "plain3"), honest, "auto")
    assert done.returncode == 0 and "protection: sandbox: bubblewrap" in done.stdout, done.stdout + done.stderr
    assert json.loads(honest.read_text())["score"] == BROADCASTING
    out = ta.home / "reader.json"
    reader = submission(ta, "reader", "reads the hidden tests, the reference and the rubric")
    done = ta.grade(reader, out, "auto")
    document = json.loads(out.read_text())
    lost = {t["extra_data"]["id"] for t in document["tests"] if t["score"] < t["max_score"]}
    assert lost == {"broadcasting.given_pairs", "broadcasting.random_pairs"}, document["tests"]
    assert "No such file" in " ".join(t["output"] for t in document["tests"])
    assert leaks(document, submitted_text(reader)) == []
