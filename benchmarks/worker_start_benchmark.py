"""Worker start and memory: fresh interpreters against workers forked from the pre-started template.

Starts the worker of a real submission (the untouched handout, which imports numpy, torch and
matplotlib at the top, as students' notebooks do) in K grading sessions side by side (each with
its own sandbox user, as `grade-all --jobs K` runs them), on both paths, alternating rounds:
- the wall time of each worker start (until its code is loaded and it answers), in this process;
- with the K workers alive, the memory of each worker's processes as PSS (shared pages split
  between the processes that map them: what a machine really pays per concurrent worker), and the
  template's own PSS, paid once per grading process whatever K.
Prints a table; not run by CI. Needs root (the template does).

    .venv/bin/python benchmarks/worker_start_benchmark.py [--rounds 3] [--workers 4]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from autograder.course.contract import required_names, task_modules  # noqa: E402
from autograder.course.rubric import load_rubric  # noqa: E402
from autograder.grading.session import GradingSession  # noqa: E402
from autograder.intake.choice import apply_choice  # noqa: E402
from autograder.intake.submission import load_submission  # noqa: E402
from autograder.sandbox import processes, zygote  # noqa: E402
from benchmarks.measure import ROOT, machine, pss_mb  # noqa: E402


def tree_pss(pid: int) -> float:
    return sum(pss_mb(p) for p in [pid] + processes.descendants(pid))


def one_round(template: bool, workers: int, tmp: Path) -> tuple[list[float], list[float], float]:
    """(start seconds per worker, PSS MB per worker, template PSS MB) with `workers` alive at once."""
    os.environ[zygote.SWITCH] = "1" if template else "0"
    rubric = load_rubric(None)
    sessions, starts, alive = [], [], []
    try:
        for i in range(workers):
            session = GradingSession(rubric.limits).__enter__()
            sessions.append(session)
            run_dir = Path(tempfile.mkdtemp(dir=tmp))
            submission = load_submission(ROOT / "student_template", run_dir / "staging", task_modules(rubric.tasks))
            homes = apply_choice(submission, required_names(rubric.tasks))
            began = time.perf_counter()
            worker = session.start_worker(submission, homes, run_dir)  # the first also starts the template
            report = worker.start()
            starts.append(time.perf_counter() - began)
            assert not report.fatal, report.fatal
            alive.append(worker)
        time.sleep(0.5)
        memory = [tree_pss(w.proc.pid) for w in alive]
        template_mb = sum(tree_pss(z.proc.pid) - sum(tree_pss(w.proc.pid) for w in alive)
                          for z in zygote._RUNNING.values()) if template else 0.0
        return starts, memory, template_mb
    finally:
        for session in sessions:
            session.__exit__(None, None, None)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--workers", type=int, default=4)
    args = parser.parse_args()
    if os.geteuid() != 0:
        raise SystemExit("the pre-started template needs root")
    print(machine())
    results: dict[bool, dict[str, list[float]]] = {p: {"start": [], "first": [], "pss": [], "template": []} for p in (False, True)}
    with tempfile.TemporaryDirectory() as tmp:
        for _ in range(args.rounds):
            for template in (False, True):
                zygote.close_all()  # each round pays the template's start as a new grading process would
                starts, memory, template_mb = one_round(template, args.workers, Path(tmp))
                results[template]["first"].append(starts[0])
                results[template]["start"] += starts[1:]
                results[template]["pss"] += memory
                results[template]["template"].append(template_mb)
    zygote.close_all()
    print(f"\n{args.workers} workers of the untouched handout alive at once, {args.rounds} rounds, medians:\n")
    print("| path | worker start (not the first) | first start of a process (incl. template) | PSS per worker | template PSS (once) |")
    print("|---|---|---|---|---|")
    for template in (False, True):
        r = results[template]
        print(f"| {'template (fork)' if template else 'fresh interpreter'} | {statistics.median(r['start']):.3f} s "
              f"| {statistics.median(r['first']):.2f} s | {statistics.median(r['pss']):.0f} MB "
              f"| {statistics.median(r['template']):.0f} MB |")
    fresh, forked = results[False], results[True]
    print(f"\nworker start: {statistics.median(fresh['start']) / statistics.median(forked['start']):.1f}x faster; "
          f"memory per concurrent worker: {statistics.median(fresh['pss']):.0f} -> {statistics.median(forked['pss']):.0f} MB")


if __name__ == "__main__":
    main()
