"""Grade one submission: read it, start its sandboxed worker, run the hidden tests, write results.

Order matters for robustness: a valid fallback results.json exists before anything can fail, each
test rewrites it, and any failure of the grader itself still ends with a valid file and exit 0.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
import traceback
from pathlib import Path
from typing import Any, Callable

import pytest

from autograder.course import timing
from autograder.course.called_names import names_used
from autograder.course.contract import required_names, task_modules
from autograder.course.hidden_tests import pytest_args
from autograder.course.paths import GRADING_TESTS, PROJECT_ROOT
from autograder.course.rubric import load_rubric
from autograder.course.rubric_hash import HASH_KEY, rubric_hash
from autograder.grading.plugin import GradingPlugin
from autograder.grading.report import submission_summary
from autograder.grading.results import GRADER_FAILED, NO_CODE, ResultsWriter
from autograder.grading.session import UNPROTECTED, GradingSession
from autograder.grading.student import StudentProxy
from autograder.intake.choice import apply_choice
from autograder.intake.submission import load_submission
from autograder.sandbox.basic import protect_project
from autograder.sandbox.bubblewrap import interpreter_folders


def protect_grader_files(log: Callable[[str], None]) -> None:
    """As root, make the whole project (hidden tests, reference, rubric, benchmarks, examples...)
    unreadable to other users, except the interpreter's venv that the worker runs."""
    if os.geteuid() != 0:
        return
    protected = protect_project(PROJECT_ROOT, interpreter_folders(sys.executable))
    log(f"[grader] made unreadable to other users: {', '.join(protected)}")


def run_hidden_tests(plugin: GradingPlugin, tests_dir: Path, pytest_output: bool) -> int:
    # pytest's own report quotes hidden test source: only for the instructor's verbose runs
    quiet = ["-q", "--no-header"] if pytest_output else ["-p", "no:terminal"]
    plugins = [plugin] if pytest_output else [plugin, NativeTracebacks()]
    return int(pytest.main(pytest_args(tests_dir, plugin.rubric.tasks) + quiet, plugins=plugins))


class NativeTracebacks:
    """`--tb=native` where no terminal shows pytest's report (the option belongs to the terminal
    plugin, so it is set on the config): the grading plugin reads each failure's exception
    (call.excinfo), never pytest's report of it, and pytest's long source-annotated tracebacks cost
    ~1.5 s on a template's 36 failing tests."""

    def pytest_configure(self, config: pytest.Config) -> None:
        config.option.tbstyle = "native"


def grade_submission(submission_path: Path, results_path: Path, *, rubric_path: Path | None = None,
                     tests_dir: Path = GRADING_TESTS, select: Callable[[str], bool] | None = None,
                     log: Callable[[str], None] = print, pytest_output: bool = False,
                     allow_unprotected: bool = False) -> dict[str, Any]:
    """Grade and return the results document (also written to `results_path`). Where the worker
    could read the grader's files, nothing is graded unless `allow_unprotected` (a safe failure).
    Only the tests of the assignment's tasks run (`rubric_path`, default: the default assignment)."""
    timing.reset()
    started = time.monotonic()
    writer = ResultsWriter(results_path)
    try:
        rubric = load_rubric(rubric_path)
        log(f"[grader] assignment: {rubric.name} (tasks: {', '.join(rubric.tasks)})")
        contract = required_names(rubric.tasks)
        protect_grader_files(log)
        with tempfile.TemporaryDirectory(prefix="ag-run-") as tmp, \
                GradingSession(rubric.limits, allow_unprotected=allow_unprotected) as session:
            run_dir = Path(tmp)
            with timing.phase("reading the submission"):
                submission = load_submission(Path(submission_path), run_dir / "staging", task_modules(rubric.tasks))
                homes = apply_choice(submission, contract)  # several forms of a task: the implemented one
            for line in session.protections.report():
                log(f"[grader] protection: {line}")
            if session.refused:
                log(f"[grader] REFUSED: {UNPROTECTED}")
                writer.output = UNPROTECTED
                return writer.write()
            worker = session.start_worker(submission, homes, run_dir, started + rubric.limits.grading_budget)
            report = worker.start()
            tasks = None if select is None else {e.task for e in rubric.entries.values() if select(e.id)}
            selected = [e.id for e in rubric.entries.values() if select is None or select(e.id)]
            writer.output = submission_summary(submission, report, contract, tasks, rubric.salvage_earns_points,
                                               names_used(selected, contract, tests_dir))
            writer.extra = {"protections": session.protections.report(), **({NO_CODE: True} if not submission.units else {})}
            writer.write()
            if report.stdout:
                log("[grader] output of the submission while loading:\n" + report.stdout)
            student = StudentProxy(worker, submission, homes, yardstick=session.yardstick)
            plugin = GradingPlugin(rubric, student, writer, log, select)
            with timing.phase("hidden tests (pytest, in all)"):
                run_hidden_tests(plugin, tests_dir, pytest_output)
            plugin.record_unrun()
            writer.extra[HASH_KEY] = rubric_hash(plugin.rubric)  # what a gradebook checks before trusting it
            for problem in plugin.rubric.problems(plugin.collected if select is None else None):
                log(f"[grader] RUBRIC PROBLEM: {problem}")
        wall, overhead = timing.overhead()
        timing.add(timing.OVERHEAD, overhead)
        writer.extra["timings"] = timing.summary()
        log("[grader] seconds by phase: " + ", ".join(f"{k} {v:g}" for k, v in writer.extra["timings"].items()))
        once = writer.extra["timings"].get(timing.ONCE)
        log(f"[grader] overhead of grading this submission: {overhead:g} s of {wall:g} s wall time (all but the "
            "hidden tests' own work, their set-up and calls, the calls into the student's code included: process "
            "start and imports, sandbox, worker start and loading, collection, clean-up)"
            + (f"; not counted: the worker template's start, {once:g} s, once per grading process" if once else ""))
        return writer.write()
    except Exception:
        log("[grader] the grader failed:\n" + traceback.format_exc())
        writer.output = ("The autograder itself failed while grading this submission (not your fault). "
                         "The results below, if any, are partial. Please tell your instructor.")
        writer.extra[GRADER_FAILED] = True  # the status is this mark, never the output's text (student text is in it)
        return writer.write()
