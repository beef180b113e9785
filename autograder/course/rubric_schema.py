"""The rubric's schema: every mistake an instructor can make in an assignment, found before grading.

An assignment's rubric is its file (assignments/<name>.toml) merged with each of its tasks' default
entries (tests/grading/<task>/rubric.toml). Checked alike by `validate`, `build`, `grade` and
`grade-all`, so a rubric that would give every student 0/0 (or silently cost the reference points)
never reaches a student. Each problem names the file it lies in (the assignment or the task's own
rubric.toml), the line and the entry.

Where the types come from (data-driven, nothing to keep in sync by hand):
- the fixed keys of a test entry, [assignment] and [grading]: the JSON schemas below;
- [limits]: the fields and types of `Limits` (autograder/course/limits.py);
- a test's own parameters (rtol, min_speedup, ...): their NAMES are the ones the hidden tests read
  (`entry["rtol"]` or `entry.get("rtol")` in tests/grading/; the plugin itself reads `timeout`), so a misspelled `rtoll` that no test
  reads is an error with the closest known name; their TYPES are the ones the same parameter has
  in the other entries (every task's rubric.toml and the assignment's overrides), so `rtol = "1e-9"`
  where rtol is a number everywhere else is an error.
"""

from __future__ import annotations

import dataclasses
import re
import typing
from collections import Counter
from pathlib import Path
from typing import Any

import jsonschema

from autograder.course.assignment import (
    TABLE,
    RubricError,
    default_assignment,
    did_you_mean,
    listed_tasks,
    merge,
    shown,
    tasks_problem,
    toml,
    unreadable,
)
from autograder.course.gradescope_tests import collected_decorations
from autograder.course.limits import Limits
from autograder.course.paths import GRADING_TESTS
from autograder.course.rubric import VISIBILITIES, load_rubric
from autograder.course.tasks import all_tasks
from autograder.course.timeouts import PLUGIN_PARAMETERS

ENTRY = {"name": {"type": "string"}, "points": {"type": "number", "minimum": 0},
         "number": {"type": "string"}, "visibility": {"enum": list(VISIBILITIES)},
         "tags": {"type": "array", "items": {"type": "string"}},
         "public": {"type": "boolean"}}  # false: the self-check does not show the public checks standing for it
_JSON_TYPES = {int: "integer", float: "number", bool: "boolean", str: "string"}
_READS = re.compile(r"""\bentry(?:\[|\.get\()\s*["']([A-Za-z_][A-Za-z0-9_]*)["']""")


def _limits_schema() -> dict[str, Any]:
    """[limits] from the Limits dataclass: its field names and types, nothing else."""
    hints = typing.get_type_hints(Limits)
    props = {f.name: {"type": _JSON_TYPES.get(hints[f.name], "number"), "minimum": 0}
             for f in dataclasses.fields(Limits)}
    return {"type": "object", "properties": props, "additionalProperties": False}


def schema() -> dict[str, Any]:
    """An assignment file: its tables, and [tests] overrides that may change any key of an entry."""
    table = {"type": "object"}
    return {"type": "object", "additionalProperties": False, "required": ["assignment"], "properties": {
        "assignment": {**table, "additionalProperties": False, "required": ["tasks", "total_points"],
                       "properties": {"title": {"type": "string"}, "total_points": {"type": "number", "minimum": 0},
                                      "tasks": {"type": "array", "items": {"type": "string"}, "minItems": 1,
                                                "uniqueItems": True},
                                      "default": {"type": "boolean"}}},
        "limits": _limits_schema(),
        "grading": {**table, "additionalProperties": False,
                    "properties": {"salvage_earns_points": {"type": "boolean"}}},
        "leaderboard": {**table, "additionalProperties": {"type": "string"}},
        "similarity": {**table, "additionalProperties": False,
                       "properties": {"enabled": {"type": "boolean"},
                                      "threshold": {"type": "number", "exclusiveMinimum": 0, "maximum": 1}}},
        "defaults": {**table, "properties": ENTRY},
        "tests": {**table, "additionalProperties": {**table, "properties": ENTRY}},
    }}


def task_schema() -> dict[str, Any]:
    """A task's own rubric.toml: its tests' default entries (each with points) and leaderboard names."""
    table = {"type": "object"}
    return {"type": "object", "additionalProperties": False, "properties": {
        "leaderboard": {**table, "additionalProperties": {"type": "string"}},
        # points may come from a gradescope-utils @weight instead: load_rubric says when neither gives them
        "tests": {**table, "additionalProperties": {**table, "properties": ENTRY}},
    }}


def parameters_read(tests_dir: Path = GRADING_TESTS) -> set[str]:
    """The rubric parameters the hidden tests read: the only ones that mean anything."""
    return PLUGIN_PARAMETERS | {name for path in sorted(Path(tests_dir).glob("*/test_*.py"))
                                for name in _READS.findall(path.read_text(encoding="utf-8"))}


def _numeric(value: Any) -> bool:
    """A string that reads as a number ("1e-9", "5"): quoted by mistake."""
    try:
        return isinstance(value, str) and bool(float(value) == float(value))
    except ValueError:
        return False


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    return {str: "string", list: "array", dict: "table"}.get(type(value), type(value).__name__)


class _Lines:
    """Line numbers in the TOML text (tomllib gives none): the table header, then the key below it."""

    def __init__(self, text: str) -> None:
        self.lines = text.splitlines()

    def of(self, table: str, entry: str | None = None, key: str | None = None) -> int | None:
        header = None
        wanted = table if entry is None else f'{table}."{entry}"'
        for number, line in enumerate(self.lines, start=1):
            stripped = line.strip()
            if stripped.startswith("["):
                name = re.sub(r"\s", "", stripped.split("#", 1)[0]).strip("[]").replace("'", '"')
                if header is not None:
                    break
                if name in (wanted, wanted.replace('"', "")):
                    header = number
            elif header is not None and key is not None and re.match(rf"\s*['\"]?{re.escape(key)}['\"]?\s*=", line):
                return number
        return header or self._first_of(wanted)

    def _first_of(self, wanted: str) -> int | None:
        """Where a table written otherwise starts: a header it begins (`[test."a.b"]` for an unknown
        `test`, `[tests.a.b]` for `tests."a"`), or a key set above every header (`total = 3`)."""
        plain = wanted.replace('"', "")
        for number, line in enumerate(self.lines, start=1):
            stripped = line.split("#", 1)[0].strip()
            if stripped.startswith("["):
                name = re.sub(r"[\s\"']", "", stripped).strip("[]")
                if name.startswith(plain + "."):
                    return number
            elif "." not in plain and re.match(rf"['\"]?{re.escape(plain)}['\"]?\s*=", stripped):
                return number
        return None


def _entry_params(data: dict[str, Any]) -> list[tuple[str, str, Any]]:
    """(entry id, parameter, value) of every test entry's own parameters (ids without a dot are
    reported by `_unquoted`, not read as entries)."""
    tests = data.get("tests")
    return [(tid, key, value) for tid, raw in (tests.items() if isinstance(tests, dict) else [])
            if isinstance(raw, dict) and "." in tid for key, value in raw.items() if key not in ENTRY]


def _unquoted(file: "_File") -> list[str]:
    """`[tests.knn.vote]` is a table `knn` holding `vote`, not the test `knn.vote`: TOML
    needs the id quoted."""
    tests = file.data.get("tests")
    return [file.say("tests", tid, None, f"is not a test id (`<task>.<test>`): write the id in quotes, "
                     f'[tests."{tid}.{next(iter(raw), "<test>")}"]')
            for tid, raw in (tests.items() if isinstance(tests, dict) else []) if "." not in tid]


def _parameter_problems(data: dict[str, Any], kinds: dict[str, Counter], known: set[str],
                        where: "_File") -> list[str]:
    found = []
    for tid, key, value in _entry_params(data):
        if key not in known:
            found.append(where.say("tests", tid, key, f"unknown key {key!r}: no hidden test reads it"
                                   + did_you_mean(key, known | set(ENTRY))))
            continue
        others = kinds[key] - Counter({_kind(value): 1})
        usual = others.most_common(1)[0][0] if others else "number" if _numeric(value) else _kind(value)
        if _kind(value) != usual:
            found.append(where.say("tests", tid, key, f"{key} = {value!r} is a {_kind(value)}, but {key} is a "
                                   f"{usual} in the other entries"))
    return found


def _path_of(error: jsonschema.ValidationError) -> tuple[str, str | None, str | None]:
    path = [str(p) for p in error.absolute_path]
    if path and path[0] == "tests":
        return "tests", (path[1] if len(path) > 1 else None), (path[2] if len(path) > 2 else None)
    return (path[0] if path else ""), None, (path[1] if len(path) > 1 else None)


class _File:
    """One rubric file (the assignment or a task's rubric.toml): its data and `file:line: [entry]` labels."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.text = self.path.read_text(encoding="utf-8")
        self.data = toml().loads(self.text)
        self.lines = _Lines(self.text)

    def say(self, table: str, entry: str | None, key: str | None, message: str) -> str:
        line = self.lines.of(table, entry, key)
        label = f'[{table}."{entry}"]' if entry else f"[{table}]" if table else "(top level)"
        return f"{shown(self.path)}:{line or '?'}: {label} {message}"

    def schema_problems(self, rules: dict[str, Any]) -> list[str]:
        found = []
        for error in sorted(jsonschema.Draft202012Validator(rules).iter_errors(self.data), key=lambda e: list(e.path)):
            table, entry, key = _path_of(error)
            if error.validator == "additionalProperties":
                known = set(error.schema.get("properties", {}))
                for extra in sorted(set(error.instance) - known):
                    where_table, where_entry = (extra, None) if not table else (table, entry)
                    found.append(self.say(where_table, where_entry, None if not table else extra,
                                          f"unknown key {extra!r}" + did_you_mean(extra, known)))
            else:
                found.append(self.say(table, entry, key, f"{key + ': ' if key else ''}{error.message}"))
        return found


def _open(path: Path) -> _File | str:
    try:
        return _File(path)
    except (OSError, UnicodeDecodeError, toml().TOMLDecodeError) as exc:
        return unreadable(path, exc)


def _task_files(assignment: _File) -> tuple[list[str], dict[str, _File]]:
    """(problems, {task: its rubric file}) of the tasks the assignment lists; tasks without a
    rubric.toml have no file (their tests are then reported as having no entry)."""
    known = all_tasks()
    problem = tasks_problem(assignment.data, known)
    if problem:
        return [assignment.say("assignment", None, "tasks", problem)], {}
    tasks = listed_tasks(assignment.data, assignment.path, known)
    problems, files = [], {}
    for name in tasks:
        if known[name].rubric is None:
            continue
        opened = _open(known[name].rubric)
        if isinstance(opened, str):
            problems.append(opened)
            continue
        files[name] = opened
        problems += opened.schema_problems(task_schema())
        problems += [opened.say("tests", tid, None, f"is not a test of task {name!r} (ids start with `{name}.`)")
                     for tid in opened.data.get("tests", {}) if not str(tid).startswith(name + ".")]
    problems += [assignment.say("tests", tid, None, f"overrides a test of task {tid.split('.', 1)[0]!r}, which "
                                f"[assignment] tasks does not list") for tid in assignment.data.get("tests", {})
                 if isinstance(assignment.data["tests"], dict) and tid.split(".", 1)[0] not in tasks]
    return problems, files


def _test_file(tests_dir: Path, test_id: str) -> str:
    """`grading/<task>/test_<file>.py`, the file of a task's folder that defines the test (a suite may
    be split over several files), or `test_<task>.py` when none is found by reading them."""
    task, name = test_id.split(".", 1)
    defines = re.compile(rf"^\s*def test_{re.escape(name.split('[', 1)[0])}\b", re.M)
    files = sorted((tests_dir / task).glob("test_*.py"))
    found = next((p for p in files if defines.search(p.read_text(encoding="utf-8"))), tests_dir / task / f"test_{task}.py")
    return f"{tests_dir.name}/{task}/{found.name}"


def _all_task_data() -> list[dict[str, Any]]:
    """Every task's rubric data in the repository: the types a parameter usually has."""
    found = []
    for task in all_tasks().values():
        if task.rubric is not None:
            try:
                found.append(toml().loads(task.rubric.read_text(encoding="utf-8")))
            except (OSError, UnicodeDecodeError, toml().TOMLDecodeError):
                continue
    return found


def check_rubric(path: Path | None = None, collected_ids: list[str] | None = None,
                 tests_dir: Path = GRADING_TESTS) -> list[str]:
    """Every problem of the assignment at `path` (default: the default assignment) and of its tasks'
    rubric files, one line each (`file:line: [entry] what`); [] when they are sound. With
    `collected_ids` (the hidden tests' ids) ids and tests are matched too."""
    assignment = _open(Path(path) if path is not None else default_assignment())
    if isinstance(assignment, str):
        return [assignment]
    found = assignment.schema_problems(schema())
    if found:
        return found  # the task list and the tables must be well-typed first
    task_problems, files = _task_files(assignment)
    found += task_problems
    kinds: dict[str, Counter] = {}
    for data in _all_task_data() + [assignment.data]:
        for _tid, key, value in _entry_params(data):
            kinds.setdefault(key, Counter())[_kind(value)] += 1
    known = parameters_read(tests_dir)
    for file in [assignment, *files.values()]:
        found += _unquoted(file) + _parameter_problems(file.data, kinds, known, file)
    if found:
        return found  # totals and ids need well-typed files
    try:
        decorated = collected_decorations(Path(tests_dir))  # gradescope-utils decorators fill silences
        rubric = load_rubric(assignment.path, decorated)
        pointless = [tid for tid, raw in merge(assignment.path, decorated=decorated).entries.items() if "points" not in raw]
    except RubricError as exc:
        return [f"{shown(assignment.path)}: {exc}"]
    found += [next((f for f in [assignment, *files.values()] if tid in f.data.get("tests", {})), assignment).say(
        "tests", tid, None, "has no points (no rubric file gives them, no @weight)") for tid in pointless]
    opened = {file.path: file for file in [assignment, *files.values()]}
    for problem in rubric.problems(collected_ids):
        unlisted = re.fullmatch(r"test (\S+) has no rubric entry( \(did you mean .*\))?", problem)
        if unlisted:
            task = unlisted.group(1).split(".", 1)[0]
            home = files[task].path if task in files else Path(tests_dir) / task / "rubric.toml"
            found.append(f"{shown(home)}: {problem} (a test of {_test_file(Path(tests_dir), unlisted.group(1))}): "
                         f'add [tests."{unlisted.group(1)}"]')
            continue
        named_ids = [tid for tid in rubric.entries if tid in problem]  # the first named, the longest of a prefix
        entry = min(named_ids, key=lambda tid: (problem.index(tid), -len(tid)), default=None)
        if entry is None:
            found.append(assignment.say("assignment", None, "total_points", problem))
            continue
        origins = rubric.origins.get(entry, {})
        named = re.search(r": (\w+) = ", problem)
        key = "number" if "share the number" in problem else named.group(1) if named else None
        file = opened.get(origins.get(key or TABLE, origins.get(TABLE, assignment.path)), assignment)
        found.append(file.say("tests", entry, key, problem))
    return found
