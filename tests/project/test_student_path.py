"""The student's path, end to end: the real handout zip, unzipped; filled in as a student would
(reference answers in homework/*.py, or in the notebook); the weights where the handout's README says
`python homework/mnist.py` writes them; the check and the zip made with the commands the README
gives, run literally; then each zip graded by the real grader, in every form a student might hand in:
the .py files, the notebook, the notebook beside untouched stubs, and the whole folder zipped."""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from autograder.grading.grade import grade_submission
from autograder.intake.handout_contents import NOTEBOOK_NAME, WORK_FOLDER, write_notebook
from autograder.course.requirements import REQUIREMENTS_FILE
from autograder.verbs.packing import SUBMISSION_ZIP
from autograder.intake.submission import load_submission
from autograder.course.rubric import load_rubric
from tests.project.corpus.build import reference_submission
from tests.project.handouts import unzipped_handout

TASKS = list(load_rubric().tasks)  # the default assignment's, as in the handout of conftest.py
WEIGHTS = "mnist_weights.pt"
HANDOUT_TOOLS = re.compile(r"autograder/|checks/|check\.py|mnist_data\.py")


@pytest.fixture(scope="module")
def answers(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The reference's files, one per task, and its trained weights: what a student fills in."""
    return reference_submission(tmp_path_factory.mktemp("answers"))


@pytest.fixture(scope="module")
def unpacked(tmp_path_factory: pytest.TempPathFactory) -> Path:
    assignment = load_rubric()
    return unzipped_handout(tmp_path_factory.mktemp("handout"), list(assignment.tasks), assignment.title)


def readme_commands(handout: Path, heading: str) -> list[str]:
    """The indented command lines under a heading of README_students.md, as a student copies them."""
    text = (handout / "README_students.md").read_text(encoding="utf-8")
    section = text.split(f"## {heading}\n", 1)[1].split("\n## ", 1)[0]
    return [line.strip() for line in section.splitlines() if line.startswith("    ") and line.strip()]


def run_readme_command(handout: Path, command: str) -> subprocess.CompletedProcess[str]:
    argv = shlex.split(command)
    assert argv[0] == "python", command
    return subprocess.run([sys.executable, *argv[1:]], cwd=handout, capture_output=True, text=True, timeout=300)


def fill_in_py(handout: Path, answers: Path) -> None:
    for task in TASKS:
        shutil.copy(answers / f"{task}.py", handout / WORK_FOLDER / f"{task}.py")
    shutil.copy(answers / WEIGHTS, handout / WORK_FOLDER / WEIGHTS)  # `python homework/mnist.py` writes it there


def fill_in_notebook(handout: Path, answers: Path) -> None:
    write_notebook(answers, handout / NOTEBOOK_NAME, TASKS)
    shutil.copy(answers / WEIGHTS, handout / WEIGHTS)  # run in Jupyter: next to the notebook


def zip_by_hand(folder: Path, out: Path, keep: str = "") -> Path:
    """What `zip -r` of the folder gives (only paths matching `keep`, when given)."""
    with zipfile.ZipFile(out, "w") as zf:
        for path in sorted(folder.rglob("*")):
            rel = path.relative_to(folder.parent).as_posix()
            if path.is_file() and re.search(keep, path.relative_to(folder).as_posix()):
                zf.write(path, rel)
    return out


def graded(archive: Path, tmp_path: Path) -> dict:
    document = grade_submission(archive, tmp_path / "results.json", log=lambda line: None)
    failed = [(t["name"], t.get("output", "")[:300]) for t in document["tests"] if t["score"] < t["max_score"]]
    assert not failed, failed
    full = sum(t["max_score"] for t in document["tests"])
    assert full > 0 and document["score"] == pytest.approx(full)
    assert "while loading" not in document["output"], document["output"]
    return document


def top_notes(document: dict) -> list[str]:
    """The notes at the top of the feedback, one per line."""
    return [line[2:] for line in document["output"].split("Notes:\n", 1)[-1].split("\n\n", 1)[0].splitlines()]


def graded_line(task: str, graded_file: str, ignored_file: str) -> str:
    return f"{task}: graded `{graded_file}`; ignored the stub copy in `{ignored_file}`"


# ---------------------------------------------------------------- the README, followed literally
def test_readme_gives_one_command_to_zip_and_ships_the_requirements(unpacked: Path) -> None:
    assert readme_commands(unpacked, "What to submit (Gradescope)") == ["python check.py --zip"]
    assert readme_commands(unpacked, "Requirements") == [f"pip install -r {REQUIREMENTS_FILE}"]
    requirements = (unpacked / REQUIREMENTS_FILE).read_text(encoding="utf-8")
    assert "--extra-index-url https://download.pytorch.org/whl/cpu" in requirements
    assert re.search(r"^torch==2\.13\.0$", requirements, flags=re.M) and "pytest" not in requirements


def test_py_files_checked_zipped_and_graded(unpacked: Path, answers: Path, tmp_path: Path) -> None:
    handout = Path(shutil.copytree(unpacked, tmp_path / "handout"))
    fill_in_py(handout, answers)
    check = run_readme_command(handout, readme_commands(handout, "Check your work")[0])
    assert check.returncode == 0, check.stdout[-3000:] + check.stderr[-2000:]
    assert re.search(rf"`{WEIGHTS}` is there and loads into build_model\(\); test error [0-9.]+ %", check.stdout)
    made = run_readme_command(handout, readme_commands(handout, "What to submit (Gradescope)")[0])
    assert made.returncode == 0, made.stdout[-3000:] + made.stderr[-2000:]
    with zipfile.ZipFile(handout / SUBMISSION_ZIP) as zf:
        names = set(zf.namelist())
    assert names == {f"{WORK_FOLDER}/{t}.py" for t in TASKS} | {f"{WORK_FOLDER}/{WEIGHTS}", f"{WORK_FOLDER}/qn2_data.csv"}
    assert all(f"  {name}" in made.stdout for name in names)  # it says what it put in
    document = graded(handout / SUBMISSION_ZIP, tmp_path)
    assert not [n for n in top_notes(document) if "graded `" in n]  # one form only: nothing to choose


def test_notebook_checked_zipped_and_graded(unpacked: Path, answers: Path, tmp_path: Path) -> None:
    handout = Path(shutil.copytree(unpacked, tmp_path / "handout"))
    fill_in_notebook(handout, answers)
    made = run_readme_command(handout, "python check.py --zip")
    assert made.returncode == 0, made.stdout[-3000:] + made.stderr[-2000:]
    assert graded_line("kmeans", NOTEBOOK_NAME, f"{WORK_FOLDER}/kmeans.py") in made.stdout
    with zipfile.ZipFile(handout / SUBMISSION_ZIP) as zf:
        names = set(zf.namelist())
    data = [n for n in names if n.endswith("qn2_data.csv")]  # the handout ships it in both folders: one copy
    assert len(data) == 1 and names - set(data) == {NOTEBOOK_NAME, WEIGHTS}, names  # not the stubs it ignored
    graded(handout / SUBMISSION_ZIP, tmp_path)


def test_notebook_beside_untouched_stubs_grades_the_notebook(unpacked: Path, answers: Path, tmp_path: Path) -> None:
    """Issue 14 (a): zipped by hand, the notebook and the untouched homework/*.py scored 0."""
    handout = Path(shutil.copytree(unpacked, tmp_path / "handout"))
    fill_in_notebook(handout, answers)
    archive = zip_by_hand(handout, tmp_path / "by_hand.zip", keep=rf"^({NOTEBOOK_NAME}|{WEIGHTS}|{WORK_FOLDER}/)")
    notes = top_notes(graded(archive, tmp_path))
    for task in TASKS:
        assert any(n.startswith(graded_line(task, NOTEBOOK_NAME, f"{WORK_FOLDER}/{task}.py")) for n in notes), notes
    assert notes.index(next(n for n in notes if n.startswith("kmeans:"))) < len(TASKS)  # at the top


def test_whole_folder_zipped_skips_the_handout_tools(unpacked: Path, answers: Path, tmp_path: Path) -> None:
    """Issue 14 (b): zipping the handout folder loaded the grader's own files as student code."""
    handout = Path(shutil.copytree(unpacked, tmp_path / "handout"))
    fill_in_py(handout, answers)
    document = graded(zip_by_hand(handout, tmp_path / "folder.zip"), tmp_path)
    notes = top_notes(document)
    assert graded_line("kmeans", f"{WORK_FOLDER}/kmeans.py", NOTEBOOK_NAME) in "\n".join(notes)
    handout_notes = [n for n in notes if HANDOUT_TOOLS.search(n)]
    assert len(handout_notes) == 1 and handout_notes[0].startswith("The handout's own files"), notes
    code_read = next(line for line in document["output"].splitlines() if line.startswith("Code read:"))
    assert not HANDOUT_TOOLS.search(code_read), code_read


def test_a_students_own_check_py_is_still_their_code(unpacked: Path, tmp_path: Path) -> None:
    """The handout's files are recognised by path AND content: a changed check.py is the student's."""
    handout = Path(shutil.copytree(unpacked, tmp_path / "handout"))
    (handout / "check.py").write_text("def helper():\n    return 1\n", encoding="utf-8")
    submission = load_submission(handout, tmp_path / "staging", TASKS)
    paths = {unit.path for unit in submission.units}
    assert "check.py" in paths and not [p for p in paths if p.startswith(("autograder/", "checks/"))]
    assert f"{WORK_FOLDER}/mnist_data.py" not in paths


def test_feedback_speaks_of_the_notebook_as_the_student_sees_it(tmp_path: Path) -> None:
    """Issue 14 (f): code cells numbered as Jupyter's In [ ] order with their first line, "your
    notebook" rather than a module the student never had, and the places sorted by file then line."""
    import nbformat

    from autograder.course.contract import required_names
    from autograder.grading.diagnosis import missing_message
    from autograder.grading.report import submission_summary
    from autograder.sandbox.replies import LoadReport

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# k-means"), nbformat.v4.new_code_cell("import numpy as np"),
                nbformat.v4.new_markdown_cell("text"), nbformat.v4.new_code_cell("def plot_kmeans(X, a, c, l):\n    return 1"),
                nbformat.v4.new_code_cell("def kmeans(X, init_indices, max_iter=100, tol=1e-6):\n    return 2")]
    nbformat.write(nb, str(tmp_path / NOTEBOOK_NAME))
    submission = load_submission(tmp_path / NOTEBOOK_NAME, tmp_path / "staging", TASKS)
    labels = [unit.label for unit in submission.units]
    assert labels == [f"{NOTEBOOK_NAME}, code cell 1 (import numpy as np)",
                      f"{NOTEBOOK_NAME}, code cell 2 (def plot_kmeans(X, a, c, l):)",
                      f"{NOTEBOOK_NAME}, code cell 3 (def kmeans(X, init_indices, max_iter=...)"]
    contract = {name: task for name, task in required_names().items() if task == "kmeans"}
    assert "(expected in your notebook)" in missing_message(submission.index, "make_blobs", contract)
    found = {name: {"module": "homework"} for name in ("kmeans", "plot_kmeans")}
    summary = submission_summary(submission, LoadReport(found=found), {n: contract[n] for n in ("kmeans", "plot_kmeans")})
    places = summary.split("Where they were found:\n", 1)[1].splitlines()
    assert places == [f"- `{labels[1]}`: `plot_kmeans`", f"- `{labels[2]}`: `kmeans`"]  # by cell, not contract order
