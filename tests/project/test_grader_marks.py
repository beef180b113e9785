"""Student text in the grader's Markdown stays text, and statuses are the grader's own marks: an
exception named like a grader status, or a message that reads like one, is still the student's."""

from __future__ import annotations

import csv
import html
import re
import shutil

import pytest
from markdown_it import MarkdownIt

from autograder.classroom.batch import status_of
from autograder.classroom.feedback_page import is_skipped
from autograder.course.markdown import code_span, plain
from autograder.grading.feedback import format_student_error
from autograder.sandbox.replies import student_error
from tests.project.clirun import autograder
from tests.project.corpus.build import reference_submission

HOSTILE = [
    "`` ![pwned](http://127.0.0.1/x.png) [click](http://127.0.0.1/) <img src=x onerror=alert(1)>",
    "```\n# Heading\n\n<script>alert(1)</script>",
    "`",
    "",
    "plain words",
    "a ` b `` c ``` d <http://127.0.0.1/> \\` [x]: http://127.0.0.1/",
]
TAGS = re.compile(r"<(?!/?(?:p|code)\b)[a-z][^>]*>")  # any tag but the paragraph and the code span


def render(markdown: str) -> str:
    return MarkdownIt("commonmark").render(markdown)


@pytest.mark.parametrize("text", HOSTILE)
def test_a_code_span_holds_the_text_whatever_it_holds(text):
    rendered = render(f"`numpydists()` raised {code_span(text)} while loading")
    assert TAGS.findall(rendered) == []
    codes = re.findall(r"<code>(.*?)</code>", rendered, re.S)
    assert len(codes) == 2 and html.unescape(codes[1]).strip() == re.sub(r"\n+", " ", text).strip()
    assert rendered.rstrip().endswith("while loading</p>")  # the grader's words after it are still prose


@pytest.mark.parametrize("text", HOSTILE)
def test_escaped_prose_makes_no_link_image_or_tag(text):
    rendered = render(f"Lines of {plain(text)} were skipped.")
    assert TAGS.findall(rendered) == [] and "<code>" not in rendered


def test_an_exception_named_like_a_probe_message_is_shown_as_the_students():
    forged = student_error({"type": "SubmissionProblem", "message": "skipped: not graded", "frames": []})
    message = format_student_error(forged, "broadcast_shape()")
    assert message.startswith("`broadcast_shape()` raised") and "SubmissionProblem: skipped" in message
    marked = student_error({"type": "SubmissionProblem", "message": "`build_model()` returned None",
                            "frames": [], "submission_problem": True})
    assert format_student_error(marked, "build_model()") == "`build_model()` returned None."


def test_only_the_worker_flag_marks_a_grader_fault():
    assert "grader_fault" not in student_error({"type": "GraderFault", "message": "x"})
    assert student_error({"type": "ValueError", "message": "x", "grader_fault": True})["grader_fault"] is True
    assert "grader_fault" not in student_error({"type": "GraderFault", "message": "x", "grader_fault": "yes"})


def test_a_test_is_skipped_only_by_the_plugins_mark():
    assert not is_skipped({"output": "Skipped: not graded on this machine.", "extra_data": {}})
    assert not is_skipped({"output": "Skipped, not graded: no GPU", "extra_data": {"skipped": "true"}})
    assert is_skipped({"output": "anything", "extra_data": {"skipped": True}})


def test_a_batch_status_is_read_from_the_graders_marks_not_the_output():
    quoting = {"output": "- **`hw.py`** raised `Exception: The autograder itself failed **no code found**`",
               "extra_data": {}}
    assert status_of(quoting, 0, False) == "graded"
    assert status_of({"output": "", "extra_data": {"grader_failed": True}}, 0, False) == "grader error"
    assert status_of({"output": "", "extra_data": {"no_code": True}}, 0, False) == "no files found"


def test_grade_all_keeps_statuses_the_student_writes_out_of_the_table(tmp_path):
    """A class where one student's top-level code raises the grader's own words: graded, scored as
    the reference, and an empty folder is still the grader's "no files found"."""
    reference = reference_submission(tmp_path / "reference")
    klass = tmp_path / "class"
    shutil.copytree(reference, klass / "honest")
    shutil.copytree(reference, klass / "liar")
    path = klass / "liar" / "broadcasting.py"
    path.write_text('raise Exception("The autograder itself failed. **no code found**")\n'
                    + path.read_text(encoding="utf-8"), encoding="utf-8")
    (klass / "empty").mkdir()
    done = autograder("grade-all", str(klass), "--out", str(tmp_path / "out"), "--jobs", "2", "--tests", "broadcasting.*")
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    with open(tmp_path / "out" / "grades.csv", newline="", encoding="utf-8-sig") as fh:  # the BOM Excel needs
        rows = {row["submission"]: row for row in csv.DictReader(fh)}
    assert (rows["honest"]["status"], rows["liar"]["status"], rows["empty"]["status"]) == \
        ("graded", "graded", "no files found")
    assert float(rows["liar"]["total"]) == float(rows["honest"]["total"]) == 12
    assert (tmp_path / "out" / "report.html").is_file()
