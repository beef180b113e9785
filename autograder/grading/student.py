"""What hidden tests see of the submission: a proxy that calls into the sandboxed worker.

Tests write `student.call("numpydists", X, T)` as if the function were local; the value comes back
as plain data, failures come back as exceptions that carry the function's name, and timings are
measured here, in the grading process, where the student's code cannot touch the clock.
Speed is judged against yardsticks (a plain matrix product, plain Python loops) timed in a second
worker that holds no student code, so a submission cannot slow the yardstick down to look fast.
A function that timed out once is not called again: a hang costs one time limit, not one per test.
"""

from __future__ import annotations

import ast
from typing import Any, Callable, Iterable, Tuple

from autograder.course.tasks import registered_probes
from autograder.course.timeouts import EXPLICIT
from autograder.grading.arguments import note_arguments
from autograder.grading.diagnosis import explain_name_error
from autograder.grading.loops import LoopFinding, bound_functions, find_python_loops, loops_that_ran, mentions
from autograder.grading.objects import StudentObject, new_object
from autograder.grading.scripts import ScriptRun, script_module, submitted_files
from autograder.grading.visibility import level
from autograder.intake.source_index import SourceIndex
from autograder.intake.submission import Submission
from autograder.sandbox.client import GraderFault, LoadReport, Reply, Worker, WorkerError, WorkerTimeout

# One timed round: the student's arguments, the yardstick's, and a check of the student's value
# (raises if wrong): every timed call gets fresh inputs and must return the right answer for them.
Round = Tuple[Tuple[Any, ...], Tuple[Any, ...], Callable[[Any], None]]


class StudentProxy:
    """The `student` fixture: the submission as if it were local, every call run in its sandbox.
    Example: `student.call("numpydists", X, T)`; its methods are listed in autograder/api/__init__.py."""

    def __init__(self, worker: Worker, submission: Submission, contract: dict[str, str],
                 yardstick: Callable[[], Worker] | None = None) -> None:
        """`yardstick` makes the trusted worker when a speed check first needs it; its maker (the
        grading session) closes it."""
        self.worker = worker
        self.index: SourceIndex = submission.index  # read at intake: never parsed again here
        self.root = submission.root  # the staged files, for `files()`
        self.contract = contract
        self._make_yardstick = yardstick
        self._yardstick: Worker | None = None
        self.used: set[str] = set()  # names the current test asked for (the plugin resets it per test)
        self.test_label = ""  # the running test's number, set by the plugin: named in timeout messages
        # (seconds, where they come from) for calls that pass no timeout=; set by the plugin per test
        self.default_timeout: tuple[float, str] | None = None
        self.hung: dict[str, str] = {}  # what timed out -> why it is not called again
        self.seen_level = 0  # the least visible test level whose inputs the worker has been given
        self.fresh_for_visibility = 0  # workers replaced so that hidden inputs reach no visible test

    @property
    def load_report(self) -> LoadReport:
        return self.worker.report or self.worker.start()

    def enter_visibility(self, visibility: str | None) -> None:
        """A test of this visibility starts: a worker that saw inputs of a less visible test is
        replaced first (grading/visibility.py), so what it kept cannot show in this test.
        Example: `student.enter_visibility(entry.visibility)` (the plugin does it before each test)."""
        wanted = level(visibility)
        if wanted < self.seen_level and self.worker.proc is not None:
            self.worker.close()  # the next call starts a fresh worker
            self.fresh_for_visibility += 1
        self.seen_level = wanted

    def check_budget(self) -> None:
        """Raise BudgetExhausted once the grading run's time budget is spent.
        Example: `student.check_budget()` before a long loop of calls."""
        self.worker.check_budget()

    def has(self, name: str) -> bool:
        """Whether the submission defines `name` (once loaded). Example: `if not student.has("cluster"): fail(...)`."""
        self.used.add(name)
        return name in self.load_report.found

    def _send(self, message: dict[str, Any], what: str, timeout: float | None) -> Reply:
        names = [message["name"]] if message.get("name") else list(registered_probes().get(message.get("probe", ""), ()))
        self.used.update(names)
        if what in self.hung:
            raise WorkerTimeout(self.hung[what])
        source = EXPLICIT if timeout else ""
        if not timeout and self.default_timeout is not None:
            timeout, source = self.default_timeout
        try:
            return self.worker.request(message, timeout=timeout)
        except WorkerTimeout:
            limit = timeout or self.worker.policy.limits.call_timeout
            where = f" in test {self.test_label}" if self.test_label else ""
            name, because = what.removesuffix("()"), f" ({source})" if source else ""
            self.hung[what] = (f"`{name}` did not finish within its time limit of {limit:g} s{because}{where}; it "
                               "was not called again (infinite loop, or far too slow?).")
            raise WorkerTimeout(self.hung[what]) from None
        except WorkerError as exc:
            exc.what = what  # type: ignore[attr-defined]
            for name in names:
                explain_name_error(exc, self.index, name, self.contract)
            note_arguments(exc, self.index, message, self.contract)
            raise

    def call_reply(self, name: str, *args: Any, timeout: float | None = None, **kwargs: Any) -> Reply:
        """Example: `reply = student.call_reply("fit", X, y); reply.value, reply.wall`."""
        return self._send({"op": "call", "name": name, "args": list(args), "kwargs": kwargs}, f"{name}()", timeout)

    def call_traced(self, name: str, *args: Any, repeats: int = 8, timeout: float | None = None,
                    **kwargs: Any) -> tuple[Any, list[LoopFinding]]:
        """(value, the Python loops it ran): the call watched as it runs in the worker (see
        sandbox/looptrace.py), so a loop counts however it was reached.
        Example: `value, loops = student.call_traced("numpydists", X, T)`."""
        message = {"op": "call", "name": name, "args": list(args), "kwargs": kwargs, "trace": int(repeats)}
        reply = self._send(message, f"{name}()", timeout)
        return reply.value, loops_that_ran(reply.trace, name, repeats)

    def call(self, name: str, *args: Any, timeout: float | None = None, **kwargs: Any) -> Any:
        """Call the student's function; returns its (plain-data) result.
        Example: `D = student.call("numpydists", X, T, timeout=30)`."""
        return self.call_reply(name, *args, timeout=timeout, **kwargs).value

    def get(self, name: str, timeout: float | None = None) -> Any:
        """The value of a module-level constant of the submission. Example: `student.get("BROADCAST_ANSWERS")`."""
        return self._send({"op": "get", "name": name}, name, timeout).value

    def probe(self, probe: str, *args: Any, what: str = "", timeout: float | None = None, **kwargs: Any) -> Any:
        """Run a registered worker-side probe (`@probe` in a task's probes.py) on the submission.
        Example: `student.probe("model_shapes", 32)` runs `probe_model_shapes(lookup, manifest, 32)`."""
        if probe not in registered_probes():
            raise GraderFault(f"no probe is registered as {probe!r} (tests/grading/<task>/probes.py)")
        return self._send({"op": "probe", "probe": probe, "args": list(args), "kwargs": kwargs},
                          what or probe, timeout).value

    def race(self, name: str, rounds: Iterable[Round], yardstick: str,
             timeout: float | None = None, on: StudentObject | None = None) -> tuple[float, float]:
        """(best wall time of the student's `name`, best of the trusted `yardstick` probe), measured
        alternately, the student's processes frozen while the yardstick runs. Each round's value is
        checked before it counts: a cached, precomputed or early answer must still be right for
        inputs the submission has not seen before. With `on`, `name` is a method of that object.
        Example: `yours, loops = student.race("numpydists", rounds(), "loop_distances")`, where
        `rounds()` yields `((X, T), (X, T), check)` and `check(value)` raises Feedback when wrong."""
        yours, theirs = [], []
        call = self.call_reply if on is None else on.call_reply
        for args, yardstick_args, check in rounds:
            reply = call(name, *args, timeout=timeout)
            theirs.append(self._yardstick_wall(yardstick, yardstick_args, timeout))  # right after, as calibrated
            check(reply.value)
            yours.append(reply.wall)
        return min(yours), min(theirs)

    def _yardstick_wall(self, probe: str, args: tuple[Any, ...], timeout: float | None) -> float:
        if self._make_yardstick is None:
            raise RuntimeError("no yardstick worker was given to this StudentProxy")
        if self._yardstick is None:
            self._yardstick = self._make_yardstick()
            self._yardstick.start()
        self.worker.freeze(True)
        try:
            message = {"op": "probe", "probe": probe, "args": list(args), "kwargs": {}}
            return self._yardstick.request(message, timeout=timeout).wall
        finally:
            self.worker.freeze(False)

    def new(self, class_name: str, *args: Any, timeout: float | None = None, **kwargs: Any) -> StudentObject:
        """An object of the student's class, built and kept in the worker (grading/objects.py).
        Example: `knn = student.new("KNearestNeighbor", k=3); knn.call("train", X, y)`."""
        return new_object(self, class_name, args, kwargs, timeout)

    def files(self) -> dict[str, int]:
        """{path: size in bytes} of the files handed in (grading/scripts.py).
        Example: `if "report.pdf" not in student.files(): fail("report.pdf was not submitted")`."""
        return submitted_files(self.root)

    def run_script(self, module: str, *argv: str, timeout: float | None = None) -> ScriptRun:
        """Run `python <module>.py ARGV` in the sandbox; its output, exit status and error come back.
        Example: `run = student.run_script("fun.py", "10"); notes.append(run.output)`."""
        module = script_module(module)
        reply = self._send({"op": "probe", "probe": "run_script", "args": [module, list(argv)], "kwargs": {}},
                           f"python {module}.py", timeout)
        return ScriptRun(reply.stdout, reply.value["exit"], reply.value["error"])

    def loops(self, name: str) -> list[LoopFinding]:
        """Python loops in the code `name` is really bound to once loaded (not merely the last
        `def name`), and in the submission's functions it reaches; CannotJudge if that code is not
        in the submission's source. Example: `for f in student.loops("KNN.predict"): print(f.line, f.what)`."""
        identity = self._send({"op": "identify", "name": name}, name, None).value
        roots = bound_functions(self.index, name, identity)
        return find_python_loops(self.index, name, preferred_module=self.contract.get(name), roots=roots)

    def function_source(self, name: str) -> str | None:
        """The source text of the definition of `name` that Python would use, or None.
        Example: `"np.linalg.norm" in (student.function_source("numpydists") or "")`."""
        hit = self.index.function_node(name, self.contract.get(name))
        if hit is None:
            return None
        location, node = hit
        for unit, _tree in self.index.trees:
            if unit.label == location.label:
                return ast.get_source_segment(unit.source, node)
        return None

    def mentions(self, name: str, identifier: str) -> bool:
        """Whether `identifier` is used in `name`'s code or what it calls (read, not run).
        Example: `student.mentions("pytorchdists", "cdist")`."""
        self.used.add(name)
        return mentions(self.index, name, identifier, self.contract.get(name))  # the definition graded
