"""grade-all on a Dask cluster: each task grades one submission on a worker machine, the client records.

Why this shape: a worker runs exactly what the local pool runs (`batch.run_grader`: `autograder
grade`'s code in a grading service per worker thread, kept from one task to the next, or a fresh
subprocess with AUTOGRADER_GRADING_SERVICE=0, with this machine's sandbox and limits), on a private unpacked
copy of the submission it received as bytes; the result comes back as data and only the client
writes OUT (`batch.record`), so resume, --only, --tests merging, grades.csv and report.html are the
same on every route. Dask is imported lazily: a TA's laptop needs none of it.
"""

from __future__ import annotations

import atexit
import hashlib
import io
import logging
import os
import sys
import tarfile
import tempfile
import threading
import uuid
from collections import Counter
from contextlib import contextmanager
from functools import partial
from pathlib import Path, PurePosixPath
from typing import Any, Iterator

from autograder.classroom.batch import (
    OUTPUT,
    Entry,
    Graded,
    Interrupted,
    Job,
    Outcome,
    Refused,
    Result,
    Running,
    plan,
    record,
    run_grader,
)
from autograder.classroom.service import Services
from autograder.course.assignment import ASSIGNMENT_ENV
from autograder.course.launch import isolate_spawned_pythons
from autograder.course.paths import ASSIGNMENTS_DIR, GRADING_TESTS, PROJECT_ROOT
from autograder.intake.safe_unpack import MAX_FILE_BYTES, MAX_TOTAL_BYTES, holds_code

INSTALL_HINT = ("grade-all on a cluster needs the Dask extra: run `bash setup.sh --cluster` "
                "(or `AUTOGRADER_EXTRAS=cluster bash setup.sh`)")
GRADE_CONNECT_TIMEOUT = 30  # seconds to reach a scheduler before saying it cannot be reached
WORKERS_START_TIMEOUT = 120  # seconds for a local cluster's workers to start


class MissingExtra(Exception):
    """The cluster extra (dask, distributed) is not installed: a one-line error, exit status 2."""


def require_dask() -> None:
    try:
        import distributed  # noqa: F401
    except ImportError:
        raise MissingExtra(INSTALL_HINT) from None


# ---------------------------------------------------------------- the submission as bytes

def pack(path: Path) -> bytes:
    """The submission (folder or file) as an uncompressed tar; symlinks travel as links, never followed.

    In bounded memory, as the grader would read it: a file over the intake's cap travels as its
    first cap + 1 bytes (the worker's grader refuses it as "too large", as locally), and once the
    files that hold no code reach the intake's total, the rest of them travel empty."""
    buffer, budget = io.BytesIO(), [MAX_TOTAL_BYTES + 1]

    def bounded(info: tarfile.TarInfo) -> tarfile.TarInfo:
        if info.isfile():
            info.size = min(info.size, MAX_FILE_BYTES + 1)
            if not holds_code(info.name):
                info.size = min(info.size, max(budget[0], 0))
                budget[0] -= info.size
        return info

    with tarfile.open(fileobj=buffer, mode="w") as tar:
        tar.add(path, arcname=path.name, recursive=True, filter=bounded)
    return buffer.getvalue()


def unpack(blob: bytes, dest: Path) -> Path:
    """Folders, files and symlinks only, each written inside `dest` (never through a link); the
    unpacked submission's path."""
    root = dest.resolve()
    with tarfile.open(fileobj=io.BytesIO(blob), mode="r:") as tar:
        members = tar.getmembers()
        for member in members:
            parts = PurePosixPath(member.name).parts
            if not parts or PurePosixPath(member.name).is_absolute() or ".." in parts:
                raise ValueError(f"unsafe name in the submission's archive: {member.name!r}")
            target = root.joinpath(*parts)
            if Path(os.path.realpath(target.parent)) != target.parent or os.path.lexists(target) and not member.isdir():
                raise ValueError(f"archive entry {member.name!r} would be written through a link or twice")
            target.parent.mkdir(parents=True, exist_ok=True)
            if member.isdir():
                target.mkdir(exist_ok=True)
            elif member.isfile():
                source = tar.extractfile(member)
                target.write_bytes(source.read() if source is not None else b"")
            elif member.issym():
                os.symlink(member.linkname, target)
    if not members:
        raise ValueError("empty archive")
    return root / PurePosixPath(members[0].name).parts[0]


# ---------------------------------------------------------------- on the worker

def fingerprint() -> str:
    """sha256 of what decides a grade (the assignments, the tasks' rubric.toml and hidden tests, the grader's code): a worker
    with another version of the project would grade differently, so it refuses."""
    digest = hashlib.sha256()
    files = [*sorted(ASSIGNMENTS_DIR.glob("*.toml")), *sorted(GRADING_TESTS.rglob("rubric.toml")),
             *sorted(GRADING_TESTS.rglob("*.py")), *sorted((PROJECT_ROOT / "autograder").rglob("*.py"))]
    for file in files:
        digest.update(file.relative_to(PROJECT_ROOT).as_posix().encode() + b"\0" + file.read_bytes())
    return digest.hexdigest()


_CHECKED: dict[bool, str | None] = {}


def sandbox_problem(unprotected: bool) -> str | None:
    """Why this machine must not grade (None: it may), checked as `grade-all` does locally, once per
    worker process."""
    if unprotected not in _CHECKED:
        from autograder.course.rubric import load_rubric
        from autograder.grading.session import refusal

        _CHECKED[unprotected] = refusal(load_rubric().limits, unprotected)
    return _CHECKED[unprotected]


def worker_problem(unprotected: bool, expected: str) -> str | None:
    """Why this worker refuses to grade, if it does."""
    if fingerprint() != expected:
        return ("its project differs from the client's (assignments, rubrics, hidden tests or grader code): install "
                "the same version of the project on every worker")
    return sandbox_problem(unprotected)


_RUNNING: dict[str, list[Running]] = {}  # this worker's graders by batch, so the client can end them
_SERVICES = Services()  # this worker's grading services, one per thread, kept from one task to the next


def close_services() -> None:
    """At the worker's exit: its idle services end (they would at their stdin's end anyway)."""
    _SERVICES.close()


atexit.register(close_services)


def stop_graders(batch: str) -> int:
    """Run on every worker by the client's Ctrl-C: end this batch's graders as the local pool does
    (SIGTERM, SIGKILL after the grace period), all at once, before the client goes."""
    threads = [threading.Thread(target=running.stop, daemon=True) for running in list(_RUNNING.get(batch, ()))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return len(threads)


def grader_env(unprotected: bool, assignment: str | None) -> dict[str, str]:
    """The environment of this worker's graders for a batch (its tasks', and its services started ahead)."""
    from autograder.grading.session import UNPROTECTED_ENV

    return {**os.environ, **({UNPROTECTED_ENV: "1"} if unprotected else {}),
            **({ASSIGNMENT_ENV: assignment} if assignment else {})}


def prestart_services(threads: int, unprotected: bool, assignment: str | None) -> None:
    """On a worker as it joins the batch (cluster_warmup.WarmServices): one grading service per
    thread, started now, each warming up (imports, sandbox probes, worker template) before any task;
    those it kept from an earlier batch of the same environment count."""
    env = grader_env(unprotected, assignment)
    with _SERVICES.lock:
        kept = sum(s.env == env and s.alive() for s in _SERVICES.every)
    _SERVICES.prestart(threads - kept, env=env)


def end_spare_services(unprotected: bool, assignment: str | None) -> None:
    """On a worker as a batch ends (cluster_warmup.WarmServices): the services it started ahead for
    that environment that no task took end, so a long-lived worker keeps nothing for a batch that is over."""
    _SERVICES.end_spares(grader_env(unprotected, assignment))


def grade_remote(name: str, blob: bytes, tests: str | None, timeout: float, unprotected: bool,
                 expected: str, batch: str, assignment: str | None = None) -> Graded:
    """The Dask task: unpack into a private temporary folder, grade as locally, send back the result."""
    from distributed import get_worker

    where = get_worker().address
    problem = worker_problem(unprotected, expected)
    if problem:
        raise Refused(f"worker {where} refuses to grade: {problem}")
    running = Running()
    _RUNNING.setdefault(batch, []).append(running)
    try:
        with tempfile.TemporaryDirectory(prefix="autograder-task-") as tmp:
            inbox, work = Path(tmp) / "submission", Path(tmp) / "out"
            inbox.mkdir()
            work.mkdir()
            graded = run_grader(unpack(blob, inbox), work, tests, timeout, running, grader_env(unprotected, assignment),
                                _SERVICES)
            log = work / OUTPUT
            graded.output = log.read_bytes() if log.exists() else b""
    finally:
        _RUNNING[batch].remove(running)
    graded.worker = where
    return graded


# ---------------------------------------------------------------- on the client

class DaskRunner:
    """Grades through a Dask client: a bounded window of tasks in flight (the submissions' bytes are
    not all held by the scheduler at once), results recorded as they arrive."""

    def __init__(self, client: Any, unprotected: bool = False, window: int | None = None) -> None:
        self.client = client
        self.unprotected = unprotected
        self.window = window
        self.counts: Counter[str] = Counter()
        self.batch = f"batch-{uuid.uuid4().hex}"
        self.expected = fingerprint()
        self.lost = ""  # why the batch stopped early, when the scheduler went away
        self.assignment = os.environ.get(ASSIGNMENT_ENV)  # grade-all's, for the workers' graders

    def start(self, todo: list[Entry], out: Path, tests: str | None, timeout: float) -> None:
        from distributed import as_completed

        self.out, self.tests, self.timeout = out, tests, timeout
        self.pending = iter(todo)
        self.jobs: dict[str, tuple[Job, Any]] = {}
        self.completed = as_completed()
        slots = sum(self.client.nthreads().values())
        for _ in range(self.window or max(8, 2 * slots)):
            self._submit_next()

    def _submit_next(self) -> None:
        entry = next(self.pending, None)
        if entry is None:
            return
        job = plan(entry, self.out, self.tests)
        future = self.client.submit(grade_remote, entry.name, pack(entry.path), job.tests, self.timeout,
                                    self.unprotected, self.expected, self.batch, self.assignment,
                                    key=f"grade-{uuid.uuid4().hex[:12]}", pure=False)
        self.jobs[future.key] = (job, future)
        self.completed.add(future)

    def results(self) -> Iterator[tuple[Entry, Result]]:
        for future in self.completed:
            job, _ = self.jobs[future.key]  # kept until recorded: a Ctrl-C meanwhile still finds it
            self._submit_next()
            yield job.entry, partial(self._result, job, future)

    def _result(self, job: Job, future: Any) -> Outcome:
        from distributed import KilledWorker

        try:
            graded = future.result()
        except KilledWorker:
            graded = Graded(None, False, 0.0, None, failure="Grading this submission ended every Dask worker "
                            "that tried it (allowed-failures reached), so it was not retried again")
        except Refused:
            raise
        except Exception as exc:
            if future.status == "error":  # the task itself failed: this submission's row says so
                raise
            self.lost = (f"lost the Dask scheduler ({type(exc).__name__}: {exc}); run the same command again "
                         "to grade the rest")
            raise Interrupted(self.lost) from None
        outcome = record(job, graded, self.timeout)
        self.jobs.pop(future.key, None)
        self.counts[graded.worker or "?"] += 1
        return outcome

    def stop(self) -> list[tuple[Entry, Result]]:
        """Ctrl-C: cancel what waits, end the graders that run on every worker, keep what finished."""
        finished = [(job.entry, partial(self._result, job, f)) for job, f in self.jobs.values()
                    if f.status == "finished"]
        if self.lost:  # the scheduler is gone: each call below would wait 30 s for it, for nothing
            return finished
        try:
            self.client.cancel([f for _, f in self.jobs.values() if f.status != "finished"], force=True)
            self.client.run(stop_graders, self.batch)
        except Exception:  # the scheduler is already gone
            pass
        return finished

    def postfix(self, entry: Entry) -> str:
        """Per-worker counts next to the progress bar: `127.0.0.1:40123 5, 127.0.0.1:40125 7`."""
        return ", ".join(f"{w.rsplit('://', 1)[-1]} {n}" for w, n in sorted(self.counts.items()))

    def close(self) -> None:
        self.completed.clear()


def parse_local(spec: str) -> int:
    """`local:N` (checked by inputs.route) -> N worker processes."""
    return int(spec.partition(":")[2])


@contextmanager
def connect(scheduler: str | None, local: int | None, say: Any = print) -> Iterator[Any]:
    """A Dask client on the scheduler at `scheduler`, or on a local cluster of `local` worker processes
    (one grader each, loopback only); says the dashboard link when there is one."""
    require_dask()
    from distributed import Client, LocalCluster

    # Dask logs a lost scheduler with tracebacks; the client says it in one line (DaskRunner.lost).
    for name in ["distributed", *logging.root.manager.loggerDict]:
        if name.startswith("distributed"):  # its config gives some loggers levels of their own
            logging.getLogger(name).setLevel(logging.CRITICAL)

    cluster = None
    if local:
        isolate_spawned_pythons()  # the workers are spawned from the TA's folder, perhaps the class folder
        cluster = LocalCluster(n_workers=0, threads_per_worker=1, processes=True, host="127.0.0.1",
                               memory_limit=0, dashboard_address=None, silence_logs=40)
        cluster.scale(local)  # they start meanwhile (the batch's own checks run): `ready` waits for them
    try:
        client = Client(cluster if cluster is not None else scheduler, timeout=GRADE_CONNECT_TIMEOUT)
    except OSError as exc:
        if cluster is not None:
            cluster.close()
        raise Interrupted(f"cannot reach the Dask scheduler at {scheduler}: {exc}") from None
    try:
        yield client
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def _dashboard(client: Any) -> str:
    try:
        return str(client.dashboard_link) if "dashboard" in client.scheduler_info()["services"] else ""
    except Exception:
        return ""


def ready(client: Any, local: int | None, say: Any = print) -> None:
    """Wait for a local cluster's workers (started by `connect`), then say where the batch grades."""
    if local:
        try:
            client.wait_for_workers(local, timeout=WORKERS_START_TIMEOUT)
        except TimeoutError:
            raise Interrupted(f"the local cluster's {local} worker(s) did not start within "
                              f"{WORKERS_START_TIMEOUT} s") from None
    link = _dashboard(client)
    workers = len(client.scheduler_info().get("workers", {}))
    say(f"Dask: {workers} worker(s) at {client.scheduler.address}" + (f"; dashboard: {link}" if link else ""))


def preflight(client: Any, unprotected: bool) -> None:
    """Every worker present says now whether it will grade, so a bad one is named before anything runs."""
    problems = client.run(worker_problem, unprotected, fingerprint())
    if not problems:
        raise Refused("the Dask scheduler has no worker: start one with `dask worker <scheduler address>` "
                      "(docs/cluster.md)")
    bad = [f"worker {w} refuses to grade: {p}" for w, p in sorted(problems.items()) if p]
    if bad:
        raise Refused("; ".join(bad))
