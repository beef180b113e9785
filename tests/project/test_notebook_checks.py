"""Issue 23, the notebook: the handout notebook's `check("<task>")` cells run top to bottom under a
real Jupyter kernel (nbclient), each printing its task's result; a notebook whose saved outputs weigh
90 MB grades to full marks with the grader held to Gradescope's 768 MB; top-level statements that
fail in the grader are named by cell and first line, in words about the grader's environment."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from autograder.course.paths import PROJECT_ROOT
from autograder.course.rubric import load_rubric
from autograder.grading.grade import grade_submission
from autograder.intake.handout_contents import NOTEBOOK_NAME, SUBMISSION_ZIP, build_notebook, task_files
from autograder.verbs.public_checks import load_checks
from tests.project.corpus.build import reference_submission
from tests.project.corpus.worst_case import grade_command, read_report
from tests.project.handouts import unzipped_handout
from tests.project.test_selfcheck_truth import transpose_kmeans

ASSIGNMENT = load_rubric()
TASKS = list(ASSIGNMENT.tasks)
WEIGHTS = "mnist_weights.pt"
GRADESCOPE_MB = 768
OUTPUT_MB = 90


@pytest.fixture(scope="module")
def answers(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return reference_submission(tmp_path_factory.mktemp("answers"))


def cell_text(cell: nbformat.NotebookNode) -> str:
    return "".join(o.get("text", "") for o in cell.get("outputs", []) if o.get("output_type") == "stream")


def test_check_cells_run_under_a_real_kernel_and_print_their_tasks_result(answers: Path, tmp_path: Path) -> None:
    handout = unzipped_handout(tmp_path / "handout", TASKS, ASSIGNMENT.title)
    shipped = nbformat.read(str(handout / NOTEBOOK_NAME), as_version=4)
    assert [c.source for c in shipped.cells if c.source.startswith("check(")] == \
        [f'check("{task}")' for task in TASKS] + ["check(zip=True)"]
    mine = Path(shutil.copytree(answers, tmp_path / "mine"))
    transpose_kmeans(mine / "kmeans.py")  # one mistake, in the notebook only
    notebook = build_notebook(task_files(mine, TASKS), ASSIGNMENT.title, check_cells=True)
    nbformat.write(notebook, str(handout / NOTEBOOK_NAME))
    shutil.copy(answers / WEIGHTS, handout / WEIGHTS)  # where the notebook's training writes them
    NotebookClient(notebook, timeout=600, kernel_name="python3",
                   resources={"metadata": {"path": str(handout)}}).execute()
    checks = load_checks(TASKS)
    for cell in notebook.cells:
        if not cell.source.startswith('check("'):
            continue
        task, out = cell.source.split('"')[1], cell_text(cell)
        assert "Traceback" not in out and not [o for o in cell.outputs if o.get("output_type") == "error"], out
        titles = [c.title for c in checks if c.task == task]
        assert titles and all(title in out for title in titles), (task, out)
        assert not [c.title for c in checks if c.task != task and c.title in out], (task, out)  # its own only
        if task == "kmeans":
            assert out.count("FAIL ") == 2 and "transposed?" in out, out
        else:
            assert "FAIL" not in out and "ok   imports and has every name" in out, out
    last = cell_text(notebook.cells[-1])
    assert (handout / SUBMISSION_ZIP).is_file() and "NOT ready to upload" in last and "- [kmeans]" in last, last


def with_outputs(notebook: nbformat.NotebookNode, megabytes: int) -> nbformat.NotebookNode:
    """Saved plots: one 1 MB embedded image per code cell, round the cells, until `megabytes`."""
    code = [c for c in notebook.cells if c.cell_type == "code"]
    for i in range(megabytes):
        image = nbformat.v4.new_output("display_data", data={"image/png": f"{i:08d}" + "A" * ((1 << 20) - 8)})
        code[i % len(code)].outputs.append(image)
    return notebook


def test_a_notebook_with_90_mb_of_outputs_grades_to_full_marks_in_768_mb(answers: Path, tmp_path: Path) -> None:
    folder = tmp_path / "submission"
    folder.mkdir()
    notebook = with_outputs(build_notebook(task_files(answers, TASKS), ASSIGNMENT.title), OUTPUT_MB)
    nbformat.write(notebook, str(folder / NOTEBOOK_NAME))
    assert (folder / NOTEBOOK_NAME).stat().st_size > OUTPUT_MB << 20
    shutil.copy(answers / WEIGHTS, folder / WEIGHTS)
    report, out = tmp_path / "memory", tmp_path / "results.json"
    done = subprocess.run(grade_command(report, GRADESCOPE_MB, folder, out), capture_output=True, text=True,
                          timeout=900, cwd=PROJECT_ROOT)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    document = json.loads(out.read_text())
    lost = [(t["name"], t["output"][:200]) for t in document["tests"] if t["score"] < t["max_score"]]
    assert not lost and document["score"] == pytest.approx(ASSIGNMENT.total_points), lost
    memory = read_report(report)
    assert memory["VmPeak"] < GRADESCOPE_MB and memory["VmHWM"] < GRADESCOPE_MB, memory


def test_top_level_failures_are_named_by_cell_in_the_graders_words(answers: Path, tmp_path: Path) -> None:
    notebook = build_notebook(task_files(answers, ["broadcasting"]))
    notebook.cells += [nbformat.v4.new_code_cell("import sys\nsys.exit('Could not load MNIST. The fix, one line: pip')"),
                       nbformat.v4.new_code_cell("history = train_for_an_hour()")]
    nbformat.write(notebook, str(tmp_path / NOTEBOOK_NAME))
    document = grade_submission(tmp_path / NOTEBOOK_NAME, tmp_path / "results.json", log=lambda line: None,
                                select=lambda test: test.startswith("broadcasting."))
    output = document["output"]
    code_cells = sum(c.cell_type == "code" for c in notebook.cells)
    assert (f"**`{NOTEBOOK_NAME}, code cell {code_cells - 1} (import sys)`**, when the grader loaded it: line 2 "
            "(`sys.exit('Could not load MNIST. The fix, one line: pip')`) raised `SystemExit: Could not load MNIST.") \
        in output, output
    assert (f"**`{NOTEBOOK_NAME}, code cell {code_cells} (history = train_for_an_hour())`**, when the grader loaded it: "
            "line 1 (`history = train_for_an_hour()`) raised `NameError") in output, output
    assert "in a sandbox with no network, no display and only the files you handed in" in output
    assert document["score"] == pytest.approx(sum(e.points for e in ASSIGNMENT.entries.values() if e.task == "broadcasting"))
