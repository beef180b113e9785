"""Grade a whole class: find the submissions in a folder, grade each outside the batch's process, resumably.

Each submission is graded by a grader process (a slot's grading service, autograder/classroom/service.py,
which keeps its imports from one submission to the next; or, with AUTOGRADER_GRADING_SERVICE=0,
`python -m autograder grade` in a subprocess of its own), so one that crashes, hangs or eats memory
costs only its own row. A submission counts as done once OUT/<name>/results.json exists; the grader
writes into a partial file renamed only when it has finished, so a batch killed half-way resumes
without trusting half-graded results.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator

from autograder.classroom import service
from autograder.classroom.discovery import METADATA_FILE, Entry, Submitter, discover, parse_metadata  # noqa: F401 (re-exported)
from autograder.classroom.status import status_of  # noqa: F401 (re-exported)
from autograder.course.launch import TRUSTED_CWD, grader_command
from autograder.grading.results import ResultsWriter, merge_documents, read_json, write_json_atomic
from autograder.sandbox.basic import hide_from_submissions

RESULTS = "results.json"
PARTIAL = "results.partial.json"
RUN_INFO = "batch.json"
OUTPUT = "output.txt"
DEFAULT_TIMEOUT = 15 * 60


@dataclass
class Outcome:
    """How grading one submission went, kept next to its results as batch.json."""

    name: str
    status: str
    seconds: float
    returncode: int | None = None
    skipped: bool = False
    score: float | None = None
    sha256: str = ""
    previous: dict[str, Any] | None = None  # the results this run replaced, to say what changed

    def info(self) -> dict[str, Any]:
        """What batch.json keeps (the replaced results stay out of it)."""
        return {k: v for k, v in asdict(self).items() if k not in ("previous", "score")}


# ---------------------------------------------------------------- grading one

def _write_zero(path: Path, message: str) -> None:
    """A valid results.json worth 0 for a submission the grader could not finish."""
    writer = ResultsWriter(path)
    writer.output = message
    writer.write()


class Stopped(Exception):
    """The batch was interrupted (Ctrl-C, SIGTERM): this submission was not finished."""


@dataclass
class Running:
    """The grader processes alive right now, so that a stop can end them all at once."""

    procs: set[subprocess.Popen] = field(default_factory=set)
    stopping: bool = False

    def stop(self, grace: float = 2.5) -> None:
        """SIGTERM each grader (it then cleans up its worker and temporary files), SIGKILL its
        whole process tree (the worker has a session of its own) after `grace` seconds."""
        self.stopping = True
        procs = list(self.procs)
        for proc in procs:
            try:
                proc.send_signal(signal.SIGTERM)
            except ProcessLookupError:
                pass
        deadline = time.monotonic() + grace
        for proc in procs:
            try:
                proc.wait(timeout=max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                service.kill_tree(proc)


def content_hash(path: Path) -> str:
    """sha256 of a submission's bytes and file names: resume regrades what changed since. Names as
    bytes (any name, UTF-8 or not), files read in blocks (any size, in bounded memory)."""
    digest = hashlib.sha256()
    files = sorted(p for p in path.rglob("*") if p.is_file() or p.is_symlink()) if path.is_dir() else [path]
    for file in files:
        digest.update(os.fsencode(file.relative_to(path).as_posix()) if path.is_dir() else b"")
        if file.is_symlink():  # never followed: a link to /dev/zero must not hang the batch
            digest.update(b"\1" + os.fsencode(os.readlink(file)))
            continue
        content = hashlib.sha256()
        with open(file, "rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                content.update(block)
        digest.update(b"\0" + content.digest())
    return digest.hexdigest()


def private(path: Path) -> None:
    """Readable by the TA alone: grades and feedback are personal data (folders 0700, files 0600)."""
    try:
        path.chmod(0o700 if path.is_dir() else 0o600)
    except OSError:
        pass


def _run_grader(command: list[str], log_path: Path, timeout: float, running: Running,
                env: dict[str, str] | None = None) -> tuple[int | None, bool]:
    """(return code, timed out) of one grader process."""
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                start_new_session=True, env=env, cwd=TRUSTED_CWD)  # own group: Ctrl-C reaches the batch only
        running.procs.add(proc)
        try:
            if running.stopping:  # started while the batch was being stopped
                service.kill_tree(proc)
                return None, False
            return proc.wait(timeout=timeout), False
        except subprocess.TimeoutExpired:
            service.kill_tree(proc)
            return None, True
        finally:
            running.procs.discard(proc)


@dataclass
class Graded:
    """What one grader process gave back, wherever it ran; only `record` turns it into OUT's files."""

    returncode: int | None
    timed_out: bool
    seconds: float
    document: dict[str, Any] | None
    output: bytes | None = None  # the grader's output when it ran elsewhere (locally it is already in OUT)
    worker: str = ""  # the Dask worker that ran it ("" locally)
    failure: str = ""  # why no grader could finish it (a submission that kept crashing its workers)


@dataclass
class Job:
    """A submission about to be graded, as the client sees it: where its results go and what they replace."""

    entry: Entry
    folder: Path
    digest: str
    old: dict[str, Any] | None
    tests: str | None


def plan(entry: Entry, out: Path, tests: str | None) -> Job:
    """Client side, before grading: the submission's hash and the results a --tests run merges into
    (same content only: a changed submission is regraded in full, its old outcomes being stale)."""
    folder = out / entry.name
    folder.mkdir(parents=True, exist_ok=True)
    private(folder)
    (folder / PARTIAL).unlink(missing_ok=True)
    digest = content_hash(entry.path)
    old = read_json(folder / RESULTS)
    if old is not None and (read_json(folder / RUN_INFO) or {}).get("sha256") != digest:
        old, tests = None, None  # graded from other content: grade every test now
    return Job(entry, folder, digest, old, tests)


def run_grader(path: Path, workdir: Path, tests: str | None, timeout: float, running: Running,
               env: dict[str, str] | None = None, services: service.Services | None = None) -> Graded:
    """Grade `path` as `autograder grade` does (isolated: launch.grader_command), output into `workdir`:
    by this thread's grading service of `services`, else (none given, or AUTOGRADER_GRADING_SERVICE=0)
    in a fresh subprocess.

    The one way a submission is graded, by the local pool and by every Dask worker alike."""
    partial = workdir / PARTIAL
    partial.unlink(missing_ok=True)
    command = grader_command("grade", Path(path), "--out", partial)  # isolated, in a trusted folder
    if tests:
        command += ["--tests", tests]
    if running.stopping:
        raise Stopped(path.name)
    started = time.monotonic()
    if services is not None and service.enabled():
        returncode, timed_out = services.grade(Path(path), partial, workdir / OUTPUT, tests, timeout, running, env)
    else:
        returncode, timed_out = _run_grader(command, workdir / OUTPUT, timeout, running, env)
    document = None if timed_out else read_json(partial)
    partial.unlink(missing_ok=True)
    if running.stopping:
        raise Stopped(path.name)
    return Graded(returncode, timed_out, round(time.monotonic() - started, 3), document)


def point_log_at_results(log: Path, results: Path) -> None:
    """The grader's last line names the partial file it wrote, which is renamed: name results.json."""
    try:
        text = log.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return
    fixed = re.sub(rf"results written to [^\n]*{re.escape(PARTIAL)}\s*$", lambda m: f"results written to {results}\n", text)
    if fixed != text:
        log.write_text(fixed, encoding="utf-8")


def record(job: Job, graded: Graded, timeout: float) -> Outcome:
    """Client side, after grading: write results.json (merged with --tests), batch.json, output.txt."""
    folder, partial = job.folder, job.folder / PARTIAL
    if graded.output is not None:
        (folder / OUTPUT).write_bytes(graded.output)
    point_log_at_results(folder / OUTPUT, folder / RESULTS)
    status = "worker crashed" if graded.failure else status_of(graded.document, graded.returncode, graded.timed_out)
    if graded.failure:
        _write_zero(partial, f"{graded.failure}; the score is 0. Please tell your instructor.")
    elif graded.timed_out:
        _write_zero(partial, f"Grading timed out after {timeout:g} s; the score is 0. Please tell your instructor.")
    elif graded.document is None:
        _write_zero(partial, "The autograder failed on this submission (not your fault); please tell your instructor.")
    else:
        merged = job.tests and job.old is not None
        write_json_atomic(partial, merge_documents(job.old, graded.document) if merged else graded.document, mode=0o600)
    outcome = Outcome(job.entry.name, status, graded.seconds, graded.returncode, previous=job.old, sha256=job.digest)
    info = {**outcome.info(), "submitters": [asdict(s) for s in job.entry.submitters], "source": str(job.entry.path)}
    if graded.worker:
        info["worker"] = graded.worker
    (folder / RUN_INFO).write_text(json.dumps(info, indent=1), encoding="utf-8")
    for path in (folder / RUN_INFO, folder / OUTPUT, partial):
        private(path)
    os.replace(partial, folder / RESULTS)  # last: its presence means "done"
    outcome.score = float((read_json(folder / RESULTS) or {}).get("score", 0.0))
    return outcome


def grade_one(entry: Entry, out: Path, tests: str | None = None, timeout: float = DEFAULT_TIMEOUT,
              running: Running | None = None, services: service.Services | None = None) -> Outcome:
    """Grade `entry` (by a service of `services`, else in a subprocess) into out/<name>/results.json;
    never raises for a bad submission. With `tests`, the new outcomes are merged into the submission's
    earlier results."""
    job = plan(entry, out, tests)
    return record(job, run_grader(entry.path, job.folder, job.tests, timeout, running or Running(), services=services),
                  timeout)


def previous_outcome(entry: Entry, out: Path, same_content: bool = True) -> Outcome | None:
    """The outcome of an earlier run, if that run finished this submission (as it is now, unless
    not `same_content`)."""
    folder = out / entry.name
    document = read_json(folder / RESULTS)
    if document is None:
        return None
    info = read_json(folder / RUN_INFO) or {}
    if same_content and info.get("sha256") != content_hash(entry.path):
        return None  # replaced or edited since (or graded before hashes were kept): regrade
    status = info.get("status") or status_of(document, 0, False)
    seconds = float(info.get("seconds", document.get("execution_time", 0.0)))
    return Outcome(entry.name, status, seconds, info.get("returncode"), skipped=True,
                   score=float(document.get("score", 0.0)), sha256=info.get("sha256", ""))


# ---------------------------------------------------------------- the batch

def _progress(total: int) -> Any:
    from tqdm import tqdm

    stream = getattr(sys.stderr, "raw", sys.stderr)  # the bar's own control codes; names in it are printable
    return tqdm(total=total, unit="submission", file=stream, dynamic_ncols=True)


def raise_interrupt(signum: int, frame: Any) -> None:
    """SIGTERM handled as Ctrl-C: the same orderly stop."""
    raise KeyboardInterrupt


class Interrupted(Exception):
    """The batch cannot go on (the Dask scheduler went away): stop as on Ctrl-C, keep what finished."""


class Refused(Exception):
    """A grading machine refuses to grade (it cannot sandbox): nothing more is graded; the message says where."""


Result = Callable[[], Outcome]  # the outcome of one finished grading, recorded into OUT when called


class LocalPool:
    """Today's default: `jobs` threads, each grading through its own grading service on this machine."""

    def __init__(self, jobs: int | None = None) -> None:
        self.jobs = max(1, jobs or os.cpu_count() or 1)
        self.running = Running()
        self.services = service.Services()
        self.pool: ThreadPoolExecutor | None = None

    def prestart(self, submissions: int) -> None:
        """Start the slots' grading services now, for a batch of that many submissions (at most one
        per slot), so that their start overlaps the batch's own checks. Call it once the
        environment the graders inherit is final (hide_from_submissions, the assignment's name)."""
        self.services.prestart(min(self.jobs, submissions))

    def start(self, todo: list[Entry], out: Path, tests: str | None, timeout: float) -> None:
        self.pool = ThreadPoolExecutor(max_workers=self.jobs)
        self.futures = {self.pool.submit(grade_one, e, out, tests, timeout, self.running, self.services): e
                        for e in todo}

    def results(self) -> Iterator[tuple[Entry, Result]]:
        for future in as_completed(self.futures):
            yield self.futures[future], future.result

    def stop(self) -> list[tuple[Entry, Result]]:
        """End every grader now; what finished meanwhile still counts."""
        for future in self.futures:
            future.cancel()
        self.running.stop()
        self.close()  # the threads, then the idle services
        return [(e, f.result) for f, e in self.futures.items() if f.done() and not f.cancelled()]

    def postfix(self, entry: Entry) -> str:
        return entry.name[-30:]

    def close(self) -> None:
        """End the threads and the services (again is harmless: grade-all closes a pool it never started)."""
        if self.pool is not None:
            self.pool.shutdown(wait=True)
        self.services.close()


def grade_all(entries: list[Entry], out: Path, *, jobs: int | None = None, force: bool = False,
              only: str | None = None, tests: str | None = None, timeout: float = DEFAULT_TIMEOUT,
              progress: Callable[[int], Any] = _progress, runner: Any = None) -> tuple[list[Outcome], bool]:
    """Grade what is not graded yet (everything with `force`, one submission with `only`).

    `runner` grades (default: a LocalPool of `jobs` graders; autograder.classroom.cluster's DaskRunner on a
    cluster); this function alone decides what to grade and records every result into OUT, so
    resume, --only and --tests behave the same on every route. Returns one outcome per finished
    entry, in the order of `entries`, and whether the run was interrupted (Ctrl-C, SIGTERM, or a
    lost scheduler: running graders are ended, the rest left for a resumed run).
    """
    out = Path(out)
    hide_from_submissions(sorted({e.path.parent for e in entries}) + [out])  # classmates' work and results
    outcomes: dict[str, Outcome] = {}
    todo = []
    for entry in entries:
        if only is not None and entry.name != only:  # not ours to grade: reported as it stands
            previous = previous_outcome(entry, out, same_content=False)
        else:
            previous = None if force or only is not None else previous_outcome(entry, out)
        if previous is not None:
            outcomes[entry.name] = previous
        elif only is None or entry.name == only:
            todo.append(entry)
    runner = runner or LocalPool(jobs)
    interrupted, finished = False, []
    old_term = signal.signal(signal.SIGTERM, raise_interrupt)
    try:
        if todo:
            bar = progress(len(todo))
            try:
                runner.start(todo, out, tests, timeout)
                for entry, result in runner.results():
                    _collect(entry, result, outcomes, out)
                    bar.set_postfix_str(runner.postfix(entry))
                    bar.update(1)
            except (KeyboardInterrupt, Interrupted):
                interrupted = True
                finished = runner.stop()
            except Refused:
                runner.stop()
                raise
            finally:
                runner.close()
                bar.close()
            for entry, result in finished:  # what finished while stopping still counts
                if entry.name not in outcomes:
                    _collect(entry, result, outcomes, out)
    finally:
        signal.signal(signal.SIGTERM, old_term)
    return [outcomes[e.name] for e in entries if e.name in outcomes], interrupted


def _collect(entry: Entry, result: Result, outcomes: dict[str, Outcome], out: Path) -> None:
    try:
        outcomes[entry.name] = result()
    except Stopped:
        return
    except (Refused, Interrupted):
        raise
    except Exception as exc:  # the batch's own failure on one entry: keep going
        outcomes[entry.name] = Outcome(entry.name, "grader error", 0.0)
        (out / entry.name).mkdir(parents=True, exist_ok=True)
        (out / entry.name / OUTPUT).write_text(f"batch error: {exc!r}\n", encoding="utf-8")
