"""Grades in the exact columns a platform imports, each student joined to a roster or to Gradescope's metadata.

Why: the upload files used to hold only the students a Gradescope export named, so a class graded
from a plain folder gave an empty upload, and a submission missing from the metadata vanished from
it without a word. Here every submission either lands on a named student or is listed as
unmatched, and every roster student without a submission is listed too, on the terminal and in the
export's companion report. The columns and their sources are in docs/exports.md.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from autograder.classroom.discovery import SUBMISSION_SUFFIXES
from autograder.classroom.gradebook import Row, write_csv
from autograder.classroom.roster import Student
from autograder.course.rubric import Rubric

PLATFORMS = ("gradescope", "canvas", "csv")
CANVAS_HEADER = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
GRADESCOPE_HEADER = ["Name", "SID", "Email", "Score"]
PLAIN_HEADER = ["sid", "name", "email", "submission", "status", "score", "max points"]


@dataclass
class Line:
    """One exported student: who, and the submission whose score they get."""

    student: Student
    row: Row


@dataclass
class Joined:
    lines: list[Line] = field(default_factory=list)
    unmatched: list[tuple[str, str]] = field(default_factory=list)  # (submission, why nobody got its score)
    absent: list[Student] = field(default_factory=list)  # roster students with no submission
    doubles: list[str] = field(default_factory=list)  # a student matched by two submissions


def _fold(text: str) -> str:
    return text.strip().casefold()


def _stem(name: str) -> str:
    """A plain folder's submission id without its suffix: `alice.zip` -> `alice`."""
    for suffix in SUBMISSION_SUFFIXES:
        if name.lower().endswith(suffix):
            return name[: -len(suffix)]
    return name


class _Index:
    """The roster, looked up exactly (case-folded e-mails and names, SIDs as written)."""

    def __init__(self, roster: list[Student]) -> None:
        self.by: dict[str, dict[str, list[Student]]] = {"email": {}, "sid": {}, "local": {}, "name": {}}
        for student in roster:
            email = student.email or (student.login if "@" in student.login else "")
            for kind, key in (("email", _fold(email)), ("sid", student.sid.strip()),
                              ("local", _fold(email.split("@")[0]) if email else ""), ("name", _fold(student.name))):
                if key:
                    self.by[kind].setdefault(key, []).append(student)

    def one(self, kind: str, key: str) -> list[Student]:
        return self.by[kind].get(key, []) if key else []

    def submitter(self, name: str, email: str, sid: str) -> list[Student]:
        """A named submitter: by e-mail, else by SID."""
        return self.one("email", _fold(email)) or self.one("sid", sid.strip())

    def folder(self, name: str) -> list[Student]:
        """A plain folder's name: a SID, an e-mail, its part before the @, or a full name, exactly."""
        key = _stem(name)
        for kind, value in (("sid", key.strip()), ("email", _fold(key)), ("local", _fold(key)), ("name", _fold(key))):
            found = self.one(kind, value)
            if found:
                return found
        return []


def join(rows: list[Row], roster: list[Student] | None) -> Joined:
    """Each submission's students (from the metadata, else by its name against the roster)."""
    joined, taken = Joined(), {}
    index = _Index(roster) if roster is not None else None
    for row in rows:
        named = [s for s in row.submitters if s.get("email") or s.get("sid") or s.get("name")]
        students: list[Student] = []
        if index is None:
            students = [Student(s.get("name", ""), s.get("email", ""), s.get("sid", "")) for s in named]
            if not students:
                joined.unmatched.append((row.name, "no student named (not in a Gradescope export's metadata); "
                                         "give --roster to match it by its name"))
        elif named:
            for s in named:
                found = index.submitter(s.get("name", ""), s.get("email", ""), s.get("sid", ""))
                if len(found) == 1:
                    students.append(found[0])
                else:
                    who = s.get("email") or s.get("sid") or s.get("name")
                    joined.unmatched.append((row.name, f"submitter {who} is "
                                             + ("on the roster twice" if found else "not on the roster")))
        else:
            found = index.folder(row.name)
            if len(found) == 1:
                students.append(found[0])
            else:
                joined.unmatched.append((row.name, f"matches {len(found)} roster students" if found
                                         else "matches no roster student (by SID, e-mail or name)"))
        for student in students:
            if student in taken:
                joined.doubles.append(f"{student.name or student.email or student.sid}: submissions "
                                      f"{taken[student].name} and {row.name}; exported {taken[student].name}")
                continue
            taken[student] = row
            joined.lines.append(Line(student, row))
    if roster is not None:
        joined.absent = [s for s in roster if s not in taken]
    return joined


def _table(platform: str, joined: Joined, rubric: Rubric) -> tuple[list[str], list[list[Any]]]:
    if platform == "canvas":
        body: list[list[Any]] = [["Points Possible", "", "", "", "", rubric.total_points]]
        body += [[s.name, s.canvas_id, s.sid, s.login or s.email, s.section, line.row.total]
                 for line in joined.lines for s in [line.student]]
        return CANVAS_HEADER + [rubric.title], body
    if platform == "gradescope":
        return GRADESCOPE_HEADER, [[line.student.name, line.student.sid, line.student.email, line.row.total]
                                   for line in joined.lines]
    return PLAIN_HEADER, [[s.sid, s.name, s.email, line.row.name, line.row.status, line.row.total, rubric.total_points]
                          for line in joined.lines for s in [line.student]]


def warnings(joined: Joined) -> list[str]:
    """The loud part: what did not join, one line each."""
    lines = []
    if joined.unmatched:
        lines.append(f"WARNING: {len(joined.unmatched)} submission(s) matched no student; their scores are NOT in "
                     "the export:")
        lines += [f"  {name}: {why}" for name, why in joined.unmatched]
    if joined.absent:
        lines.append(f"WARNING: {len(joined.absent)} roster student(s) have no submission (left out of the export):")
        lines += [f"  {s.name or '(no name)'} <{s.email or s.login}> {s.sid}".rstrip() for s in joined.absent]
    if joined.doubles:
        lines.append(f"WARNING: {len(joined.doubles)} student(s) matched more than one submission:")
        lines += [f"  {d}" for d in joined.doubles]
    return lines


def write_export(path: Path, platform: str, joined: Joined, rubric: Rubric) -> tuple[Path, Path]:
    """The export and its companion report (`<name>.report.txt`: counts and every warning)."""
    header, body = _table(platform, joined, rubric)
    write_csv(path, header, body)
    report = path.with_suffix(".report.txt")
    lines = [f"{path.name}: {len(joined.lines)} student(s) exported for {platform}"] + (warnings(joined) or
                                                                                         ["every submission matched"])
    report.write_text("\n".join(lines) + "\n", encoding="utf-8")
    report.chmod(0o600)
    return path, report
