"""Grade a whole class: find the submissions in a folder, grade each in its own process, resumably.

Each submission is graded by `python -m autograder grade` in a subprocess of its own, so one that
crashes, hangs or eats memory costs only its own row. A submission counts as done once
OUT/<name>/results.json exists; the grader writes into a partial file that is renamed only when
it has finished, so a batch killed half-way resumes without trusting half-graded results.
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
from typing import Any, Callable

from autograder.results import ResultsWriter, merge_documents, read_json, write_json_atomic
from autograder.sandbox.basic import hide_from_submissions

METADATA_FILE = "submission_metadata.yml"
SUBMISSION_SUFFIXES = (".zip", ".ipynb", ".py")
RESULTS = "results.json"
PARTIAL = "results.partial.json"
RUN_INFO = "batch.json"
OUTPUT = "output.txt"
DEFAULT_TIMEOUT = 15 * 60
NO_CODE_MARK = "**no code found**"
GRADER_FAILED_MARK = "The autograder itself failed"


@dataclass
class Submitter:
    name: str = ""
    email: str = ""
    sid: str = ""


@dataclass
class Entry:
    """One submission to grade: its id (folder or file name), where it is, who handed it in."""

    name: str
    path: Path
    submitters: list[Submitter] = field(default_factory=list)


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


# ---------------------------------------------------------------- Gradescope metadata

_KEY = re.compile(r"^(\s*)(-\s+)?:?([A-Za-z0-9_.\-]+):\s*(.*)$")


def _scalar(text: str) -> str:
    """A YAML scalar as text: quotes removed, '' unescaped; good enough for names and emails."""
    text = text.strip()
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
        inner = text[1:-1]
        return inner.replace("''", "'") if text[0] == "'" else inner.replace('\\"', '"')
    return text


def parse_metadata(text: str) -> dict[str, list[Submitter]]:
    """Submitters per submission folder from Gradescope's Ruby-flavoured YAML, read line by line.

    Only the `:submitters:` list of each top-level key is read: the rest (results, scores, nested
    `:name:` keys of test results) is skipped, so no YAML library is needed.
    """
    found: dict[str, list[Submitter]] = {}
    current: list[Submitter] | None = None
    block_indent: int | None = None  # indentation of the `:submitters:` key while inside its list
    for line in text.splitlines():
        match = _KEY.match(line)
        if not line.strip() or line.lstrip().startswith("#") or line.strip() == "---":
            continue
        indent = len(line) - len(line.lstrip())
        if indent == 0 and match and not match.group(2):
            current = found.setdefault(match.group(3), [])
            block_indent = None
            continue
        if current is None or not match:
            continue
        dash, key, value = bool(match.group(2)), match.group(3), match.group(4)
        if key == "submitters" and not dash:
            block_indent = indent
            continue
        if block_indent is None:
            continue
        if indent < block_indent or (indent == block_indent and not dash):
            block_indent = None  # the next key of the submission: the list has ended
            continue
        if dash:
            current.append(Submitter())
        if current and key in ("name", "email", "sid"):
            setattr(current[-1], key, _scalar(value))
    return found


# ---------------------------------------------------------------- discovery

def _is_candidate(path: Path) -> bool:
    if path.name.startswith((".", "__")):
        return False
    return path.is_dir() or path.suffix.lower() in SUBMISSION_SUFFIXES


def _export_entries(folder: Path) -> list[Entry]:
    """A Gradescope export: every sub-folder is one submission, named in the metadata."""
    meta = parse_metadata((folder / METADATA_FILE).read_text(encoding="utf-8", errors="replace"))
    return [Entry(p.name, p, meta.get(p.name, [])) for p in sorted(folder.iterdir())
            if p.is_dir() and _is_candidate(p)]


def discover(root: Path, exclude: Path | None = None) -> list[Entry]:
    """The submissions in `root`: each folder or .zip/.ipynb/.py file is one.

    A folder holding submission_metadata.yml (root itself or one level down) is a Gradescope
    export whose sub-folders are the submissions. `exclude` (the output folder) is never graded.
    """
    root = Path(root)
    if (root / METADATA_FILE).is_file():
        entries = _export_entries(root)
    else:
        entries = []
        for path in sorted(root.iterdir()):
            if not _is_candidate(path) or (exclude is not None and path.resolve() == exclude.resolve()):
                continue
            if path.is_dir() and (path / METADATA_FILE).is_file():
                entries += _export_entries(path)
            else:
                entries.append(Entry(path.name, path))
    names = [e.name for e in entries]
    duplicates = {n for n in names if names.count(n) > 1}
    if duplicates:
        raise ValueError(f"two submissions share the name(s) {', '.join(sorted(duplicates))}: rename one")
    return entries


# ---------------------------------------------------------------- grading one

def status_of(document: dict[str, Any] | None, returncode: int | None, timed_out: bool) -> str:
    """The row's status, from how the process ended and what results.json says."""
    if timed_out:
        return "timed out"
    if document is None or returncode != 0 or GRADER_FAILED_MARK in document.get("output", ""):
        return "grader error"
    if NO_CODE_MARK in document.get("output", ""):
        return "no files found"
    return "graded"


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
                _kill_tree(proc)


def _kill_tree(proc: subprocess.Popen) -> None:
    """Freeze then kill the grader and everything below it (its worker is in another session)."""
    from autograder.sandbox.processes import freeze_tree, kill_tree

    freeze_tree(proc.pid, True)
    kill_tree(proc.pid)
    proc.wait()


def content_hash(path: Path) -> str:
    """sha256 of a submission's bytes and file names: resume regrades what changed since."""
    digest = hashlib.sha256()
    files = sorted(p for p in path.rglob("*") if p.is_file() or p.is_symlink()) if path.is_dir() else [path]
    for file in files:
        digest.update(file.relative_to(path).as_posix().encode() if path.is_dir() else b"")
        if file.is_symlink():  # never followed: a link to /dev/zero must not hang the batch
            digest.update(b"\1" + os.readlink(file).encode())
            continue
        digest.update(b"\0" + hashlib.sha256(file.read_bytes()).digest())
    return digest.hexdigest()


def private(path: Path) -> None:
    """Readable by the TA alone: grades and feedback are personal data (folders 0700, files 0600)."""
    try:
        path.chmod(0o700 if path.is_dir() else 0o600)
    except OSError:
        pass


def _run_grader(command: list[str], log_path: Path, timeout: float, running: Running) -> tuple[int | None, bool]:
    """(return code, timed out) of one grader process."""
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                start_new_session=True)  # own group: Ctrl-C reaches the batch only
        running.procs.add(proc)
        try:
            if running.stopping:  # started while the batch was being stopped
                _kill_tree(proc)
                return None, False
            return proc.wait(timeout=timeout), False
        except subprocess.TimeoutExpired:
            _kill_tree(proc)
            return None, True
        finally:
            running.procs.discard(proc)


def grade_one(entry: Entry, out: Path, tests: str | None = None, timeout: float = DEFAULT_TIMEOUT,
              running: Running | None = None) -> Outcome:
    """Grade `entry` in a subprocess into out/<name>/results.json; never raises for a bad submission.

    With `tests`, the new outcomes are merged into the submission's earlier results (same content
    only: a changed submission is regraded in full, its old outcomes being stale)."""
    running = running or Running()
    folder = out / entry.name
    folder.mkdir(parents=True, exist_ok=True)
    private(folder)
    partial, final = folder / PARTIAL, folder / RESULTS
    partial.unlink(missing_ok=True)
    digest = content_hash(entry.path)
    old = read_json(final)
    if old is not None and (read_json(folder / RUN_INFO) or {}).get("sha256") != digest:
        old = None  # graded from other content: its outcomes are stale, so grade every test now
        tests = None
    command = [sys.executable, "-m", "autograder", "grade", str(entry.path), "--out", str(partial)]
    if tests:
        command += ["--tests", tests]
    if running.stopping:
        raise Stopped(entry.name)
    started = time.monotonic()
    returncode, timed_out = _run_grader(command, folder / OUTPUT, timeout, running)
    if running.stopping:
        partial.unlink(missing_ok=True)
        raise Stopped(entry.name)
    seconds = round(time.monotonic() - started, 3)
    document = None if timed_out else read_json(partial)
    status = status_of(document, returncode, timed_out)
    if timed_out:
        _write_zero(partial, f"Grading timed out after {timeout:g} s; the score is 0. Please tell your instructor.")
    elif document is None:
        _write_zero(partial, "The autograder failed on this submission (not your fault); please tell your instructor.")
    elif tests and old is not None:
        write_json_atomic(partial, merge_documents(old, document), mode=0o600)
    outcome = Outcome(entry.name, status, seconds, returncode, previous=old, sha256=digest)
    info = {**outcome.info(), "submitters": [asdict(s) for s in entry.submitters], "source": str(entry.path)}
    (folder / RUN_INFO).write_text(json.dumps(info, indent=1), encoding="utf-8")
    for path in (folder / RUN_INFO, folder / OUTPUT, partial):
        private(path)
    os.replace(partial, final)  # last: its presence means "done"
    outcome.score = float((read_json(final) or {}).get("score", 0.0))
    return outcome


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

    return tqdm(total=total, unit="submission", file=sys.stderr, dynamic_ncols=True)


def raise_interrupt(signum: int, frame: Any) -> None:
    """SIGTERM handled as Ctrl-C: the same orderly stop."""
    raise KeyboardInterrupt


def grade_all(entries: list[Entry], out: Path, *, jobs: int | None = None, force: bool = False,
              only: str | None = None, tests: str | None = None, timeout: float = DEFAULT_TIMEOUT,
              progress: Callable[[int], Any] = _progress) -> tuple[list[Outcome], bool]:
    """Grade what is not graded yet (everything with `force`, one submission with `only`).

    Threads only wait: each grading runs in its own process, so `jobs` threads keep `jobs`
    graders busy. Returns one outcome per finished entry, in the order of `entries`, and whether
    the run was interrupted (Ctrl-C or SIGTERM: running graders are ended, the rest left for a
    resumed run).
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
    running, interrupted = Running(), False
    old_term = signal.signal(signal.SIGTERM, raise_interrupt)
    try:
        if todo:
            bar = progress(len(todo))
            pool = ThreadPoolExecutor(max_workers=max(1, jobs or os.cpu_count() or 1))
            futures = {pool.submit(grade_one, e, out, tests, timeout, running): e for e in todo}
            try:
                for future in as_completed(futures):
                    _collect(futures[future], future, outcomes, out)
                    bar.set_postfix_str(futures[future].name[-30:])
                    bar.update(1)
            except KeyboardInterrupt:
                interrupted = True
                for future in futures:
                    future.cancel()
                running.stop()
            finally:
                pool.shutdown(wait=True)
                bar.close()
            if interrupted:  # what finished while stopping still counts
                for future, entry in futures.items():
                    if future.done() and not future.cancelled() and entry.name not in outcomes:
                        _collect(entry, future, outcomes, out)
    finally:
        signal.signal(signal.SIGTERM, old_term)
    return [outcomes[e.name] for e in entries if e.name in outcomes], interrupted


def _collect(entry: Entry, future: Any, outcomes: dict[str, Outcome], out: Path) -> None:
    try:
        outcomes[entry.name] = future.result()
    except Stopped:
        return
    except Exception as exc:  # the batch's own failure on one entry: keep going
        outcomes[entry.name] = Outcome(entry.name, "grader error", 0.0)
        (out / entry.name).mkdir(parents=True, exist_ok=True)
        (out / entry.name / OUTPUT).write_text(f"batch error: {exc!r}\n", encoding="utf-8")
