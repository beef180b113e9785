"""The grading process's own peak memory and time, against Gradescope's 768 MB default.

Grades, with the full rubric, the reference, the worst submission within the source limits
(autograder/intake/source_limits.py) and the 4 MB of plain statements the limits turn away, each in a
grader that reports its own peak resident memory (VmHWM) and address space (VmPeak); the worker's
memory is its own (limited by [limits] address_space_mb) and not counted here. Also parses the
worst source in a bare process, to show the cost per byte. Prints a table; not run by CI.

    .venv/bin/python benchmarks/memory_benchmark.py
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from autograder.intake.source_limits import MAX_SOURCE_TOTAL_BYTES, size_text  # noqa: E402
from benchmarks.measure import ROOT, machine, run  # noqa: E402
from tests.project.corpus.build import reference_submission  # noqa: E402
from tests.project.corpus.worst_case import (filler, grade_command, over_limit_submission, read_report,  # noqa: E402
                                             worst_case_submission)

PARSE_ONLY = """
import resource, sys, time
from autograder.intake.salvage import salvage
from autograder.intake.source_index import index_definitions
text = open(sys.argv[1]).read()
class Unit:
    module, label, source = "m", "m.py", text
start = time.perf_counter()
salvage(text)
index = index_definitions([Unit])
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, time.perf_counter() - start)
"""


def grade(name: str, submission: Path, work: Path) -> None:
    """One grading in a 768 MB memory cgroup (where the machine allows one), as on Gradescope."""
    report, out = work / f"{name}.memory", work / f"{name}.json"
    result = run(grade_command(report, 0, submission, out), limit_mb=GRADESCOPE_MB)
    memory, document = read_report(report), json.loads(out.read_text())
    whole = f"{result.cgroup['peak_mb']:>7.0f} {result.cgroup['oom_kills']:>4g}" if result.cgroup else f"{'-':>7} {'-':>4}"
    print(f"{name:<34} {memory['VmHWM']:>8.0f} {memory['VmPeak']:>9.0f} {whole} {result.peak_pss_mb:>7.0f} "
          f"{result.wall:>8.1f} {document['score']:>6g}")


GRADESCOPE_MB = 768


def main() -> None:
    os.chdir(ROOT)  # the graders import this checkout's autograder
    print(machine())
    work = Path(tempfile.mkdtemp(prefix="ag-memory-"))
    print("\nparsing alone (salvage + index, a bare interpreter), bare-name statements:")
    print(f"{'source':>10} {'peak MB':>8} {'seconds':>8}")
    for size in (32 << 10, 128 << 10, MAX_SOURCE_TOTAL_BYTES, 1 << 20):
        path = work / f"parse-{size}.py"
        path.write_text(filler(size), encoding="utf-8")
        done = subprocess.run([sys.executable, "-c", PARSE_ONLY, str(path)], capture_output=True, text=True, cwd=ROOT,
                              check=True)
        peak, seconds = (float(v) for v in done.stdout.split())
        print(f"{size_text(size):>10} {peak:>8.0f} {seconds:>8.2f}")
    print("\nfull rubric; the grading process alone (peak RSS, peak address space), then the whole run (grader,")
    print(f"workers, bubblewrap) in a {GRADESCOPE_MB} MB memory cgroup (peak, OOM kills) and its sampled PSS; MB:")
    print(f"{'submission':<34} {'peak RSS':>8} {'peak AS':>9} {'cgroup':>7} {'OOM':>4} {'PSS':>7} {'seconds':>8} {'score':>6}")
    grade("reference", reference_submission(work / "reference"), work)
    grade("worst case within the limits", worst_case_submission(work / "worst"), work)
    grade("4 MB of statements (turned away)", over_limit_submission(work / "over"), work)


if __name__ == "__main__":
    main()
