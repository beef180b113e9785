"""An instructor's changes, each in a fresh copy of the project (every file a clone would have):
the README's worked example works as written, rescore included, and `build` refuses to ship a
broken rubric or a reference that no longer gets full marks.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

from autograder.paths import PROJECT_ROOT
from tests.project.clirun import autograder, csv_rows
from tests.project.corpus import build
from autograder.tasks import task

MISTAKES = task("broadcasting").module("corpus.py").MISTAKES


def fresh_copy(dest: Path) -> Path:
    """The files a fresh clone holds (tracked, plus new files not ignored), copied to `dest`."""
    listed = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard"], cwd=PROJECT_ROOT,
                            capture_output=True, text=True, check=True).stdout.splitlines()
    for name in listed:
        source = PROJECT_ROOT / name
        if source.is_file() and not name.startswith("tests/project/"):
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, dest / name)
    return dest


def readme_step_one(readme: str) -> tuple[str, str, str]:
    """The README's worked example, step 1, read from the README itself: (table, points, visibility)."""
    step = re.search(r"1\. In `rubric.toml`, under `(\[tests\.\"[^`]+\"\])`, set `(points = \d+)` and add\s+"
                     r"`(visibility = \"\w+\")`; raise `\[assignment\] total_points` from (\d+) to (\d+)", readme)
    assert step, "the README's worked example changed: update this test with it"
    return step.group(1), step.group(2), step.group(3) + f"|{step.group(4)}|{step.group(5)}"


def test_readme_worked_example_then_rescore(tmp_path: Path) -> None:
    project = fresh_copy(tmp_path / "clone")
    klass, out = tmp_path / "class", tmp_path / "graded"
    build.reference_submission(klass / "ref")
    done = autograder("grade-all", str(klass), "--out", str(out), "--tests", "kmeans.*", cwd=project)
    assert done.returncode == 0, done.stderr[-2000:]
    before = csv_rows(out / "grades.csv")["ref"]

    table, points_line, rest = readme_step_one((project / "README.md").read_text(encoding="utf-8"))
    visibility_line, old_total, new_total = rest.split("|")
    rubric = project / "rubric.toml"
    lines = rubric.read_text(encoding="utf-8").splitlines()
    start = lines.index(table)
    end = next(i for i in range(start + 1, len(lines)) if lines[i].startswith("["))
    block = [points_line if line.startswith("points =") else line for line in lines[start:end]]
    block.insert(next(i for i, line in enumerate(block) if line.startswith("points =")) + 1, visibility_line)
    lines[start:end] = block
    text = "\n".join(lines) + "\n"
    rubric.write_text(text.replace(f"total_points = {old_total}", f"total_points = {new_total}"), encoding="utf-8")

    built = autograder("build", "--out", str(tmp_path / "autograder.zip"), cwd=project)
    assert built.returncode == 0, built.stdout[-3000:] + built.stderr[-2000:]
    assert f"ok   reference: {new_total}/{new_total}" in built.stdout
    assert f"ok   template: 0/{new_total}" in built.stdout
    assert "VERDICT: ready to build and upload." in built.stdout
    with zipfile.ZipFile(tmp_path / "autograder.zip") as zf:
        assert visibility_line in zf.read("rubric.toml").decode()

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
    rubric = project / "rubric.toml"
    good = rubric.read_text(encoding="utf-8")
    bad = good.replace('number = "1.7"\npoints = 2', 'number = "1.7"\npoints = -5')
    assert bad != good
    rubric.write_text(bad, encoding="utf-8")
    try:
        zip_path = tmp_path / "autograder.zip"
        built = autograder("build", "--out", str(zip_path), cwd=project)
        graded = autograder("grade-all", str(tmp_path), "--out", str(tmp_path / "out"), cwd=project)
        one = autograder("grade", str(PROJECT_ROOT / "reference"), "--out", str(tmp_path / "r.json"), cwd=project)
    finally:
        rubric.write_text(good, encoding="utf-8")
    line = bad.splitlines().index("points = -5", bad.splitlines().index('number = "1.7"')) + 1
    assert built.returncode == 2 and not zip_path.exists()
    assert f'rubric.toml:{line}: [tests."distances.numpy_faster_than_loops"] points: -5' in built.stdout
    assert "build refused" in built.stderr
    for done in (graded, one):
        assert done.returncode == 2 and f"rubric.toml:{line}:" in done.stderr and "Traceback" not in done.stderr
    assert not (tmp_path / "out").exists() and not (tmp_path / "r.json").exists()


def test_build_refuses_a_reference_without_full_marks(project: Path, tmp_path: Path) -> None:
    module = project / "reference" / f"{MISTAKES[0].module}.py"
    good = module.read_bytes()
    build.replace_function(project / "reference", MISTAKES[0].module, MISTAKES[0].source)
    try:
        zip_path = tmp_path / "autograder.zip"
        built = autograder("build", "--out", str(zip_path), cwd=project)
    finally:
        module.write_bytes(good)
    assert built.returncode == 2 and not zip_path.exists()
    assert "FAIL reference:" in built.stdout and "build refused" in built.stderr
