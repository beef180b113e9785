"""The zip an instructor uploads to Gradescope: setup.sh and run_autograder at its root, the
grader, the tasks (template, reference, hidden tests) and the rubric, and nothing else (no .git,
no .venv, no project tests, no corpus of seeded mistakes, no benchmarks)."""

from __future__ import annotations

import zipfile
from pathlib import Path

from autograder.paths import PROJECT_ROOT

INCLUDE = ["setup.sh", "run_autograder", "pyproject.toml", "rubric.toml", "README.md",
           "autograder", "reference", "student_template", "tests/grading"]
EXECUTABLE = {"setup.sh", "run_autograder"}
NOT_UPLOADED = {"corpus.py"}  # a task's seeded mistakes test this project, not students


def _files(root: Path) -> list[Path]:
    found: list[Path] = []
    for name in INCLUDE:
        path = root / name
        if path.is_file():
            found.append(path)
        elif path.is_dir():
            found += sorted(p for p in path.rglob("*") if p.is_file() and "__pycache__" not in p.parts
                            and not p.name.endswith(".pyc") and p.name not in NOT_UPLOADED)
    return found


def build_gradescope_zip(out: Path, root: Path = PROJECT_ROOT) -> Path:
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for path in _files(root):
            rel = path.relative_to(root).as_posix()
            info = zipfile.ZipInfo(rel, date_time=(2024, 1, 1, 0, 0, 0))
            info.external_attr = (0o755 if rel in EXECUTABLE else 0o644) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, path.read_bytes())
    return out
