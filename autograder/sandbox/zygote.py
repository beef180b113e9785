"""Grader side of the pre-started worker template (zygote_main.py): start it once per grading
process, ask it for one isolated child per worker start, and watch that child like a Popen.

Why: a grading service or a Dask worker grades many submissions, and each worker start paid the
interpreter and `import torch` again. The template needs root (it hands each child its namespaces
and drops it to the run's sandbox user itself); elsewhere, or when it fails, workers start fresh as
before and the protections report says so. AUTOGRADER_ZYGOTE=0 turns it off.
"""

from __future__ import annotations

import atexit
import json
import os
import select
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from autograder.course import timing
from autograder.sandbox import basic, bubblewrap, processes

SWITCH = "AUTOGRADER_ZYGOTE"
RUNTIME_FILE = Path(__file__).resolve().parent / "zygote_main.py"
READY_TIMEOUT = 120.0  # seconds for the template to import its libraries
CAPABILITIES = ("CAP_SYS_ADMIN", "CAP_SETUID", "CAP_SETGID", "CAP_SETPCAP")  # mounts, the drop to the user, the bounding set
WORKER_ENV = {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "MPLBACKEND": "Agg", "OMP_NUM_THREADS": "1",
              "MKL_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "PYTHONHASHSEED": "0",
              "PYTHONDONTWRITEBYTECODE": "1"}  # every worker's, fresh or forked (read when an interpreter or torch starts)


class ZygoteUnavailable(RuntimeError):
    """The template could not start or answer here: workers start fresh (the reason is reported)."""


class ZygoteChild:
    """What a Worker needs of its process: pid, poll, wait (as subprocess.Popen offers them). The
    exit code comes from the status pipe that the child's first process writes before it ends."""

    def __init__(self, pid: int, status_fd: int) -> None:
        self.pid, self._status_fd = pid, status_fd
        self.returncode: int | None = None
        self.fault = ""  # why the template could not isolate this worker (its fault, never the student's)
        self._data = b""

    def _read(self, timeout: float | None) -> bool:
        """Read the status pipe until it closes; False when `timeout` ran out first."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while self._status_fd >= 0:
            wait = None if deadline is None else max(0.0, deadline - time.monotonic())
            if not select.select([self._status_fd], [], [], wait)[0]:
                return False
            chunk = os.read(self._status_fd, 64)
            if chunk:
                self._data += chunk
                continue
            os.close(self._status_fd)
            self._status_fd = -1
            text = self._data.decode("utf-8", "replace")
            if text.startswith("E:"):
                self.fault, _, text = text[2:].partition("\n")
            try:
                self.returncode = int(text)
            except ValueError:
                self.returncode = -9  # its processes were killed before one could say how it ended
        return True

    def poll(self) -> int | None:
        self._read(0)
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        if not self._read(timeout):
            raise subprocess.TimeoutExpired(f"worker {self.pid}", timeout or 0)
        assert self.returncode is not None
        return self.returncode

    def __del__(self) -> None:
        if self._status_fd >= 0:
            os.close(self._status_fd)


class Zygote:
    """One running template; `spawn` is safe to call from several threads (one request at a time)."""

    def __init__(self, python: str, private_view: bool) -> None:
        self.python, self.private_view = python, private_view
        self.base = Path(tempfile.mkdtemp(prefix="ag-zygote-", dir=basic.sandbox_temp_base()))
        os.chmod(self.base, 0o711)  # a run's user may reach its own sandbox folder inside, list nothing
        shutil.copy2(RUNTIME_FILE, self.base / RUNTIME_FILE.name)
        self._lock = threading.Lock()
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        command = [self.python, "-I", str(self.base / RUNTIME_FILE.name), str(theirs.fileno())]
        if private_view:
            command = bubblewrap.template_arguments(python, self.base, CAPABILITIES) + command
        config = "/tmp/matplotlib" if private_view else str(self.base / ".matplotlib")  # its font cache, built once
        if not private_view:
            os.mkdir(config, 0o700)
        env = {**WORKER_ENV, "HOME": config, "MPLCONFIGDIR": config}
        self.proc = subprocess.Popen(command, env=env, cwd="/", stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL,  # a library's import-time warning is nobody's output
                                     pass_fds=(theirs.fileno(),), start_new_session=True)
        theirs.close()
        processes.LIVE_WORKERS.add(self.proc.pid)  # never swept as an orphan
        self.control = ours
        self.control.settimeout(READY_TIMEOUT)
        try:
            hello = json.loads(self.control.recv(1 << 16) or b"{}")
        except (OSError, ValueError):
            hello = {}
        except BaseException:  # SIGTERM while it starts (a grading service warming up): nothing is left
            self.close()
            raise
        if not hello.get("ready"):
            self.close()
            raise ZygoteUnavailable("the worker template did not start")
        if hello.get("threads", 1) != 1:
            self.close()
            raise ZygoteUnavailable(f"the worker template runs {hello['threads']} threads: forking it is unsafe")
        self.control.settimeout(30.0)

    def sandbox_dir(self) -> Path:
        """A fresh folder for one worker, inside the base the template sees."""
        return Path(tempfile.mkdtemp(prefix="ag-sandbox-", dir=self.base))

    def spawn(self, spec: dict[str, Any], request_fd: int, response_fd: int, log_fd: int) -> ZygoteChild:
        status_r, status_w = os.pipe()
        try:
            with self._lock:
                socket.send_fds(self.control, [json.dumps(spec).encode()], [request_fd, response_fd, log_fd, status_w])
                answer = json.loads(self.control.recv(1 << 16) or b"{}")
        except (OSError, ValueError) as exc:
            os.close(status_r)
            raise ZygoteUnavailable(f"the worker template stopped answering ({exc})") from None
        finally:
            os.close(status_w)
        if "pid" not in answer:
            os.close(status_r)
            raise ZygoteUnavailable("the worker template refused a worker")
        return ZygoteChild(int(answer["pid"]), status_r)

    @property
    def alive(self) -> bool:
        return self.proc.poll() is None

    def close(self) -> None:
        try:
            self.control.close()
        finally:
            processes.kill_tree(self.proc.pid)
            self.proc.wait()
            processes.LIVE_WORKERS.discard(self.proc.pid)
            (self.base / RUNTIME_FILE.name).unlink(missing_ok=True)
            shutil.rmtree(self.base / ".matplotlib", ignore_errors=True)
            try:
                self.base.rmdir()  # once the last run's sandbox folder in it is gone (a fallback may still use one)
            except OSError:
                pass


_RUNNING: dict[tuple[Any, ...], Zygote] = {}
_FAILED: dict[tuple[Any, ...], str] = {}
_START_LOCK = threading.Lock()


def unavailable_reason(private_view: bool) -> str | None:
    """Why this process cannot use the template, before trying it (None: it may)."""
    if sys.platform != "linux":
        return "the pre-started worker template needs Linux"
    if os.environ.get(SWITCH, "1") == "0":
        return f"the pre-started worker template is off ({SWITCH}=0)"
    if os.geteuid() != 0:
        return "the pre-started worker template needs root: each worker starts a fresh interpreter"
    if private_view and not bubblewrap.available():
        return "bubblewrap is missing"
    return None


def shared(python: str, private_view: bool) -> Zygote:
    """The template of this process for this interpreter and view (started on first use, kept for
    every later run of the process: a grading service's or a Dask worker's submissions)."""
    key = (python, private_view, tuple(bubblewrap.hidden_folders()) if private_view else ())
    with _START_LOCK:
        if key in _FAILED:
            raise ZygoteUnavailable(_FAILED[key])
        zygote = _RUNNING.get(key)
        if zygote is not None and zygote.alive:
            return zygote
        for other in _RUNNING.values():  # one template per process: another view replaces it
            other.close()
        _RUNNING.clear()
        try:
            with timing.phase(timing.ONCE):
                zygote = _RUNNING[key] = Zygote(python, private_view)
        except ZygoteUnavailable as exc:
            _FAILED[key] = str(exc)
            raise
        return zygote


def serving(python: str, private_view: bool, sandbox_dir: Path) -> Zygote | None:
    """The running template whose base holds `sandbox_dir` (None: start that worker fresh)."""
    with _START_LOCK:
        for (key_python, key_view, _hidden), zygote in _RUNNING.items():
            if key_python == python and key_view == private_view and sandbox_dir.parent == zygote.base and zygote.alive:
                return zygote
    return None


def retire(zygote: Zygote, reason: str) -> None:
    """A template that failed: ended, and not started again in this process."""
    with _START_LOCK:
        for key, running in list(_RUNNING.items()):
            if running is zygote:
                del _RUNNING[key]
                _FAILED[key] = reason
    zygote.close()


def close_all() -> None:
    """End every template of this process (tests; a service that stops)."""
    with _START_LOCK:
        for zygote in _RUNNING.values():
            zygote.close()
        _RUNNING.clear()
        _FAILED.clear()


atexit.register(close_all)
