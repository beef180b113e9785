"""A TA's batch, today's path against the grading service (issue 27), on 2 slots (--jobs 2).

Old path: AUTOGRADER_GRADING_SERVICE=0 AUTOGRADER_ZYGOTE=0 (a fresh `autograder grade` per
submission, a fresh worker). New path: both unset (one grading service per slot, and the sandbox's
zygote where the project has one). Runs alternate old, new, old, new on the same class, each from an
empty output folder.

The class: the reference in four forms (folder, one .py, notebook, zip), the untouched template, an
empty folder, a broken zip, a binary .py, and CASES seeded mistakes and correct variants of the
corpus (tests/project/corpus/) taken evenly over its tasks, 16 submissions in all (the whole corpus,
66, takes half an hour a run on 2 cores). Printed: the wall time of each run (not sampled: reading /proc
costs CPU, more so for the new path's extra processes), the throughput ratio new/old, whether every run gives every submission the same results test by test
(scores, statuses and feedback, the speed tests' measured figures aside), and the peak memory (PSS: pages shared with the worker template counted once)
of one grader with its worker(s), sampled from /proc for each of the batch's grader process trees in
one more run of each path.

Second measurement: 8 untouched templates with --jobs 2, against importing numpy and torch once per
student on the same 2 slots (8 fresh `python -c "import numpy, torch"`, 2 at a time): what grading
costs beyond the imports no grader can avoid. Three rounds, each the imports then the new path (no
memory sampling, which costs CPU), the ratio per round and its median; the old path once.

Not run by CI (slow). Usage: .venv/bin/python benchmarks/batch_benchmark.py
Writes docs/benchmarks_batch.txt.
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from autograder.sandbox import processes  # noqa: E402
from benchmarks.measure import PYTHON, ROOT, machine, pss_mb  # noqa: E402
from tests.project.corpus import build  # noqa: E402
from tests.project.test_corpus import MISTAKES, VARIANTS  # noqa: E402
from tests.project.test_grading_service import without_measured_figures  # noqa: E402

JOBS = 2
OLD = {"AUTOGRADER_GRADING_SERVICE": "0", "AUTOGRADER_ZYGOTE": "0"}
NEW: dict[str, str] = {}
TEMPLATES = 8
TEMPLATE_ROUNDS = 3
CASES = 8


def make_class(folder: Path) -> int:
    """Write the class into `folder`; returns the number of submissions."""
    reference = build.reference_submission(folder / "_reference_source")
    shutil.copytree(reference, folder / "reference_folder")
    build.as_single_file(reference, folder / "reference_single_file")
    build.as_notebook(reference, folder / "reference_notebook", failing_cell=True)
    build.as_zip(reference, folder / "reference.zip")
    build.template_submission(folder / "template")
    (folder / "empty").mkdir()
    (folder / "broken.zip").write_bytes(b"PK\x03\x04 not really a zip")
    (folder / "binary").mkdir()
    (folder / "binary" / "distances.py").write_bytes(bytes(range(256)) * 16)
    cases = MISTAKES + VARIANTS
    for number, case in enumerate(cases[::max(1, len(cases) // CASES)][:CASES]):
        target = folder / f"case_{number:02d}"
        shutil.copytree(reference, target)
        build.replace_function(target, case.module, case.source)
    shutil.rmtree(folder / "_reference_source")
    return len(list(folder.iterdir()))


def environment(path: dict[str, str]) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in OLD}
    return {**env, **path}


def grade_all(klass: Path, out: Path, path: dict[str, str], sample: bool = True) -> tuple[float, float]:
    """(wall seconds, peak PSS MB of one grader process tree: shared pages split, so a template forked
    into workers counts once; 0 unless `sample`) of `grade-all --jobs 2`."""
    argv = [PYTHON, "-m", "autograder", "grade-all", str(klass), "--out", str(out), "--jobs", str(JOBS)]
    peaks: dict[int, float] = {}
    start = time.perf_counter()
    with tempfile.TemporaryFile("w+") as log:
        proc = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT, env=environment(path), cwd=ROOT)
        while sample and proc.poll() is None:
            for grader in processes.children(proc.pid):  # a grader or service, its worker(s) below it
                tree = [grader] + processes.descendants(grader)
                peaks[grader] = max(peaks.get(grader, 0.0), sum(pss_mb(p) for p in tree))
            time.sleep(0.25)  # reading smaps_rollup costs CPU: sampled rarely, not to slow the run measured
        proc.wait()
        wall = time.perf_counter() - start
        if proc.returncode != 0:
            log.seek(0)
            raise SystemExit(f"grade-all failed ({proc.returncode}):\n{log.read()[-3000:]}")
    return wall, max(peaks.values(), default=0.0)


def tests_of(out: Path) -> dict[str, list[tuple]]:
    found = {}
    for results in sorted(out.glob("*/results.json")):
        document = json.loads(results.read_text(encoding="utf-8"))
        found[results.parent.name] = [(t["name"], t["score"], t["status"], without_measured_figures(t["output"]))
                                      for t in document["tests"]] + [("total", document["score"])]
    return found


def imports_baseline() -> float:
    """Seconds for TEMPLATES fresh `python -c "import numpy, torch"`, JOBS at a time."""
    start = time.perf_counter()
    for first in range(0, TEMPLATES, JOBS):
        procs = [subprocess.Popen([PYTHON, "-c", "import numpy, torch"]) for _ in range(min(JOBS, TEMPLATES - first))]
        for proc in procs:
            proc.wait()
    return time.perf_counter() - start


def main() -> None:
    lines = [f"# batch grading, today's path against the grading service: {machine()}, --jobs {JOBS}"]

    def say(line: str) -> None:
        lines.append(line)
        print(line, flush=True)

    with tempfile.TemporaryDirectory() as tmp:
        klass = Path(tmp) / "class"
        count = make_class(klass)
        walls: dict[str, list[float]] = {"old": [], "new": []}
        memory: dict[str, list[float]] = {"old": [], "new": []}
        graded: list[dict[str, list[tuple]]] = []
        for run, (name, path) in enumerate([("old", OLD), ("new", NEW), ("old", OLD), ("new", NEW)]):
            out = Path(tmp) / f"graded_{run}"
            wall, _ = grade_all(klass, out, path, sample=False)  # timed alone: sampling /proc costs CPU
            walls[name].append(wall)
            graded.append(tests_of(out))
            say(f"run {run + 1} ({name}): {count} submissions in {wall:.1f} s = {wall / count:.2f} s each")
            shutil.rmtree(out)
        for name, path in (("old", OLD), ("new", NEW)):  # memory: one more run each, sampled, not timed
            out = Path(tmp) / f"sampled_{name}"
            _, peak = grade_all(klass, out, path)
            memory[name].append(peak)
            shutil.rmtree(out)
        old, new = min(walls["old"]), min(walls["new"])
        say(f"throughput new/old: {old / new:.2f}x (best runs: {old:.1f} s old, {new:.1f} s new)")
        same = all(g == graded[0] for g in graded[1:]) and len(graded[0]) == count
        say(f"results identical test by test in all 4 runs: {'yes' if same else 'NO'}")
        if not same:
            for name in graded[0]:
                for run, other in enumerate(graded[1:], 2):
                    if other.get(name) != graded[0][name]:
                        say(f"  differs: {name} in run {run}")
        say(f"peak PSS of one grader with its worker(s): old {max(memory['old']):.0f} MB, "
            f"new {max(memory['new']):.0f} MB")

        templates = Path(tmp) / "templates"
        for number in range(TEMPLATES):
            build.template_submission(templates / f"template_{number}")
        ratios = []
        for round_ in range(TEMPLATE_ROUNDS):  # the floor and the new path alternate; no memory sampling
            imports = imports_baseline()
            wall, _ = grade_all(templates, Path(tmp) / f"templates_{round_}", NEW, sample=False)
            ratios.append(wall / imports)
            say(f"{TEMPLATES} templates (new), round {round_ + 1}: {wall:.1f} s against {imports:.1f} s for {TEMPLATES} "
                f"fresh `python -c \"import numpy, torch\"`, {JOBS} at a time = {wall / imports:.2f}x the imports alone")
        wall, _ = grade_all(templates, Path(tmp) / "templates_old", OLD, sample=False)
        say(f"{TEMPLATES} templates (old): {wall:.1f} s = {wall / imports:.2f}x the last imports-alone figure")
        say(f"{TEMPLATES} templates, new path: median {statistics.median(ratios):.2f}x the imports alone "
            f"(rounds: {', '.join(f'{r:.2f}' for r in ratios)})")
    (ROOT / "docs" / "benchmarks_batch.txt").write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
