"""What one task adds to a grading run: its tests' seconds and the run's peak memory.

Grades the reference with `--tests '<task>.*'` (REPEATS times, median by wall time): wall time,
the task's own tests (the `tests: <task>` phase of results.json, which is what the task adds to a
full grading), the grading process's peak RSS (VmHWM), the whole run's peak PSS and RSS summed over
its processes (grader, worker, bubblewrap), and, where this machine allows a memory cgroup, the
run inside a 768 MB cgroup (Gradescope's default). Then once with the full rubric (the task's
phase within a whole grading) and once on half a CPU (one core shared with a busy loop).
Not run by CI. Usage: .venv/bin/python benchmarks/task_benchmark.py [task]
Writes docs/benchmarks_task_<task>.txt.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from benchmarks.measure import ROOT, Run, busy_loops, machine, run  # noqa: E402
from tests.project.corpus.build import reference_submission  # noqa: E402
from tests.project.corpus.worst_case import grade_command, read_report  # noqa: E402

REPEATS = 3
GRADESCOPE_MB = 768


def graded(submission: Path, work: Path, label: str, *extra: str, cpu: str | None = None) -> tuple[Run, dict, dict]:
    """(the run, results.json, the grading process's own memory report)."""
    report, out = work / f"{label}.memory", work / f"{label}.json"
    result = run(grade_command(report, 0, submission, out, *extra), limit_mb=GRADESCOPE_MB, cpu=cpu)
    return result, json.loads(out.read_text()), read_report(report)


def line(label: str, task: str, result: Run, document: dict, memory: dict) -> str:
    phase = document["extra_data"].get("timings", {}).get(f"tests: {task}", float("nan"))
    cgroup = (f"cgroup peak {result.cgroup['peak_mb']:.0f} MB, {result.cgroup['oom_kills']:.0f} OOM kills"
              if result.cgroup else "no memory cgroup on this machine")
    points = sum(t["max_score"] for t in document["tests"])
    return (f"{label}: score {document['score']:g}/{points:g}, wall {result.wall:.2f} s, "
            f"tests: {task} {phase:.2f} s; grader peak RSS {memory['VmHWM']:.0f} MB; whole run peak "
            f"{result.peak_pss_mb:.0f} MB PSS ({result.peak_rss_mb:.0f} MB RSS summed); {cgroup}")


def main(task: str) -> None:
    os.chdir(ROOT)
    work = Path(tempfile.mkdtemp(prefix=f"ag-task-{task}-"))
    reference = reference_submission(work / "reference")
    load = ", ".join(f"{v:.1f}" for v in os.getloadavg())
    lines = [f"# what the {task} task adds to a grading run: {machine()}, load average before {load}"]
    runs = [graded(reference, work, f"only-{i}", "--tests", f"{task}.*") for i in range(REPEATS)]
    runs.sort(key=lambda triple: triple[0].wall)
    for i, (result, document, memory) in enumerate(runs):
        lines.append(line(f"--tests '{task}.*' run {i + 1} of {REPEATS} (by wall time)", task, result, document, memory))
        print(lines[-1], flush=True)
    lines.append(line("full rubric", task, *graded(reference, work, "full")))
    print(lines[-1], flush=True)
    with busy_loops(1, cpu="0"):
        lines.append(line(f"--tests '{task}.*', half a CPU (pinned to core 0 with a busy loop)", task,
                          *graded(reference, work, "half", "--tests", f"{task}.*", cpu="0")))
    print(lines[-1], flush=True)
    (ROOT / "docs" / f"benchmarks_task_{task}.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "optim")
