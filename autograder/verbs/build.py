"""The zip an instructor uploads to Gradescope for ONE assignment: setup.sh and run_autograder at its
root, the grader, that assignment's tasks (template, reference, hidden tests and their rubric.toml)
and its file as the only one in assignments/ (so it is the default there, with no flag), and nothing
else (no .git, no .venv, no project tests, no other task, no corpus of seeded mistakes, no benchmarks)."""

from __future__ import annotations

import zipfile
from pathlib import Path

from autograder.course.assignment import default_assignment, merge
from autograder.course.paths import ASSIGNMENTS_DIR, GRADING_TESTS, PROJECT_ROOT, REFERENCE_DIR, TEMPLATE_DIR

ENGINE = ["setup.sh", "run_autograder", "pyproject.toml", "README.md", "autograder", "tests/grading/pytest.ini"]
TASK_FOLDERS = (TEMPLATE_DIR, REFERENCE_DIR, GRADING_TESTS)
EXECUTABLE = {"setup.sh", "run_autograder"}
NOT_UPLOADED = {"corpus.py"}  # a task's seeded mistakes test this project, not students


def _files(root: Path, names: list[str]) -> list[Path]:
    found: list[Path] = []
    for name in names:
        path = root / name
        if path.is_file():
            found.append(path)
        elif path.is_dir():
            found += sorted(p for p in path.rglob("*") if p.is_file() and "__pycache__" not in p.parts
                            and not p.name.endswith(".pyc") and p.name not in NOT_UPLOADED)
    return found


def build_gradescope_zip(out: Path, assignment: Path | None = None, root: Path = PROJECT_ROOT) -> Path:
    """Write the zip of `assignment` (default: the default assignment): only its tasks' folders."""
    assignment = Path(assignment) if assignment is not None else default_assignment()
    tasks = merge(assignment).tasks
    folders = [(folder / task).relative_to(PROJECT_ROOT).as_posix() for task in tasks for folder in TASK_FOLDERS]
    members = {path.relative_to(root).as_posix(): path for path in _files(root, ENGINE + folders)}
    members[f"{ASSIGNMENTS_DIR.name}/{assignment.name}"] = assignment
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for rel, path in members.items():
            info = zipfile.ZipInfo(rel, date_time=(2024, 1, 1, 0, 0, 0))
            info.external_attr = (0o755 if rel in EXECUTABLE else 0o644) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, path.read_bytes())
    return out
