"""Grader side of the worker: start it, call student functions with a deadline, restart on death.

The grading process never imports student code: it sends a request over a pipe and reads a plain
reply before the deadline, measuring wall and CPU time itself so the student cannot fake them.
A call that hangs or kills the worker fails alone; the next call gets a fresh worker.
"""

from __future__ import annotations

import io
import json
import os
import select
import shutil
import signal
import subprocess
import time
import weakref
from pathlib import Path
from typing import Any, Callable

from autograder.course import timing
from autograder.course.tasks import probe_files
from autograder.intake.manifest import DEFINITIONS_ONLY, build_manifest
from autograder.intake.submission import Submission
from autograder.sandbox import basic, processes, wire, zygote
from autograder.sandbox.basic import new_sandbox_dir
from autograder.sandbox.policy import SandboxPolicy
from autograder.sandbox.replies import (
    BudgetExhausted,
    DiskQuotaExceeded,
    GraderFault,
    LoadReport,
    MissingName,
    Reply,
    StudentCodeError,
    WorkerDied,
    WorkerError,
    WorkerTimeout,
    describe_exit,
    load_report,
    student_error,
)

RUNTIME_FILES = ("wire.py", "worker_main.py", "convert.py", "probes.py", "identity.py", "looptrace.py")
TASK_PROBES_PREFIX = "task_probes_"  # worker_main imports every such file of its runtime folder
RUNTIME_DIR = Path(__file__).resolve().parent
GUARD_INTERVAL = 1.0  # seconds between checks of what a basic-mode worker wrote to disk
__all__ = ["BudgetExhausted", "DiskQuotaExceeded", "GraderFault", "LoadReport", "MissingName", "Reply", "StudentCodeError",
           "Worker", "WorkerDied", "WorkerError", "WorkerTimeout", "new_sandbox_dir", "trusted_worker"]


class _Deadline:
    """File-like reader/writer over a pipe fd that gives up at a fixed time; `guard` is called
    about once a second while waiting and may raise to stop the wait."""

    def __init__(self, fd: int, deadline: float, guard: Callable[[], None] | None = None) -> None:
        self.fd, self.deadline, self.guard = fd, deadline, guard

    def _wait(self, for_write: bool) -> None:
        while True:
            remaining = self.deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError
            step = min(remaining, GUARD_INTERVAL) if self.guard else remaining
            ready = select.select([], [self.fd], [], step) if for_write else select.select([self.fd], [], [], step)
            if any(ready):
                return
            if self.guard:
                self.guard()

    def read(self, size: int) -> bytes:
        self._wait(False)
        return os.read(self.fd, min(size, 1 << 20))

    def write_all(self, data: bytes) -> None:
        view = memoryview(data)
        while view:
            self._wait(True)
            written = os.write(self.fd, view[: 1 << 16])
            view = view[written:]


def budget_message(budget: float) -> str:
    return (f"Grading reached its time budget ({budget:g} s for all tests together) before this test could "
            "finish, so it scored 0. Make slow functions faster (or stop infinite loops): then every test runs.")


def trusted_worker(policy: SandboxPolicy, run_dir: Path, deadline: float | None = None) -> Worker:
    """A worker that loads no student code, sandboxed like the student's (same limits, same pipe):
    the yardsticks of speed checks are timed there, out of any submission's reach. As root it runs
    as a sandbox user of its own: a student's process that escaped its tree cannot pause it."""
    own_policy = policy.another_user() if policy.uid is not None else policy
    sandbox = own_policy.new_sandbox_dir()  # forked from the template too, where it serves
    own_run_dir = Path(run_dir) / "yardstick"
    own_run_dir.mkdir(parents=True, exist_ok=True)
    worker = Worker(build_manifest(Submission(), {}, sandbox), own_run_dir, own_policy, sandbox, role="yardstick")
    if own_policy is not policy:
        weakref.finalize(worker, own_policy.close)  # its user is given back with the worker
    worker.deadline = deadline
    return worker


class Worker:
    """One sandboxed process serving one submission; restarted after a timeout or a crash.

    `run_dir` is the grader's private folder (the worker's output log); `sandbox_dir` holds what
    the worker may read (runtime, code, files) and its working folder.
    """

    def __init__(self, manifest: dict[str, Any], run_dir: Path, policy: SandboxPolicy, sandbox_dir: Path,
                 role: str = "student") -> None:
        self.role = role  # "student", or "yardstick" for the trusted worker: names its timing phases
        self.policy = policy
        self.run_dir = run_dir
        self.sandbox_dir = sandbox_dir
        self.runtime = self.sandbox_dir / "runtime"
        self.workdir = self.sandbox_dir / "work"
        self.log_path = run_dir / "worker-output.txt"
        self.manifest = manifest
        self.proc: subprocess.Popen[bytes] | zygote.ZygoteChild | None = None
        self.report: LoadReport | None = None
        self.broken: str | None = None
        self.starts = 0
        self.definitions_only = False  # set once loading as submitted failed: see _retry_definitions_only
        self.deadline: float | None = None  # time.monotonic() at which the grading budget runs out
        self._request_id = 0
        self._req_w = self._resp_r = -1
        self._log_offset = 0
        self._stage()
        # the copies of the student's data files a worker makes in its working folder are the grader's
        # doing: never charged against the student's workspace (basic mode's guard, bubblewrap's tmpfs)
        self.data_bytes = sum(basic.tree_bytes(Path(p)) for p in manifest.get("files", {}).values())

    def _stage(self) -> None:
        self.runtime.mkdir(parents=True, exist_ok=True)
        os.chmod(self.run_dir, 0o700)  # the worker's output log: the grader's eyes only
        for name in RUNTIME_FILES:
            shutil.copy2(RUNTIME_DIR / name, self.runtime / name)
        for task, path in probe_files().items():  # each task's own probes, registered on import
            shutil.copy2(path, self.runtime / f"{TASK_PROBES_PREFIX}{task}.py")
        (self.runtime / "manifest.json").write_text(json.dumps(self.manifest), encoding="utf-8")
        self.policy.prepare_dir(self.sandbox_dir, writable=False)

    def _fresh_workdir(self) -> None:
        shutil.rmtree(self.workdir, ignore_errors=True)
        self.workdir.mkdir(parents=True)
        self.policy.prepare_dir(self.workdir, writable=True)

    def start(self) -> LoadReport:
        """Start (or restart) the worker and wait until the submission is loaded."""
        self.close()
        with timing.phase(f"worker start and loading ({self.role})"):
            return self._start()

    def _start(self) -> LoadReport:
        self._fresh_workdir()
        self.starts += 1
        req_r, req_w = os.pipe()
        resp_r, resp_w = os.pipe()
        log = open(os.open(self.log_path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600), "ab")
        self._log_offset = log.tell()
        env = {**zygote.WORKER_ENV, "HOME": str(self.workdir), "MPLCONFIGDIR": str(self.workdir),
               "CUDA_VISIBLE_DEVICES": os.environ.get("CUDA_VISIBLE_DEVICES", "")}
        if not env["CUDA_VISIBLE_DEVICES"]:
            del env["CUDA_VISIBLE_DEVICES"]
        argv = [str(self.runtime / "worker_main.py"), str(self.runtime / "manifest.json"), str(req_r), str(resp_w)]
        argv += [DEFINITIONS_ONLY] if self.definitions_only else []
        try:
            self.proc = self._from_template(argv, env, req_r, resp_w, log.fileno())
            if self.proc is None:
                self.policy.fresh_workers += 1
                self.proc = subprocess.Popen(self.policy.command(argv, self.sandbox_dir, self.workdir, self.data_bytes), cwd=self.workdir, env=env,
                                             stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                                             pass_fds=(req_r, resp_w), preexec_fn=self.policy.preexec,
                                             start_new_session=True)
        finally:
            os.close(req_r)
            os.close(resp_w)
            log.close()
        processes.LIVE_WORKERS.add(self.proc.pid)
        self._req_w, self._resp_r = req_w, resp_r
        try:
            ready = self._receive(time.monotonic() + min(self.policy.limits.load_timeout, self.remaining()))
            report = load_report(ready)
            report.stdout = self._new_output()
        except TimeoutError:
            report = LoadReport(fatal=f"loading your code took longer than {self.policy.limits.load_timeout:.0f} s "
                                      "(is there long-running code at the top level, outside any function?)")
        except DiskQuotaExceeded as exc:
            report = LoadReport(fatal=f"loading your code stopped: {exc}")
        except (EOFError, wire.WireError, OSError):
            code = self._reap()
            if isinstance(self.proc, zygote.ZygoteChild) and self.proc.fault:
                return self._without_template(self.proc.fault)
            report = LoadReport(fatal="loading your code ended the process: " + describe_exit(code))
        if report.fatal:
            report.stdout = self._new_output()
            self.close()
            if not self.definitions_only and self.remaining() > 0:
                return self._retry_definitions_only(report.fatal)
            self.broken = report.fatal
        if self.report is None:
            self.report = report
        return report

    def _from_template(self, argv: list[str], env: dict[str, str], req_r: int, resp_w: int,
                       log_fd: int) -> zygote.ZygoteChild | None:
        """The worker forked from the pre-started template, where it serves this sandbox folder
        (None: start a fresh interpreter; a template that fails is reported and not used again)."""
        template = self.policy.template_for(self.sandbox_dir)
        if template is None:
            return None
        spec = self.policy.child_spec(argv, self.sandbox_dir, self.workdir, self.data_bytes, env)
        try:
            return template.spawn(spec, req_r, resp_w, log_fd)
        except zygote.ZygoteUnavailable as exc:
            zygote.retire(template, str(exc))
            self.policy.protections.worker_start = f"fresh interpreter per worker ({exc})"
            return None

    def _without_template(self, fault: str) -> LoadReport:
        """The template failed to isolate this worker (its fault, not the submission's): retired for
        this process, said in the protections, and the worker started fresh instead."""
        template = self.policy.template_for(self.sandbox_dir)
        if template is not None:
            zygote.retire(template, f"the worker template failed: {fault}")
        self.policy.protections.worker_start = f"fresh interpreter per worker (the worker template failed: {fault})"
        self.close()
        self.starts -= 1
        return self._start()

    def _retry_definitions_only(self, reason: str) -> LoadReport:
        """Load again with only imports, definitions and constants: a notebook that trains at the
        top level, or a file that hangs or exits while loading, still has its functions graded.
        That form was staged with the code by the manifest: nothing is parsed or written here."""
        self.definitions_only = True
        report = self._start()  # already inside start()'s timing
        if not report.fatal:
            report.degraded = reason
            self.report = report
        return report

    def _receive(self, deadline: float) -> dict[str, Any]:
        return wire.read_message(_Deadline(self._resp_r, deadline, self._guard))  # type: ignore[arg-type]

    @property
    def _guard(self) -> Callable[[], None] | None:
        return None if self.policy.private_view else self._check_disk

    def _check_disk(self) -> None:
        limit = self.policy.limits.workspace_mb
        if self.policy.disk_bytes(self.workdir) - self.data_bytes > limit * 1024 * 1024:
            raise DiskQuotaExceeded(f"your code wrote more than {limit} MB of files; it was stopped")

    def cpu_seconds(self) -> float:
        """CPU time used so far by the worker and every process it started (measured here)."""
        return processes.tree_cpu_seconds(self.proc.pid) if self.proc is not None else 0.0

    def freeze(self, frozen: bool) -> None:
        """Stop the worker's processes while a yardstick is timed elsewhere (and resume them)."""
        if self.proc is not None and self.proc.poll() is None:
            processes.freeze_tree(self.proc.pid, frozen)

    def _reap(self) -> int | None:
        if self.proc is None:
            return None
        try:
            return self.proc.wait(timeout=2)
        except subprocess.TimeoutExpired:
            return None

    def _new_output(self) -> str:
        limit = self.policy.limits.output_kb * 1024
        try:
            with open(self.log_path, "rb") as fh:
                fh.seek(self._log_offset)
                data = fh.read(limit + 1)
                end = fh.seek(0, io.SEEK_END)
        except OSError:
            return ""
        self._log_offset = end
        text = data[:limit].decode("utf-8", "replace")
        return text + (f"\n... [output cut at {self.policy.limits.output_kb} KB]" if len(data) > limit else "")

    def remaining(self) -> float:
        """Seconds left in the grading budget (infinite without one)."""
        return float("inf") if self.deadline is None else self.deadline - time.monotonic()

    def check_budget(self) -> None:
        if self.remaining() <= 0:
            raise BudgetExhausted(budget_message(self.policy.limits.grading_budget))

    def request(self, message: dict[str, Any], timeout: float | None = None) -> Reply:
        """Send one request; raise a WorkerError subclass for anything but a normal return."""
        if self.broken:
            raise WorkerDied(self.broken)
        self.check_budget()
        if self.proc is None or self.proc.poll() is not None:
            if self.start().fatal:
                self.check_budget()
                raise WorkerDied(self.broken or "the worker could not start")
        assert self.proc is not None
        asked = timeout or self.policy.limits.call_timeout
        timeout = min(asked, self.remaining())
        self.check_budget()
        # unpredictable: code in the worker cannot write a reply ahead of a request it has not seen
        self._request_id = int.from_bytes(os.urandom(8), "big") >> 1
        buffer = io.BytesIO()
        wire.write_message(buffer, {**message, "id": self._request_id})
        cpu0, t0 = self.cpu_seconds(), time.perf_counter()
        deadline = time.monotonic() + timeout
        try:
            _Deadline(self._req_w, deadline, self._guard).write_all(buffer.getvalue())
            response = self._receive(deadline)
        except DiskQuotaExceeded:
            self.close()
            raise
        except TimeoutError:
            self.close()
            if timeout < asked:
                raise BudgetExhausted(budget_message(self.policy.limits.grading_budget)) from None
            raise WorkerTimeout(f"the call did not finish within its time limit of {timeout:g} s "
                                "(infinite loop, or far too slow?)") from None
        except wire.WireError as exc:
            self.close()
            raise WorkerDied(f"the result could not be accepted ({exc}): return plain numbers or arrays "
                             "of a reasonable size") from None
        except (EOFError, OSError):
            code = self._reap()
            self.close()
            raise WorkerDied(describe_exit(code)) from None
        wall, cpu = time.perf_counter() - t0, self.cpu_seconds() - cpu0
        timing.add(f"calls ({self.role})", wall)
        if response.get("id") != self._request_id:
            self.close()
            raise WorkerDied("the worker's answers got out of step (does your code fork processes that keep "
                             "running?); it was restarted")
        stdout = self._new_output()
        if response.get("ok"):
            return Reply(response.get("value"), stdout, wall, cpu, response.get("trace"))
        if "missing" in response:
            raise MissingName(f"`{str(response['missing'])[:100]}` is not defined in your submission")
        error = student_error(response.get("error"))
        if error.get("grader_fault"):
            raise GraderFault(error["message"])
        raise StudentCodeError(error)

    def close(self) -> None:
        for fd in (self._req_w, self._resp_r):
            if fd >= 0:
                try:
                    os.close(fd)
                except OSError:
                    pass
        self._req_w = self._resp_r = -1
        if self.proc is not None:
            processes.kill_tree(self.proc.pid)  # the tree first: once the top dies, children scatter
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
            self.proc.wait()
            processes.LIVE_WORKERS.discard(self.proc.pid)
            self.proc = None
        processes.sweep_orphans(keep=processes.LIVE_WORKERS, quiet=self.policy.orphan_quiet)  # what double-forked or setsid'ed its way out
