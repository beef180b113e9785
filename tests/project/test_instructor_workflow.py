"""An instructor's changes, each in a fresh copy of the project (every file a clone would have):
the README's worked example works as written, rescore included, and `build` refuses to ship a
broken rubric or a reference that no longer gets full marks.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest

from autograder.course.paths import PROJECT_ROOT
from autograder.course.tasks import task
from tests.project.clirun import autograder, csv_rows, fresh_copy
from tests.project.corpus import build

MISTAKES = task("broadcasting").module("corpus.py").MISTAKES  # the seeded mistakes of one task


def readme_step_one(readme: str) -> tuple[str, str, str, str, str, str]:
    """The README's worked example, step 1, read from the README itself: (assignment file, table,
    points line, visibility line, old total, new total)."""
    step = re.search(r"1\. In `(assignments/\w+\.toml)`, add the override `(\[tests\.\"[^`]+\"\])` with "
                     r"`(points = \d+)`\s+and\s+`(visibility = \"\w+\")`.*?raise `\[assignment\] total_points` "
                     r"from (\d+) to (\d+)", readme, flags=re.DOTALL)
    assert step, "the README's worked example changed: update this test with it"
    return step.groups()


def test_readme_worked_example_then_rescore(tmp_path: Path) -> None:
    project = fresh_copy(tmp_path / "clone")
    klass, out = tmp_path / "class", tmp_path / "graded"
    build.reference_submission(klass / "ref")
    done = autograder("grade-all", str(klass), "--out", str(out), "--tests", "kmeans.*", cwd=project)
    assert done.returncode == 0, done.stderr[-2000:]
    before = csv_rows(out / "grades.csv")["ref"]

    name, table, points_line, visibility_line, old_total, new_total = readme_step_one(
        (project / "README.md").read_text(encoding="utf-8"))
    assignment = project / name
    text = assignment.read_text(encoding="utf-8") + f"\n{table}\n{points_line}\n{visibility_line}\n"
    assert f"total_points = {old_total}\n" in text
    assignment.write_text(text.replace(f"total_points = {old_total}\n", f"total_points = {new_total}\n"),
                          encoding="utf-8")

    built = autograder("build", "--out", str(tmp_path / "autograder.zip"), cwd=project)
    assert built.returncode == 0, built.stdout[-3000:] + built.stderr[-2000:]
    assert f"ok   reference: {new_total}/{new_total}" in built.stdout
    assert f"ok   template: 0/{new_total}" in built.stdout
    assert "VERDICT: ready to build and upload." in built.stdout
    with zipfile.ZipFile(tmp_path / "autograder.zip") as zf:
        assert visibility_line in zf.read(name).decode()

    rescored = autograder("rescore", str(out), cwd=project)
    assert rescored.returncode == 0, rescored.stderr
    after = csv_rows(out / "grades.csv")
    gained = int(points_line.split("=")[1]) - 3
    assert float(after["ref"]["total"]) == float(before["total"]) + gained
    assert float(after["(max points)"]["total"]) == float(new_total)
    assert f"changed ref: {float(before['total']):g} -> " in rescored.stdout


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return fresh_copy(tmp_path_factory.mktemp("clone"))


def test_build_refuses_a_rubric_that_fails(project: Path, tmp_path: Path) -> None:
    """A mistake in a task's own rubric.toml: every command names that file, its line and the entry."""
    rubric = project / "tests" / "grading" / "distances" / "rubric.toml"
    good = rubric.read_text(encoding="utf-8")
    bad = good.replace('number = "7"\npoints = 2', 'number = "7"\npoints = -5')
    assert bad != good
    rubric.write_text(bad, encoding="utf-8")
    try:
        zip_path = tmp_path / "autograder.zip"
        built = autograder("build", "--out", str(zip_path), cwd=project)
        klass = tmp_path / "class"  # a class to grade: the rubric is checked while its graders start
        build.template_submission(klass / "alice")
        graded = autograder("grade-all", str(klass), "--out", str(tmp_path / "out"), cwd=project)
        one = autograder("grade", str(PROJECT_ROOT / "reference"), "--out", str(tmp_path / "r.json"), cwd=project)
    finally:
        rubric.write_text(good, encoding="utf-8")
    line = bad.splitlines().index("points = -5", bad.splitlines().index('number = "7"')) + 1
    assert built.returncode == 2 and not zip_path.exists()
    shown = rubric.relative_to(project)  # as the instructor reads it: relative to the project
    assert f'{shown}:{line}: [tests."distances.numpy_faster_than_loops"] points: -5' in built.stdout
    assert "build refused" in built.stderr
    for done in (graded, one):
        assert done.returncode == 2 and f"{shown}:{line}:" in done.stderr and "Traceback" not in done.stderr
    assert not (tmp_path / "out").exists() and not (tmp_path / "r.json").exists()


def test_build_refuses_a_reference_without_full_marks(project: Path, tmp_path: Path) -> None:
    folder = project / "reference" / MISTAKES[0].module
    module = folder / f"{MISTAKES[0].module}.py"
    good = module.read_bytes()
    build.replace_function(folder, MISTAKES[0].module, MISTAKES[0].source)
    try:
        zip_path = tmp_path / "autograder.zip"
        built = autograder("build", "--out", str(zip_path), cwd=project)
    finally:
        module.write_bytes(good)
    assert built.returncode == 2 and not zip_path.exists()
    assert "FAIL reference:" in built.stdout and "build refused" in built.stderr
