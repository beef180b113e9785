"""The largest, most expensive submission the source limits let through, and a grader run that
reports its own memory: what benchmarks/memory_benchmark.py and test_grader_memory.py measure.

Worst case per byte: bare names (`a;a;a`, about 0.8 KB of AST per byte of source, measured against
assignments, calls, tuples, subscripts and defs), in lines just short enough for the line cap.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from autograder.intake.source_limits import (MAX_NOTEBOOK_BYTES, MAX_NOTEBOOK_ITEMS, MAX_SOURCE_FILE_BYTES, MAX_SOURCE_LINES,
                                      MAX_SOURCE_TOTAL_BYTES)
from tests.project.corpus.build import reference_submission

# Runs `autograder grade ARGS...` in this process (soft address-space limit first, when given), and
# writes the process's own peak memory (VmHWM: resident, VmPeak: address space) to a file at exit.
RUN_AND_REPORT = """
import atexit, resource, runpy, sys
report, limit_mb = sys.argv[1], int(sys.argv[2])
if limit_mb:
    resource.setrlimit(resource.RLIMIT_AS, (limit_mb << 20, resource.RLIM_INFINITY))
def _report():
    with open('/proc/self/status') as fh, open(report, 'w') as out:
        out.write(''.join(l for l in fh if l.startswith(('VmHWM', 'VmPeak'))))
atexit.register(_report)
sys.argv = ['autograder', 'grade'] + sys.argv[3:]
runpy.run_module('autograder', run_name='__main__')
"""


def filler(size: int) -> str:
    """`size` bytes (or a little less) of bare-name statements, within the line cap."""
    width = size // (MAX_SOURCE_LINES - 1) + 2
    line = ("a;" * (width // 2))[:-1] + "\n"
    return line * (size // len(line))


def heavy_notebook() -> str:
    """A notebook just under the size and item caps: one tiny code cell, outputs of many small
    JSON objects (the most objects per byte) and one large image."""
    items = MAX_NOTEBOOK_ITEMS // 3 - 100  # `"kN":{}` counts `:`, `{` and `,`
    cell = {"cell_type": "code", "execution_count": 1, "id": "c1", "metadata": {f"k{i}": {} for i in range(items)},
            "source": "pass\n", "outputs": []}
    notebook = {"cells": [cell], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    text = json.dumps(notebook, separators=(",", ":"))
    image = {"output_type": "display_data", "metadata": {}, "data": {"image/png": ""}}
    image["data"]["image/png"] = "A" * (MAX_NOTEBOOK_BYTES - len(text) - len(json.dumps(image)) - 1024)
    cell["outputs"] = [image]
    return json.dumps(notebook, separators=(",", ":"))


def worst_case_submission(dest: Path) -> Path:
    """The reference (full marks) plus helper files that fill the per-file and total caps, and a
    notebook at the notebook caps."""
    folder = reference_submission(dest)
    (folder / "outputs.ipynb").write_text(heavy_notebook(), encoding="utf-8")
    room = MAX_SOURCE_TOTAL_BYTES - sum(p.stat().st_size for p in folder.glob("*.py"))
    index = 0
    while room > 1024:
        text = filler(min(room, MAX_SOURCE_FILE_BYTES))
        (folder / f"helper{index}.py").write_text(text, encoding="utf-8")
        room -= len(text)
        index += 1
    return folder


def over_limit_submission(dest: Path) -> Path:
    """The reference plus 4 MB of plain statements: the attack the limits stop."""
    folder = reference_submission(dest)
    (folder / "big.py").write_text("x = 1\n" * 700_000, encoding="utf-8")
    return folder


def grade_command(report: Path, limit_mb: int, submission: Path, out: Path, *extra: str) -> list[str]:
    return [sys.executable, "-c", RUN_AND_REPORT, str(report), str(limit_mb), str(submission), "--out", str(out), *extra]


def read_report(report: Path) -> dict[str, float]:
    """{'VmHWM': MB, 'VmPeak': MB} from a report written by RUN_AND_REPORT."""
    values = {}
    for line in report.read_text().splitlines():
        key, value = line.split(":")
        values[key] = int(value.split()[0]) / 1024
    return values
