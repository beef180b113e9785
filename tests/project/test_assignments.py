"""One repository, many assignments, and an engine that knows no task (issue 12).

- A new task is its three folders plus one assignment file: in a copy of the project, with nothing
  under autograder/ touched, validate, build, handout (with its self-check) and grade all pick it up.
- Two assignments built side by side hold only their own tasks, data and instructions, and each
  validates (reference full marks, template 0).
- The engine's text names no task, and no Python file of the repository is over 400 lines.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path
from typing import Iterator

import pytest

from autograder.verbs.build import build_gradescope_zip
from autograder.verbs.handout import build_handout_zip
from autograder.course.paths import ASSIGNMENTS_DIR, PROJECT_ROOT
from autograder.course.rubric import load_rubric
from autograder.course.tasks import all_tasks
from tests.project.clirun import autograder, fresh_copy

SOFTMAX = {
    "student_template/softmax/softmax.py": '''"""Task 7: softmax.

Turn each row of scores into probabilities, stably: subtract the row's maximum before exp.
"""


def softmax(z):
    """Softmax of each row of a 2-D numpy array (probabilities that sum to 1 along axis 1)."""
    raise NotImplementedError("softmax is not implemented yet")
''',
    "student_template/softmax/softmax_scores.csv": "1,2,3\n0,0,0\n-1,5,2\n",
    "student_template/softmax/README.md": "`homework/softmax_scores.csv` holds three rows of scores (SOFTMAX-TEXT).\n",
    "reference/softmax/softmax.py": '''"""Task 7: softmax (reference)."""

import numpy as np


def softmax(z):
    z = np.asarray(z, dtype=np.float64)
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)
''',
    "tests/grading/softmax/test_softmax.py": '''"""Hidden tests of the softmax task: the handout's scores, and large scores (stability)."""

import numpy as np

from autograder.grading.feedback import check_array
from autograder.course.tasks import task


def scores():
    return np.loadtxt(task("softmax").handout_dir / "softmax_scores.csv", delimiter=",")


def expected(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def test_handout_scores(student, entry):
    z = scores()
    check_array(student.call("softmax", z), expected(z), "softmax of the handout's scores",
                rtol=entry["max_error"], atol=entry["max_error"])


def test_large_scores(student, entry):
    z = scores() * 400.0
    check_array(student.call("softmax", z), expected(z), "softmax of large scores",
                rtol=entry["max_error"], atol=entry["max_error"])
''',
    "tests/grading/softmax/public_checks.py": '''"""Public check of the softmax task: each row of the handout's scores sums to one."""

import numpy as np

from autograder.grading.feedback import check_array, fail


def _sums(student, files):
    if "softmax_scores.csv" not in files:
        fail("`softmax_scores.csv` was not found next to your files: it ships with the handout.")
    z = np.loadtxt(files["softmax_scores.csv"], delimiter=",")
    got = np.asarray(student.call("softmax", z), dtype=np.float64)
    check_array(got.sum(axis=1), np.ones(len(z)), "the row sums of softmax(scores)", rtol=1e-9, atol=1e-9)


CHECKS = [("softmax: each row of the handout's scores sums to one", _sums)]
''',
    "tests/grading/softmax/rubric.toml": '''[tests."softmax.handout_scores"]
name = "softmax of the handout's scores"
number = "1"
points = 3
max_error = 1e-9

[tests."softmax.large_scores"]
name = "softmax stays right on large scores"
number = "2"
points = 2
max_error = 1e-9
''',
    "assignments/softmax_week.toml": '''[assignment]
title = "Softmax week"
tasks = ["broadcasting", "softmax"]
total_points = 17
''',
}


def tree(root: Path) -> dict[str, str]:
    """{relative path: sha256} of every file below `root`, bytecode caches aside."""
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file() and "__pycache__" not in p.parts}


def test_a_new_task_needs_its_folders_and_an_assignment_only(tmp_path: Path) -> None:
    project = fresh_copy(tmp_path / "clone")
    before = tree(project)
    for name, text in SOFTMAX.items():
        (project / name).parent.mkdir(parents=True, exist_ok=True)
        (project / name).write_text(text, encoding="utf-8")
    after = tree(project)
    assert {k: v for k, v in after.items() if before.get(k) != v} == {k: after[k] for k in SOFTMAX}
    assert {k for k in after if k.startswith("autograder/")} == {k for k in before if k.startswith("autograder/")}

    validated = autograder("validate", "--assignment", "softmax_week", cwd=project)
    assert validated.returncode == 0, validated.stdout[-3000:] + validated.stderr[-2000:]
    assert "ok   reference: 17/17" in validated.stdout and "ok   template: 0/17" in validated.stdout
    assert validated.stdout.startswith("assignment: softmax_week (assignments/softmax_week.toml; named)\n")

    built = autograder("build", "--assignment", "softmax_week", "--out", str(tmp_path / "ag.zip"), cwd=project)
    assert built.returncode == 0, built.stdout[-3000:] + built.stderr[-2000:]
    names = set(zipfile.ZipFile(tmp_path / "ag.zip").namelist())
    assert {"student_template/softmax/softmax_scores.csv", "reference/softmax/softmax.py",
            "tests/grading/softmax/test_softmax.py", "tests/grading/softmax/rubric.toml",
            "tests/grading/broadcasting/test_broadcasting.py"} <= names
    assert [n for n in names if n.startswith("assignments/")] == ["assignments/softmax_week.toml"]
    assert not [n for n in names if re.search(r"kmeans|mnist|distances|regression|autodiff", n)]

    made = autograder("handout", "--assignment", "softmax_week", "--out", str(tmp_path / "handout.zip"), cwd=project)
    assert made.returncode == 0, made.stderr
    with zipfile.ZipFile(tmp_path / "handout.zip") as zf:
        names = set(zf.namelist())
        notebook = zf.read("homework.ipynb").decode()
        readme = zf.read("README_students.md").decode()
        zf.extractall(tmp_path / "handout")
    assert {"homework/softmax.py", "homework/softmax_scores.csv", "softmax_scores.csv",
            "checks/softmax/public_checks.py", "homework/broadcasting.py"} <= names
    assert "# Softmax week" in notebook and notebook.index("Task 2: broadcasting") < notebook.index("Task 7: softmax")
    assert "SOFTMAX-TEXT" in readme and readme.startswith("# Softmax week: handout")
    checked = subprocess.run([sys.executable, "check.py"], cwd=tmp_path / "handout", capture_output=True,
                             text=True, timeout=300)
    assert checked.returncode == 1 and "[softmax]" in checked.stdout  # the template: not implemented yet
    assert "FAIL softmax: each row of the handout's scores sums to one" in checked.stdout, checked.stdout[-2000:]

    submission = tmp_path / "submission"
    submission.mkdir()
    for task in ("broadcasting", "softmax"):
        (submission / f"{task}.py").write_bytes((project / "reference" / task / f"{task}.py").read_bytes())
    graded = autograder("grade", str(submission), "--assignment", "softmax_week", "--out", str(tmp_path / "r.json"),
                        cwd=project)
    assert graded.returncode == 0 and "TOTAL 17/17" in graded.stdout, graded.stdout[-3000:] + graded.stderr[-2000:]
    numbers = {t["extra_data"]["id"]: t["number"] for t in json.loads((tmp_path / "r.json").read_text())["tests"]}
    assert numbers["softmax.handout_scores"] == "2.1" and numbers["softmax.large_scores"] == "2.2"
    assert tree(project / "autograder") == {k.removeprefix("autograder/"): v for k, v in before.items()
                                            if k.startswith("autograder/")}


ZIPPED = {"week2": ("distances", "broadcasting", "kmeans"), "a1": ("regression", "mnist", "optim", "autodiff")}


@pytest.mark.parametrize("name", list(ZIPPED))
def test_each_assignment_zip_and_handout_hold_only_its_own_tasks(tmp_path: Path, name: str) -> None:
    rubric = load_rubric(ASSIGNMENTS_DIR / f"{name}.toml")
    assert rubric.tasks == ZIPPED[name]
    others = [t for t in all_tasks() if t not in rubric.tasks]
    foreign = re.compile("|".join(others))  # a task's name in a path: its folder, or its data (mnist_weights.pt)
    built = zipfile.ZipFile(build_gradescope_zip(tmp_path / "ag.zip", ASSIGNMENTS_DIR / f"{name}.toml")).namelist()
    assert [n for n in built if n.startswith("assignments/")] == [f"assignments/{name}.toml"]
    for task in rubric.tasks:
        assert f"tests/grading/{task}/test_{task}.py" in built and f"reference/{task}/{task}.py" in built
    assert not [n for n in built if n.startswith(("student_template/", "reference/", "tests/")) and foreign.search(n)]
    with zipfile.ZipFile(build_handout_zip(tmp_path / "handout.zip", list(rubric.tasks), rubric.title)) as zf:
        names, readme = zf.namelist(), zf.read("README_students.md").decode()
        contract = json.loads(zf.read("autograder/contract.json"))
        notebook = zf.read("homework.ipynb").decode()
    assert {f"homework/{t}.py" for t in rubric.tasks} <= set(names)
    assert not [n for n in names if n.startswith(("homework/", "checks/")) and foreign.search(n)]
    assert set(contract.values()) == set(rubric.tasks) and rubric.title in notebook
    if name == "week2":
        assert "mnist_weights.pt" not in readme and "mnist" not in readme.lower()
        assert not [n for n in names if n.endswith(("qn2_data.csv", ".pt", "mnist_data.py"))]
    else:
        assert "mnist_weights.pt" in readme and {"qn2_data.csv", "homework/mnist_data.py"} <= set(names)


@pytest.mark.parametrize("name", list(ZIPPED))
def test_each_assignment_validates(name: str) -> None:
    done = autograder("validate", "--assignment", name)
    points = f"{load_rubric(ASSIGNMENTS_DIR / f'{name}.toml').total_points:g}"
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert f"ok   reference: {points}/{points}" in done.stdout and f"ok   template: 0/{points}" in done.stdout


def test_grading_for_week2_shows_week2_only(tmp_path: Path) -> None:
    """The sample notebook lacks k-means plots and every later task: for week 2, only week 2's
    tests run and only week 2's missing names are listed."""
    done = autograder("grade", str(PROJECT_ROOT / "examples" / "sample_submission"), "--assignment", "week2",
                      "--out", str(tmp_path / "r.json"))
    assert done.returncode == 0, done.stderr
    document = json.loads((tmp_path / "r.json").read_text())
    assert {t["extra_data"]["id"].split(".")[0] for t in document["tests"]} == set(ZIPPED["week2"])
    assert "`plot_kmeans` is not defined" in document["output"]
    assert not re.search(r"expected in `(regression|mnist|autodiff)\.py`", document["output"])
    assert done.stdout.startswith("assignment: week2 (assignments/week2.toml; named)\n")


def test_grade_all_hands_its_assignment_to_every_grader(tmp_path: Path) -> None:
    """The per-submission graders are subprocesses: they grade a1 (regression is task 1 there, 4 in full)."""
    klass = tmp_path / "class"
    (klass / "ref").mkdir(parents=True)
    (klass / "ref" / "regression.py").write_bytes((PROJECT_ROOT / "reference" / "regression" / "regression.py").read_bytes())
    done = autograder("grade-all", str(klass), "--out", str(tmp_path / "out"), "--assignment", "a1",
                      "--tests", "regression.least_squares_*", "--jobs", "1")
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    tests = json.loads((tmp_path / "out" / "ref" / "results.json").read_text())["tests"]
    assert {t["extra_data"]["id"]: t["number"] for t in tests} == {"regression.least_squares_corn": "1.1",
                                                                   "regression.least_squares_hidden": "1.2"}
    assert "assignment: a1 (assignments/a1.toml; named)" in (tmp_path / "out" / "ref" / "output.txt").read_text()


def test_the_engine_names_no_task_and_no_file_is_too_long() -> None:
    tasks = list(all_tasks())
    assert len(tasks) >= 6
    word = re.compile(r"\b(" + "|".join(map(re.escape, tasks)) + r")\b", re.IGNORECASE)
    engine = sorted((PROJECT_ROOT / "autograder").rglob("*.py"))  # every layer
    assert len(engine) > 30
    named = {p.name: word.findall(p.read_text(encoding="utf-8")) for p in engine}
    assert {k: v for k, v in named.items() if v} == {}
    listed = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard", "*.py"], cwd=PROJECT_ROOT,
                            capture_output=True, text=True, check=True).stdout.splitlines()
    long = {n: lines for n in listed if (PROJECT_ROOT / n).is_file()
            for lines in [len((PROJECT_ROOT / n).read_text(encoding="utf-8").splitlines())] if lines > 400}
    assert len(listed) > 50 and long == {}


@pytest.fixture
def gradescope_root() -> Iterator[Path]:
    """/autograder's stand-in, where the sandbox user can reach the interpreter as on Gradescope
    (pytest's own tmp folders are root's alone)."""
    folder = Path(tempfile.mkdtemp(prefix="ag-gradescope-"))
    folder.chmod(0o755)
    yield folder / "autograder"
    shutil.rmtree(folder, ignore_errors=True)


@pytest.mark.parametrize("name", sorted(p.stem for p in ASSIGNMENTS_DIR.glob("*.toml")))
def test_each_built_zip_grades_the_reference_in_a_gradescope_shaped_root(tmp_path: Path, gradescope_root: Path,
                                                                         name: str) -> None:
    """Gradescope's own path for every assignment: the built zip unpacked as /autograder/source, the
    reference of the assignment's tasks as /autograder/submission, `run_autograder` with no flag."""
    rubric = load_rubric(ASSIGNMENTS_DIR / f"{name}.toml")
    root = gradescope_root
    with zipfile.ZipFile(build_gradescope_zip(tmp_path / "ag.zip", ASSIGNMENTS_DIR / f"{name}.toml")) as zf:
        zf.extractall(root / "source")
    (root / "source" / "run_autograder").chmod(0o755)
    (root / "source" / ".venv").symlink_to(PROJECT_ROOT / ".venv")  # what setup.sh builds on Gradescope
    (root / "submission").mkdir(parents=True)
    for task in rubric.tasks:
        for path in all_tasks()[task].reference_files():
            (root / "submission" / path.name).write_bytes(path.read_bytes())
    (root / "results").mkdir()
    (root / "submission_metadata.json").write_text(json.dumps({"id": 1, "users": [{"name": "A"}]}))
    done = subprocess.run([str(root / "source" / "run_autograder")], capture_output=True, text=True, timeout=900,
                          env={**os.environ, "AUTOGRADER_ROOT": str(root)})
    document = json.loads((root / "results" / "results.json").read_text())
    assert f"[grader] assignment: {name} (tasks: {', '.join(rubric.tasks)})" in done.stdout, done.stdout[-2000:]
    assert document["score"] == rubric.total_points, (document["output"][:3000], done.stdout[-3000:])
    assert {t["extra_data"]["id"].split(".")[0] for t in document["tests"]} == set(rubric.tasks)
