"""grade-all's closing lines: which submissions were graded now, and what a --tests run did.

Why: "1 graded now" left the TA to guess which one and whether its score moved, and `--tests`
without `--force` graded nothing (every submission was done) and said nothing.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from autograder.classroom.gradebook import RESULTS
from autograder.grading.results import read_json

NAMED_UP_TO = 5  # beyond this many, the count alone (the changed ones are listed above it anyway)


def graded_now(outcomes: list[Any], out: Path) -> str:
    """"graded now: alice 12 (graded); bob 10 -> 12 (+2, graded)": the submissions graded in this
    run with their score (and the score they had before), when there are few enough to read; "" otherwise."""
    fresh = [o for o in outcomes if not o.skipped]
    if not fresh or len(fresh) > NAMED_UP_TO:
        return ""
    parts = []
    for outcome in fresh:
        score = float((read_json(Path(out) / outcome.name / RESULTS) or {}).get("score", 0.0))
        before = None if outcome.previous is None else float(outcome.previous.get("score", 0.0))
        parts.append(f"{outcome.name} {score:g} ({outcome.status})" if before is None
                     else f"{outcome.name} {before:g} -> {score:g} ({score - before:+g}, {outcome.status})")
    return "graded now: " + "; ".join(parts)


def tests_without_force(pattern: str, fresh: int, done: int) -> str:
    """What `--tests PATTERN` did without --force: only submissions not graded yet were graded."""
    return (f"--tests {pattern!r} without --force: graded those tests for the {fresh} submission(s) not graded "
            f"yet only; the {done} already done kept their results. To regrade these tests for everybody, add "
            f"--force (`--only NAME` for one submission).")
