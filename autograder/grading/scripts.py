"""What a Gradescope-style test asks of a submission besides its functions: which files were
handed in (names and sizes), and what the student's program prints when run as a script.

Why: instructors bringing gradescope-utils suites check that `fun.py` and `report.pdf` were
submitted, and run `python fun.py` to show its output; here the files are the staged copy the
grader read (the handout's own files left out), and the script runs in the sandboxed worker, never
in the grading process.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from autograder.intake.handout_index import handout_copies


@dataclass(frozen=True)
class ScriptRun:
    """One run of a student's script. Example: `run = student.run_script("fun.py", "10")`, then
    `if not run.ok: fail(f"python fun.py 10 failed: {run.error}")`."""

    output: str          # what it printed (stdout and stderr, capped at [limits] output_kb)
    exit: int            # its exit status: 0, a `sys.exit(n)`, or 1 when it raised
    error: str | None    # the exception it ended with, at its line ("line 4: ValueError: ..."), or None

    @property
    def ok(self) -> bool:
        return self.exit == 0 and self.error is None


def submitted_files(root: Path | None) -> dict[str, int]:
    """{path relative to the submission: size in bytes} of the files handed in, sorted; links are
    not followed (they were not staged), the handout's own unchanged files are left out."""
    if root is None or not Path(root).is_dir():
        return {}
    found = sorted(Path(dirpath) / name for dirpath, _dirs, names in os.walk(root) for name in names)
    files = [path for path in found if path.is_file() and not path.is_symlink()]
    own = handout_copies(Path(root), files)
    return {path.relative_to(root).as_posix(): path.stat().st_size for path in files if path not in own}


def script_module(name: str) -> str:
    """`fun.py` or `fun` -> `fun`: the module the worker runs."""
    return name[:-3] if name.endswith(".py") else name
