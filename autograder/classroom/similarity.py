"""Similar submissions across a graded class, per task: pairs for a TA to review, never a verdict.

Why copydetect: it is the MOSS idea (winnowed fingerprints of the code with names, strings and
comments normalised away, so renaming variables or rewording comments changes nothing) as a
maintained library, and it gives the matching regions for a side-by-side view. We add what a class
needs: each task's code as the grader reads it (intake/task_code.py: notebooks as their code cells,
stubs and unchanged template definitions left out), the handout's template removed as boilerplate,
groups kept as one entry, and copydetect's measure computed for every pair at once with arrays, so
that copydetect itself compares only the pairs it will list: 500 submissions take seconds
(benchmarks/similarity_benchmark.py).

Reads OUT as grade-all left it (each submission's batch.json says where it came from and who handed
it in), writes OUT/similarity.json; similarity_pages.py turns that into HTML.
"""

from __future__ import annotations

import io
import json
import multiprocessing
import os
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, replace
from functools import lru_cache
from importlib.metadata import version
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterable, Iterator

import numpy as np

from autograder.classroom.batch import private
from autograder.classroom.gradebook import load_rows
from autograder.classroom.similarity_pages import RESULT_FILE, write_pair_pages
from autograder.course.assignment import SimilaritySettings, shown, similarity_settings
from autograder.course.contract import task_modules
from autograder.course.rubric import load_rubric
from autograder.course.tasks import all_tasks
from autograder.intake.submission import load_submission
from autograder.intake.task_code import task_code

if TYPE_CHECKING:
    from copydetect import CodeFingerprint

NOISE = 25      # copydetect's noise threshold: matches shorter than this (normalised characters) never count
GUARANTEE = 30  # every match at least this long is found (winnowing window = GUARANTEE - NOISE + 1)
WINDOW = GUARANTEE - NOISE + 1
CELLS = 4_000_000  # share_matrix's working table: at most this many cells (16 MB) at a time
MAX_PAIRS = 100  # per task: the pairs listed (the most similar); how many more there were is said
HASH_SEED = "PYTHONHASHSEED"  # 0 in the readers: the same fingerprints on every run (read_all)
METHOD = ("copydetect {version}: winnowed fingerprints (the idea of MOSS) of each task's code, after names, "
          "strings and comments are normalised away (so renamed variables and reworded comments change "
          "nothing); matches shorter than {noise} normalised characters are ignored, matches of {guarantee} "
          "or more are always found. Before comparing: the handout's template code (which every student "
          "starts from) is removed, notebooks are read as their code cells, and only the code the grader "
          "grades for the task is kept (unchanged template functions and stubs left out). A pair's "
          "similarity is the larger of its two shares: the share of one submission's own code found in the "
          "other's.")


@dataclass(frozen=True)
class Member:
    """One graded submission; a group (several students on one submission) is one member."""

    name: str
    source: str
    who: tuple[str, ...] = ()
    ids: frozenset[str] = frozenset()  # who handed it in (sid, email or name): never paired with itself

    @staticmethod
    def from_info(name: str, info: dict[str, Any]) -> "Member":
        people = [s for s in info.get("submitters", []) if isinstance(s, dict)]
        who = tuple(str(s.get("name") or s.get("email") or s.get("sid") or "") for s in people)
        ids = frozenset(f"{key}:{str(s[key]).strip().lower()}" for s in people for key in ("sid", "email")
                        if str(s.get(key, "")).strip())
        return Member(name, str(info.get("source", "")), tuple(w for w in who if w), ids)


@dataclass
class Pair:
    a: str
    b: str
    share_a: float  # of a's own code, the share found in b
    share_b: float
    slices_a: list[list[int]]  # [starts, ends] of the matching regions in a's text
    slices_b: list[list[int]]

    @property
    def similarity(self) -> float:
        return max(self.share_a, self.share_b)


@dataclass
class TaskFindings:
    compared: int = 0  # submissions with code of their own for the task
    pairs: list[Pair] = field(default_factory=list)  # above the threshold, most similar first, at most MAX_PAIRS
    more: int = 0  # pairs above the threshold not listed
    detailed: int = 0  # pairs copydetect compared (those share_matrix puts at or above the threshold)
    texts: dict[str, str] = field(default_factory=dict)  # the compared text of each member of a listed pair


@dataclass
class Findings:
    settings: SimilaritySettings
    method: str
    members: dict[str, Member]
    tasks: dict[str, TaskFindings]
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0
    read_seconds: float = 0.0  # of which reading and fingerprinting the code


# ---------------------------------------------------------------- reading and fingerprinting

def _fingerprint(text: str, boilerplate: np.ndarray) -> CodeFingerprint:
    from copydetect import CodeFingerprint  # here: importing copydetect takes a second (it imports pyplot)

    return CodeFingerprint("code.py", NOISE, WINDOW, boilerplate=boilerplate, fp=io.StringIO(text), language="python")


@lru_cache(maxsize=None)
def template_hashes(task: str) -> np.ndarray:
    """Every fingerprint of the task's template (window 1, as copydetect takes boilerplate)."""
    from copydetect import CodeFingerprint

    code = all_tasks()[task].template.read_text(encoding="utf-8")
    return np.unique(np.array(sorted(CodeFingerprint("template.py", NOISE, 1, fp=io.StringIO(code),
                                                     language="python").hashes), dtype=np.int64))


Read = tuple[dict[str, tuple[str, "CodeFingerprint"]], str]  # ({task: (text, fingerprints)}, a note)


def read_member(source: str, tasks: tuple[str, ...], boilerplate: dict[str, np.ndarray]) -> Read:
    """({task: (its text, its fingerprints)} for the tasks where the submission has code of its own,
    a note when it could not be read). Never raises: one bad submission costs only itself."""
    if not source or not Path(source).exists():
        return {}, "its files are no longer where it was graded from" + (f" ({source})" if source else "")
    try:
        with tempfile.TemporaryDirectory(prefix="ag-similarity-") as staging:
            submission = load_submission(Path(source), Path(staging), task_modules(tasks))
        found = {}
        for task, code in task_code(submission.index, tasks).items():
            text = code.text
            if text:
                fingerprint = _fingerprint(text, boilerplate[task])
                if fingerprint.token_coverage > 0:
                    found[task] = (text, fingerprint)
        return found, ""
    except Exception as exc:  # hostile input must never stop the class: say so and go on
        return {}, f"could not be read ({type(exc).__name__}: {str(exc)[:200]})"


_SHARED: dict[str, Any] = {}  # what forked processes need, set before the pool forks (never pickled)


def in_processes(function: Callable[[Any], Any], items: list[Any], jobs: int, **shared: Any) -> list[Any]:
    """[function(item) for item in items] on `jobs` forked processes, `shared` reaching them through
    the fork (a big table is never pickled); in this process when there is little to share out."""
    _SHARED.update(shared)
    try:
        if jobs <= 1 or len(items) < 2 * jobs or "fork" not in multiprocessing.get_all_start_methods():
            return [function(item) for item in items]
        with ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("fork")) as pool:
            return list(pool.map(function, items, chunksize=max(1, len(items) // (4 * jobs))))
    finally:
        _SHARED.clear()


def _read_one(item: tuple[str, tuple[str, ...]]) -> Read:
    source, tasks = item
    return read_member(source, tasks, {task: template_hashes(task) for task in tasks})


READS_PER_READER = 25  # submissions worth starting one more reader interpreter (about a second of CPU)


@contextmanager
def _fixed_hash_seed() -> Iterator[None]:
    """PYTHONHASHSEED=0 for the readers started meanwhile (read by each as it starts)."""
    previous = os.environ.get(HASH_SEED)
    os.environ[HASH_SEED] = "0"
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop(HASH_SEED, None)
        else:
            os.environ[HASH_SEED] = previous


def _import_copydetect() -> None:
    import copydetect  # noqa: F401


class Readers:
    """The interpreters that read the submissions, started with PYTHONHASHSEED=0. Why: copydetect
    hashes k-grams with Python's hash(), salted per interpreter unless PYTHONHASHSEED is set, and
    winnowing keeps the smallest hashes, so the same class would give slightly different shares from
    one run to the next; with one fixed salt every run, and every reader, agrees. Each imports
    copydetect as it starts: grade-all starts them with its graders (`readers_ahead`), so that this
    second of each overlaps the grading instead of following it."""

    def __init__(self, members: int, jobs: int) -> None:
        self.count = max(1, min(jobs, -(-members // READS_PER_READER)))  # a small class: one reader's start
        with _fixed_hash_seed():
            self.pool = ProcessPoolExecutor(self.count, mp_context=multiprocessing.get_context("spawn"))
            for _ in range(self.count):  # none is idle yet: each of these starts one reader
                self.pool.submit(_import_copydetect)

    def read(self, sources: list[str], tasks: tuple[str, ...], jobs: int) -> list[Read]:
        """read_member for each source."""
        with _fixed_hash_seed():  # a reader that died is replaced with the same salt
            return list(self.pool.map(_read_one, [(source, tasks) for source in sources],
                                      chunksize=max(1, len(sources) // (4 * max(1, jobs)))))

    def close(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)


def read_all(sources: list[str], tasks: tuple[str, ...], jobs: int, readers: Readers | None = None) -> list[Read]:
    """read_member for each source, by `readers`, else by readers started now."""
    own = readers or Readers(len(sources), jobs)
    try:
        return own.read(sources, tasks, jobs)
    finally:
        if readers is None:
            own.close()


def readers_ahead(assignment: Path, members: int, jobs: int | None) -> Readers | None:
    """The readers of grade-all's similarity check, started with its graders; None when the assignment
    switches the check off (or they could not start: the check then starts its own, or says why not)."""
    try:
        return Readers(members, jobs or os.cpu_count() or 1) if similarity_settings(assignment).enabled else None
    except Exception:
        return None


# ---------------------------------------------------------------- comparing

def share_matrix(prints: list[CodeFingerprint]) -> np.ndarray:
    """[a, b] = the share of a's code found in b, copydetect's own measure for every pair at once.

    copydetect compares one pair at a time (about a millisecond each, 125,000 pairs for 500
    submissions); this computes the same number with a few array operations per submission, so
    copydetect itself is asked only for the pairs that are listed (for its matching regions). Its
    measure: (characters of a's normalised code covered by the k-grams whose fingerprint b also has)
    / (characters covered by all of a's fingerprints), each k-gram covering NOISE characters."""
    count = len(prints)
    shares = np.zeros((count, count))
    seen: dict[int, int] = {}
    for fingerprint in prints:
        for h in fingerprint.hash_idx:
            seen[h] = seen.get(h, 0) + 1
    column = {h: c for c, h in enumerate(h for h, n in seen.items() if n > 1)}  # only these can be shared
    holds = np.zeros((count, max(1, len(column))), dtype=bool)  # [b, fingerprint]: b has it
    for row, fingerprint in enumerate(prints):
        holds[row, [column[h] for h in fingerprint.hash_idx if h in column]] = True
    for a, fingerprint in enumerate(prints):
        starts = [(column[h], i) for h, positions in fingerprint.hash_idx.items() if h in column for i in positions]
        if not starts or fingerprint.token_coverage <= 0:
            continue
        columns, positions = (np.array(v, dtype=np.int64) for v in zip(*starts))
        length = len(fingerprint.filtered_code)
        others = np.nonzero(holds[:, columns].any(axis=1))[0]  # the submissions sharing anything with a
        step = max(1, CELLS // (length + 1))  # memory stays bounded whatever the size of a's code
        for chunk in (others[i:i + step] for i in range(0, len(others), step)):
            begun = np.zeros((len(chunk), length + 1), dtype=np.int32)  # [b, x + 1]: a shared k-gram starts at x
            begun[:, positions + 1] = holds[np.ix_(chunk, columns)]
            begun = np.cumsum(begun, axis=1)
            ended = np.zeros_like(begun)
            ended[:, NOISE:] = begun[:, :-NOISE]
            shares[a, chunk] = ((begun - ended)[:, 1:] > 0).sum(axis=1) / fingerprint.token_coverage
    np.fill_diagonal(shares, 0.0)
    return shares


def _slices(array: Any) -> list[list[int]]:
    return [[int(v) for v in row] for row in np.asarray(array).reshape(2, -1)] if np.size(array) else [[], []]


def _compare_shared(pair: tuple[int, int]) -> Pair | None:
    from copydetect import compare_files

    i, j = pair
    prints, names = _SHARED["prints"], _SHARED["names"]
    _, (share_i, share_j), (slices_i, slices_j) = compare_files(prints[i], prints[j])
    if max(share_i, share_j) < _SHARED["threshold"]:
        return None
    return Pair(names[i], names[j], round(float(share_i), 4), round(float(share_j), 4),
                _slices(slices_i), _slices(slices_j))


def compare_task(members: list[Member], prints: list[CodeFingerprint], threshold: float,
                 jobs: int = 1) -> tuple[list[Pair], int]:
    """(every pair of `members` at or above `threshold`, most similar first; how many pairs copydetect
    compared). Members sharing a student (a group, or one student on two submissions) are not a pair."""
    shares = share_matrix(prints) if len(prints) > 1 else np.zeros((len(prints), len(prints)))
    above = np.maximum(shares, shares.T) >= threshold - 1e-9  # copydetect below decides, to the last digit
    candidates = [(i, j) for i, j in zip(*(a.tolist() for a in np.nonzero(np.triu(above, k=1))))
                  if not members[i].ids & members[j].ids]
    found = in_processes(_compare_shared, candidates, jobs, prints=prints, names=[m.name for m in members],
                         threshold=threshold)
    pairs = sorted((p for p in found if p is not None), key=lambda p: (-p.similarity, p.a, p.b))
    return pairs, len(candidates)


def find_similar(members: list[Member], tasks: Iterable[str], settings: SimilaritySettings,
                 jobs: int | None = None, readers: Readers | None = None) -> Findings:
    """Read every member's code, fingerprint it per task, and list the pairs above the threshold."""
    started = time.monotonic()
    tasks = tuple(tasks)
    jobs = jobs or os.cpu_count() or 1
    read = read_all([m.source for m in members], tasks, jobs, readers)
    notes = [f"{m.name}: {note}" for m, (_, note) in zip(members, read) if note]
    findings = Findings(settings, METHOD.format(version=version("copydetect"), noise=NOISE, guarantee=GUARANTEE),
                        {m.name: m for m in members}, {}, notes, read_seconds=round(time.monotonic() - started, 2))
    for task in tasks:
        having = [(m, found[task]) for m, (found, _) in zip(members, read) if task in found]
        pairs, detailed = compare_task([m for m, _ in having], [fp for _, (_, fp) in having], settings.threshold, jobs)
        listed = pairs[:MAX_PAIRS]
        texts = {m.name: text for m, (text, _) in having}
        findings.tasks[task] = TaskFindings(len(having), listed, len(pairs) - len(listed), detailed,
                                            {n: texts[n] for p in listed for n in (p.a, p.b)})
    findings.seconds = round(time.monotonic() - started, 2)
    return findings


# ---------------------------------------------------------------- OUT

def graded_members(out: Path) -> list[Member]:
    """The graded submissions of OUT, as grade-all recorded them (batch.json)."""
    return [Member.from_info(row.name, row.info) for row in load_rows(Path(out))]


def save(findings: Findings, out: Path, threshold_from: str) -> dict[str, Any]:
    """OUT/similarity.json (readable by the TA alone): what the report's section and the pages show."""
    data = {"threshold_from": threshold_from, "settings": asdict(findings.settings), "method": findings.method,
            "notes": findings.notes, "seconds": findings.seconds,
            "members": {n: {"who": list(m.who)} for n, m in findings.members.items()},
            "tasks": {task: asdict(f) for task, f in findings.tasks.items()}}
    path = Path(out) / RESULT_FILE
    path.write_text(json.dumps(data, indent=1), encoding="utf-8")
    private(path)
    return data


def similarity_for(out: Path, assignment: Path, jobs: int | None = None, threshold: float | None = None,
                   respect_switch: bool = True, readers: Readers | None = None) -> Findings:
    """Find the similar pairs of the class graded in OUT for the assignment's tasks, and write
    similarity.json and the pair pages. The assignment's `[similarity]` decides, unless `threshold`
    is given or the switch is not to be respected (an explicit `autograder similarity`)."""
    settings = similarity_settings(assignment)
    stated = f"[similarity] threshold in {shown(Path(assignment))}"
    if threshold is not None:
        settings, stated = replace(settings, enabled=True, threshold=threshold), "--threshold"
    elif not respect_switch:
        settings = replace(settings, enabled=True)
    if settings.enabled:
        findings = find_similar(graded_members(out), load_rubric(assignment).tasks, settings, jobs, readers)
    else:
        findings = Findings(settings, "", {}, {})
    write_pair_pages(out, save(findings, out, stated))
    return findings


def batch_similarity(out: Path, assignment: Path, jobs: int | None = None, readers: Readers | None = None) -> str:
    """grade-all's step after grading: one line for the terminal. Whatever goes wrong here costs the
    section only, never a grade or the rest of the report."""
    try:
        return summary(similarity_for(out, assignment, jobs, readers=readers))
    except KeyboardInterrupt:
        return f"similar submissions: interrupted; `autograder similarity {out}` lists them"
    except Exception as exc:
        return f"similar submissions: not listed ({type(exc).__name__}: {str(exc)[:300]}); the grades are unaffected"


def summary(findings: Findings) -> str:
    """One line for the TA's terminal."""
    if not findings.settings.enabled:
        return "similar submissions: switched off in the assignment file ([similarity] enabled = false)"
    counts = ", ".join(f"{task} {len(f.pairs) + f.more}" for task, f in findings.tasks.items())
    return (f"similar submissions (>= {100 * findings.settings.threshold:.0f}%, {findings.seconds:.1f} s): "
            f"pairs per task: {counts or 'no task'}; listed in report.html"
            + (f"; {len(findings.notes)} submission(s) not compared" if findings.notes else ""))
