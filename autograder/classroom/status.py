"""A submission's status in the gradebook, from how its grader ended and what results.json says.

Why: a corrupt zip, a notebook that is not JSON and an empty folder all read "no files found", and
every one of them counted in each test's pass rate. Now the TA sees which it was, and only graded
submissions count in the class' statistics.
"""

from __future__ import annotations

import re
from typing import Any

GRADED, NO_FILES, UNREADABLE, REFUSED = "graded", "no files found", "unreadable", "refused"
TIMED_OUT, GRADER_ERROR, WORKER_CRASHED = "timed out", "grader error", "worker crashed"
STATUSES = (GRADED, NO_FILES, UNREADABLE, REFUSED, TIMED_OUT, GRADER_ERROR, WORKER_CRASHED)

NO_CODE_MARK = "**no code found**"  # the summary's "Code read:" when nothing was (grading/report.py)
GRADER_FAILED_MARK = "The autograder itself failed"
# The reader's notes (intake/) that explain an empty read; tests/project/test_statuses.py grades each case.
_UNREADABLE = re.compile(r"is not a readable zip file|is not a valid notebook|is not a text file")
_REFUSED = re.compile(r"the limit (is|for a notebook is)|lists too many files|has more than \d+ files|too large|"
                      r"would take the submission's Python past")


def status_of(document: dict[str, Any] | None, returncode: int | None, timed_out: bool) -> str:
    """The row's status: graded, no files found, unreadable (a corrupt zip or notebook), refused (over
    a size limit), timed out or grader error."""
    if timed_out:
        return TIMED_OUT
    output = "" if document is None else str(document.get("output", ""))
    if document is None or returncode != 0 or GRADER_FAILED_MARK in output:
        return GRADER_ERROR
    if NO_CODE_MARK not in output:
        return GRADED
    if _UNREADABLE.search(output):
        return UNREADABLE
    if _REFUSED.search(output):
        return REFUSED
    return NO_FILES
