"""Which of an assignment's points the student's public checks stand for, and which the hidden tests decide.

Why: the self-check's summary must say what its verdict is worth ("public checks: 41 of 57
points' worth passed"), in the rubric's own points, so it can never promise more than the grader
gives. A public check names the rubric test(s) it stands for (`tests/grading/<task>/public_checks.py`);
the rubric says per test whether students see its check (`public = false` withholds it). The handout
cannot hold the rubric (its parameters are the grader's), so it ships this split: ids, names and
points of the tests students see (the others' points as one sum), and the course's rule for files
Python cannot compile.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from autograder.course.assignment import available
from autograder.course.paths import ENGINE_DIR
from autograder.course.rubric import Rubric, RubricError, load_rubric

PUBLIC_SPLIT_FILE = "public_split.json"  # in a handout's autograder/
SHIPPED_SPLIT = ENGINE_DIR / PUBLIC_SPLIT_FILE


@dataclass(frozen=True)
class PublicSplit:
    points: dict[str, float] = field(default_factory=dict)   # test id -> points
    names: dict[str, str] = field(default_factory=dict)      # test id -> the rubric's name
    withheld: frozenset[str] = frozenset()                   # tests the rubric keeps hidden (`public = false`)
    salvage_earns_points: bool = False                       # [grading] rule for uncompilable files
    unnamed: float = 0.0  # points of the tests students may not see yet (visibility): counted, never named

    def to_json(self) -> bytes:
        return json.dumps({"points": self.points, "names": self.names, "withheld": sorted(self.withheld),
                           "salvage_earns_points": self.salvage_earns_points, "unnamed": self.unnamed},
                          indent=1).encode("utf-8")

    def limited(self, task: str) -> "PublicSplit":
        """The split of one task's tests (a notebook's check cell)."""
        mine = {t for t in self.points if t.split(".", 1)[0] == task}
        return PublicSplit({t: self.points[t] for t in mine}, {t: n for t, n in self.names.items() if t in mine},
                           frozenset(self.withheld & mine), self.salvage_earns_points)  # unnamed: not per task

    def shown(self, tests: Iterable[str]) -> bool:
        """A public check is shown unless every test it stands for is withheld by the rubric."""
        tests = tuple(tests)
        return not tests or any(t not in self.withheld for t in tests)


def split_of(rubric: Rubric, tasks: Iterable[str] | None = None) -> PublicSplit:
    """The split of an assignment's rubric, limited to `tasks` when given."""
    wanted = set(tasks) if tasks is not None else None
    entries = [e for e in rubric.entries.values() if wanted is None or e.task in wanted]
    shown = [e for e in entries if e.visibility == "visible"]  # a test hidden from students is not named here
    return PublicSplit({e.id: e.points for e in shown}, {e.id: e.name for e in shown},
                       frozenset(e.id for e in shown if e.params.get("public") is False),
                       bool(rubric.salvage_earns_points), sum(e.points for e in entries if e not in shown))


def split_for(tasks: Iterable[str]) -> PublicSplit:
    """The split of the assignment that lists exactly these tasks, else of the default assignment
    (the handout of a task list built without naming its assignment)."""
    tasks = tuple(tasks)
    rubrics = []
    for path in available().values():
        try:  # a broken assignment file is validate's to report; here it only has no split
            rubrics.append(load_rubric(path))
        except (RubricError, ValueError, OSError, KeyError):
            continue
    chosen = next((r for r in rubrics if r.tasks == tasks), None)
    if chosen is not None:
        return split_of(chosen)
    try:
        return split_of(load_rubric(), tasks)
    except (RubricError, ValueError, OSError, KeyError):
        return PublicSplit()


def parse_split(raw: bytes) -> PublicSplit | None:
    try:
        data = json.loads(raw.decode("utf-8"))
        return PublicSplit({str(k): float(v) for k, v in dict(data["points"]).items()},
                           {str(k): str(v) for k, v in dict(data["names"]).items()},
                           frozenset(str(t) for t in data.get("withheld", [])),
                           bool(data.get("salvage_earns_points", False)), float(data.get("unnamed", 0.0)))
    except (ValueError, KeyError, TypeError, AttributeError):
        return None


def shipped_split(path: Path = SHIPPED_SPLIT) -> PublicSplit | None:
    """The split a handout ships, or None outside a handout (or when it is unreadable)."""
    return parse_split(path.read_bytes()) if path.is_file() else None
