"""Grade a whole class: find the submissions in a folder, grade each in its own process, resumably.

Each submission is graded by `python -m autograder grade` in a subprocess of its own, so one that
crashes, hangs or eats memory costs only its own row. A submission counts as done once
OUT/<name>/results.json exists; the grader writes into a partial file that is renamed only when
it has finished, so a batch killed half-way resumes without trusting half-graded results.
"""

from __future__ import annotations

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

from autograder.results import ResultsWriter
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


def _read_json(path: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _write_zero(path: Path, message: str) -> None:
    """A valid results.json worth 0 for a submission the grader could not finish."""
    writer = ResultsWriter(path)
    writer.output = message
    writer.write()


def _kill_group(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        proc.kill()


def grade_one(entry: Entry, out: Path, tests: str | None = None, timeout: float = DEFAULT_TIMEOUT) -> Outcome:
    """Grade `entry` in a subprocess into out/<name>/results.json; never raises for a bad submission."""
    folder = out / entry.name
    folder.mkdir(parents=True, exist_ok=True)
    partial, final = folder / PARTIAL, folder / RESULTS
    partial.unlink(missing_ok=True)
    command = [sys.executable, "-m", "autograder", "grade", str(entry.path), "--out", str(partial)]
    if tests:
        command += ["--tests", tests]
    started = time.monotonic()
    timed_out = False
    with open(folder / OUTPUT, "wb") as log:
        proc = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                start_new_session=True)  # own group: a timeout kills the grader's children too
        try:
            returncode: int | None = proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            timed_out, returncode = True, None
            _kill_group(proc)
            proc.wait()
    seconds = round(time.monotonic() - started, 3)
    document = None if timed_out else _read_json(partial)
    status = status_of(document, returncode, timed_out)
    if timed_out:
        _write_zero(partial, f"Grading timed out after {timeout:g} s; the score is 0. Please tell your instructor.")
    elif document is None:
        _write_zero(partial, "The autograder failed on this submission (not your fault); please tell your instructor.")
    outcome = Outcome(entry.name, status, seconds, returncode)
    (folder / RUN_INFO).write_text(json.dumps(asdict(outcome), indent=1), encoding="utf-8")
    os.replace(partial, final)  # last: its presence means "done"
    return outcome


def previous_outcome(entry: Entry, out: Path) -> Outcome | None:
    """The outcome of an earlier run, if that run finished this submission."""
    folder = out / entry.name
    document = _read_json(folder / RESULTS)
    if document is None:
        return None
    info = _read_json(folder / RUN_INFO) or {}
    status = info.get("status") or status_of(document, 0, False)
    seconds = float(info.get("seconds", document.get("execution_time", 0.0)))
    return Outcome(entry.name, status, seconds, info.get("returncode"), skipped=True)


# ---------------------------------------------------------------- the batch

def _progress(total: int) -> Any:
    from tqdm import tqdm

    return tqdm(total=total, unit="submission", file=sys.stderr, dynamic_ncols=True)


def grade_all(entries: list[Entry], out: Path, *, jobs: int | None = None, force: bool = False,
              only: str | None = None, tests: str | None = None, timeout: float = DEFAULT_TIMEOUT,
              progress: Callable[[int], Any] = _progress) -> list[Outcome]:
    """Grade what is not graded yet (everything with `force`, one submission with `only`).

    Threads only wait: each grading runs in its own process, so `jobs` threads keep `jobs`
    graders busy. Returns one outcome per entry, in the order of `entries`.
    """
    out = Path(out)
    hide_from_submissions(sorted({e.path.parent for e in entries}) + [out])  # classmates' work and results
    if only is not None and only not in {e.name for e in entries}:
        raise ValueError(f"no submission named {only!r} in the folder")
    outcomes: dict[str, Outcome] = {}
    todo = []
    for entry in entries:
        previous = None if force or entry.name == only else previous_outcome(entry, out)
        if previous is not None or (only is not None and entry.name != only):
            if previous is not None:
                outcomes[entry.name] = previous
            continue
        todo.append(entry)
    if todo:
        bar = progress(len(todo))
        with ThreadPoolExecutor(max_workers=max(1, jobs or os.cpu_count() or 1)) as pool:
            futures = {pool.submit(grade_one, e, out, tests, timeout): e for e in todo}
            for future in as_completed(futures):
                entry = futures[future]
                try:
                    outcomes[entry.name] = future.result()
                except Exception as exc:  # the batch's own failure on one entry: keep going
                    outcomes[entry.name] = Outcome(entry.name, "grader error", 0.0)
                    (out / entry.name).mkdir(parents=True, exist_ok=True)
                    (out / entry.name / OUTPUT).write_text(f"batch error: {exc!r}\n", encoding="utf-8")
                bar.set_postfix_str(entry.name[-30:])
                bar.update(1)
        bar.close()
    return [outcomes[e.name] for e in entries if e.name in outcomes]
