"""What the self-check's verdict is worth: each check with the rubric points it stands for, one honest
summary line, and the `--zip` verdict ("ready to upload" only when every check passed).

Why: "12 of 13 checks passed" above a grade of 65/100 told a student nothing true. The points come
from the rubric (autograder/course/public_split.py), so the summary states exactly how much the
public checks can vouch for, and that hidden tests decide the rest.
"""

from __future__ import annotations

from typing import Any, Sequence

from autograder.course.public_split import PublicSplit

SHOWN_HIDDEN = 4  # hidden tests named in the summary; the rest are counted


def _points(split: PublicSplit, tests: Sequence[str]) -> float:
    return sum(split.points.get(t, 0.0) for t in tests)


def _worth(split: PublicSplit, tests: Sequence[str]) -> str:
    points = _points(split, tests)
    return f"{points:g} pt{'s' if points != 1 else ''}" if tests and split.points else ""


def points_line(outcomes: Sequence[Any], split: PublicSplit) -> str:
    """`Public checks: 41 of 57 points' worth passed; hidden tests decide the other 43 points (...)`."""
    public = list(dict.fromkeys(t for o in outcomes for t in o.tests))
    failed = {t for o in outcomes if not o.passed for t in o.tests}
    passed_points = _points(split, [t for t in public if t not in failed])
    hidden = [t for t in split.points if t not in public]
    line = f"Public checks: {passed_points:g} of {_points(split, public):g} points' worth passed"
    if not hidden and not split.unnamed:
        return line + "."
    names = [split.names.get(t, t) for t in hidden]
    parts = names[:SHOWN_HIDDEN] + ([f"{len(names) - SHOWN_HIDDEN} more"] if len(names) > SHOWN_HIDDEN else [])
    shown = "; ".join(parts + (["tests not shown to students yet"] if split.unnamed else []))
    total = sum(split.points.values()) + split.unnamed
    return (f"{line}; hidden tests decide the other {_points(split, hidden) + split.unnamed:g} of {total:g} points"
            + (f" ({shown})." if shown else "."))


def format_outcomes(outcomes: Sequence[Any], split: PublicSplit | None = None) -> str:
    split = split or PublicSplit()
    lines = ["", "## Self-check (public examples only: the grader runs more tests)", ""]
    task = None
    for outcome in outcomes:
        if outcome.task != task:
            task = outcome.task
            lines.append(f"[{task}]")
        mark = "ok  " if outcome.passed else "FAIL"
        lines.append(f"  {_worth(split, outcome.tests):>7} {mark} {outcome.title}")  # the rubric points it stands for
        if not outcome.passed or outcome.message != "Passed.":
            lines += ["               " + row for row in outcome.message.splitlines()]
    passed = sum(o.passed for o in outcomes)
    lines += ["", f"{passed} of {len(outcomes)} checks passed."]
    if split.points:
        lines.append(points_line(outcomes, split))
    return "\n".join(lines)


def zip_verdict(outcomes: Sequence[Any], split: PublicSplit | None = None) -> list[str]:
    """After the zip's contents: ready to upload only when every check passed; else what loses points."""
    split = split or PublicSplit()
    failed = [o for o in outcomes if not o.passed]
    if outcomes and not failed:
        return ["Ready to upload: every public check passed. Upload this zip to Gradescope (hidden tests "
                "decide the rest of the grade)."]
    lines = [f"NOT ready to upload: {len(failed)} check{'s' if len(failed) != 1 else ''} failed, and as it is "
             "this zip will lose points on:"]
    for outcome in failed:
        first = next((row for row in outcome.message.splitlines() if row.strip()), "")
        worth = _worth(split, outcome.tests)
        lines.append(f"  - [{outcome.task}] {outcome.title}" + (f" ({worth})" if worth else "") + f": {first}")
    return lines + ["The zip was written anyway; fix these, then run `python check.py --zip` again."]
