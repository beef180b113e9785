"""`autograder grade-all`: a class folder of mixed submissions graded for real, in subprocesses.

The oracle for the totals is `grade_submission` run one submission at a time in this process;
the oracle for names is the metadata text written here by hand.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest

from autograder.classroom import batch
from autograder.verbs.inputs import selector as _selector
from autograder.grading.grade import grade_submission
from autograder.course.rubric import load_rubric
from autograder.course.tasks import task
from tests.project.clirun import autograder, column, csv_rows
from tests.project.corpus import build

MISTAKES = task("broadcasting").module("corpus.py").MISTAKES  # the seeded mistakes of one task

PATTERN = "broadcasting.*"

METADATA = """---
:submission_1001:
  :submitters:
  - :name: Ada Lovelace
    :sid: '1815'
    :email: ada@example.edu
  :created_at: 2026-10-01 12:00:00.000000000 -07:00
  :score: 12.0
  :results:
    :tests:
    - :name: 'broadcast_shape: the eight pairs of the handout'
      :score: 4.0
:submission_1002:
  :submitters:
  - :name: "Alan Turing"
    :sid: ''
    :email: alan@example.edu
  - :name: O'Brien, Grace
    :email: grace@example.edu
  :created_at: 2026-10-02 09:30:00.000000000 -07:00
:submission_1003:
  :submitters:
    - :name: Kurt Gödel
      :email: kurt@example.edu
  :results: {}
"""


def test_parse_metadata_reads_only_submitters() -> None:
    meta = batch.parse_metadata(METADATA)
    assert set(meta) == {"submission_1001", "submission_1002", "submission_1003"}
    assert [(s.name, s.email, s.sid) for s in meta["submission_1001"]] == [("Ada Lovelace", "ada@example.edu", "1815")]
    assert [(s.name, s.email) for s in meta["submission_1002"]] == [
        ("Alan Turing", "alan@example.edu"), ("O'Brien, Grace", "grace@example.edu")]
    assert [s.name for s in meta["submission_1003"]] == ["Kurt Gödel"]


def _mistake_folder(dest: Path, index: int) -> Path:
    folder = build.reference_submission(dest)
    build.replace_function(folder, MISTAKES[index].module, MISTAKES[index].source)
    return folder


@pytest.fixture(scope="module")
def klass(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """13 submissions: every accepted form, seeded mistakes, empty and broken ones, a Gradescope export."""
    root = tmp_path_factory.mktemp("class")
    work = tmp_path_factory.mktemp("work")
    ref = build.reference_submission(root / "reference")
    build.template_submission(root / "template")
    build.as_zip(ref, root / "reference.zip")
    shutil.copy(build.as_notebook(ref, work / "nb") / "homework.ipynb", root / "notebook.ipynb")
    shutil.copy(build.as_single_file(ref, work / "single") / "homework.py", root / "single.py")
    for i in range(len(MISTAKES)):
        _mistake_folder(root / f"mistake{i}", i)
    (root / "empty").mkdir()
    (root / "broken.zip").write_bytes(b"PK\x03\x04 this is not really a zip")
    export = root / "gradescope_export"
    build.reference_submission(export / "submission_1001")
    _mistake_folder(export / "submission_1002", 0)
    build.template_submission(export / "submission_1003")
    (export / batch.METADATA_FILE).write_text(METADATA, encoding="utf-8")
    return root


def _grade_all(klass: Path, out: Path, *extra: str) -> str:
    done = autograder("grade-all", str(klass), "--out", str(out), "--jobs", "2", "--tests", PATTERN, *extra)
    assert done.returncode == 0, done.stderr
    return done.stdout


def _rows(out: Path) -> dict[str, dict[str, str]]:
    """grades.csv by submission; the "(max points)" row is kept under that name."""
    return csv_rows(out / "grades.csv")


def _mtimes(out: Path) -> dict[str, int]:
    return {p.parent.name: p.stat().st_mtime_ns for p in out.glob(f"*/{batch.RESULTS}")}


@pytest.fixture(scope="module")
def graded(klass: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("out")
    _grade_all(klass, out)
    return out


def test_every_submission_has_a_row_with_the_right_status(graded: Path) -> None:
    rows = _rows(graded)
    del rows["(max points)"]
    expected = {"reference", "template", "reference.zip", "notebook.ipynb", "single.py", "empty", "broken.zip",
                "submission_1001", "submission_1002", "submission_1003"} | {f"mistake{i}" for i in range(len(MISTAKES))}
    assert set(rows) == expected
    assert rows["empty"]["status"] == "no files found" and rows["broken.zip"]["status"] == "unreadable"  # issue 24
    assert {rows[n]["status"] for n in expected - {"empty", "broken.zip"}} == {"graded"}
    for name in expected:
        assert (graded / name / "output.txt").read_text().strip(), name  # the grader's own output was kept
        assert float(rows[name]["seconds"]) > 0


def test_totals_match_grading_one_at_a_time(klass: Path, graded: Path, tmp_path: Path) -> None:
    rows = _rows(graded)
    full = sum(e.points for i, e in load_rubric().entries.items() if i.startswith("broadcasting."))
    assert float(rows["reference"]["total"]) == full
    assert float(rows["template"]["total"]) == 0
    for name in ("reference.zip", "notebook.ipynb", "mistake0", "mistake2", "broken.zip"):
        document = grade_submission(klass / name, tmp_path / f"{name}.json", select=_selector(PATTERN),
                                    log=lambda line: None)
        assert float(rows[name]["total"]) == pytest.approx(document["score"]), name
        per_test = {t["extra_data"]["id"]: t["score"] for t in document["tests"]}
        assert {k: float(rows[name][column(k)]) for k in per_test} == pytest.approx(per_test), name
    assert float(rows["mistake0"]["total"]) < full and float(rows["submission_1002"]["total"]) < full


def test_names_and_emails_come_from_the_metadata(graded: Path) -> None:
    rows = _rows(graded)
    assert rows["submission_1001"]["name"] == "Ada Lovelace" and rows["submission_1001"]["sid"] == "1815"
    assert rows["submission_1002"]["name"] == "Alan Turing; O'Brien, Grace"
    assert rows["submission_1002"]["email"] == "alan@example.edu; grace@example.edu"
    assert rows["reference"]["name"] == ""
    assert float(rows["submission_1001"]["total"]) == float(rows["reference"]["total"])


def test_report_is_one_file_with_embedded_charts(graded: Path) -> None:
    text = (graded / "report.html").read_text(encoding="utf-8")
    # issue 24: the charts are HTML, a histogram of totals and one per task, each counting the graded submissions
    histograms = re.findall(r'<figure class="hist".*?</figure>', text)
    counts = {sum(int(n) for n in re.findall(r'data-count="(\d+)"', h)) for h in histograms}
    graded_count = sum(row["status"] == "graded" for name, row in _rows(graded).items() if name != "(max points)")
    assert len(histograms) == 1 + len(load_rubric().tasks) and counts == {graded_count} and graded_count > 5
    assert "broadcast_shape: the eight pairs of the handout" in text and "mistake0" in text
    assert "src=\"http" not in text and "<script src" not in text  # nothing fetched: one file


def test_rerun_skips_force_regrades_only_regrades_one(klass: Path, graded: Path) -> None:
    before = _mtimes(graded)
    assert len(before) == 13
    stdout = _grade_all(klass, graded)
    assert "0 graded now, 13 already done" in stdout
    assert _mtimes(graded) == before
    _grade_all(klass, graded, "--only", "mistake1")
    after_only = _mtimes(graded)
    assert [n for n in before if after_only[n] != before[n]] == ["mistake1"]
    assert "13 submissions found, 13 graded now" in _grade_all(klass, graded, "--force")
    after_force = _mtimes(graded)
    assert all(after_force[n] != after_only[n] for n in before)
    assert len(_rows(graded)) == 14  # and the max-points row


def test_timeout_and_crash_each_leave_a_zero_row(klass: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    entry = batch.Entry("reference", klass / "reference")
    slow = batch.grade_one(entry, tmp_path, PATTERN, timeout=0.3)
    document = build.read_results(tmp_path / "reference" / batch.RESULTS)
    assert slow.status == "timed out" and document["score"] == 0 and "timed out" in document["output"]
    monkeypatch.setattr(batch.sys, "executable", shutil.which("false"))
    crashed = batch.grade_one(batch.Entry("other", klass / "reference"), tmp_path, PATTERN)
    assert crashed.status == "grader error" and crashed.returncode != 0
    assert build.read_results(tmp_path / "other" / batch.RESULTS)["score"] == 0
    assert not list(tmp_path.glob(f"*/{batch.PARTIAL}"))  # nothing half-written left behind


def test_discovery_never_grades_the_output_folder(klass: Path, tmp_path: Path) -> None:
    inside = klass / "zz_out"
    os.makedirs(inside, exist_ok=True)
    try:
        names = [e.name for e in batch.discover(klass, exclude=inside)]
    finally:
        shutil.rmtree(inside)
    assert "zz_out" not in names and "gradescope_export" not in names and len(names) == 13
