"""The rubric's schema: every mistake an instructor can make in rubric.toml, found before grading.

Checked alike by `validate`, `build`, `grade` and `grade-all`, so a rubric that would give every
student 0/0 (or silently cost the reference points) never reaches a student. Each problem names
the file, the line and the entry.

Where the types come from (data-driven, nothing to keep in sync by hand):
- the fixed keys of a test entry, [assignment] and [grading]: the JSON schema below;
- [limits]: the fields and types of `Limits` (autograder/sandbox/policy.py);
- a test's own parameters (rtol, min_speedup, ...): their NAMES are the ones the hidden tests read
  (`entry["rtol"]` or `entry.get("rtol")` in tests/grading/; the plugin itself reads `timeout`), so a
  misspelled `rtoll` that no test reads is an error with the closest known name; their TYPES are the
  ones the same parameter has in the other entries and in the project's rubric.toml, so
  `rtol = "1e-9"` where rtol is a number everywhere else is an error.
"""

from __future__ import annotations

import dataclasses
import difflib
import re
import typing
from collections import Counter
from pathlib import Path
from typing import Any

import jsonschema

from autograder.gradescope_tests import collected_decorations, with_decorators
from autograder.paths import GRADING_TESTS, RUBRIC_FILE
from autograder.rubric import VISIBILITIES, load_rubric, tomllib
from autograder.sandbox.policy import Limits
from autograder.timeouts import PLUGIN_PARAMETERS

ENTRY = {"name": {"type": "string"}, "points": {"type": "number", "minimum": 0},
         "number": {"type": "string"}, "visibility": {"enum": list(VISIBILITIES)},
         "tags": {"type": "array", "items": {"type": "string"}}}
_JSON_TYPES = {int: "integer", float: "number", bool: "boolean", str: "string"}
_READS = re.compile(r"""\bentry(?:\[|\.get\()\s*["']([A-Za-z_][A-Za-z0-9_]*)["']""")


def _limits_schema() -> dict[str, Any]:
    """[limits] from the Limits dataclass: its field names and types, nothing else."""
    hints = typing.get_type_hints(Limits)
    props = {f.name: {"type": _JSON_TYPES.get(hints[f.name], "number"), "minimum": 0}
             for f in dataclasses.fields(Limits)}
    return {"type": "object", "properties": props, "additionalProperties": False}


def schema() -> dict[str, Any]:
    table = {"type": "object"}
    return {"type": "object", "additionalProperties": False, "properties": {
        "assignment": {**table, "additionalProperties": False, "required": ["total_points"], "properties": {
            "title": {"type": "string"}, "total_points": {"type": "number", "minimum": 0}}},
        "limits": _limits_schema(),
        "grading": {**table, "additionalProperties": False,
                    "properties": {"salvage_earns_points": {"type": "boolean"}}},
        "leaderboard": {**table, "additionalProperties": {"type": "string"}},
        "defaults": {**table, "properties": ENTRY},
        "tests": {**table, "additionalProperties": {**table, "required": ["points"], "properties": ENTRY}},
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
        for number, line in enumerate(self.lines, start=1):
            stripped = line.strip()
            if stripped.startswith("["):
                name = re.sub(r"\s", "", stripped.split("#", 1)[0]).strip("[]").replace("'", '"')
                wanted = table if entry is None else f'{table}."{entry}"'
                if header is not None:
                    break
                if name in (wanted, wanted.replace('"', "")):
                    header = number
            elif header is not None and key is not None and re.match(rf"\s*['\"]?{re.escape(key)}['\"]?\s*=", line):
                return number
        return header


def _closest(word: str, known: set[str]) -> str:
    match = difflib.get_close_matches(word, sorted(known), n=1, cutoff=0.6)
    return f" (did you mean {match[0]!r}?)" if match else ""


def _entry_params(data: dict[str, Any]) -> list[tuple[str, str, Any]]:
    """(entry id, parameter, value) of every test entry's own parameters."""
    tests = data.get("tests")
    return [(tid, key, value) for tid, raw in (tests.items() if isinstance(tests, dict) else [])
            if isinstance(raw, dict) for key, value in raw.items() if key not in ENTRY]


def _parameter_problems(data: dict[str, Any], shipped: dict[str, Any], known: set[str],
                        where: Any) -> list[str]:
    found = []
    params = _entry_params(data)
    kinds: dict[str, Counter] = {}
    for _tid, key, value in params + _entry_params(shipped):
        kinds.setdefault(key, Counter())[_kind(value)] += 1
    for tid, key, value in params:
        if key not in known:
            found.append(where("tests", tid, key, f"unknown key {key!r}: no hidden test reads it"
                               + _closest(key, known | set(ENTRY))))
            continue
        others = kinds[key] - Counter({_kind(value): 1})
        usual = others.most_common(1)[0][0] if others else "number" if _numeric(value) else _kind(value)
        if _kind(value) != usual:
            found.append(where("tests", tid, key, f"{key} = {value!r} is a {_kind(value)}, but {key} is a "
                               f"{usual} in the other entries"))
    return found


def _path_of(error: jsonschema.ValidationError) -> tuple[str, str | None, str | None]:
    path = [str(p) for p in error.absolute_path]
    if path and path[0] == "tests":
        return "tests", (path[1] if len(path) > 1 else None), (path[2] if len(path) > 2 else None)
    return (path[0] if path else ""), None, (path[1] if len(path) > 1 else None)


def check_rubric(path: Path = RUBRIC_FILE, collected_ids: list[str] | None = None,
                 tests_dir: Path = GRADING_TESTS) -> list[str]:
    """Every problem of the rubric at `path`, one line each (`file:line: [entry] what`); [] when
    it is sound. With `collected_ids` (the hidden tests' ids) ids and tests are matched too."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
        data = tomllib.loads(text)
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        return [f"{path}: cannot read the rubric: {exc}"]
    lines = _Lines(text)
    decorated = collected_decorations(Path(tests_dir))  # gradescope-utils decorators fill what entries omit
    if isinstance(data.get("tests"), dict):
        data["tests"] = with_decorators(data["tests"], decorated)

    def where(table: str, entry: str | None, key: str | None, message: str) -> str:
        line = lines.of(table, entry, key)
        label = f'[{table}."{entry}"]' if entry else f"[{table}]" if table else "(top level)"
        return f"{path}:{line or '?'}: {label} {message}"

    found = []
    for error in sorted(jsonschema.Draft202012Validator(schema()).iter_errors(data), key=lambda e: list(e.path)):
        table, entry, key = _path_of(error)
        if error.validator == "additionalProperties":
            known = set(error.schema.get("properties", {}))
            for extra in sorted(set(error.instance) - known):
                where_table, where_entry = (extra, None) if not table else (table, entry)
                found.append(where(where_table, where_entry, None if not table else extra,
                                   f"unknown key {extra!r}" + _closest(extra, known)))
        else:
            found.append(where(table, entry, key, f"{key + ': ' if key else ''}{error.message}"))
    shipped = {} if path.resolve() == RUBRIC_FILE.resolve() else _load_quietly(RUBRIC_FILE)
    found += _parameter_problems(data, shipped, parameters_read(tests_dir), where)
    if found:
        return found  # totals and ids need a well-typed file
    rubric = load_rubric(path, decorated)
    for problem in rubric.problems(collected_ids):
        unlisted = re.fullmatch(r"test (\S+) has no rubric entry", problem)
        if unlisted:
            task = unlisted.group(1).split(".", 1)[0]
            found.append(f"{path}: {problem} (a test of {Path(tests_dir).name}/{task}/test_{task}.py): add "
                         f'[tests."{unlisted.group(1)}"]')
            continue
        entry = next((tid for tid in sorted(rubric.entries, key=len, reverse=True) if tid in problem), None)
        table = "tests" if entry else "assignment"
        found.append(where(table, entry, None if entry else "total_points", problem))
    return found


def _load_quietly(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError):
        return {}
