"""The rubric of one assignment: every hidden test of its tasks with points, visibility and parameters.

Tests refer to their entry by id (`<task>.<test function without test_>`, plus `[param]` for a
parametrised case). The entries come from each task's `tests/grading/<task>/rubric.toml`, merged
with the assignment file (autograder/course/assignment.py), so an instructor changes points, visibility,
tolerances or time thresholds in one place and `autograder validate` checks that ids, points and
the total still agree.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from autograder.course.assignment import (  # noqa: F401 (RubricError re-exported)
    RubricError,
    default_assignment,
    did_you_mean,
    merge,
)
from autograder.course.limits import Limits

VISIBILITIES = ("hidden", "after_due_date", "after_published", "visible")
ENTRY_KEYS = {"name", "points", "number", "visibility", "tags"}


@dataclass(frozen=True)
class Entry:
    """One test's line of the rubric. Extra keys are the test's own parameters.
    Example: `entry["rtol"]`, `entry.get("seed", 0)`, `entry.points`."""

    id: str
    name: str
    points: float
    number: str
    visibility: str
    params: dict[str, Any] = field(default_factory=dict)
    tags: tuple[str, ...] = ()  # Gradescope's tags of the result, besides the task

    def __getitem__(self, key: str) -> Any:
        """A parameter the test needs; a missing one is the instructor's error, said plainly."""
        if key not in self.params:
            raise RubricError(f"rubric entry {self.id!r} has no parameter {key!r}")
        return self.params[key]

    def get(self, key: str, default: Any = None) -> Any:
        return self.params.get(key, default)

    @property
    def task(self) -> str:
        return self.id.split(".", 1)[0]


@dataclass(frozen=True)
class Rubric:
    title: str
    total_points: float
    entries: dict[str, Entry]
    limits: Limits
    leaderboard: dict[str, Any]
    path: Path
    grading: dict[str, Any] = field(default_factory=dict)  # [grading]: course-wide rules
    tasks: tuple[str, ...] = ()  # the assignment's tasks, in its order
    origins: dict[str, dict[str, Path]] = field(default_factory=dict)  # {test id: {key: file that set it}}

    @property
    def name(self) -> str:
        return self.path.stem

    @property
    def salvage_earns_points(self) -> bool:
        """Whether the parts of an uncompilable file that salvage kept may earn points (default: no)."""
        return bool(self.grading.get("salvage_earns_points", False))

    def entry(self, test_id: str) -> Entry | None:
        return self.entries.get(test_id)

    def problems(self, collected_ids: list[str] | None = None) -> list[str]:
        """Everything an instructor must fix; empty when the rubric is consistent."""
        found: list[str] = []
        total = sum(e.points for e in self.entries.values())
        if abs(total - self.total_points) > 1e-9:
            found.append(f"points add up to {total:g}, but [assignment] total_points is {self.total_points:g}")
        numbers: dict[str, str] = {}
        for entry in self.entries.values():
            if entry.number in numbers:
                found.append(f"{entry.id} and {numbers[entry.number]} share the number {entry.number}")
            numbers[entry.number] = entry.id
            for key, value in entry.params.items():
                if (key.endswith(("tol", "timeout", "seconds")) or key.startswith("min_")) and \
                        isinstance(value, (int, float)) and value < 0:
                    found.append(f"{entry.id}: {key} = {value} must not be negative")
        if collected_ids is not None:
            collected = set(collected_ids)
            unmatched = [t for t in self.entries if t not in collected]
            unlisted = [t for t in collected_ids if t not in self.entries]
            found += [f"test {t} has no rubric entry{_same_task(t, unmatched)}" for t in unlisted]
            found += [f"rubric entry {t} matches no test{_same_task(t, list(collected_ids))}" for t in unmatched]
        return found


def _same_task(test_id: str, others: list[str]) -> str:
    """Did you mean another id of the same task? (Names compared without the shared `<task>.`.)"""
    task, _, name = test_id.partition(".")
    return did_you_mean(name, [o.partition(".")[2] for o in others if o.partition(".")[0] == task], f"{task}.")


def load_rubric(path: Path | None = None, decorated: dict[str, dict[str, Any]] | None = None) -> Rubric:
    """The rubric of the assignment file at `path` (default: the default assignment); `decorated`
    ({test id: values}) gives the gradescope-utils decorators' points, number, visibility and tags
    where the rubric files are silent (autograder/course/gradescope_tests.py)."""
    merged = merge(Path(path) if path is not None else default_assignment(), decorated=decorated)
    data = merged.data
    assignment = data.get("assignment", {})
    entries: dict[str, Entry] = {}
    for index, (test_id, raw) in enumerate(merged.entries.items(), start=1):
        visibility = raw.get("visibility", "visible")
        if visibility not in VISIBILITIES:
            raise RubricError(f"{test_id}: visibility {visibility!r} is not one of {', '.join(VISIBILITIES)}")
        points = raw.get("points", 0)  # missing: check_rubric says so, unless a decorator gives them
        if not isinstance(points, (int, float)) or points < 0:
            raise RubricError(f"{test_id}: points must be a number >= 0")
        params = {k: v for k, v in raw.items() if k not in ENTRY_KEYS}
        entries[test_id] = Entry(test_id, str(raw.get("name", test_id)), float(points),
                                 str(raw.get("number", index)), visibility, params, tuple(raw.get("tags", ())))
    limit_fields = set(Limits.__dataclass_fields__)
    unknown = set(data.get("limits", {})) - limit_fields
    if unknown:
        raise RubricError(f"[limits] has unknown keys: {', '.join(sorted(unknown))}")
    grading = data.get("grading", {})
    if not isinstance(grading.get("salvage_earns_points", False), bool):
        raise RubricError("[grading] salvage_earns_points must be true or false")
    return Rubric(title=str(assignment.get("title", "Assignment")),
                  total_points=float(assignment.get("total_points", 0)),
                  entries=entries, limits=Limits(**data.get("limits", {})), leaderboard=merged.leaderboard,
                  path=merged.path, grading=grading, tasks=merged.tasks, origins=merged.origins)
