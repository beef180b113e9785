"""A TA's term with `grade-all`, through the real command line: one task at a time (merged, never
erased), a changed submission regraded on resume, a rubric change applied by `rescore`, Ctrl-C,
spreadsheets that cannot run formulas, and results only the TA can read.

Oracles: points and names come from the rubric file read with tomllib; each submission's expected
per-task score comes from what the submission is (the reference earns everything, the template
nothing, a seeded mistake loses its test).
"""

from __future__ import annotations

import os
import shutil
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from autograder.course.launch import ENTRY
from autograder.course.paths import PROJECT_ROOT
from autograder.course.tasks import task
from tests.project.clirun import autograder, column, csv_rows, rubric_tests
from tests.project.corpus import build

MISTAKES = task("broadcasting").module("corpus.py").MISTAKES  # the seeded mistakes of one task

FORMULA = "=1+1"  # a submission folder named like a spreadsheet formula (issue #16)
EVIL_NAME = '=HYPERLINK("http://evil.example","click")'
METADATA = f"""---
:submission_7:
  :submitters:
  - :name: '{EVIL_NAME.replace("'", "''")}'
    :sid: '0042'
    :email: eve@example.edu
"""


def points(prefix: str) -> float:
    return sum(raw["points"] for tid, raw in rubric_tests().items() if tid.startswith(prefix))


@pytest.fixture(scope="module")
def klass(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """ref (the reference), bad (a broadcasting mistake), =1+1 (the template), and a Gradescope
    export holding one reference submission of a student with a formula for a name."""
    root = tmp_path_factory.mktemp("klass")
    build.reference_submission(root / "ref")
    build.reference_submission(root / "bad")
    build.replace_function(root / "bad", MISTAKES[0].module, MISTAKES[0].source)
    build.template_submission(root / FORMULA)
    export = root / "export"
    build.reference_submission(export / "submission_7")
    (export / "submission_metadata.yml").write_text(METADATA, encoding="utf-8")
    return root


def _run(klass: Path, out: Path, *extra: str) -> str:
    done = autograder("grade-all", str(klass), "--out", str(out), "--jobs", "2", *extra)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "Traceback" not in done.stderr
    return done.stdout


def _mtimes(out: Path) -> dict[str, int]:
    return {p.parent.name: p.stat().st_mtime_ns for p in out.glob("*/results.json")}


@pytest.fixture(scope="module")
def graded(klass: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict, dict, str]:
    """Broadcasting for everybody, then k-means for everybody with --force, as the README says."""
    out = tmp_path_factory.mktemp("graded") / "out"
    _run(klass, out, "--tests", "broadcasting.*")
    first = csv_rows(out / "grades.csv")
    stdout = _run(klass, out, "--tests", "kmeans.*", "--force")
    return out, first, csv_rows(out / "grades.csv"), stdout


def test_a_one_task_regrade_merges_into_the_earlier_results(graded) -> None:
    out, first, second, stdout = graded
    assert float(first["ref"]["total"]) == points("broadcasting.")
    assert float(second["ref"]["total"]) == points("broadcasting.") + points("kmeans.")
    assert float(second["bad"]["total"]) == float(first["bad"]["total"]) + points("kmeans.")
    assert float(first["bad"]["total"]) < points("broadcasting.")
    for tid in ("broadcasting.given_pairs", "kmeans.plot"):  # both tasks still have their columns filled
        assert second["ref"][column(tid)] == f"{float(rubric_tests()[tid]['points'])}"
    assert f"changed ref: {points('broadcasting.'):g} -> {points('broadcasting.') + points('kmeans.'):g}" in stdout
    assert float(second["'" + FORMULA]["total"]) == 0  # the template: no points, and escaped


def test_only_with_tests_merges_for_one_student(klass: Path, graded) -> None:
    out = graded[0]
    before = _mtimes(out)
    _run(klass, out, "--only", "bad", "--tests", "broadcasting.given_pairs", "--force")
    after = _mtimes(out)
    assert [n for n in before if after[n] != before[n]] == ["bad"]
    rows = csv_rows(out / "grades.csv")
    assert float(rows["bad"]["total"]) == float(graded[2]["bad"]["total"])  # same outcome, nothing erased
    assert rows["bad"][column("kmeans.plot")] != ""


def test_grades_csv_has_ids_max_points_and_no_formula(graded) -> None:
    out, _, rows, _ = graded
    header = list(rows["(max points)"])
    assert header[:6] == ["submission", "sid", "name", "email", "status", "total"]
    assert float(rows["(max points)"]["total"]) == points("")
    assert float(rows["(max points)"][column("kmeans.plot")]) == rubric_tests()["kmeans.plot"]["points"]
    student = rows["submission_7"]
    assert student["sid"] == "0042" and student["email"] == "eve@example.edu"
    assert student["name"] == "'" + EVIL_NAME  # shown as text, never evaluated
    for name in ("grades.csv", "gradescope_upload.csv", "canvas_upload.csv"):
        for line in (out / name).read_text(encoding="utf-8").splitlines():
            assert not any(cell.startswith(("=", "+", "@")) for cell in line.split(",")), (name, line)


def test_upload_files_have_the_documented_columns(graded) -> None:
    out = graded[0]
    gradescope = csv_rows(out / "gradescope_upload.csv", key="Email")
    assert list(gradescope) == ["eve@example.edu"]  # only submissions with a named student
    assert gradescope["eve@example.edu"]["SID"] == "0042"
    assert float(gradescope["eve@example.edu"]["Score"]) == points("broadcasting.") + points("kmeans.")
    canvas = csv_rows(out / "canvas_upload.csv", key="Student")
    title = list(next(iter(canvas.values())))
    assert title[:5] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"] and len(title) == 6
    assert float(canvas["Points Possible"][title[5]]) == points("")
    assert canvas["'" + EVIL_NAME]["SIS Login ID"] == "eve@example.edu"


def test_graded_outputs_are_readable_by_the_ta_alone(graded) -> None:
    out = graded[0]
    paths = [out, *out.rglob("*")]
    assert len(paths) > 20
    for path in paths:
        mode = stat.S_IMODE(path.stat().st_mode)
        assert mode & 0o077 == 0, (path, oct(mode))


def test_resume_regrades_a_changed_submission_only(klass: Path, graded, tmp_path: Path) -> None:
    out = tmp_path / "copy"
    shutil.copytree(graded[0], out)
    before = _mtimes(out)
    shutil.copy(PROJECT_ROOT / "reference" / MISTAKES[0].module / f"{MISTAKES[0].module}.py", klass / "bad" / f"{MISTAKES[0].module}.py")
    try:
        stdout = _run(klass, out, "--tests", "broadcasting.*")
    finally:
        build.replace_function(klass / "bad", MISTAKES[0].module, MISTAKES[0].source)
    after = _mtimes(out)
    assert [n for n in before if after[n] != before[n]] == ["bad"]
    assert "1 graded now, 3 already done" in stdout
    assert float(csv_rows(out / "grades.csv")["bad"]["total"]) == points("")  # regraded in full: it is the reference


def _edited_rubric(tmp_path: Path) -> Path:
    """The README's worked example (k-means plot worth 5, after the due date, total 102), a renamed
    test and a changed tolerance: overrides in a copy of the full assignment."""
    text = (PROJECT_ROOT / "assignments" / "full.toml").read_text(encoding="utf-8")
    assert "total_points = 100\n" in text
    text = text.replace("total_points = 100\n", "total_points = 102\n")
    text += ('\n[tests."kmeans.plot"]\npoints = 5\nvisibility = "after_due_date"\n'
             '\n[tests."kmeans.max_iter"]\nname = "kmeans: max_iter"\n'
             '\n[tests."kmeans.tol"]\natol = 1e-3\n')
    path = tmp_path / "full.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_rescore_applies_points_visibility_and_names_without_grading(graded, tmp_path: Path) -> None:
    out = tmp_path / "copy"
    shutil.copytree(graded[0], out)
    before = csv_rows(out / "grades.csv")
    started = time.monotonic()
    done = autograder("rescore", str(out), "--rubric", str(_edited_rubric(tmp_path)))
    seconds = time.monotonic() - started
    assert done.returncode == 0, done.stderr
    assert seconds < 15  # no student code runs (grading one submission takes 4-12 s)
    rows = csv_rows(out / "grades.csv")
    plot = "3.6 plot_kmeans shows the data, the initial and the final centres"
    assert float(rows["ref"][plot]) == 5 and float(rows["ref"]["total"]) == float(before["ref"]["total"]) + 2
    assert float(rows["(max points)"]["total"]) == 102
    assert float(rows["'" + FORMULA]["total"]) == 0
    assert "3.4 kmeans: max_iter" in rows["ref"]
    assert f"changed ref: {float(before['ref']['total']):g} -> {float(before['ref']['total']) + 2:g} (+2)" in done.stdout
    assert "changed bad:" in done.stdout and "changed =1+1" not in done.stdout
    assert "graded with other parameters" in done.stdout and "kmeans.tol" in done.stdout
    document = (out / "ref" / "results.json").read_text(encoding="utf-8")
    assert '"visibility": "after_due_date"' in document


def _grader_processes(marker: str) -> list[int]:
    """Live processes whose command line mentions `marker` (the batch's output folder)."""
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if marker in cmdline and int(pid) != os.getpid():
            found.append(int(pid))
    return found


def _ctrl_c_live() -> None:
    """As in a TA's terminal: a suite started in the background (`cmd &`, nohup) inherits SIGINT
    ignored, and Python then installs no KeyboardInterrupt handler."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_ctrl_c_stops_within_5_s_and_the_run_resumes(klass: Path, tmp_path: Path, sig: int) -> None:
    out = tmp_path / "out"
    command = [sys.executable, "-m", "autograder", "grade-all", str(klass), "--out", str(out), "--jobs", "1",
               "--tests", "broadcasting.*"]
    proc = subprocess.Popen(command, cwd=PROJECT_ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            preexec_fn=_ctrl_c_live)
    deadline = time.monotonic() + 120
    while not list(out.glob("*/results.json")) and time.monotonic() < deadline:
        time.sleep(0.05)
    proc.send_signal(sig)  # the second submission is being graded now (a warm service takes under 1 s)
    started = time.monotonic()
    stdout, stderr = proc.communicate(timeout=30)
    assert time.monotonic() - started < 5
    assert proc.returncode == 130 and "Traceback" not in stderr and "interrupted" in stderr
    time.sleep(0.5)
    assert _grader_processes(str(out)) == []
    assert _grader_processes(f"{ENTRY} serve") == []  # the slots' grading services (issue 27) ended too
    assert not list(out.glob("*/results.partial.json"))
    finished = set(_mtimes(out))
    assert 1 <= len(finished) < 4
    shown = {"'" + name if name == FORMULA else name for name in finished}  # as grades.csv escapes it
    assert set(csv_rows(out / "grades.csv")) == shown | {"(max points)"}
    assert (out / "report.html").is_file()
    resumed = _run(klass, out, "--tests", "broadcasting.*")
    assert f"{4 - len(finished)} graded now, {len(finished)} already done" in resumed
