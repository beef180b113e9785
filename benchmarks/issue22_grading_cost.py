"""What issue 22's grading-side protections cost, measured on the reference submission.

1. The loop tracer (sandbox/looptrace.py): one call of the reference's numpydists and pytorchdists,
   traced and untraced, in a real worker, at the traced check's size (40 x 24, D = 20) and at the
   speed checks' size (5000 x 4, D = 5): median of 15 calls each. Then `grade --tests 'distances.*'`
   of the reference with and without the tracer (three runs each): its five traced calls are the
   whole of the tracer's cost in a grading run.
2. Hidden inputs never reach a visible test (grading/visibility.py): the reference graded in full
   with the tests in the order of who may see them (no worker replaced), and in the test files' own
   order with a fresh worker before each visible test that follows a later-visible one (the other
   way to the same guarantee): wall seconds (three runs each) and workers replaced.
Not run by CI. Usage: .venv/bin/python benchmarks/issue22_grading_cost.py
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from autograder.course.limits import Limits  # noqa: E402
from autograder.grading import plugin, student  # noqa: E402
from autograder.grading.grade import grade_submission  # noqa: E402
from autograder.sandbox.client import Worker, new_sandbox_dir  # noqa: E402
from autograder.sandbox.policy import SandboxPolicy  # noqa: E402
from autograder.sandbox.wire import DeviceSpec  # noqa: E402
from benchmarks.measure import machine  # noqa: E402
from tests.project.corpus.build import reference_submission  # noqa: E402

SIZES = {"traced check (40, 24, 20)": (40, 24, 20), "speed check (5000, 4, 5)": (5000, 4, 5)}
REPEATS = 15
ROUNDS = 3


def call_seconds(worker: Worker, name: str, shape: tuple[int, int, int], traced: bool) -> float:
    rng = np.random.default_rng(0)
    n, p, d = shape
    args: list[Any] = [rng.normal(size=(n, d)), rng.normal(size=(p, d))]
    if name == "pytorchdists":
        args.append(DeviceSpec("cpu"))
    message = {"op": "call", "name": name, "args": args, "kwargs": {}, **({"trace": 8} if traced else {})}
    worker.request(message, timeout=600)  # torch's first call initialises it: not what is measured
    return statistics.median(worker.request(message, timeout=600).wall for _ in range(REPEATS))


def tracer_cost(reference: Path) -> None:
    sandbox = new_sandbox_dir()
    source = (reference / "distances.py").read_text(encoding="utf-8")
    manifest = {"units": [{"module": "distances", "label": "distances.py", "source": source}],
                "names": {"numpydists": "distances", "pytorchdists": "distances"}, "files": {},
                "code_dir": str(sandbox / "code")}
    with tempfile.TemporaryDirectory() as run_dir:
        worker = Worker(manifest, Path(run_dir), SandboxPolicy(Limits(), sys.executable), sandbox)
        assert worker.start().fatal is None
        print("1. one call, median of", REPEATS, "(ms): untraced -> traced")
        for label, shape in SIZES.items():
            for name in ("numpydists", "pytorchdists"):
                plain, traced = (call_seconds(worker, name, shape, t) * 1000 for t in (False, True))
                print(f"   {name:13s} {label:26s} {plain:8.2f} -> {traced:8.2f}  (+{traced - plain:.2f})")
        worker.close()


def graded_seconds(reference: Path, select: Any = None) -> tuple[float, float, list[Any]]:
    proxies: list[Any] = []
    original = student.StudentProxy.__init__

    def keep(self: Any, *args: Any, **kwargs: Any) -> None:
        original(self, *args, **kwargs)
        proxies.append(self)
    student.StudentProxy.__init__ = keep  # type: ignore[method-assign]
    try:
        with tempfile.TemporaryDirectory() as out:
            start = time.perf_counter()
            document = grade_submission(reference, Path(out) / "results.json", select=select, log=lambda line: None)
            return time.perf_counter() - start, document["score"], proxies
    finally:
        student.StudentProxy.__init__ = original  # type: ignore[method-assign]


def untraced(self: Any, name: str, *args: Any, repeats: int = 8, timeout: float | None = None,
              **kwargs: Any) -> tuple[Any, list[Any]]:
    """call_traced without the tracer: what the distances tests cost before it."""
    return self.call(name, *args, timeout=timeout, **kwargs), []


def runs(label: str, reference: Path, select: Any = None) -> None:
    """ROUNDS gradings: min and median seconds, the score, workers replaced for visibility."""
    results = [graded_seconds(reference, select) for _ in range(ROUNDS)]
    seconds = sorted(r[0] for r in results)
    print(f"   {label:45s} min {seconds[0]:6.1f} s, median {statistics.median(seconds):6.1f} s, "
          f"score {results[0][1]:g}, workers replaced {results[0][2][-1].fresh_for_visibility}")


def grading_cost(reference: Path) -> None:
    distances = lambda t: t.startswith("distances.")  # noqa: E731
    print(f"   grade --tests 'distances.*' of the reference, {ROUNDS} runs each:")
    runs("traced (as graded)", reference, distances)
    traced = student.StudentProxy.call_traced
    student.StudentProxy.call_traced = untraced  # type: ignore[method-assign]
    try:
        runs("untraced", reference, distances)
    finally:
        student.StudentProxy.call_traced = traced  # type: ignore[method-assign]
    print(f"2. the reference graded in full, {ROUNDS} runs each:")
    runs("visible first, hidden last (as graded)", reference)
    ordered = plugin.by_visibility
    plugin.by_visibility = lambda items, visibility_of: list(items)  # the test files' own order
    try:
        runs("files' own order, fresh workers instead", reference)
    finally:
        plugin.by_visibility = ordered


def main() -> None:
    print(machine())
    with tempfile.TemporaryDirectory() as folder:
        reference = reference_submission(Path(folder) / "reference")
        tracer_cost(reference)
        grading_cost(reference)


if __name__ == "__main__":
    main()
