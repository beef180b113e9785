"""Statuses in the gradebook, through a real `grade-all`: a corrupt zip, a notebook that is not JSON
and a file over the source limit are each told apart from an empty folder, and only graded
submissions count in the pass rates.

Oracle: what each submission is (written here), and for the pass rate the one graded submission,
the reference, which passes every test.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from autograder.classroom.report_sections import graded as graded_rows
from autograder.classroom.report_sections import pass_rate
from autograder.classroom.gradebook import load_rows
from autograder.intake.source_limits import MAX_SOURCE_FILE_BYTES
from tests.project.clirun import autograder, csv_rows
from tests.project.corpus import build

EXPECTED = {"reference": "graded", "empty": "no files found", "corrupt.zip": "unreadable",
            "broken.ipynb": "unreadable", "huge.py": "refused"}


@pytest.fixture(scope="module")
def graded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("statuses")
    klass = root / "klass"
    build.reference_submission(klass / "reference")
    (klass / "empty").mkdir()
    (klass / "corrupt.zip").write_bytes(b"PK\x03\x04 not really a zip")
    (klass / "broken.ipynb").write_text('{"cells": [', encoding="utf-8")
    (klass / "huge.py").write_text("x = 1\n" * (MAX_SOURCE_FILE_BYTES // 6 + 10), encoding="utf-8")
    out = root / "out"
    done = autograder("grade-all", str(klass), "--out", str(out), "--jobs", "2", "--tests", "broadcasting.*")
    assert done.returncode == 0, done.stderr[-3000:]
    return out


def test_each_kind_of_failure_has_its_own_status(graded: Path) -> None:
    rows = csv_rows(graded / "grades.csv")
    assert {name: rows[name]["status"] for name in EXPECTED} == EXPECTED
    assert all(float(rows[name]["total"]) == 0 for name in EXPECTED if name != "reference")


def test_pass_rates_count_graded_submissions_only(graded: Path) -> None:
    rows = load_rows(graded)
    assert len(rows) == 5
    tables = [row.tests() for row in graded_rows(rows)]  # what the report's pass rates read
    rates = {tid: pass_rate(tables, tid)[0] for tid in ["broadcasting.given_pairs", "broadcasting.answers"]}
    assert rates == {"broadcasting.given_pairs": 1.0, "broadcasting.answers": 1.0}  # 1 of 1 graded, not 1 of 5
