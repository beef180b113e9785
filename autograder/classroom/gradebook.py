"""The graded class as spreadsheets: grades.csv for the TA, and upload files Gradescope and Canvas accept.

Everything is read back from OUT (each submission's results.json and batch.json, which keeps who
handed it in), so `grade-all`, `rescore` and a resumed run all write the same files from the same
source. Every text cell is neutralised against spreadsheet formulas: a folder named `=1+1` or a
student called `@SUM(...)` must not run in the TA's spreadsheet.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from autograder.classroom.status import GRADED
from autograder.course.rubric import Rubric
from autograder.grading.results import read_json, test_id

RESULTS, RUN_INFO = "results.json", "batch.json"
GRADES, GRADESCOPE_UPLOAD, CANVAS_UPLOAD = "grades.csv", "gradescope_upload.csv", "canvas_upload.csv"
MAX_ROW = "(max points)"
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")


# A separator (`,` or `;`: a European Excel splits on `;`), maybe spaces and a quote, then a formula start.
_AFTER_SEPARATOR = re.compile(r"""([,;][ ]*"?)(?=[=+\-@\t\r])""")


def safe_cell(value: Any) -> str:
    """The cell as text a spreadsheet shows and never evaluates, whichever separator it splits on
    (OWASP's CSV-injection advice: a quote before =, +, -, @, tab or carriage return at the start of
    the cell and after each separator). Numbers stay numbers."""
    text = str(value)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return text
    text = _AFTER_SEPARATOR.sub(r"\1'", text)
    return "'" + text if text.startswith(_FORMULA_START) else text


@dataclass
class Row:
    """One graded submission as read back from OUT."""

    name: str
    document: dict[str, Any]
    info: dict[str, Any] = field(default_factory=dict)

    @property
    def submitters(self) -> list[dict[str, str]]:
        return list(self.info.get("submitters", []))

    @property
    def status(self) -> str:
        return str(self.info.get("status", "graded"))

    @property
    def graded(self) -> bool:
        """Whether the grader read and ran this submission (only those count in pass rates)."""
        return self.status == GRADED

    @property
    def seconds(self) -> float:
        return float(self.info.get("seconds", self.document.get("execution_time", 0.0)))

    @property
    def total(self) -> float:
        return float(self.document.get("score", 0.0))

    def tests(self) -> dict[str, dict[str, Any]]:
        return {test_id(t): t for t in self.document.get("tests", [])}

    def joined(self, key: str) -> str:
        return "; ".join(s.get(key, "") for s in self.submitters)


def load_rows(out: Path, names: list[str] | None = None) -> list[Row]:
    """The graded submissions in OUT (those of `names`, in that order, when given)."""
    out = Path(out)
    if names is None:
        names = sorted(p.parent.name for p in out.glob(f"*/{RESULTS}"))
    rows = []
    for name in names:
        document = read_json(out / name / RESULTS)
        if document is not None:
            rows.append(Row(name, document, read_json(out / name / RUN_INFO) or {}))
    return rows


def test_columns(rows: list[Row], rubric: Rubric) -> list[str]:
    """Test ids in rubric order; ids some result holds but the rubric no longer has go last."""
    present = {tid for r in rows for tid in r.tests()}
    return list(rubric.entries) + sorted(present - set(rubric.entries))


def column_title(tid: str, rubric: Rubric) -> str:
    entry = rubric.entry(tid)
    return f"{entry.number} {entry.name}" if entry else tid


def write_csv(path: Path, header: list[str], body: list[list[Any]]) -> Path:
    """A CSV every cell of which is safe, in UTF-8 with a BOM (without it Excel shows "ZoÃ«"), the
    TA's alone (0600)."""
    with open(path, "w", newline="", encoding="utf-8-sig") as fh:
        writer = csv.writer(fh)
        writer.writerow([safe_cell(h) for h in header])
        writer.writerows([[safe_cell(c) for c in row] for row in body])
    path.chmod(0o600)
    return path


def write_grades_csv(rows: list[Row], out: Path, rubric: Rubric) -> Path:
    """grades.csv: one row per submission (group members joined by "; "), the max points first."""
    ids = test_columns(rows, rubric)
    header = ["submission", "sid", "name", "email", "status", "total", *(column_title(i, rubric) for i in ids),
              "seconds"]
    body: list[list[Any]] = [[MAX_ROW, "", "", "", "", rubric.total_points,
                              *(rubric.entries[i].points if i in rubric.entries else "" for i in ids), ""]]
    for row in rows:
        tests = row.tests()
        body.append([row.name, row.joined("sid"), row.joined("name"), row.joined("email"), row.status, row.total,
                     *(float(tests[i]["score"]) if i in tests else "" for i in ids), round(row.seconds, 1)])
    return write_csv(Path(out) / GRADES, header, body)


def _per_student(rows: list[Row]) -> list[tuple[dict[str, str], Row]]:
    """Each member of a group gets the group's score; rows with nobody named are left out."""
    return [(s, row) for row in rows for s in row.submitters if s.get("email") or s.get("sid")]


def write_uploads(rows: list[Row], out: Path, rubric: Rubric) -> tuple[Path, Path]:
    """gradescope_upload.csv (Name, SID, Email, Score) and canvas_upload.csv (Student, ID,
    SIS User ID, SIS Login ID, Section, then the assignment's column with a Points Possible row)."""
    pairs = _per_student(rows)
    gradescope = write_csv(Path(out) / GRADESCOPE_UPLOAD, ["Name", "SID", "Email", "Score"],
                        [[s.get("name", ""), s.get("sid", ""), s.get("email", ""), row.total] for s, row in pairs])
    title = rubric.title
    canvas = write_csv(Path(out) / CANVAS_UPLOAD, ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", title],
                    [["Points Possible", "", "", "", "", rubric.total_points]]
                    + [[s.get("name", ""), "", s.get("sid", ""), s.get("email", ""), "", row.total] for s, row in pairs])
    return gradescope, canvas
