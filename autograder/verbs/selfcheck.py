"""The student-side check: load the homework exactly as the grader does, then run the public checks.

It uses the grader's own reader, sandboxed worker and load summary, so "imports and has every
name" here means the same as on Gradescope, and its verdicts follow the grader's rules (a check that
needs a name from a file Python cannot compile fails as the grader's test scores 0); what it cannot
know (hidden tests, the rubric's tolerances) it does not pretend to: it runs only
autograder.verbs.public_checks, and its summary (verdict.py) says what those stand for.
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
from autograder.course.public_split import PublicSplit
from autograder.grading.diagnosis import salvage_rule
from autograder.grading.feedback import Feedback, format_student_error
from autograder.grading.report import submission_summary
from autograder.grading.session import GradingSession  # the grader's own: staging and loading are identical
from autograder.grading.student import StudentProxy
from autograder.intake.choice import apply_choice
from autograder.intake.submission import DATA_SUFFIXES, load_submission
from autograder.sandbox.client import GraderFault, MissingName, StudentCodeError, WorkerError
from autograder.intake.handout_contents import SUBMISSION_ZIP
from autograder.verbs import packing
from autograder.verbs.public_checks import PublicCheck, load_checks
from autograder.verbs.verdict import format_outcomes, zip_verdict

CONTRACT_JSON = ENGINE_DIR / "contract.json"  # written into the handout zip
NAMES_STEP = "imports and has every name"


@dataclass(frozen=True)
class Outcome:
    task: str
    title: str
    passed: bool
    message: str
    tests: tuple[str, ...] = ()  # the rubric tests it stands for (public_checks.py)


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


def _verdict(student: StudentProxy, check: PublicCheck, passed: bool, message: str,
             split: PublicSplit) -> Outcome:
    """The grader's rule for code Python cannot compile, applied to one check's verdict: a check
    that used a name from such a file fails, and says that cause alone (what ran instead, such as a
    stub copy in the notebook, would only mislead)."""
    used, student.used = student.used, set()
    _, rule = salvage_rule(student.index, used, student.contract, split.salvage_earns_points,
                           1.0 if passed else 0.0, 1.0)
    if rule and not split.salvage_earns_points:
        return Outcome(check.task, check.title, False, rule, check.tests)  # the cause, not its echo (a stub copy)
    return Outcome(check.task, check.title, passed, message, check.tests)


def run_checks(student: StudentProxy, files: dict[str, Path], checks: list[PublicCheck],
               split: PublicSplit | None = None, only: str | None = None) -> list[Outcome]:
    split = split or PublicSplit()
    outcomes = []
    student.used = set()
    for check in checks:
        try:
            said = check.run(student, files)  # a check may pass with something to say (a measured error)
            outcomes.append(_verdict(student, check, True, said if isinstance(said, str) else "Passed.", split))
        except Exception as exc:  # every failure becomes a message; the next check still runs
            outcomes.append(_verdict(student, check, False, explain(exc, check.title), split))
    return outcomes


def own_zip(path: Path, zip_to: Path | None) -> set[Path]:
    """The zip `--zip` writes (or wrote, on an earlier run) into the folder checked: never homework."""
    folder = path if path.is_dir() else path.parent
    return {Path(zip_to) if zip_to is not None else folder / SUBMISSION_ZIP}


def self_check(path: Path, log: Callable[[str], None] = print, checks: list[PublicCheck] | None = None,
               tasks: tuple[str, ...] | None = None, zip_to: Path | None = None,
               split: PublicSplit | None = None, only: str | None = None) -> list[Outcome]:
    """Check one submission (folder, .py, .ipynb or .zip; the handout folder itself is fine: its own
    files and its own submission.zip are left out as the grader leaves them out) and log what the
    student reads: the load summary, each check, the points they stand for; the first outcome is
    the names step. With `zip_to`, also write the zip to hand in (packing.py), and say "ready to
    upload" only when every check passed. `only`: one task's names and checks (a notebook's check cell)."""
    path = Path(path)
    split = split or PublicSplit()
    contract = public_contract(tasks)
    modules = list(dict.fromkeys(contract.values()))
    if only is not None:
        contract = {name: task for name, task in contract.items() if task == only}
    # a student checks their own code on their own machine: nothing of the grader's is secret there
    with tempfile.TemporaryDirectory(prefix="ag-check-") as tmp, \
            GradingSession(Limits(), allow_unprotected=True) as session:
        submission = load_submission(path, Path(tmp) / "staging", modules, own_zip(path, zip_to))
        homes = apply_choice(submission, contract)  # the grader's rule for a task in several forms
        worker = session.start_worker(submission, homes, Path(tmp))
        report = worker.start()
        log(submission_summary(submission, report, contract, salvage_earns_points=split.salvage_earns_points))
        missing = [n for n in contract if n not in report.found]
        names_ok = not report.fatal and not missing
        outcomes = [Outcome("all", NAMES_STEP, names_ok, "Passed." if names_ok else
                            "Not every required name could be loaded: see the summary above.")]
        if not report.fatal:
            student = StudentProxy(worker, submission, homes)
            shown = [c for c in (load_checks(modules) if checks is None else checks)
                     if split.shown(c.tests) and only in (None, c.task)]
            outcomes += run_checks(student, _data_files(path, submission.data_files), shown, split)
        log(format_outcomes(outcomes, split))
        if zip_to is not None:
            files = packing.members(submission, homes)
            packing.write_zip(Path(zip_to), {name: f.read_bytes() for name, f in files.items()})
            log("\n".join(packing.zip_lines(Path(zip_to), files) + zip_verdict(outcomes, split)))
    return outcomes
