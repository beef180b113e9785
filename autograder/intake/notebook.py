"""Jupyter notebooks to plain Python, cell by cell, read with nbformat (never executed here).

IPython-only syntax (magics, shell escapes, `obj?` help) and the handout's self-check lines are
replaced by `pass` lines at the same indentation, so line numbers in error messages still match the student's cell.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import nbformat

from autograder.course.markdown import code_span
from autograder.intake.source_limits import SourceBudget

KEEP_BODY_CELL_MAGICS = {"time", "timeit", "capture", "prun", "memit"}
IPYTHON_LINE = re.compile(r"^\s*(%|!|\?)|^\s*[\w.]+\s*=\s*[!%]|^[^#'\"]*\?\s*$")


FIRST_LINE_CHARS = 40
# The handout notebook's own self-check lines (handout_contents.py writes them): `from check import
# check` and `check("task")` / `check(zip=True)` cells. They call the self-check, which the grader
# does not hold, so the grader reads them as the blank lines they are to the homework.
SELF_CHECK_IMPORT = "from check import check"
SELF_CHECK_LINE = re.compile(r'^(from check import check|check\(("\w+"|zip=True)?\))\s*(#.*)?$')


def is_self_check_line(line: str) -> bool:
    return bool(SELF_CHECK_LINE.match(line.strip()))


@dataclass(frozen=True)
class Cell:
    number: int  # 1-based position among the CODE cells (In [ ] order, as the student sees them)
    source: str
    first_line: str = ""  # the cell's first line as written, shortened: how the student finds it

    @property
    def label(self) -> str:
        """`code cell 7 (def solve(X, y):)`: what the feedback calls this cell."""
        return f"code cell {self.number}" + (f" ({self.first_line})" if self.first_line else "")


def first_line(source: str) -> str:
    line = next((row.strip() for row in source.splitlines() if row.strip()), "")
    return line if len(line) <= FIRST_LINE_CHARS else line[:FIRST_LINE_CHARS - 3].rstrip() + "..."


def neutralise(source: str) -> str | None:
    """The cell's Python, or None when the cell is not Python at all (%%bash, %%writefile, ...)."""
    lines = source.splitlines()
    if lines and lines[0].lstrip().startswith("%%"):
        magic = lines[0].lstrip()[2:].split()[0] if lines[0].lstrip()[2:].split() else ""
        if magic not in KEEP_BODY_CELL_MAGICS:
            return None
        lines[0] = "pass  # dropped IPython cell magic"
    out = []
    for line in lines:
        if IPYTHON_LINE.match(line) or is_self_check_line(line):
            indent = line[: len(line) - len(line.lstrip())]
            out.append(f"{indent}pass  # dropped IPython line")
        else:
            out.append(line)
    return "\n".join(out) + "\n"


def read_cells(path: Path, notes: list[str], budget: SourceBudget | None = None) -> list[Cell]:
    """The notebook's code cells; problems become notes, never exceptions. With a `budget`, the
    cells are returned only if their code fits its caps (source_limits.py): nothing is parsed else."""
    try:
        nb = nbformat.read(str(path), as_version=4)
    except Exception as exc:  # nbformat raises several kinds for JSON and schema problems
        notes.append(f"{code_span(path.name)} is not a valid notebook ({type(exc).__name__}: {str(exc)[:200]}); "
                     "open it in Jupyter, save it again and resubmit.")
        return []
    try:
        nbformat.validate(nb)
    except Exception as exc:
        notes.append(f"{code_span(path.name)} does not fully follow the notebook format ({str(exc)[:120]}); "
                     "its code cells were read anyway.")
    cells = []
    code_cells = [cell for cell in nb.get("cells", []) if cell.get("cell_type") == "code"]
    for number, cell in enumerate(code_cells, start=1):
        source = cell.get("source", "")
        source = "".join(source) if isinstance(source, list) else str(source)
        python = neutralise(source)
        if python is None:
            notes.append(f"{code_span(path.name)}, code cell {number} is a shell or other non-Python cell; it was skipped.")
            continue
        cells.append(Cell(number, python, first_line(source)))
    code = "".join(cell.source for cell in cells)
    refused = budget.take(f"{path.name} (code cells)", len(code.encode("utf-8")), code.count("\n")) if budget else None
    if refused:
        notes.append(refused)
        return []
    return cells
