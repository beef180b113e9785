"""The batch's side of the grading service: one long-lived grader process per slot (issue 27).

Why: a fresh `autograder grade` per submission spends about a second starting Python, importing
pytest, numpy and the engine and probing the sandbox before it grades anything. Each slot of a batch
(a thread of the local pool, of a Dask worker) keeps one service (autograder/verbs/serve.py),
started lazily, isolated as any grader is (`python -I`, TRUSTED_CWD, a session of its own), and
hands it one submission at a time. A job that runs out of time has the service's whole process
tree killed, a service that dies mid-job gives that job what a crashed grader gives; either way the
slot's next job starts a new service. AUTOGRADER_GRADING_SERVICE=0 grades with a fresh process per
submission as before (batch._run_grader), for comparison.
"""

from __future__ import annotations

import json
import os
import select
import shutil
import subprocess
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from autograder.course.launch import TRUSTED_CWD, grader_command

SERVICE_ENV = "AUTOGRADER_GRADING_SERVICE"
TIMED_OUT = object()
CLOSE_GRACE = 5.0  # seconds an idle service has to exit once its stdin is closed


def enabled() -> bool:
    """Whether batches grade through services (default) or a fresh process per submission (=0)."""
    return os.environ.get(SERVICE_ENV, "1") != "0"


def kill_tree(proc: subprocess.Popen) -> None:
    """Freeze then kill the grader and everything below it (its worker is in another session)."""
    from autograder.sandbox.processes import freeze_tree, kill_tree as kill

    freeze_tree(proc.pid, True, strays=False)  # the batch's other children are other slots' graders
    kill(proc.pid)
    proc.wait()


class GradingService:
    """One service process; `grade` gives it a job and waits for its answer."""

    def __init__(self, env: dict[str, str] | None, first_log: Path, startup: bool = False) -> None:
        """`first_log` takes what it says before its first job: that job's log, or (`startup`) a file
        whose text `hand_over_startup` puts at the head of its first job's log."""
        self.env = env
        self.startup = first_log if startup else None
        read, write = os.pipe()
        try:
            with open(first_log, "wb") as log:  # what it says while starting belongs to its first job
                self.proc = subprocess.Popen(grader_command("serve", "--reply-fd", str(write)), stdin=subprocess.PIPE,
                                             stdout=log, stderr=subprocess.STDOUT, pass_fds=(write,),
                                             start_new_session=True, env=env, cwd=TRUSTED_CWD)
        except BaseException:
            os.close(read)
            raise
        finally:
            os.close(write)
        self.replies = read
        self.pending = b""

    def alive(self) -> bool:
        return self.proc.poll() is None

    def grade(self, path: Path, out: Path, log: Path, tests: str | None, timeout: float,
              running: Any) -> tuple[int | None, bool]:
        """(return code, timed out) of grading one submission, as batch._run_grader gives for a process."""
        running.procs.add(self.proc)
        try:
            if running.stopping:  # started while the batch was being stopped
                self.kill()
                return None, False
            job = {"path": os.path.abspath(path), "out": os.path.abspath(out), "log": os.path.abspath(log), "tests": tests}
            try:
                assert self.proc.stdin is not None
                self.proc.stdin.write(json.dumps(job).encode() + b"\n")
                self.proc.stdin.flush()
            except (BrokenPipeError, OSError):  # it died before this job
                return self.proc.wait(), False
            reply = self._reply(time.monotonic() + timeout)
            if reply is TIMED_OUT:
                self.kill()
                return None, True
            if reply is None:  # died mid-job (its reply pipe closed): as a crashed grader
                return self.proc.wait(), False
            return int(reply["returncode"]), False
        finally:
            running.procs.discard(self.proc)

    def _reply(self, deadline: float) -> Any:
        """The next reply, TIMED_OUT past `deadline`, or None at end of file (the service is gone)."""
        while b"\n" not in self.pending:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self.replies], [], [], left)[0]:
                return TIMED_OUT
            chunk = os.read(self.replies, 4096)
            if not chunk:
                return None
            self.pending += chunk
        line, _, self.pending = self.pending.partition(b"\n")
        return json.loads(line)

    def hand_over_startup(self, log: Path) -> None:
        """Put what a pre-started service said before its first job at the head of that job's log."""
        if self.startup is None:
            return
        startup, self.startup = self.startup, None
        try:
            said = startup.read_bytes()
            startup.unlink()
            if said:
                log.write_bytes(said + log.read_bytes())
        except OSError:
            pass

    def kill(self) -> None:
        kill_tree(self.proc)
        self.close()

    def close(self) -> None:
        """End it: stdin closed, it exits after its current job; killed if it does not in CLOSE_GRACE."""
        try:
            if self.proc.stdin is not None:
                self.proc.stdin.close()
        except OSError:
            pass
        if self.proc.poll() is None:
            try:
                self.proc.wait(timeout=CLOSE_GRACE)
            except subprocess.TimeoutExpired:
                kill_tree(self.proc)
        if self.replies >= 0:
            os.close(self.replies)
            self.replies = -1


class Services:
    """The services of one pool: one per thread (and grader environment), started on first use or
    taken from those `prestart` started ahead."""

    def __init__(self) -> None:
        self.local = threading.local()
        self.lock = threading.Lock()
        self.every: set[GradingService] = set()
        self.spare: list[GradingService] = []
        self.startup_logs: str | None = None
        self.prestarted = 0  # numbers the start-up logs: never two alive under one name

    def prestart(self, count: int, env: dict[str, str] | None = None) -> None:
        """Start `count` services now, in `env` (None: the environment as it is), each importing and
        warming up (sandbox probes, worker template) while the batch finishes getting ready."""
        if not enabled() or count <= 0:
            return
        self.startup_logs = self.startup_logs or tempfile.mkdtemp(prefix="ag-services-")  # 0700: the TA's alone
        for _ in range(count):
            self.prestarted += 1
            service = GradingService(env, Path(self.startup_logs) / f"service-{self.prestarted}.log", startup=True)
            with self.lock:
                self.spare.append(service)
                self.every.add(service)

    def _take_spare(self, env: dict[str, str] | None) -> GradingService | None:
        """A pre-started service for this environment (one that died starting is ended and skipped)."""
        while True:
            with self.lock:
                if not self.spare:
                    return None
                service = self.spare.pop(0)
            if service.env == env and service.alive():
                return service
            self._drop(service)

    def grade(self, path: Path, out: Path, log: Path, tests: str | None, timeout: float, running: Any,
              env: dict[str, str] | None = None) -> tuple[int | None, bool]:
        """Grade with this thread's service, started or replaced as needed; a dead one is replaced next time."""
        service = getattr(self.local, "service", None)
        if service is not None and (service.env != env or not service.alive()):
            self._drop(service)
            service = None
        started_here = False
        if service is None:
            service = self._take_spare(env)
            if service is None:
                service, started_here = GradingService(env, log), True  # what it says starting: in this log
                with self.lock:
                    self.every.add(service)
            self.local.service = service
        if not started_here:
            open(log, "wb").close()  # the job's log starts empty, as a fresh grader's
        returncode, timed_out = service.grade(path, out, log, tests, timeout, running)
        service.hand_over_startup(log)
        if not service.alive():
            self._drop(service)
        return returncode, timed_out

    def _drop(self, service: GradingService) -> None:
        service.close()
        with self.lock:
            self.every.discard(service)
        if getattr(self.local, "service", None) is service:
            self.local.service = None

    def end_spares(self, env: dict[str, str] | None) -> None:
        """End the services started ahead for environment `env` that no job took."""
        with self.lock:
            unused = [s for s in self.spare if s.env == env]
            self.spare = [s for s in self.spare if s.env != env]
            self.every.difference_update(unused)
        _terminate(unused)
        _close_all(unused)

    def close(self) -> None:
        """End every service of the pool (idle ones exit at once; each is killed after CLOSE_GRACE)."""
        with self.lock:
            services, self.every, unused, self.spare = list(self.every), set(), self.spare, []
        _terminate(unused)
        _close_all(services)
        if self.startup_logs is not None:
            shutil.rmtree(self.startup_logs, ignore_errors=True)
            self.startup_logs = None


def _terminate(unused: list[GradingService]) -> None:
    """Services no job took may still be warming up: SIGTERM ends each in order, its template too."""
    for service in unused:
        if service.alive():
            service.proc.terminate()


def _close_all(services: list[GradingService]) -> None:
    """Close them all at once: each may take up to CLOSE_GRACE."""
    threads = [threading.Thread(target=s.close, daemon=True) for s in services]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
