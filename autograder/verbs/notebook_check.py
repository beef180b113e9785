"""`check("<task>")` in a cell of the handout's notebook: that task's public checks, run on the
notebook's own definitions, in the same sandboxed worker and with the same words as `python check.py`.

Why: students live in Jupyter (Otter-Grader's `grader.check("q1")`); a check that needs a terminal is
a check they skip. The code checked is what this kernel has run (IPython's `In`, in run order, the
check cells left out), so an unsaved edit is checked too; it is never run in the kernel's own
process. `check(zip=True)` checks the handout folder as saved and writes submission.zip, exactly as
`python check.py --zip`.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path
from typing import Callable, Sequence

import nbformat

from autograder.course.paths import PROJECT_ROOT
from autograder.course.public_split import PublicSplit, shipped_split
from autograder.intake.handout_contents import NOTEBOOK_NAME, SUBMISSION_ZIP
from autograder.intake.notebook import is_self_check_line
from autograder.intake.submission import DATA_SUFFIXES
from autograder.verbs.selfcheck import self_check

MAX_DATA_COPY = 50 * 1024 * 1024  # data files copied beside the checked cells (the grader's own cap)


def kernel_cells(history: Sequence[str]) -> list[str]:
    """The cells this kernel ran, in order, without the self-check's own lines and empty cells."""
    cells = []
    for source in history:
        kept = "\n".join(line for line in str(source).splitlines() if not is_self_check_line(line))
        if kept.strip():
            cells.append(kept)
    return cells


def _kernel_history() -> list[str] | None:
    """IPython keeps every cell it ran in `In`, in the notebook's namespace (__main__); None outside a kernel."""
    history = getattr(sys.modules.get("__main__"), "In", None)
    return [str(cell) for cell in history] if isinstance(history, list) else None


def _copy_data(source: Path, dest: Path) -> None:
    """The data the checks read (qn2_data.csv, the trained weights), from beside the notebook."""
    for item in sorted(source.iterdir()) if source.is_dir() else []:
        if item.is_file() and item.suffix.lower() in DATA_SUFFIXES and item.stat().st_size <= MAX_DATA_COPY:
            shutil.copy(item, dest / item.name)


def check(task: str | None = None, zip: bool = False, log: Callable[[str], None] = print,
          history: Sequence[str] | None = None, folder: Path | None = None) -> bool:
    """One task's public checks on the cells this kernel ran (every task's, without `task`); with
    `zip=True`, the whole handout folder as saved, and submission.zip written. True when all passed."""
    folder = Path(folder) if folder is not None else PROJECT_ROOT
    split = shipped_split() or PublicSplit()
    if zip:
        log(f"Checking the handout folder as saved (save {NOTEBOOK_NAME} first), then writing {SUBMISSION_ZIP}.")
        return all(o.passed for o in self_check(folder, log=log, zip_to=folder / SUBMISSION_ZIP, split=split))
    cells = kernel_cells(history if history is not None else (_kernel_history() or []))
    if not cells:
        log("Nothing to check: run the cells of your code first (this checks what the notebook has run).")
        return False
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell(source) for source in cells]
    with tempfile.TemporaryDirectory(prefix="ag-cell-check-") as tmp:
        _copy_data(folder, Path(tmp))
        path = Path(tmp) / NOTEBOOK_NAME
        nbformat.write(notebook, str(path))
        outcomes = self_check(Path(tmp), log=log, split=split.limited(task) if task else split, only=task)
    return all(o.passed for o in outcomes)
