"""Gradescope's results.json: always written, valid at every moment, replaced atomically.

A fallback is written before anything else runs and rewritten after every test, so a grading run
that is killed half-way still leaves a valid file with the results obtained so far.
"""

from __future__ import annotations

import json
import math
import os
import tempfile
import time
from dataclasses import asdict, dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from autograder.course import timing
from autograder.course.rubric_hash import HASH_KEY, stored_hash

OUTPUT_LIMIT = 90_000  # Gradescope cuts each output at about 100,000 characters


@dataclass
class TestResult:
    __test__ = False  # not a pytest test class, despite the name

    name: str
    score: float
    max_score: float
    status: str
    output: str
    visibility: str
    number: str
    tags: list[str] = field(default_factory=list)
    extra_data: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["output"] = clip(self.output)
        data["output_format"] = "md"
        return data


# Marks the grader sets in the top-level extra_data; a batch's status is read from them, never from
# the output's text, which quotes the student (a message "The autograder itself failed", say).
GRADER_FAILED, NO_CODE = "grader_failed", "no_code"


def marked(document: dict[str, Any], mark: str) -> bool:
    extra = document.get("extra_data")
    return isinstance(extra, dict) and extra.get(mark) is True


def number_key(number: str) -> tuple:
    """"1.10" after "1.9": compare the dotted parts as numbers where they are numbers."""
    return tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in number.split("."))


def clip(text: str, limit: int = OUTPUT_LIMIT) -> str:
    return text if len(text) <= limit else text[:limit] + "\n\n... (output cut)"


def schema() -> dict[str, Any]:
    return json.loads(resources.files("autograder.grading").joinpath("results_schema.json").read_text())


def test_id(test: dict[str, Any]) -> str:
    """A result's rubric id (kept in extra_data), or its name for results written before ids."""
    return str(test.get("extra_data", {}).get("id", test.get("name", "?")))


def merge_documents(old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    """`new` (a regrade of some tests) laid over `old`: its tests replace those with the same id,
    the others stay, the total is recomputed. Why: a one-task regrade must not erase the rest."""
    replaced = {test_id(t) for t in new.get("tests", [])}
    tests = [t for t in old.get("tests", []) if test_id(t) not in replaced] + list(new.get("tests", []))
    merged = {**old, **new, "tests": sorted(tests, key=lambda t: number_key(str(t.get("number", ""))))}
    merged["score"] = round(sum(float(t.get("score", 0.0)) for t in tests), 6)
    if stored_hash(old) != stored_hash(new):  # tests kept from another rubric: the gradebook rescores them
        merged["extra_data"] = {k: v for k, v in (merged.get("extra_data") or {}).items() if k != HASH_KEY}
    return merged


def read_json(path: Path) -> dict[str, Any] | None:
    """A JSON object from a file, or None when it is missing, half-written or not an object."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def finite(value: Any) -> Any:
    """`value` with every NaN or infinite float (a student's value kept in extra_data, a leaderboard
    entry) replaced by None: NaN and Infinity are not JSON, and Gradescope's parser rejects them."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: finite(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [finite(v) for v in value]
    return value


def strict_json(document: dict[str, Any]) -> str:
    """The document as strict JSON (never NaN or Infinity)."""
    try:
        return json.dumps(document, indent=1, allow_nan=False)
    except ValueError:
        return json.dumps(finite(document), indent=1, allow_nan=False)


def write_json_atomic(path: Path, document: dict[str, Any], mode: int = 0o644) -> None:
    """Replace `path` in one step, so a reader never sees half a file; strict JSON."""
    path.parent.mkdir(parents=True, exist_ok=True)
    text = strict_json(document)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".results-", suffix=".json")
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(text)
    os.chmod(tmp, mode)
    os.replace(tmp, path)


class ResultsWriter:
    """Accumulates test results and keeps `path` a valid results.json at all times."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.started = time.monotonic()
        self.tests: list[TestResult] = []
        self.output = ("Grading did not finish: the results below are the ones obtained before it stopped. "
                       "Please tell your instructor.")
        self.leaderboard: list[dict[str, Any]] = []
        self.extra: dict[str, Any] = {}
        self.write()

    def add(self, result: TestResult) -> None:
        self.tests.append(result)
        self.write()

    def score(self) -> float:
        return round(sum(t.score for t in self.tests), 6)

    def document(self) -> dict[str, Any]:
        return {
            "score": self.score(),
            "execution_time": round(time.monotonic() - self.started, 3),
            "output": clip(self.output),
            "output_format": "md",
            "test_output_format": "md",
            "stdout_visibility": "hidden",
            "tests": [t.to_json() for t in sorted(self.tests, key=lambda t: number_key(t.number))],
            "leaderboard": self.leaderboard,
            "extra_data": self.extra,
        }

    def write(self) -> dict[str, Any]:
        """Replace the file atomically; returns the document exactly as written."""
        start = time.perf_counter()
        document = self.document()
        write_json_atomic(self.path, document)
        timing.add("writing results.json", time.perf_counter() - start)
        return document
