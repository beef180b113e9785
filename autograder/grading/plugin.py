"""The pytest plugin that turns hidden-test outcomes into rubric-weighted Gradescope results.

It gives the hidden tests their fixtures (`student`, `entry`, `credit`, `notes`, `leaderboard`; the
same as attributes of a unittest StudentTestCase), sets each test's default time limit for student
calls (autograder/course/timeouts.py), merges gradescope-utils decorators where the rubric is silent
(autograder/course/gradescope_tests.py), maps each test to its rubric entry by id, and records every
outcome (pass, fail, error in setup, skip) as a result. The student sees only messages written for
them: assertion rewriting is off and test source, grader frames and internal errors never reach a
student-visible output.
"""

from __future__ import annotations

import traceback
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator

import pytest

from autograder.course import gradescope_tests, timing
from autograder.course.hidden_tests import rubric_id
from autograder.course.rubric import Entry, Rubric, load_rubric
from autograder.course.timeouts import MARKER_HELP, call_timeout
from autograder.grading.diagnosis import salvage_rule
from autograder.grading.feedback import Feedback, format_student_error
from autograder.grading.figures import FigureBudget, FigureRecorder
from autograder.grading.fixtures import Credit, StudentTestCase
from autograder.grading.results import ResultsWriter, TestResult
from autograder.grading.student import StudentProxy
from autograder.grading.printed import capture_prints, printed_block
from autograder.grading.visibility import by_visibility
from autograder.sandbox.client import GraderFault, MissingName, StudentCodeError, WorkerDied, WorkerError, WorkerTimeout

INTERNAL_ERROR = ("The grader hit an internal error on this test (not your fault). "
                  "Your instructor has the details; this test scored 0 for now.")


@dataclass
class Outcome:
    credit: Credit = field(default_factory=Credit)
    notes: list[str] = field(default_factory=list)
    recorded: bool = False
    figures: list[dict[str, Any]] = field(default_factory=list)  # what the student's code drew
    printed: list[str] = field(default_factory=list)  # what the test itself printed (printed.py)


OUTCOME = pytest.StashKey[Outcome]()


def explain(exc: BaseException, what: str | None = None) -> tuple[str, bool]:
    """(message for the student, is it the grader's own fault)."""
    if isinstance(exc, GraderFault):
        return INTERNAL_ERROR, True
    if isinstance(exc, Feedback):
        return str(exc) or "This check failed.", False
    if isinstance(exc, StudentCodeError):
        return format_student_error(exc.error, getattr(exc, "what", None) or what or "your function"), False
    if isinstance(exc, MissingName):
        return str(exc) + " (see the list of names found at the top).", False
    if isinstance(exc, (WorkerTimeout, WorkerDied)):
        prefix = f"`{getattr(exc, 'what')}`: " if getattr(exc, "what", None) else ""
        return prefix + str(exc), False
    if isinstance(exc, WorkerError):
        return str(exc), False
    if isinstance(exc, AssertionError):
        return str(exc) or "This check failed.", False
    return INTERNAL_ERROR, True


class GradingPlugin:
    """One instance per graded submission; registered with pytest.main(plugins=[...])."""

    def __init__(self, rubric: Rubric, student: StudentProxy, writer: ResultsWriter,
                 log: Callable[[str], None] = print, selected: Callable[[str], bool] | None = None) -> None:
        self.rubric = rubric
        self._student = student  # not `student`: that name is the fixture
        self.writer = writer
        self.log = log
        self.selected = selected
        self.collected: list[str] = []
        self.recorded: set[str] = set()
        self.figure_budget = FigureBudget()  # PNG bytes this submission's figures may still take

    def pytest_configure(self, config: pytest.Config) -> None:
        config.addinivalue_line("markers", MARKER_HELP)

    # ---- collection ---------------------------------------------------------------------------
    def pytest_collection_modifyitems(self, session: pytest.Session, config: pytest.Config,
                                      items: list[pytest.Item]) -> None:
        self.collected = [rubric_id(i) for i in items]
        decorated = gradescope_tests.decorated_items(items, rubric_id)
        if decorated:  # gradescope-utils decorators serve where the rubric is silent
            self.rubric = load_rubric(self.rubric.path, decorated)
        if self.selected is not None:
            keep = [i for i in items if self.selected(rubric_id(i))]
            config.hook.pytest_deselected(items=[i for i in items if i not in keep])
            items[:] = keep
        items[:] = by_visibility(items, lambda item: getattr(self.rubric.entry(rubric_id(item)), "visibility", None))

    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        if report.failed:
            self.log(f"[grader] collecting {report.nodeid} failed:\n{report.longreprtext}")

    # ---- fixtures -----------------------------------------------------------------------------
    @pytest.fixture
    def student(self, request: pytest.FixtureRequest) -> StudentProxy:
        """The submission; no test starts once the grading budget is spent (it scores 0, said why)."""
        entry = self.rubric.entry(rubric_id(request.node))
        self._student.test_label = (entry.number or entry.id) if entry is not None else rubric_id(request.node)
        self._student.default_timeout = call_timeout(request.node, entry, self.rubric)
        self._student.enter_visibility(entry.visibility if entry is not None else None)
        self._student.check_budget()
        return FigureRecorder(self._student, self._outcome(request.node).figures, self.figure_budget)  # type: ignore[return-value]

    @pytest.fixture
    def entry(self, request: pytest.FixtureRequest) -> Entry:
        found = self.rubric.entry(rubric_id(request.node))
        if found is None:
            raise LookupError(f"no rubric entry for {rubric_id(request.node)}")
        return found

    @pytest.fixture
    def credit(self, request: pytest.FixtureRequest) -> Credit:
        return self._outcome(request.node).credit

    @pytest.fixture
    def notes(self, request: pytest.FixtureRequest) -> list[str]:
        return self._outcome(request.node).notes

    @pytest.fixture
    def leaderboard(self) -> Callable[[str, float, str], None]:
        return self._set_leaderboard

    def _set_leaderboard(self, name: str, value: float, order: str = "asc") -> None:
        self.writer.leaderboard = [e for e in self.writer.leaderboard if e["name"] != name]
        self.writer.leaderboard.append({"name": name, "value": value, "order": order})

    @pytest.fixture(autouse=True)
    def _gradescope_test(self, request: pytest.FixtureRequest) -> None:
        """A unittest StudentTestCase gets the fixtures as attributes; a decorated function starts clean."""
        gradescope_tests.start(request.node)
        case = request.instance
        if isinstance(case, StudentTestCase):
            case.student = request.getfixturevalue("student")
            case.entry = self.rubric.entry(rubric_id(request.node))
            case.credit, case.notes = request.getfixturevalue("credit"), request.getfixturevalue("notes")
            case.leaderboard = self._set_leaderboard

    def _outcome(self, item: pytest.Item) -> Outcome:
        if OUTCOME not in item.stash:
            item.stash[OUTCOME] = Outcome()
        return item.stash[OUTCOME]

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        """Seconds per task (setup, call and teardown of its tests, data loading included)."""
        module = report.nodeid.split("::", 1)[0].rsplit("/", 1)[-1].removesuffix(".py")
        timing.add(f"tests: {module.removeprefix('test_')}", report.duration)

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_setup(self, item: pytest.Item) -> Iterator[None]:
        with timing.phase(timing.TESTS_OWN_WORK):  # the tests' fixtures: their data sets, say
            return (yield)

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_call(self, item: pytest.Item) -> Iterator[None]:
        with timing.phase(timing.TESTS_OWN_WORK), capture_prints(self._outcome(item).printed):
            return (yield)

    # ---- outcomes -----------------------------------------------------------------------------
    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_makereport(self, item: pytest.Item, call: pytest.CallInfo[Any]) -> Iterator[Any]:
        report = yield
        outcome = self._outcome(item)
        final = call.when == "call" or (report.failed and call.when == "setup") or report.skipped
        if final and not outcome.recorded:
            outcome.recorded = True
            self._record(item, call, report, outcome)
        return report

    def _record(self, item: pytest.Item, call: pytest.CallInfo[Any], report: pytest.TestReport,
                outcome: Outcome) -> None:
        tid = rubric_id(item)
        entry = self.rubric.entry(tid)
        gradescope_tests.finish(item, outcome.credit.set, self._set_leaderboard)  # set_score, set_leaderboard_value
        used, self._student.used = self._student.used, set()  # the names this test asked for
        if entry is None:
            self.log(f"[grader] WARNING: test {tid} has no rubric entry; it is not scored")
            return
        self.recorded.add(tid)
        fraction, status, lines, extra = 0.0, "failed", [], {"id": tid}
        if report.passed:
            fraction = 1.0 if outcome.credit.fraction is None else outcome.credit.fraction
            status = "passed" if fraction >= 1.0 else "failed"
            lines.append("Passed." if fraction >= 1.0 else f"Partial credit: {outcome.credit.reason}")
        elif report.skipped:
            reason = call.excinfo.value.msg if call.excinfo is not None and hasattr(call.excinfo.value, "msg") else ""
            lines.append(f"Skipped, not graded: {reason}" + (" It is worth 0 points, so your score is the same."
                                                              if entry.points == 0 else ""))
            status = "passed" if entry.points == 0 else "failed"  # Gradescope knows no "skipped": no red mark
            extra["skipped"] = True
        else:
            exc = call.excinfo.value if call.excinfo is not None else Exception("unknown failure")
            message, internal = explain(exc)
            if internal:
                self.log(f"[grader] INTERNAL ERROR in {tid}:\n" + "".join(
                    traceback.format_exception(type(exc), exc, exc.__traceback__)))
            if outcome.credit.fraction:
                fraction = outcome.credit.fraction
                lines.append(f"Partial credit: {outcome.credit.reason}")
            lines.append(message)
        fraction, rule = salvage_rule(self._student.index, used, self._student.contract,
                                      self.rubric.salvage_earns_points, fraction, entry.points)
        if rule:
            lines = [rule] + [line for line in lines if line != "Passed."]
            status = "passed" if fraction >= 1.0 else "failed"
        lines += outcome.notes + [block for block in [printed_block(outcome.printed)] if block]
        self.writer.add(TestResult(name=entry.name, score=round(entry.points * fraction, 4), max_score=entry.points,
                                   status=status, output="\n\n".join(lines), visibility=entry.visibility,
                                   number=entry.number, tags=[entry.task, *entry.tags],
                                   extra_data={**extra, "fraction": fraction, "params": entry.params,
                                               **({"figures": outcome.figures} if outcome.figures else {})}))
        self.log(f"[grader] {tid}: {status} {entry.points * fraction:g}/{entry.points:g}")

    def record_unrun(self) -> None:
        """Rubric entries whose test never ran (a hidden test file failed to import): 0, said plainly."""
        for entry in self.rubric.entries.values():
            if entry.id in self.recorded or (self.selected is not None and not self.selected(entry.id)):
                continue
            self.log(f"[grader] INTERNAL ERROR: the test for {entry.id} did not run")
            self.writer.add(TestResult(name=entry.name, score=0.0, max_score=entry.points, status="failed",
                                       output=INTERNAL_ERROR, visibility=entry.visibility, number=entry.number,
                                       tags=[entry.task], extra_data={"id": entry.id}))
