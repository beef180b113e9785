"""The student-side check: load the homework exactly as the grader does, then run the public checks.

It uses the grader's own reader, sandboxed worker and load summary, so "imports and has every
name" here means the same as on Gradescope; what it cannot know (hidden tests, the rubric's
tolerances) it does not pretend to: it runs only autograder.verbs.public_checks.
"""

from __future__ import annotations

import json
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from autograder.course.contract import required_names
from autograder.course.limits import Limits
from autograder.course.paths import ENGINE_DIR
from autograder.grading.feedback import Feedback, format_student_error
from autograder.grading.report import submission_summary
from autograder.grading.session import GradingSession  # the grader's own: staging and loading are identical
from autograder.grading.student import StudentProxy
from autograder.intake.choice import apply_choice
from autograder.intake.submission import DATA_SUFFIXES, load_submission
from autograder.sandbox.client import GraderFault, MissingName, StudentCodeError, WorkerError
from autograder.verbs import packing
from autograder.verbs.public_checks import PublicCheck, load_checks

CONTRACT_JSON = ENGINE_DIR / "contract.json"  # written into the handout zip
NAMES_STEP = "imports and has every name"


@dataclass(frozen=True)
class Outcome:
    task: str
    title: str
    passed: bool
    message: str


def public_contract(tasks: tuple[str, ...] | None = None) -> dict[str, str]:
    """{name: task module}: from the handout's contract.json (already its assignment's), else from
    the project's templates of `tasks` (an assignment's)."""
    if CONTRACT_JSON.is_file():
        return dict(json.loads(CONTRACT_JSON.read_text(encoding="utf-8")))
    return dict(required_names(tasks))


def explain(exc: BaseException, what: str) -> str:
    """The student-facing message for a failed check (the grader's wording, never a traceback)."""
    if isinstance(exc, GraderFault):
        return f"The check itself failed ({exc}); not your fault: please tell your instructor."
    if isinstance(exc, StudentCodeError):
        return format_student_error(exc.error, getattr(exc, "what", None) or what)
    if isinstance(exc, MissingName):
        return f"{exc} (see the list of names found above)."
    if isinstance(exc, WorkerError):
        prefix = f"`{getattr(exc, 'what')}`: " if getattr(exc, "what", None) else ""
        return prefix + str(exc)
    if isinstance(exc, (Feedback, AssertionError)):
        return str(exc) or "This check failed."
    return f"The check itself failed ({type(exc).__name__}: {exc}); please tell your instructor."


def _data_files(path: Path, found: dict[str, Path]) -> dict[str, Path]:
    """Data the checks read: what the submission holds, else what lies next to it (the handout)."""
    files = dict(found)
    folder = path if path.is_dir() else path.parent
    for candidate in (folder, folder.parent):
        for item in sorted(candidate.iterdir()):
            if item.is_file() and item.suffix.lower() in DATA_SUFFIXES:
                files.setdefault(item.name, item)
    return files


def run_checks(student: StudentProxy, files: dict[str, Path], checks: list[PublicCheck]) -> list[Outcome]:
    outcomes = []
    for check in checks:
        try:
            said = check.run(student, files)  # a check may pass with something to say (a measured error)
            outcomes.append(Outcome(check.task, check.title, True, said if isinstance(said, str) else "Passed."))
        except Exception as exc:  # every failure becomes a message; the next check still runs
            outcomes.append(Outcome(check.task, check.title, False, explain(exc, check.title)))
    return outcomes


def self_check(path: Path, log: Callable[[str], None] = print, checks: list[PublicCheck] | None = None,
               tasks: tuple[str, ...] | None = None, zip_to: Path | None = None) -> list[Outcome]:
    """Check one submission (folder, .py, .ipynb or .zip; the handout folder itself is fine: its own
    files are left out as the grader leaves them out); the first outcome is the names step. With
    `zip_to`, also write the zip to hand in (packing.py)."""
    path = Path(path)
    leave_out = {Path(zip_to)} if zip_to is not None else set()
    contract = public_contract(tasks)
    modules = list(dict.fromkeys(contract.values()))
    # a student checks their own code on their own machine: nothing of the grader's is secret there
    with tempfile.TemporaryDirectory(prefix="ag-check-") as tmp, \
            GradingSession(Limits(), allow_unprotected=True) as session:
        submission = load_submission(path, Path(tmp) / "staging", modules, leave_out)
        homes = apply_choice(submission, contract)  # the grader's rule for a task in several forms
        if zip_to is not None:
            files = packing.members(submission, homes)
            packing.write_zip(Path(zip_to), {name: f.read_bytes() for name, f in files.items()})
            log("\n".join(packing.zip_lines(Path(zip_to), files)) + "\n")
        worker = session.start_worker(submission, homes, Path(tmp))
        report = worker.start()
        log(submission_summary(submission, report, contract))
        missing = [n for n in contract if n not in report.found]
        names_ok = not report.fatal and not missing
        outcomes = [Outcome("all", NAMES_STEP, names_ok, "Passed." if names_ok else
                            "Not every required name could be loaded: see the summary above.")]
        if not report.fatal:
            student = StudentProxy(worker, submission, homes)
            outcomes += run_checks(student, _data_files(path, submission.data_files),
                                   load_checks(modules) if checks is None else checks)
    return outcomes


def format_outcomes(outcomes: list[Outcome]) -> str:
    lines = ["", "## Self-check (public examples only: the grader runs more tests)", ""]
    task = None
    for outcome in outcomes:
        if outcome.task != task:
            task = outcome.task
            lines.append(f"[{task}]")
        mark = "ok  " if outcome.passed else "FAIL"
        lines.append(f"  {mark} {outcome.title}")
        if not outcome.passed or outcome.message != "Passed.":
            lines += ["       " + row for row in outcome.message.splitlines()]
    passed = sum(o.passed for o in outcomes)
    lines += ["", f"{passed} of {len(outcomes)} checks passed."]
    return "\n".join(lines)
