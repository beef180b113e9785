"""Do the timing checks ever misjudge? 30 gradings of the speed tests per solution and condition.

Solutions (benchmarks/speed_solutions.py): two correct ones (the reference, and the slowest correct
form, the (N, P, D) broadcast) must pass every speed test: a failure is a FALSE FAILURE. Two that
hide a Python loop from the loop finder (inside exec: over pairs, over rows) must fail every speed
test: a pass is a FALSE PASS. Conditions: the other core kept busy; both cores busy; half a CPU
(grader pinned to one core that a busy loop shares). Usage:
.venv/bin/python benchmarks/timing_reliability.py [runs]   (default 30; about 25 minutes)
Writes docs/benchmarks_timing.txt. Not run by CI.
"""

from __future__ import annotations

import os
import re
import statistics
import sys
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from autograder.grading.grade import grade_submission  # noqa: E402
from benchmarks.measure import ROOT, busy_loops, machine  # noqa: E402
from benchmarks.speed_solutions import CORRECT, SOLUTIONS  # noqa: E402
from tests.project.corpus.build import reference_submission, replace_function  # noqa: E402

SPEED_TESTS = ("distances.numpy_faster_than_loops", "distances.torch_faster_than_loops",
               "distances.torch_speed_vs_reference")
RATIO = re.compile(r"(?:ran |: )(\d+(?:\.\d+)?) times (?:faster|a plain matrix|a matrix)")  # the notes' figures


@contextmanager
def condition(name: str) -> Iterator[None]:
    if name == "other core busy":
        with busy_loops(1):
            yield
    elif name == "both cores busy":
        with busy_loops(2):
            yield
    else:  # half a CPU: this process (and so its workers) on core 0, shared with a busy loop
        before = os.sched_getaffinity(0)
        os.sched_setaffinity(0, {0})
        try:
            with busy_loops(1, cpu="0"):
                yield
        finally:
            os.sched_setaffinity(0, before)


def grade_speed(folder: Path, out: Path) -> dict[str, tuple[bool, list[float]]]:
    """{test id: (passed, ratios quoted in its output)} for one grading of the speed tests."""
    document = grade_submission(folder, out, select=lambda tid: tid in SPEED_TESTS, log=lambda line: None)
    return {t["extra_data"]["id"]: (t["score"] == t["max_score"], [float(x) for x in RATIO.findall(t["output"])])
            for t in document["tests"]}


def main(runs: int) -> None:
    lines = [f"# timing checks, {runs} gradings per solution and condition: {machine()}",
             "solution | condition | test: passed/runs, ratios min-median-max"]
    false_failures = false_passes = 0
    with tempfile.TemporaryDirectory() as tmp:
        folders = {}
        for label, source in SOLUTIONS.items():
            folders[label] = reference_submission(Path(tmp) / re.sub(r"\W+", "_", label))
            if source:
                replace_function(folders[label], "distances", source)
        for name in ("other core busy", "both cores busy", "half a CPU"):
            for label, folder in folders.items():
                outcomes: dict[str, list[tuple[bool, list[float]]]] = {t: [] for t in SPEED_TESTS}
                with condition(name):
                    for _ in range(runs):
                        for test_id, outcome in grade_speed(folder, Path(tmp) / "r.json").items():
                            outcomes[test_id].append(outcome)
                cells = []
                for test_id, results in outcomes.items():
                    passed = sum(ok for ok, _ in results)
                    spreads = []
                    for position in range(max((len(r) for _, r in results), default=0)):
                        seen = [r[position] for _, r in results if len(r) > position]
                        spreads.append(f"{min(seen):.1f}-{statistics.median(seen):.1f}-{max(seen):.1f}x")
                    cells.append(f"{test_id.split('.')[1]} {passed}/{len(results)} " + ", ".join(spreads))
                    if label in CORRECT:
                        false_failures += len(results) - passed
                    else:
                        false_passes += passed
                lines.append(f"{label} | {name} | " + "; ".join(cells))
                print(lines[-1], flush=True)
    lines.append(f"false failures (correct solutions failing a speed test): {false_failures}")
    lines.append(f"false passes (hidden loops passing a speed test): {false_passes}")
    print("\n".join(lines[-2:]))
    (ROOT / "docs" / "benchmarks_timing.txt").write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 30)
