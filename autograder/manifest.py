"""The worker's manifest: what a sandboxed worker needs to load one submission.

Kept apart from grading.py (which drives pytest) so that the student's self-check, which ships
without pytest, stages and loads a submission with exactly the grader's code.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from autograder.submission import Submission


def build_manifest(submission: Submission, contract: dict[str, str], sandbox_dir: Path) -> dict[str, Any]:
    """Code units in order, where each required name should live, and the staged data files."""
    code_dir = sandbox_dir / "code"
    files_dir = sandbox_dir / "files"
    code_dir.mkdir(parents=True, exist_ok=True)
    files_dir.mkdir(parents=True, exist_ok=True)
    for unit in submission.units:
        if unit.label.endswith(".py"):  # importable by the student's other files
            (code_dir / f"{unit.module}.py").write_text(unit.source, encoding="utf-8")
    files = {}
    for name, path in submission.data_files.items():
        target = files_dir / name
        target.write_bytes(Path(path).read_bytes())
        files[name] = str(target)
    return {"units": [{"module": u.module, "label": u.label, "source": u.source} for u in submission.units],
            "names": dict(contract), "files": files, "code_dir": str(code_dir)}
