"""One source of truth for the gradebook: whatever order a TA runs grade-all, rescore, a one-test
regrade and a resume in, grades.csv never shows a total above the maximum, a test above its points,
or a column of another rubric; and grade-all's closing lines say what it did.

Through the real command line on real submissions (the reference, a seeded mistake, the template),
graded for the broadcasting task only. Oracles: the points come from the assignment files read with
tomllib (the project's and a changed copy written here), the names from the legacy rubric file.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from autograder.course.paths import PROJECT_ROOT
from autograder.course.tasks import task
from tests.project.clirun import autograder, column, csv_rows, fresh_copy, tomllib
from tests.project.corpus import build

MISTAKES = task("broadcasting").module("corpus.py").MISTAKES
PATTERN = "broadcasting.*"
CHANGED = {"broadcasting.given_pairs": 6, "broadcasting.answers": 6}  # 4 points each in the project


def _points(assignment: Path) -> tuple[float, dict[str, float]]:
    """(total, {test id: points}) of the broadcasting tests, from the task's rubric and the assignment's overrides."""
    data = tomllib.loads(assignment.read_text(encoding="utf-8"))
    base = tomllib.loads((PROJECT_ROOT / "tests" / "grading" / "broadcasting" / "rubric.toml").read_text())["tests"]
    points = {tid: float(data.get("tests", {}).get(tid, {}).get("points", raw["points"])) for tid, raw in base.items()}
    return float(data["assignment"]["total_points"]), points


DEFAULT = PROJECT_ROOT / "assignments" / "full.toml"


@pytest.fixture(scope="module")
def changed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the full assignment with two broadcasting tests worth 6 instead of 4 (total 104)."""
    text = DEFAULT.read_text(encoding="utf-8")
    assert "total_points = 100\n" in text
    text = text.replace("total_points = 100\n", "total_points = 104\n")
    text += "".join(f'\n[tests."{tid}"]\npoints = {p}\n' for tid, p in CHANGED.items())
    path = tmp_path_factory.mktemp("rubric") / "full.toml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def klass(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("klass")
    build.reference_submission(root / "ref")
    build.reference_submission(root / "bad")
    build.replace_function(root / "bad", MISTAKES[0].module, MISTAKES[0].source)
    build.template_submission(root / "tmpl")
    return root


def _ok(*args: str) -> str:
    done = autograder(*args)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "Traceback" not in done.stderr
    return done.stdout


def _grade_all(klass: Path, out: Path, *extra: str) -> str:
    return _ok("grade-all", str(klass), "--out", str(out), "--jobs", "2", *extra)


def assert_true_to(out: Path, assignment: Path) -> dict[str, dict[str, str]]:
    """grades.csv holds exactly the assignment's points: the max row, no cell above it, totals that add up."""
    total, points = _points(assignment)
    rows = csv_rows(out / "grades.csv")
    top = rows.pop("(max points)")
    assert float(top["total"]) == total
    for tid, most in points.items():
        assert float(top[column(tid)]) == most, tid  # the column of this rubric, with its points
    for name, row in rows.items():
        cells = {tid: float(row[column(tid)]) for tid in points if row[column(tid)] != ""}
        assert all(cells[tid] <= points[tid] + 1e-9 for tid in cells), (name, cells)
        assert float(row["total"]) <= total + 1e-9, name
        assert float(row["total"]) == pytest.approx(sum(cells.values())), name
    return rows


def test_round_trip_never_leaves_a_stale_total(klass: Path, changed: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    first = _grade_all(klass, out, "--tests", PATTERN)
    rows = assert_true_to(out, DEFAULT)
    full = sum(_points(DEFAULT)[1].values())
    assert float(rows["ref"]["total"]) == full and float(rows["tmpl"]["total"]) == 0
    assert "scored under another rubric" not in first  # fresh results carry the hash of the rubric in force
    assert "WARNING: 3 submission(s) name no student" in first and "--roster FILE" in first  # not silent

    # rescore under the changed rubric: the reference earns the 4 extra points
    _ok("rescore", str(out), "--rubric", str(changed))
    assert float(assert_true_to(out, changed)["ref"]["total"]) == full + 4

    # the assignment file put back: grade-all grades nobody, but rescores all three to it, and says so
    stdout = _grade_all(klass, out, "--tests", PATTERN)
    assert "0 graded now, 3 already done" in stdout
    assert "3 stored result(s) were scored under another rubric: rescored" in stdout
    assert f"changed ref: {full + 4:g} -> {full:g} (-4)" in stdout
    assert float(assert_true_to(out, DEFAULT)["ref"]["total"]) == full

    # changed again, then one test regraded for one student under the original: the merged results
    # hold that test from one rubric and the rest from the other, and the rest is rescored too
    _ok("rescore", str(out), "--rubric", str(changed))
    stdout = _grade_all(klass, out, "--only", "bad", "--tests", "broadcasting.given_pairs", "--force")
    assert "1 graded now, 2 already done" in stdout and "graded now: bad " in stdout
    rows = assert_true_to(out, DEFAULT)
    assert float(rows["ref"]["total"]) == full and float(rows["bad"][column("broadcasting.answers")]) <= 4

    # changed again, one result lost, resumed: one graded fresh, the others rescored, all true
    _ok("rescore", str(out), "--rubric", str(changed))
    shutil.rmtree(out / "tmpl")
    stdout = _grade_all(klass, out, "--tests", PATTERN)
    assert "1 graded now, 2 already done" in stdout and "graded now: tmpl 0 (graded)" in stdout
    assert "2 stored result(s) were scored under another rubric" in stdout
    assert_true_to(out, DEFAULT)

    # and rescore under the rubric in force changes nobody
    assert "0 changed score" in _ok("rescore", str(out))


def test_tests_without_force_says_what_it_did_and_logs_name_results_json(klass: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    _grade_all(klass, out, "--tests", PATTERN)
    stdout = _grade_all(klass, out, "--tests", "broadcasting.answers")
    assert "--tests 'broadcasting.answers' without --force" in stdout
    assert "the 3 already done kept their results" in stdout and "add --force" in stdout
    for name in ("ref", "bad", "tmpl"):
        last = (out / name / "output.txt").read_text(encoding="utf-8").strip().splitlines()[-1]
        assert last == f"results written to {out / name / 'results.json'}"
        assert (out / name / "results.json").is_file()


DECORATED = '''


@weight(2)
@number("2.9")
def test_filesexist(student):
    """the handout's files are all there"""
'''


def _header_and_max(out: Path) -> tuple[list[str], dict[str, str]]:
    rows = csv_rows(out / "grades.csv")
    top = rows["(max points)"]
    return list(top), top


def test_grade_all_and_rescore_agree_on_a_test_without_rubric_entry(klass: Path, tmp_path: Path) -> None:
    """A Gradescope-decorated test with no rubric entry (@weight(2), @number): the same column title
    and the same (max points) whether grade-all or rescore wrote grades.csv."""
    project = fresh_copy(tmp_path / "clone")
    tests = project / "tests" / "grading" / "broadcasting" / "test_broadcasting.py"
    tests.write_text(tests.read_text(encoding="utf-8") + DECORATED, encoding="utf-8")
    full = project / "assignments" / "full.toml"
    full.write_text(full.read_text(encoding="utf-8").replace("total_points = 100\n", "total_points = 102\n"),
                    encoding="utf-8")
    out = tmp_path / "out"
    done = autograder("grade-all", str(klass), "--out", str(out), "--only", "ref", "--tests", "broadcasting.*",
                      cwd=project)
    assert done.returncode == 0, done.stderr[-3000:]
    header, top = _header_and_max(out)
    title = next(h for h in header if h.endswith("the handout's files are all there"))
    assert float(top[title]) == 2 and float(top["total"]) == 102  # the decorator's points
    assert float(csv_rows(out / "grades.csv")["ref"][title]) == 2
    done = autograder("rescore", str(out), cwd=project)
    assert done.returncode == 0, done.stderr[-3000:]
    assert _header_and_max(out) == (header, top)
