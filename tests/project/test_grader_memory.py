"""The grading process's own memory is bounded by the source limits, whatever the submission.

The grader parses and indexes student code in its own process; Gradescope gives it 768 MB. Each
submission is graded by a grader whose address space is capped at 768 MB (RLIMIT_AS, soft, so that
the worker it starts may set its own): the largest, most expensive submission within the limits
must grade normally, and 4 MB of plain statements (which took 2.5 GB before the limits) must be
turned away with a clear note instead of taking the grader down.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from autograder.course.paths import PROJECT_ROOT
from autograder.course.rubric import load_rubric
from tests.project.corpus.worst_case import grade_command, over_limit_submission, read_report, worst_case_submission

GRADESCOPE_MB = 768
DISTANCES = sum(e.points for e in load_rubric().entries.values() if e.task == "distances")


def grade_capped(submission: Path, tmp_path: Path) -> tuple[dict, dict[str, float]]:
    report, out = tmp_path / f"{submission.name}.memory", tmp_path / f"{submission.name}.json"
    done = subprocess.run(grade_command(report, GRADESCOPE_MB, submission, out, "--tests", "distances.*"),
                          capture_output=True, text=True, timeout=600, cwd=PROJECT_ROOT)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    return json.loads(out.read_text()), read_report(report)


def test_the_worst_submission_within_the_limits_grades_in_768_mb(tmp_path):
    document, memory = grade_capped(worst_case_submission(tmp_path / "worst"), tmp_path)
    assert "itself failed" not in document["output"]
    assert document["score"] == DISTANCES, document["output"]
    assert memory["VmPeak"] < GRADESCOPE_MB and memory["VmHWM"] < GRADESCOPE_MB


def test_four_megabytes_of_statements_are_not_loaded_and_the_rest_grades(tmp_path):
    document, memory = grade_capped(over_limit_submission(tmp_path / "over"), tmp_path)
    assert "`big.py` is 4.0 MB of Python; the limit is 128.0 KB per file; it was not loaded." in document["output"]
    assert document["score"] == DISTANCES
    assert memory["VmPeak"] < GRADESCOPE_MB
