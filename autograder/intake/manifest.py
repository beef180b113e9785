"""The worker's manifest: what a sandboxed worker needs to load one submission.

Kept apart from grading.py (which drives pytest) so that the student's self-check, which ships
without pytest, stages and loads a submission with exactly the grader's code. Everything the
worker will ever load is written here, once: the code as submitted and, beside it, the
definitions-only form that a load that hangs or exits is retried with (see client.py), so no
later step writes code again.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from autograder.intake.submission import Submission

DEFINITIONS_ONLY = "definitions-only"  # the worker's last argument when it loads the trimmed form (worker_main.py)


def build_manifest(submission: Submission, contract: dict[str, str], sandbox_dir: Path) -> dict[str, Any]:
    """Code units in order (as submitted and definitions-only), where each required name should
    live, the importable code folder of each form, and the staged data files."""
    trimmed = submission.index.definitions_only()  # a unit that does not parse stays as it is
    code_dir, definitions_dir, files_dir = (sandbox_dir / n for n in ("code", "code-definitions", "files"))
    for folder in (code_dir, definitions_dir, files_dir):
        folder.mkdir(parents=True, exist_ok=True)
    units = []
    for unit in submission.units:
        short = trimmed.get(unit.label, unit.source)
        if unit.label.endswith(".py"):  # importable by the student's other files
            (code_dir / f"{unit.module}.py").write_text(unit.source, encoding="utf-8")
            (definitions_dir / f"{unit.module}.py").write_text(short, encoding="utf-8")
        units.append({"module": unit.module, "label": unit.label, "source": unit.source, "definitions_only": short})
    files = {}
    for name, path in submission.data_files.items():
        target = files_dir / name
        target.write_bytes(Path(path).read_bytes())
        files[name] = str(target)
    return {"units": units, "names": dict(contract), "files": files, "code_dir": str(code_dir),
            "definitions_dir": str(definitions_dir)}
