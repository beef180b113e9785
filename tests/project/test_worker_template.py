"""The pre-started worker template (sandbox/zygote.py): a worker forked from it is as isolated as a
fresh one, leaves nothing to the next submission, and the grader falls back to fresh workers
(saying so) wherever the template cannot run. Real grading runs, in this process, on both paths."""

from __future__ import annotations

import json
import os
import textwrap
from pathlib import Path

import pytest

from autograder.grading.grade import grade_submission
from autograder.sandbox import processes, zygote

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="the template needs root (CI runs as root)")

INSPECT = textwrap.dedent('''
    import json, os, resource, socket, sys
    def writable():
        found = []
        for root, dirs, files in os.walk("/"):
            if root.startswith(("/proc", "/sys")):
                dirs[:] = []
            elif os.access(root, os.W_OK) and not root.startswith(os.getcwd()):
                found.append(root)
        return found
    def readable(folder):  # out of view (bubblewrap) or behind permissions (basic mode): either way unread
        try:
            return bool(os.listdir(folder))
        except OSError:
            return False
    status = dict(line.split(":", 1) for line in open("/proc/self/status").read().splitlines() if ":" in line)
    seen = {
        "uid": os.getresuid(), "groups": os.getgroups(),
        "caps": {k: status[k].strip() for k in ("CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb")},
        "no_new_privs": status["NoNewPrivs"].strip(),
        "pids": sorted(int(p) for p in os.listdir("/proc") if p.isdigit()),
        "interfaces": sorted(name for _, name in socket.if_nameindex()),
        "hostname": socket.gethostname(),
        "limits": {n: resource.getrlimit(getattr(resource, n)) for n in
                   ("RLIMIT_CPU", "RLIMIT_AS", "RLIMIT_FSIZE", "RLIMIT_NOFILE", "RLIMIT_NPROC", "RLIMIT_CORE")},
        "env": sorted(os.environ), "project_visible": readable(PROJECT + "/reference"),
        "writable": writable(), "tmp": sorted(os.listdir("/tmp")),
        "shm": sorted(os.listdir("/dev/shm")) if os.path.isdir("/dev/shm") else [],
        "random": __import__("random").random(),
    }
    print("SEEN " + json.dumps(seen))
''')


def _inspect(tmp_path: Path, name: str, extra: str = "") -> dict:
    """Grade a submission that describes its worker's world while loading; return that description."""
    folder = tmp_path / name
    folder.mkdir()
    project = Path(__file__).resolve().parents[2]
    (folder / "homework.py").write_text(f"PROJECT = {str(project)!r}\n" + INSPECT + extra, encoding="utf-8")
    lines: list[str] = []
    document = grade_submission(folder, tmp_path / f"{name}.json", log=lines.append)
    text = "\n".join(lines)
    seen = json.loads(text.split("SEEN ", 1)[1].splitlines()[0])
    seen["protections"] = document["extra_data"]["protections"] if "extra_data" in document else []
    return seen


@pytest.fixture
def fresh(monkeypatch) -> None:
    monkeypatch.setenv(zygote.SWITCH, "0")


def test_a_forked_worker_is_as_isolated_as_a_fresh_one(tmp_path, monkeypatch):
    forked = _inspect(tmp_path, "forked")
    assert any("forked from a pre-started template" in line for line in forked["protections"]), forked["protections"]
    monkeypatch.setenv(zygote.SWITCH, "0")
    fresh = _inspect(tmp_path, "fresh")
    assert any("fresh interpreter per worker" in line and zygote.SWITCH in line for line in fresh["protections"])
    assert forked["uid"][0] != 0 and len(set(forked["uid"])) == 1 and forked["groups"] == []
    assert set(forked["caps"].values()) == {"0000000000000000"}, forked["caps"]
    assert forked["no_new_privs"] == "1"
    assert not forked["project_visible"]
    for key in ("limits", "env", "interfaces", "hostname"):
        assert forked[key] == fresh[key], key
    if any(line.startswith("sandbox: bubblewrap") for line in forked["protections"]):  # not in basic mode
        assert forked["pids"] == fresh["pids"] == [1, 2]  # a PID namespace of its own: no grader, no template
        assert set(forked["writable"]) <= {"/tmp", "/dev/shm"}, forked["writable"]


@pytest.mark.parametrize("mode", ["auto", "basic"])
def test_nothing_passes_from_one_forked_worker_to_the_next(tmp_path, monkeypatch, mode):
    monkeypatch.setenv("AUTOGRADER_SANDBOX", mode)
    leave = textwrap.dedent('''
        import os, signal, subprocess
        for folder in ("/tmp", "/dev/shm"):
            if os.path.isdir(folder):
                open(os.path.join(folder, "left-by-first"), "w").write("x")
        subprocess.Popen(["sleep", "600"], start_new_session=True)  # tries to outlive its worker
        try:
            os.kill(-1, signal.SIGKILL)  # every process it may signal: never the template
        except OSError:
            pass
    ''')
    first = tmp_path / "first"
    first.mkdir()
    (first / "homework.py").write_text(leave, encoding="utf-8")
    grade_submission(first, tmp_path / "first.json", log=lambda line: None)
    template = next(iter(zygote._RUNNING.values()))
    second = _inspect(tmp_path, "second")
    assert next(iter(zygote._RUNNING.values())) is template and template.alive  # the same template served both
    assert "left-by-first" not in second["tmp"] + second["shm"]
    sleepers = [p for p in os.listdir("/proc") if p.isdigit() and _cmdline(p).startswith(b"sleep\x00600")]
    assert [p for p in sleepers if _owned_by_sandbox_user(p)] == []


def test_generators_differ_from_one_forked_worker_to_the_next(tmp_path):
    assert _inspect(tmp_path, "one")["random"] != _inspect(tmp_path, "two")["random"]


def _inspect_patched(tmp_path: Path, name: str, monkeypatch, target: object, attribute: str, value: object) -> dict:
    """_inspect with one thing of the template's broken, in a template started for it alone."""
    zygote.close_all()
    monkeypatch.setattr(target, attribute, value)
    try:
        return _inspect(tmp_path, name)
    finally:
        zygote.close_all()


def test_a_template_that_cannot_start_leaves_fresh_workers(tmp_path, monkeypatch):
    broken = tmp_path / "zygote_main.py"
    broken.write_text("raise SystemExit(3)\n", encoding="utf-8")
    seen = _inspect_patched(tmp_path, "fallback", monkeypatch, zygote, "RUNTIME_FILE", broken)
    assert any("fresh interpreter per worker (the worker template did not start)" in line for line in seen["protections"])
    assert seen["uid"][0] != 0 and not seen["project_visible"]
    assert not any(pid for pid in processes.LIVE_WORKERS if _cmdline(str(pid)))  # nothing of it left running


def _cmdline(pid: str) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""


def _owned_by_sandbox_user(pid: str) -> bool:
    try:
        return os.stat(f"/proc/{pid}").st_uid != 0
    except OSError:
        return False


def test_a_child_the_template_cannot_isolate_is_started_fresh(tmp_path, monkeypatch):
    """A failure before the student's code runs is the template's: never blamed on the submission."""
    from autograder.sandbox.policy import SandboxPolicy

    spec = SandboxPolicy.child_spec

    def impossible_limits(self, *args, **kwargs):
        return {**spec(self, *args, **kwargs), "rlimits": [(10_000, 1)]}  # no such resource: setrlimit fails
    seen = _inspect_patched(tmp_path, "refused", monkeypatch, SandboxPolicy, "child_spec", impossible_limits)
    assert any("fresh interpreter per worker (the worker template failed: worker set-up:" in line
               for line in seen["protections"]), seen["protections"]
    assert seen["uid"][0] != 0 and not seen["project_visible"]
