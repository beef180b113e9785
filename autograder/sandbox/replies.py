"""What a call into the worker can end with: the reply, the load report, and every failure.

Why a module of its own: the worker runs student code, so a reply is untrusted data. Everything
here turns what came over the pipe into well-formed values before the grader reads them; a reply
of the wrong form is the student's doing (their code can write to the pipe), never the grader's.
"""

from __future__ import annotations

import signal
from dataclasses import dataclass, field
from typing import Any

FRAME_KEYS = ("file", "line", "function", "code")
WORKER_FLAGS = ("grader_fault", "submission_problem")  # the grader's probe failed / a probe's message for the student


class WorkerError(Exception):
    """Base of every failure of a call; the message is written for the student."""


class StudentCodeError(WorkerError):
    """The student's code raised; `error` has type, message and the student's own frames."""

    def __init__(self, error: dict[str, Any]) -> None:
        self.error = error
        super().__init__(f"{error.get('type')}: {error.get('message')}")


class GraderFault(WorkerError):
    """The grader's own probe code failed in the worker: an internal error, never the student's."""


class MissingName(WorkerError):
    """The submission does not define the name the test needs."""


class WorkerTimeout(WorkerError):
    """The call did not return before its deadline; the worker was stopped.
    Example: `except WorkerTimeout as exc: fail(f"{exc} Train fewer steps.")`."""


class WorkerDied(WorkerError):
    """The worker process ended during the call (crash, out of memory, os._exit, ...)."""


class DiskQuotaExceeded(WorkerError):
    """The worker wrote more files than its workspace allows (basic mode's guard)."""


class BudgetExhausted(WorkerError):
    """The grading run has used up its time budget (the rubric's `grading_budget`)."""


@dataclass
class Reply:
    value: Any
    stdout: str
    wall: float
    cpu: float
    trace: Any = None  # a traced call's loop report (sandbox/looptrace.py), untrusted like the value


@dataclass
class LoadReport:
    """What happened while loading the submission: per unit ok/error, and where names were found."""

    units: list[dict[str, Any]] = field(default_factory=list)
    found: dict[str, dict[str, Any]] = field(default_factory=dict)
    fatal: str | None = None
    stdout: str = ""
    degraded: str | None = None  # why only the definitions were loaded, if they were


def student_error(raw: Any) -> dict[str, Any]:
    """An error report as the feedback code expects it, whatever the worker sent."""
    raw = raw if isinstance(raw, dict) else {}
    frames = raw.get("frames") if isinstance(raw.get("frames"), list) else []
    error = {"type": str(raw.get("type", "Error"))[:200], "message": str(raw.get("message", ""))[:2000],
             "frames": [_frame(f) for f in frames[:5] if isinstance(f, dict)]}
    for flag in WORKER_FLAGS:  # set by the worker's own code, never inferred from a name or a message
        if raw.get(flag) is True:
            error[flag] = True
    return error


def _frame(raw: dict[str, Any]) -> dict[str, Any]:
    frame: dict[str, Any] = {k: str(raw.get(k, ""))[:500] for k in FRAME_KEYS}
    frame["line"] = raw.get("line") if type(raw.get("line")) is int else None
    return frame


def load_report(ready: dict[str, Any]) -> LoadReport:
    """The worker's "ready" message as a LoadReport; anything malformed in it is dropped."""
    units = ready.get("units") if isinstance(ready.get("units"), list) else []
    found = ready.get("found") if isinstance(ready.get("found"), dict) else {}
    clean_units = []
    for unit in units:
        if isinstance(unit, dict):
            clean = {"label": str(unit.get("label", "?")), "ok": unit.get("ok") is True}
            if not clean["ok"]:
                clean["error"] = student_error(unit.get("error"))
                if isinstance(unit.get("failed_statements"), int):
                    clean["failed_statements"] = unit["failed_statements"]
                more = unit.get("more_errors") if isinstance(unit.get("more_errors"), list) else []
                clean["more_errors"] = [student_error(e) for e in more[:5]]
            clean_units.append(clean)
    clean_found = {str(k): {"module": str(v.get("module")), "callable": v.get("callable") is True}
                   for k, v in found.items() if isinstance(v, dict)}
    return LoadReport(units=clean_units, found=clean_found)


def describe_exit(returncode: int | None) -> str:
    if returncode is None:
        return "the worker stopped answering"
    if returncode < 0:
        sig = -returncode
        name = signal.Signals(sig).name if sig in signal.Signals._value2member_map_ else str(sig)
        if sig == signal.SIGKILL:
            return f"the process was killed ({name}): most often it used more memory than allowed"
        if sig == signal.SIGXCPU:
            return f"the process used up its CPU time limit ({name})"
        if sig == signal.SIGXFSZ:
            return f"the process wrote a file larger than allowed ({name})"
        return f"the process was killed by signal {name}"
    return f"the process exited with status {returncode} (sys.exit / os._exit in your code?)"
