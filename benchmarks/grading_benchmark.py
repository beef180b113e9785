"""Grading one submission: wall time, memory of the whole run, time by phase, and Gradescope's limits.

Runs `autograder grade` as a subprocess (see measure.py for how memory is taken) on the reference,
the untouched template and a slow-but-correct submission (the (N, P, D) broadcast forms of Task 1),
three times each, and reports the median. The floor is one `python -c "import torch"` plus the
student functions' own run time in the same run (the worker's calls, from results.json). Then the
reference under Gradescope's defaults: a 768 MB memory cgroup, and half a CPU (pinned to one core
shared with a busy loop). Not run by CI. Usage: .venv/bin/python benchmarks/grading_benchmark.py
Writes docs/benchmarks_grading.txt.
"""

from __future__ import annotations

import json
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from benchmarks.measure import PYTHON, ROOT, Run, busy_loops, machine, run  # noqa: E402
from benchmarks.speed_solutions import CORRECT_BROADCAST  # noqa: E402
from tests.project.corpus.build import reference_submission, replace_function, template_submission  # noqa: E402

REPEATS = 3
GRADESCOPE_MB = 768


def slow_but_correct(dest: Path) -> Path:
    folder = reference_submission(dest)
    replace_function(folder, "distances", CORRECT_BROADCAST)
    return folder


def grade(folder: Path, out: Path, **how) -> tuple[Run, dict]:
    result = run([PYTHON, "-m", "autograder", "grade", str(folder), "--out", str(out)], **how)
    return result, json.loads(out.read_text())


def median_run(folder: Path, out: Path) -> tuple[Run, dict]:
    runs = [grade(folder, out) for _ in range(REPEATS)]
    runs.sort(key=lambda pair: pair[0].wall)
    return runs[len(runs) // 2]


def phase_lines(label: str, result: Run, document: dict, floor_import: float) -> list[str]:
    timings = document["extra_data"].get("timings", {})
    calls = timings.get("calls (student)", 0.0)
    floor = floor_import + calls
    cgroup = f", cgroup peak {result.cgroup['peak_mb']:.0f} MB" if result.cgroup else ""
    lines = [f"{label}: score {document['score']:g}, {result.wall:.2f} s wall, peak {result.peak_pss_mb:.0f} MB PSS "
             f"({result.peak_rss_mb:.0f} MB RSS summed){cgroup}; floor {floor:.2f} s "
             f"(import torch {floor_import:.2f} + student calls {calls:.2f}) -> {result.wall / floor:.2f}x the floor"]
    grader_startup = result.wall - document["execution_time"]
    lines.append(f"    grader process start-up (interpreter, imports) {grader_startup:.2f} s")
    lines += [f"    {name} {seconds:.2f} s" for name, seconds in timings.items()]
    return lines


def main() -> None:
    lines = [f"# grading one submission: {machine()}, median of {REPEATS} runs"]
    floor_runs = [run([PYTHON, "-c", "import torch"]) for _ in range(REPEATS)]
    floor_import = statistics.median(r.wall for r in floor_runs)
    lines.append(f"floor part 1, python -c 'import torch': {floor_import:.2f} s, "
                 f"{statistics.median(r.peak_pss_mb for r in floor_runs):.0f} MB PSS")
    with tempfile.TemporaryDirectory() as tmp:
        folders = {"reference": reference_submission(Path(tmp) / "reference"),
                   "template": template_submission(Path(tmp) / "template"),
                   "slow but correct (broadcast forms)": slow_but_correct(Path(tmp) / "slow")}
        for label, folder in folders.items():
            result, document = median_run(folder, Path(tmp) / "results.json")
            lines += phase_lines(label, result, document, floor_import)
            print("\n".join(lines[-3:]), flush=True)
        reference = folders["reference"]
        result, document = grade(reference, Path(tmp) / "limited.json", limit_mb=GRADESCOPE_MB)
        lines.append(f"reference in a {GRADESCOPE_MB} MB memory cgroup: score {document['score']:g}, "
                     f"{result.wall:.2f} s, " + (f"peak {result.cgroup['peak_mb']:.0f} MB, OOM kills "
                                                 f"{result.cgroup['oom_kills']:.0f}" if result.cgroup else
                                                 "(no cgroup on this machine: not measured)"))
        with busy_loops(1, cpu="0"):
            result, document = grade(reference, Path(tmp) / "half.json", cpu="0")
        failed = [t["name"] for t in document["tests"] if t["score"] < t["max_score"]]
        lines.append(f"reference on half a CPU (one core shared with a busy loop): score {document['score']:g}, "
                     f"{result.wall:.2f} s wall" + (f"; lost: {failed}" if failed else ""))
    print("\n".join(lines[-2:]))
    (ROOT / "docs" / "benchmarks_grading.txt").write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
