"""The TA's view of a graded class: report.html, one feedback page per submission, and the CSVs.

report.html is one self-contained file (no server, nothing fetched): the score histogram, one
section per task (report_sections.py), the table of all submissions grouped by task
(students_table.py), the causes of failures, then any further section. Each submission gets
feedback/<name>.html (feedback_page.py). Pages are written one submission at a time, and a figure
or a result that cannot be shown costs that page a note, never the report.
"""

from __future__ import annotations

import html
from collections import Counter
from pathlib import Path
from typing import Callable

from autograder.classroom.feedback_page import safe_feedback_page
from autograder.classroom.gradebook import RESULTS, Row, load_rows, test_columns, write_grades_csv, write_uploads
from autograder.classroom.html_page import page
from autograder.classroom.similarity_pages import insert_section, similarity_section
from autograder.classroom.report_sections import STYLE, causes_section, graded, histogram, task_groups, task_section
from autograder.classroom.students_table import FEEDBACK, SCRIPT, students_table, style
from autograder.course.rubric import Rubric, load_rubric

__all__ = ["FEEDBACK", "SECTIONS", "render_html", "write_class_report"]

Section = Callable[[list[Row], Rubric], str]
SECTIONS: list[Section] = [causes_section]  # report.html's sections after the table, in order: append one here


def render_html(rows: list[Row], rubric: Rubric) -> str:
    ids = test_columns(rows, rubric)
    groups = task_groups(ids, rubric)
    statuses = Counter(r.status for r in rows)
    counted = graded(rows)
    parts = [f"<h1>{html.escape(rubric.title)}: class report</h1>",
             f"<p>{len(rows)} submissions; "
             + ", ".join(f"{html.escape(s)}: {n}" for s, n in sorted(statuses.items()))
             + ". Charts and pass rates count graded submissions only.</p>",
             "<h2>Scores</h2>" + histogram([r.total for r in counted], rubric.total_points,
                                           f"total scores of {len(counted)} graded submissions"),
             "<h2>Tasks</h2>", *(task_section(task, tests, rows, rubric) for task, tests in groups),
             "<h2>All submissions</h2><p>Click a column to sort, \"show tests\" to see a task's tests; "
             "a name opens what that student was told.</p>", students_table(rows, groups, rubric),
             *(section(rows, rubric) for section in SECTIONS)]
    return page("Class report", "".join(parts), SCRIPT, STYLE + style(groups))


def _without_figures(row: Row) -> Row:
    """The row as the class pages need it once its own page is written: figures dropped, so that a
    class of 500 never holds all their PNGs at once."""
    for test in row.document.get("tests", []):
        if isinstance(test, dict) and isinstance(test.get("extra_data"), dict):
            test["extra_data"].pop("figures", None)
    return row


def write_class_report(out: Path, names: list[str] | None = None, rubric: Rubric | None = None) -> tuple[Path, Path]:
    """Write grades.csv, the upload CSVs, report.html and feedback/*.html from the results in OUT."""
    from autograder.classroom.batch import private

    out = Path(out)
    rubric = rubric or load_rubric()
    pages = out / FEEDBACK
    pages.mkdir(exist_ok=True)
    private(pages)
    rows = []
    for name in names if names is not None else sorted(p.parent.name for p in out.glob(f"*/{RESULTS}")):
        for row in load_rows(out, [name]):  # one at a time: its figures are dropped once its page is written
            page_path = pages / f"{row.name}.html"
            page_path.write_text(safe_feedback_page(row), encoding="utf-8")
            private(page_path)
            rows.append(_without_figures(row))
    csv_path = write_grades_csv(rows, out, rubric)
    write_uploads(rows, out, rubric)
    html_path = out / "report.html"
    html_path.write_text(render_html(rows, rubric), encoding="utf-8")
    insert_section(html_path, similarity_section(out))  # similar submissions, if grade-all or `similarity` found them
    private(html_path)
    return csv_path, html_path
