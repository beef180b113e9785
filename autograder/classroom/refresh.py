"""Before any command writes the gradebook: bring every stored result to the rubric in force.

Why: `rescore` under a changed rubric, then `grade-all` under the original one, used to write
totals above the maximum and columns of the other rubric ("0 graded now, 12 already done"). Each
results.json records the hash of the rubric it was scored under (course/rubric_hash.py); here a
result whose hash differs is rescored from its stored outcomes (no student code runs) and the TA is
told, and tests whose parameters changed are named for a regrade.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from autograder.classroom.class_report import write_class_report
from autograder.classroom.exports import join
from autograder.classroom.gradebook import CANVAS_UPLOAD, GRADESCOPE_UPLOAD, RESULTS, load_rows
from autograder.classroom.rescore import Rescored, change_line, regrade_hint, rescore_document
from autograder.course.gradescope_tests import rubric_with_decorators
from autograder.course.rubric import Rubric
from autograder.course.rubric_hash import rubric_hash, stored_hash
from autograder.grading.results import read_json, write_json_atomic


def gradebook_rubric(path: Path) -> Rubric:
    """The rubric every gradebook writer uses: the assignment with the Gradescope decorators where it
    is silent (the grader scores with those), so grade-all, rescore and export agree on columns."""
    return rubric_with_decorators(path)


def refresh(out: Path, names: list[str], rubric: Rubric) -> list[Rescored]:
    """Rescore, in place, each OUT/<name>/results.json scored under another rubric (or an unknown
    one: written before hashes, or merged from two rubrics)."""
    wanted, done = rubric_hash(rubric), []
    for name in names:
        path = Path(out) / name / RESULTS
        document = read_json(path)
        if document is None or not document.get("tests") or stored_hash(document) == wanted:
            continue  # nothing scored (a time-out's or a crash's zero) or scored under this rubric
        rescored = rescore_document(name, document, rubric)
        if rescored.new != document:
            write_json_atomic(path, rescored.new, mode=0o600)
        done.append(rescored)
    return done


def report_lines(rescored: list[Rescored], out: Path) -> list[str]:
    """What the TA reads about a refresh: how many, who changed, which tests need a regrade."""
    if not rescored:
        return []
    lines = [f"{len(rescored)} stored result(s) were scored under another rubric: rescored to the current one "
             f"(no student code ran): {', '.join(r.name for r in rescored)}"]
    lines += [f"changed {line}" for r in rescored for line in [change_line(r.name, r.old, r.new)] if line]
    stale = sorted({tid for r in rescored for tid in r.params_changed})
    if stale:
        lines.append(regrade_hint(stale, out))
    return lines


def write_gradebook(out: Path, names: list[str], rubric: Rubric,
                    say: Callable[[str], None] = print) -> tuple[Path, Path]:
    """Refresh, then write grades.csv, the uploads and the report from OUT."""
    for line in report_lines(refresh(out, names, rubric), out):
        say(line)
    written = write_class_report(out, names, rubric)
    nobody = join(load_rows(out, names), None).unmatched
    if nobody:
        say(f"WARNING: {len(nobody)} submission(s) name no student (no entry in a Gradescope export's metadata), so "
            f"they are not in {GRADESCOPE_UPLOAD} or {CANVAS_UPLOAD}: {', '.join(name for name, _ in nobody)}; "
            f"`autograder export {out} --to canvas --roster FILE` joins them to a roster")
    return written
