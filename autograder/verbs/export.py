"""`autograder export OUT --to gradescope|canvas|csv [--roster FILE]`: the graded class as one platform imports it.

Why a verb: the upload files grade-all writes can only name the students of a Gradescope export;
a TA grading a plain folder, or wanting Canvas' IDs and sections, joins a roster here. The stored
results are brought to the rubric in force first (classroom/refresh.py), as for every gradebook.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from autograder.classroom.exports import join, warnings, write_export
from autograder.classroom.gradebook import load_rows
from autograder.classroom.refresh import refresh, report_lines
from autograder.classroom.roster import read_roster
from autograder.course.rubric import Rubric


def export(out: Path, platform: str, rubric: Rubric, roster: Path | None = None, target: Path | None = None,
           say: Callable[[str], None] = print) -> tuple[Path, Path]:
    """Write OUT/export_<platform>.csv (or `target`) and its report; every warning is also said."""
    students = read_roster(roster) if roster is not None else None
    names = [r.name for r in load_rows(out)]
    for line in report_lines(refresh(out, names, rubric), out):
        say(line)
    joined = join(load_rows(out, names), students)
    path, report = write_export(target or Path(out) / f"export_{platform}.csv", platform, joined, rubric)
    for line in warnings(joined):
        say(line)
    say(f"wrote {path} ({len(joined.lines)} student(s)) and {report}")
    return path, report
