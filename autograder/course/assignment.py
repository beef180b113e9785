"""Assignments as data: which tasks one assignment grades, in which order, for how many points.

An assignment is one file, `assignments/<name>.toml`: `[assignment]` (title, the ordered `tasks`,
total_points, and `default = true` on the one used when none is named), `[limits]`, `[grading]`,
`[similarity]` (grade-all's similar submissions), `[defaults]` and optional `[tests."<id>"]`
overrides of any key of a task's entry. Each task brings its default entries in `tests/grading/<task>/rubric.toml` (numbers WITHIN the task). Merging the two
here, the assignment winning, gives the rubric; a test's number becomes `<position of its task>.<its
number>` unless the assignment overrides `number`. So one repository builds many assignments, and a
new task is its three folders plus one line in an assignment: nothing here names a task.
"""

from __future__ import annotations

import difflib
import os
import re
import sys
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Iterator


from autograder.course.paths import ASSIGNMENTS_DIR, shown  # noqa: F401 (shown re-exported)
from autograder.course.tasks import Task, all_tasks

TABLE = ""  # the key of an entry's origins that says which file defines its table
ASSIGNMENT_ENV = "AUTOGRADER_ASSIGNMENT"  # the name grade-all hands to its per-submission graders


def toml() -> Any:
    """tomllib (tomli on Gradescope's Python 3.10), imported when a file is read: the students'
    self-check imports the course model without reading any rubric, and a student on 3.10 has no
    tomli (it is a grader-only package)."""
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - Python 3.10
        import tomli as tomllib
    return tomllib


class RubricError(ValueError):
    """An assignment or a task's rubric file is inconsistent; the message says where."""


DEFAULT_SIMILARITY_THRESHOLD = 0.6  # share of a submission's own code (template removed) found in the other's


@dataclass(frozen=True)
class SimilaritySettings:
    """`[similarity]` of an assignment: whether grade-all lists similar submissions, and from which share on."""

    enabled: bool = True
    threshold: float = DEFAULT_SIMILARITY_THRESHOLD


def similarity_settings(path: Path) -> SimilaritySettings:
    """The assignment's `[similarity]` table, defaults where it is silent (rubric_schema.py checks its types)."""
    table = read_toml(path).get("similarity", {})
    enabled, threshold = table.get("enabled", True), table.get("threshold", DEFAULT_SIMILARITY_THRESHOLD)
    if not isinstance(enabled, bool) or isinstance(threshold, bool) or not isinstance(threshold, (int, float)) \
            or not 0 < threshold <= 1:
        raise RubricError(f"{shown(Path(path))}: [similarity] enabled must be true or false and threshold a number "
                          f"in (0, 1], not {enabled!r} and {threshold!r}")
    return SimilaritySettings(enabled, float(threshold))


def unreadable(path: Path, exc: Exception) -> str:
    """Why a rubric file cannot be read, as `file:line: ...` when TOML says where (tomllib puts the
    place at the end of its message: "... (at line 3, column 9)")."""
    where = re.search(r"\s*\(at line (\d+), column (\d+)\)$", str(exc))
    if isinstance(exc, toml().TOMLDecodeError) and where:
        return (f"{shown(Path(path))}:{where[1]}: cannot read the rubric: TOML syntax error at column {where[2]}: "
                f"{str(exc)[:where.start()]}")
    return f"{shown(Path(path))}: cannot read the rubric: {exc}"


def did_you_mean(word: str, known: Iterable[str], prefix: str = "") -> str:
    """` (did you mean 'x'?)` for the closest of `known` to a misspelled `word`, else ""; the
    suggestion is shown after `prefix` (a test id's `<task>.`, left out of the comparison)."""
    match = difflib.get_close_matches(word, sorted(known), n=1, cutoff=0.6)
    return f" (did you mean {prefix + match[0]!r}?)" if match else ""


def read_toml(path: Path) -> dict[str, Any]:
    try:
        return toml().loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, toml().TOMLDecodeError) as exc:
        raise RubricError(unreadable(path, exc)) from None


def available(folder: Path = ASSIGNMENTS_DIR) -> dict[str, Path]:
    """{name: file} of every assignment in the repository (or the one a built zip holds)."""
    return {p.stem: p for p in sorted(Path(folder).glob("*.toml"))} if Path(folder).is_dir() else {}


@dataclass(frozen=True)
class Choice:
    """The assignment a command works on, and why that one (said first on stdout, so nobody guesses)."""

    path: Path
    how: str  # "named", "given file", "the only one", "default"

    @property
    def name(self) -> str:
        return self.path.stem

    def describe(self) -> str:
        return f"assignment: {self.name} ({shown(self.path)}; {self.how})"


def choose(name: str | None = None, path: Path | str | None = None, folder: Path = ASSIGNMENTS_DIR) -> Choice:
    """`--rubric FILE`, else `--assignment NAME` (or $AUTOGRADER_ASSIGNMENT, set by grade-all for its
    graders), else the only assignment, else the one marked `default = true`; anything else is an
    error that lists the assignments."""
    if path is not None:
        if name is not None:
            raise RubricError("give --assignment NAME or --rubric FILE, not both")
        return Choice(Path(path), "given file")
    found = available(folder)
    listing = ", ".join(found) or f"none: {shown(Path(folder))}/ holds no .toml file"
    if name is None and os.environ.get(ASSIGNMENT_ENV):
        name = os.environ[ASSIGNMENT_ENV]
    if name is not None:
        if name not in found:
            raise RubricError(f"no assignment {name!r}: {shown(Path(folder) / (name + '.toml'))} does not exist "
                              f"(assignments: {listing})")
        return Choice(found[name], "named")
    if len(found) == 1:
        return Choice(next(iter(found.values())), "the only one")
    marked = [p for p in found.values() if read_toml(p).get("assignment", {}).get("default") is True]
    if len(marked) != 1:
        why = "none is" if not marked else f"{len(marked)} are"
        raise RubricError(f"which assignment? {why} marked `default = true` in its [assignment] table: "
                          f"pass --assignment NAME (assignments: {listing})")
    return Choice(marked[0], "default")


def default_assignment() -> Path:
    return choose().path


@contextmanager
def exported(name: str) -> Iterator[None]:
    """$AUTOGRADER_ASSIGNMENT = name while grade-all's graders (subprocesses) start, then as it was."""
    previous = os.environ.get(ASSIGNMENT_ENV)
    os.environ[ASSIGNMENT_ENV] = name
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop(ASSIGNMENT_ENV, None)
        else:
            os.environ[ASSIGNMENT_ENV] = previous


@dataclass
class Merged:
    """An assignment's rubric before typing: raw entries, and which file set each of their keys."""

    path: Path
    data: dict[str, Any]
    tasks: tuple[str, ...]
    entries: dict[str, dict[str, Any]] = field(default_factory=dict)
    origins: dict[str, dict[str, Path]] = field(default_factory=dict)
    leaderboard: dict[str, Any] = field(default_factory=dict)
    stated: dict[str, dict[str, Any]] = field(default_factory=dict)  # the rubric files' own keys, per test


def tasks_problem(data: dict[str, Any], known: dict[str, Task]) -> str | None:
    """What is wrong with an assignment's `tasks` list (None: nothing)."""
    tasks = data.get("assignment", {}).get("tasks")
    if not isinstance(tasks, list) or not all(isinstance(t, str) for t in tasks):
        return "tasks must be a list of task names"
    unknown = [t for t in tasks if t not in known]
    if unknown:
        return f"tasks: no task {', '.join(map(repr, unknown))} (tasks: {', '.join(known) or 'none'})"
    return None


def listed_tasks(data: dict[str, Any], path: Path, known: dict[str, Task]) -> tuple[str, ...]:
    problem = tasks_problem(data, known)
    if problem:
        raise RubricError(f"{path}: [assignment] {problem}")
    return tuple(data["assignment"]["tasks"])


def merge(path: Path, known: dict[str, Task] | None = None,
          decorated: dict[str, dict[str, Any]] | None = None) -> Merged:
    """Task defaults in the assignment's order, its [tests] overrides above them, the hidden tests'
    gradescope-utils decorators (`decorated`: {test id: values}) where both are silent, and the
    assignment's [defaults] below all of them."""
    path = Path(path)
    known = all_tasks() if known is None else known
    data = read_toml(path)
    merged = Merged(path, data, listed_tasks(data, path, known))
    defaults = data.get("defaults", {})
    stated: dict[str, dict[str, Any]] = {}   # what the rubric files say of each test
    fallback: dict[str, str] = {}            # a test's number when nobody gives one: its place in its file
    for position, name in enumerate(merged.tasks, start=1):
        own = known[name].rubric
        table = read_toml(own) if own is not None else {}
        for index, (test_id, raw) in enumerate(table.get("tests", {}).items(), start=1):
            if not test_id.startswith(name + "."):
                raise RubricError(f"{own}: [tests.\"{test_id}\"] is not a test of task {name!r}")
            stated[test_id] = {**raw, **({"number": f"{position}.{raw['number']}"} if "number" in raw else {})}
            fallback[test_id] = f"{position}.{index}"
            merged.origins[test_id] = {TABLE: own, **{key: own for key in raw}}
        merged.leaderboard.update(table.get("leaderboard", {}))
    for test_id, raw in data.get("tests", {}).items():
        if test_id.split(".", 1)[0] not in merged.tasks:
            raise RubricError(f"{path}: [tests.\"{test_id}\"] overrides a test of a task this assignment does not list")
        stated[test_id] = {**stated.get(test_id, {}), **raw}
        merged.origins.setdefault(test_id, {TABLE: path}).update({key: path for key in raw})
    merged.stated = {tid: dict(raw) for tid, raw in stated.items()}
    for test_id, values in (decorated or {}).items():
        if test_id.split(".", 1)[0] in merged.tasks:
            stated[test_id] = {**values, **stated.get(test_id, {})}  # the rubric wins where both speak
    for index, (test_id, raw) in enumerate(stated.items(), start=1):
        merged.entries[test_id] = {**defaults, "number": fallback.get(test_id, str(index)), **raw}
    merged.leaderboard.update(data.get("leaderboard", {}))
    return merged
