"""Hard caps on how much student source the grading process will parse, checked before parsing.

Why: the grader parses and indexes student code in its own process (salvage.py, source_index.py,
notebook reading). Python's AST costs about a kilobyte of memory per byte of source in the worst
case (a file of `x=1` statements: 256 KB of it takes ~260 MB), so a few MB of plain statements
would take the grader itself down (Gradescope gives it 768 MB). Real homework is a few tens of KB;
these caps are far above that and keep the grader's own peak under 768 MB
(benchmarks/memory_benchmark.py, docs/performance.md). Whatever is over a cap is not loaded, and the
student is told its size and the limit.
"""

from __future__ import annotations

from autograder.course.markdown import code_span

KB = 1024
MAX_SOURCE_FILE_BYTES = 128 * KB   # one .py file, or the code cells of one notebook
MAX_SOURCE_TOTAL_BYTES = 256 * KB  # all the Python the submission loads, .py files and notebook cells
MAX_SOURCE_LINES = 10_000          # lines of one .py file or one notebook's code cells
MAX_NOTEBOOK_BYTES = 100 * KB * KB  # a notebook file, outputs included: Gradescope's largest upload; streamed
MAX_NOTEBOOK_ITEMS = 300_000        # JSON items of a notebook's code cells (`,` `{` `[` `:` counted: an upper bound)


def size_text(size: int) -> str:
    """1536 -> '1.5 KB', 4194304 -> '4.0 MB'."""
    return f"{size / KB / KB:.1f} MB" if size >= KB * KB else f"{size / KB:.1f} KB"


class SourceBudget:
    """Python source taken so far by one submission, against the per-file and total caps."""

    def __init__(self) -> None:
        self.bytes = 0

    def take(self, label: str, size: int, lines: int) -> str | None:
        """None when `label` (size bytes, lines lines) may be parsed; else why not, for the student.
        A refused file takes nothing from the total."""
        if size > MAX_SOURCE_FILE_BYTES:
            return (f"{code_span(label)} is {size_text(size)} of Python; the limit is {size_text(MAX_SOURCE_FILE_BYTES)} "
                    "per file; it was not loaded.")
        if lines > MAX_SOURCE_LINES:
            return (f"{code_span(label)} has {lines} lines of Python; the limit is {MAX_SOURCE_LINES} per file; "
                    "it was not loaded.")
        if self.bytes + size > MAX_SOURCE_TOTAL_BYTES:
            return (f"{code_span(label)} ({size_text(size)}) would take the submission's Python past "
                    f"{size_text(MAX_SOURCE_TOTAL_BYTES)} in all; it was not loaded.")
        self.bytes += size
        return None


def notebook_problem(label: str, size: int, raw: bytes | None) -> str | None:
    """Why a notebook's code cells (`size` bytes, `raw` its bytes, outputs already dropped:
    notebook_stream.py) are not read at all, or None."""
    if raw is None or size > MAX_NOTEBOOK_BYTES:
        return (f"{code_span(label)} is {size_text(size)}; the limit for a notebook is {size_text(MAX_NOTEBOOK_BYTES)}; "
                "it was not loaded.")
    items = sum(raw.count(c) for c in (b",", b"{", b"[", b":"))
    if items > MAX_NOTEBOOK_ITEMS:
        return (f"{code_span(label)} holds too many items in its code cells ({items} separators; the limit is "
                f"{MAX_NOTEBOOK_ITEMS}); it was not loaded.")
    return None
