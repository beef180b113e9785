"""A task's own packages (issue 26): `tests/grading/<task>/requirements.txt`, pinned.

- Lines that are not pins, and pins that disagree with the grader's or another task's, are named
  by file and line; the students' requirements.txt adds each task's pins after the grader's own.
- In a copy of the project: a task that needs PyYAML (module `yaml`, found without a hint) and
  `future` (not installed here): `validate` fails naming the `future` line, "not installed on the
  grader" and the failed import in the sandboxed worker; without that line it passes, and the
  built zip and the handout carry the task's requirements.
"""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

from autograder.course.requirements import requirement_problems, requirements_text, task_requirements
from tests.project.clirun import autograder, fresh_copy
from tests.project.small_folders import forget_small_tasks, hidden_folder  # noqa: F401 (autouse)

DATA = Path(__file__).resolve().parent / "data" / "authoring"
RUBRIC = "[assignment]\ntotal_points = 0\n"


def with_requirements(tmp_path: Path, task: str, text: str) -> Path:
    tests_dir, _ = hidden_folder(tmp_path / task, task, "", RUBRIC)
    path = tests_dir / task / "requirements.txt"
    path.write_text(text)
    return path


def test_pins_are_read_and_problems_named_by_line(tmp_path: Path) -> None:
    one = with_requirements(tmp_path, "one", "# what this task needs\nPyYAML==6.0.4\n\nfuture==1.0.0  # import: past, future\n"
                                             "requests\nnumpy==1.26.4\n")
    two = with_requirements(tmp_path, "two", "pyyaml==6.0.3\ntqdm==4.70.1\n")
    found, problems = task_requirements(("one", "two"))
    assert [(r.task, r.where, r.pin, r.modules) for r in found] == [
        ("one", f"{one}:2", "PyYAML==6.0.4", ()), ("one", f"{one}:4", "future==1.0.0", ("past", "future")),
        ("one", f"{one}:6", "numpy==1.26.4", ()), ("two", f"{two}:1", "pyyaml==6.0.3", ()),
        ("two", f"{two}:2", "tqdm==4.70.1", ())]
    assert problems == [f"{one}:5: `requests` is not a pinned package (write `name==version`, one a line; the grader "
                        "and every student must install the same version)"]
    checked = requirement_problems(("one", "two"))
    assert f"{one}:6: numpy==1.26.4 disagrees with the grader's own numpy==2.4.6 (pyproject.toml): use that version" \
        in checked
    assert f"{two}:1: pyyaml==6.0.3 disagrees with PyYAML==6.0.4 ({one}:2)" in checked
    assert not [p for p in checked if "tqdm" in p]  # the grader's own pin, at its version
    text = requirements_text(tasks=("one", "two"))
    assert text.endswith("PyYAML==6.0.4  # task one\nfuture==1.0.0  # task one\n")
    assert text.count("tqdm==") == 1 and "numpy==1.26.4" not in text and "requests" not in text
    assert requirements_text() == requirements_text(tasks=())  # no task: the grader's pins alone


def test_validate_build_and_handout_follow_a_tasks_requirements(tmp_path: Path) -> None:
    project = fresh_copy(tmp_path / "clone")
    shutil.copy(DATA / "knn_master.py", project / "knn_master.py")
    master = (project / "knn_master.py").read_text().replace("import numpy as np\n", "import numpy as np\nimport yaml\n")
    (project / "knn_master.py").write_text(master)
    assert autograder("author", "knn_master.py", "--task", "knn", cwd=project).returncode == 0
    for target, source in {"test_knn.py": "hidden_knn.py", "test_knn_votes.py": "hidden_knn_votes.py",
                           "rubric.toml": "knn_rubric.toml"}.items():
        shutil.copy(DATA / source, project / "tests" / "grading" / "knn" / target)
    requirements = project / "tests" / "grading" / "knn" / "requirements.txt"
    requirements.write_text("PyYAML==6.0.3\nfuture==1.0.0\n")  # the grader's own yaml (issue 24), and one it lacks
    (project / "assignments" / "knn_week.toml").write_text('[assignment]\ntasks = ["knn"]\ntotal_points = 8\n')

    failed = autograder("validate", "--assignment", "knn_week", cwd=project)
    assert failed.returncode == 1, failed.stdout[-3000:] + failed.stderr[-2000:]
    where = "tests/grading/knn/requirements.txt:2"
    assert f"{where}: future==1.0.0 is not installed on the grader: run `bash setup.sh`" in failed.stdout
    assert (f"{where}: future==1.0.0: `import future` fails in the sandboxed worker (ModuleNotFoundError: No module "
            "named 'future')") in failed.stdout
    assert "PyYAML" not in failed.stdout  # installed, and `yaml` imports in the worker

    requirements.write_text("PyYAML==6.0.3\n")
    done = autograder("validate", "--assignment", "knn_week", cwd=project)
    assert done.returncode == 0 and "ok   reference: 8/8" in done.stdout, done.stdout[-3000:] + done.stderr[-2000:]
    assert autograder("build", "--assignment", "knn_week", "--out", str(tmp_path / "ag.zip"), cwd=project).returncode == 0
    with zipfile.ZipFile(tmp_path / "ag.zip") as zf:
        assert zf.read("tests/grading/knn/requirements.txt") == b"PyYAML==6.0.3\n"
        assert b"tests/grading/*/requirements.txt" in zf.read("setup.sh")  # what installs it on Gradescope
    assert autograder("handout", "--assignment", "knn_week", "--out", str(tmp_path / "h.zip"), cwd=project).returncode == 0
    with zipfile.ZipFile(tmp_path / "h.zip") as zf:
        handed = zf.read("requirements.txt").decode()
        assert "\ntqdm==4.70.1\n" in handed and handed.endswith("\nPyYAML==6.0.3  # task knn\n")  # after the grader's pins
