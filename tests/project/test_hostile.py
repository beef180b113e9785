"""The hostile and broken corpus (tests/project/hostile/), graded end to end.

Every case is graded by `autograder grade` as a subprocess (exit status 0). For every case:
results.json is valid; the score is the honest one (the attacked tests lose, every
other selected test keeps full marks); the student-visible output names the cause and holds no
secret; nothing of the submission survives grading (no process, no file); nothing connected to the
network. Cheats that target Gradescope's files are also graded through `run_autograder` in a
Gradescope-shaped root. After the corpus, the grader's files are unchanged and the reference
grades exactly as it did on the clean machine before it.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
import pwd
import re
import shutil
import socket
import subprocess
import sys
import threading
from pathlib import Path

import jsonschema
import numpy
import pytest

from autograder.course.assignment import default_assignment
from autograder.grading.grade import grade_submission
from autograder.course.paths import ASSIGNMENTS_DIR, PROJECT_ROOT
from autograder.grading.results import schema
from autograder.sandbox import bubblewrap, processes
from autograder.sandbox.policy import SHARED_TMP
from tests.project.corpus.build import reference_submission
from markdown_it import MarkdownIt

from tests.project.hostile import abuse, broken, cheating, determined, escape, grading_side
from tests.project.hostile.case import Context, Hostile
from tests.project.leaks import GRADER_CANARY, leaks, student_visible_text, submitted_text

CASES: list[Hostile] = (broken.CASES + abuse.WRONG_ANSWERS + abuse.RESOURCE_ABUSE + cheating.CHEATING
                        + determined.DETERMINED + escape.CASES + grading_side.CASES)
CALL_TIMEOUT = 8  # seconds per call in this corpus (the rubric says 60): infinite loops end sooner
GUARDED = [PROJECT_ROOT / "autograder", PROJECT_ROOT / "tests" / "grading", PROJECT_ROOT / "reference",
           ASSIGNMENTS_DIR, Path(numpy.__file__)]


def tree_digest(paths: list[Path]) -> str:
    digest = hashlib.sha256()
    for path in paths:
        for item in sorted([path] if path.is_file() else path.rglob("*")):
            if item.is_file() and "__pycache__" not in item.parts:
                digest.update(str(item).encode() + item.read_bytes())
    return digest.hexdigest()


def sandbox_uids() -> set[int]:
    return {p.pw_uid for p in pwd.getpwall() if p.pw_name.startswith("ag-sandbox")}


def _grader_above(pid: int, uids: set[int]) -> int:
    """The nearest ancestor of `pid` that is not a sandbox user's process (1 when orphaned)."""
    while pid > 1 and os.stat(f"/proc/{pid}").st_uid in uids:
        pid = int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
    return pid


def reap_zombies(grace: float = 3.0) -> None:
    """Wait for our children that end by themselves: as a subreaper, this process inherits what a
    grader's tree left when it exited (a sandbox's outer bwrap, multiprocessing's resource tracker,
    which ends once its parent has), and a zombie runs nothing. Up to `grace` seconds; whatever still
    runs then is reported by `leftovers`."""
    deadline = time.monotonic() + grace
    while True:
        running = []
        for pid in processes.children(os.getpid()):
            if pid in processes.LIVE_WORKERS:  # the grader's worker template: kept on purpose
                continue
            try:
                if Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z":
                    os.waitpid(pid, os.WNOHANG)
                else:
                    running.append(pid)
            except (OSError, IndexError, ChildProcessError):
                continue
        if not running or time.monotonic() > deadline:
            return
        time.sleep(0.1)


def leftovers() -> list[str]:
    """Processes of the sandbox users, children of this process (but the pre-started worker template
    that the grader keeps, sandbox/zygote.py, which runs no student code), files of the sandbox
    users in the shared temp folders: all must be gone once a submission is graded. This process is a subreaper
    (see `before`), so whatever outlives one of our graders is re-parented to us: a sandbox user's
    process under another grader, or orphaned to init, is another run's on this machine (other
    checkouts grade side by side here, and some kill their graders on purpose)."""
    reap_zombies()
    uids, found = sandbox_uids(), []
    for entry in os.listdir("/proc"):
        try:
            if entry.isdigit() and os.stat(f"/proc/{entry}").st_uid in uids \
                    and _grader_above(int(entry), uids) == os.getpid():
                found.append(f"process {entry}: {Path(f'/proc/{entry}/cmdline').read_bytes()[:80]!r}")
        except (OSError, ValueError, IndexError):
            continue
    found += [f"child process {pid}" for pid in processes.children(os.getpid()) if pid not in processes.LIVE_WORKERS]
    for folder in SHARED_TMP:
        try:
            found += [f"file {e.path}" for e in os.scandir(folder) if e.stat(follow_symlinks=False).st_uid in uids]
        except OSError:
            continue
    return found


@pytest.fixture(scope="module")
def rubric(tmp_path_factory) -> Path:
    text = default_assignment().read_text(encoding="utf-8")
    path = tmp_path_factory.mktemp("rubric") / "assignment.toml"
    path.write_text(re.sub(r"(?m)^call_timeout = .*$", f"call_timeout = {CALL_TIMEOUT}", text), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def reference(tmp_path_factory) -> Path:
    return reference_submission(tmp_path_factory.mktemp("hostile") / "reference")


@pytest.fixture(scope="module")
def before(reference, rubric, tmp_path_factory) -> dict:
    """The clean machine: the grader's files and the reference's per-test scores, before the corpus.
    From here on this process is a subreaper: what outlives a grader it starts comes back to it."""
    assert all(processes.harden_grader_process().values())
    document = grade_submission(reference, tmp_path_factory.mktemp("fresh") / "results.json",
                                rubric_path=rubric, log=lambda line: None)
    return {"digest": tree_digest(GUARDED), "scores": {t["extra_data"]["id"]: t["score"] for t in document["tests"]}}


@pytest.fixture
def listener():
    """A TCP port on loopback that records whoever connects (nobody should)."""
    server = socket.create_server(("127.0.0.1", 0))
    server.settimeout(0.2)
    seen: list[bytes] = []
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except OSError:
                continue
            with conn:
                conn.settimeout(1)
                try:
                    seen.append(conn.recv(100) or b"(connected)")
                except OSError:
                    seen.append(b"(connected)")
    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield server.getsockname()[1], seen
    stop.set()
    thread.join()
    server.close()


def markup_added(document: dict) -> list[str]:
    """Links, images and HTML tags in the Markdown a student sees, rendered as Gradescope renders
    it (CommonMark): the grader writes none, so any is the submission's text, unescaped."""
    renderer, found = MarkdownIt("commonmark"), []
    for text in [document.get("output", "")] + [t.get("output", "") for t in document.get("tests", [])]:
        rendered = renderer.render(str(text))
        found += re.findall(r"<(?:a|img|script|iframe)\b[^>]*>", rendered)
    return found


def check(case: Hostile, document: dict, submission: Path, canary: str) -> None:
    jsonschema.validate(document, schema())
    results = {t["extra_data"]["id"]: t for t in document["tests"] if t["max_score"] > 0}
    assert results, "no test was graded"
    losing = set(results) if case.loses == broken.EVERYTHING else set(case.loses)
    assert losing <= set(results), f"not graded: {losing - set(results)}"
    for test_id, test in results.items():
        if test_id in losing:
            assert test["score"] == 0, f"{test_id} kept {test['score']} of {test['max_score']}"
        else:
            assert test["score"] == test["max_score"], f"{test_id} lost points:\n{test['output']}"
    visible = student_visible_text(document)
    for phrase in case.says:
        assert phrase.lower() in visible.lower(), f"the student is not told: {phrase!r}\n{visible[:3000]}"
    assert "Traceback" not in visible and "internal error" not in visible
    assert markup_added(document) == [], "the student's text made links, images or HTML in the feedback"
    folder = submission if submission.is_dir() else submission.parent
    assert leaks(document, submitted_text(folder), canary) == []
    for path in case.absent:
        assert not Path(path).exists(), f"{path} was written"


@pytest.mark.parametrize("case,mode", [(c, m) for c in CASES for m in c.modes],
                         ids=[f"{c.name} [{m}]" for c in CASES for m in c.modes])
def test_hostile_submission(case, mode, reference, rubric, before, listener, tmp_path, monkeypatch):
    port, connections = listener
    canary = f"canary-{os.urandom(6).hex()}"
    monkeypatch.setenv(GRADER_CANARY, canary)
    monkeypatch.setenv("AUTOGRADER_SANDBOX", mode)
    ctx = Context(PROJECT_ROOT, tmp_path / "out", port)
    submission = case.build(reference, tmp_path / "submission", ctx)
    results = ctx.results_dir / "results.json"
    command = [sys.executable, "-m", "autograder", "grade", str(submission), "--out", str(results),
               "--rubric", str(rubric), "-v"] + (["--tests", f"{case.tests}*"] if case.tests else [])
    done = subprocess.run(command, capture_output=True, text=True, timeout=900, cwd=PROJECT_ROOT)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    document = json.loads(results.read_text())
    check(case, document, submission, canary)
    assert connections == [], "the submission reached the network"
    assert leftovers() == []
    expected = "bubblewrap" if mode == "auto" and bubblewrap.available() else "basic"
    assert f"protection: sandbox: {expected}" in done.stdout


@pytest.mark.parametrize("case", [c for c in CASES if c.gradescope], ids=[c.name for c in CASES if c.gradescope])
def test_hostile_submission_through_run_autograder(case, reference, before, tmp_path):
    root = tmp_path / "autograder"
    (root / "results").mkdir(parents=True)
    (root / "submission_metadata.json").write_text(json.dumps({"id": 1, "users": [{"name": "A"}]}))
    ctx = Context(PROJECT_ROOT, root / "results")
    built = case.build(reference, tmp_path / "built", ctx)
    if built.is_dir():
        shutil.copytree(built, root / "submission")
    else:  # a .zip is handed in as it is
        (root / "submission").mkdir()
        shutil.copy(built, root / "submission")
    env = {**os.environ, "AUTOGRADER_ROOT": str(root), GRADER_CANARY: "canary-run-autograder"}
    done = subprocess.run([str(PROJECT_ROOT / "run_autograder")], env=env, capture_output=True, text=True,
                          timeout=900)
    assert done.returncode == 0, done.stderr
    assert "TOTAL" in done.stdout and "protection: sandbox:" in done.stdout
    document = json.loads((root / "results" / "results.json").read_text())
    full = Hostile(case.name, case.build, None, case.loses, case.says)
    check(full, document, root / "submission", "canary-run-autograder")
    assert leftovers() == []


def test_grader_files_are_unchanged_after_the_corpus(before):
    assert tree_digest(GUARDED) == before["digest"]


def test_the_next_submission_grades_as_on_a_clean_machine(before, reference, rubric, tmp_path):
    document = grade_submission(reference, tmp_path / "results.json", rubric_path=rubric, log=lambda line: None)
    assert {t["extra_data"]["id"]: t["score"] for t in document["tests"]} == before["scores"]
