"""Wall time and peak memory of grading one submission (not run by CI; prints and records figures).

Runs `autograder grade` in a subprocess and samples the resident memory of its whole process tree
(grader + sandboxed worker) from /proc every 20 ms. The floor is one `python -c "import torch"`.
Usage: .venv/bin/python benchmarks/grading_benchmark.py
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from tests.project.corpus.build import reference_submission, template_submission  # noqa: E402


def tree_rss_mb(pid: int) -> float:
    """Resident memory of a process and all its descendants, in MB."""
    total, pending = 0, [pid]
    while pending:
        current = pending.pop()
        try:
            with open(f"/proc/{current}/statm") as fh:
                total += int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children") as fh:
                    pending += [int(c) for c in fh.read().split()]
        except (OSError, ValueError):
            continue
    return total / 1e6


def measure(argv: list[str]) -> tuple[float, float]:
    start = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    peak = 0.0
    while proc.poll() is None:
        peak = max(peak, tree_rss_mb(proc.pid))
        time.sleep(0.02)
    return time.perf_counter() - start, peak


def main() -> None:
    python = str(ROOT / ".venv" / "bin" / "python")
    lines = [f"cores: {os.cpu_count()}"]
    floor, floor_mem = measure([python, "-c", "import torch"])
    lines.append(f"floor (python -c 'import torch'): {floor:.2f} s, {floor_mem:.0f} MB")
    with tempfile.TemporaryDirectory() as tmp:
        for label, build in (("reference", reference_submission), ("template", template_submission)):
            folder = build(Path(tmp) / label)
            wall, peak = measure([python, "-m", "autograder", "grade", str(folder), "--out", str(Path(tmp) / "r.json")])
            lines.append(f"{label}: {wall:.2f} s wall, peak {peak:.0f} MB (grader + worker), {wall / floor:.1f}x the floor")
    print("\n".join(lines))
    (ROOT / "docs" / "benchmarks_grading.txt").write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
