"""`autograder rescore OUT`: apply a rubric change to a graded class without running student code.

Each test result keeps, in its extra_data, the fraction of its points it earned and the rubric
parameters it was graded with (plugin.py). A change of points, visibility, names or numbering is
then plain arithmetic on what is stored: seconds for a class. A change of a parameter (a tolerance,
a time threshold) or a test the results do not hold changes what the test would decide: only a
regrade can tell, so rescore names those tests and the regrade command.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from autograder.classroom.gradebook import RESULTS
from autograder.course.rubric import Rubric
from autograder.course.rubric_hash import HASH_KEY, rubric_hash
from autograder.grading.results import number_key, read_json, test_id, write_json_atomic


@dataclass
class Rescored:
    """One submission after a rescore: its new document, and what a regrade still has to settle."""

    name: str
    old: dict[str, Any]
    new: dict[str, Any]
    params_changed: list[str] = field(default_factory=list)  # graded with other parameters: regrade
    missing: list[str] = field(default_factory=list)  # in the rubric, no stored outcome (never graded)
    dropped: list[str] = field(default_factory=list)  # results of tests no longer in the rubric


def fraction_of(test: dict[str, Any]) -> float:
    """The share of its points a test earned (stored since rescore exists; derived for older results)."""
    extra = test.get("extra_data", {})
    if "fraction" in extra:
        return float(extra["fraction"])
    max_score = float(test.get("max_score", 0.0))
    if max_score > 0:
        return float(test.get("score", 0.0)) / max_score
    return 1.0 if test.get("status") == "passed" else 0.0


def rescore_document(name: str, document: dict[str, Any], rubric: Rubric) -> Rescored:
    """The document as `rubric` scores the stored outcomes; no test is run."""
    tests, changed, dropped = [], [], []
    for test in document.get("tests", []):
        tid = test_id(test)
        entry = rubric.entry(tid)
        if entry is None:
            dropped.append(tid)
            continue
        extra = dict(test.get("extra_data", {}))
        fraction = min(1.0, max(0.0, fraction_of(test)))  # a test never earns more than its points
        if extra.get("params", entry.params) != entry.params:
            changed.append(tid)
        passed = entry.points == 0 if extra.get("skipped") else fraction >= 1.0
        tests.append({**test, "name": entry.name, "score": round(entry.points * fraction, 4),
                      "max_score": entry.points, "visibility": entry.visibility, "number": entry.number,
                      "status": "passed" if passed else "failed", "extra_data": {**extra, "fraction": fraction}})
    held = {test_id(t) for t in tests}
    missing = [tid for tid in rubric.entries if tid not in held]
    tests.sort(key=lambda t: number_key(str(t["number"])))
    stamp = {k: v for k, v in (document.get("extra_data") or {}).items() if k != HASH_KEY}
    if not changed:  # scored under `rubric` now; a parameter change stays stale until regraded
        stamp[HASH_KEY] = rubric_hash(rubric)
    new = {**document, "tests": tests, "score": round(sum(t["score"] for t in tests), 6), "extra_data": stamp}
    return Rescored(name, document, new, changed, missing, dropped)


def regrade_hint(tests: list[str], out: Path) -> str:
    """The line naming tests only a regrade can settle, and the command that does it."""
    return (f"graded with other parameters (tolerances, thresholds...), so only a regrade can tell: "
            f"{', '.join(tests)}; run for each: autograder grade-all <submissions> --out {out} --force "
            f"--tests '<test id>'")


def change_line(name: str, old: dict[str, Any] | None, new: dict[str, Any]) -> str | None:
    """"alice: 12 -> 10 (-2): task.plot 3 -> 1", or None when no score moved."""
    before = {test_id(t): float(t.get("score", 0.0)) for t in (old or {}).get("tests", [])}
    after = {test_id(t): float(t.get("score", 0.0)) for t in new.get("tests", [])}
    moved = [f"{tid} {before[tid]:g} -> {after[tid]:g}" if tid in before else f"{tid} new {after[tid]:g}"
             for tid in after if tid not in before or abs(before[tid] - after[tid]) > 1e-9]
    moved += [f"{tid} {before[tid]:g} -> gone" for tid in before if tid not in after]
    old_total, new_total = float((old or {}).get("score", 0.0)), float(new.get("score", 0.0))
    if not moved and abs(old_total - new_total) < 1e-9:
        return None
    return f"{name}: {old_total:g} -> {new_total:g} ({new_total - old_total:+g})" + (": " + ", ".join(moved) if moved else "")


def rescore_folder(out: Path, names: list[str], rubric: Rubric, dry_run: bool = False) -> list[Rescored]:
    """Rescore OUT/<name>/results.json for each name that has one; rewritten unless `dry_run`."""
    done = []
    for name in names:
        path = Path(out) / name / RESULTS
        document = read_json(path)
        if document is None:
            continue
        rescored = rescore_document(name, document, rubric)
        if not dry_run and rescored.new != document:
            write_json_atomic(path, rescored.new, mode=0o600)
        done.append(rescored)
    return done
