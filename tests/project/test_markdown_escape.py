"""Student text in the grader's Markdown stays text, and statuses are the grader's own marks: an
exception named like a grader status, or a message that reads like one, is still the student's."""

from __future__ import annotations

import html
import re

import pytest
from markdown_it import MarkdownIt

from autograder.classroom.class_report import is_skipped
from autograder.course.markdown import code_span, plain
from autograder.grading.feedback import format_student_error
from autograder.sandbox.replies import student_error

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
