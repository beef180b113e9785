"""A submission's status in the gradebook, from how its grader ended and what results.json says.

Why: a corrupt zip, a notebook that is not JSON and an empty folder all read "no files found", and
every one of them counted in each test's pass rate. Now the TA sees which it was, and only graded
submissions count in the class' statistics.
"""

from __future__ import annotations

import re
from typing import Any

from autograder.grading.results import GRADER_FAILED, NO_CODE, marked

GRADED, NO_FILES, UNREADABLE, REFUSED = "graded", "no files found", "unreadable", "refused"
TIMED_OUT, GRADER_ERROR, WORKER_CRASHED = "timed out", "grader error", "worker crashed"
STATUSES = (GRADED, NO_FILES, UNREADABLE, REFUSED, TIMED_OUT, GRADER_ERROR, WORKER_CRASHED)

# The reader's notes (intake/) that explain an empty read, told apart only once the grader itself has
# marked the submission as holding no code; tests/project/test_statuses.py grades each case.
_UNREADABLE = re.compile(r"is not a readable zip file|is not a valid notebook|is not a text file")
_REFUSED = re.compile(r"the limit (is|for a notebook is)|lists too many files|has more than \d+ files|too large|"
                      r"would take the submission's Python past")


def status_of(document: dict[str, Any] | None, returncode: int | None, timed_out: bool) -> str:
    """The row's status: graded, no files found, unreadable (a corrupt zip or notebook), refused (over
    a size limit), timed out or grader error. Graded or not, and the grader's own failure, come from the
    marks the grader sets (results.GRADER_FAILED, NO_CODE), never from the output's text, which quotes
    the student; only which kind of empty read it was is told from the reader's notes."""
    if timed_out:
        return TIMED_OUT
    if document is None or returncode != 0 or marked(document, GRADER_FAILED):  # the grader's marks, never text
        return GRADER_ERROR
    if not marked(document, NO_CODE):
        return GRADED
    output = str(document.get("output", ""))
    if _UNREADABLE.search(output):
        return UNREADABLE
    if _REFUSED.search(output):
        return REFUSED
    return NO_FILES
