"""One grading session: the sandbox policy, the refusal decision, the workers' lives and the clean-up.

Why one object: `grade`, `grade-all` (its pre-check, locally and on each cluster worker) and the
student's `check` each built a SandboxPolicy, decided whether to refuse, started workers and tore
them down by hand, and the copies drifted (the self-check never gave its sandbox user back). Here
the order is written once: probe the protections, refuse where the worker could read the grader's
files, clear what an earlier run left, stage and start the student's worker (and, on demand, the
trusted yardstick worker), and on the way out close every worker, remove their sandbox folders,
clear leftovers again and give the sandbox user back, whatever a test raised.

Kept free of pytest: the self-check ships in the handout, without pytest.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path
from types import TracebackType

from autograder.course import timing
from autograder.course.limits import Limits
from autograder.intake.manifest import build_manifest
from autograder.intake.submission import Submission
from autograder.sandbox.client import Worker, trusted_worker
from autograder.sandbox.policy import Protections, SandboxPolicy

UNPROTECTED_ENV = "AUTOGRADER_UNPROTECTED"
UNPROTECTED = ("Not graded: on this machine a submission's code could read the hidden tests and the reference "
               "(the grader is not root and bubblewrap is not available), so it could earn points it did not. "
               "Install bubblewrap (`sudo apt install bubblewrap`) or grade as root; to grade anyway, at your own "
               f"risk, pass --unprotected (or set {UNPROTECTED_ENV}=1).")


def refuses(protections: Protections, allow_unprotected: bool = False) -> bool:
    """A safe failure: grade nothing where the worker could read the grader's files, unless the
    operator accepts the risk (`--unprotected`, or AUTOGRADER_UNPROTECTED=1)."""
    allowed = allow_unprotected or os.environ.get(UNPROTECTED_ENV) == "1"
    return not protections.guards_grader_files and not allowed


def refusal(limits: Limits, allow_unprotected: bool = False) -> str | None:
    """Why this machine must not grade (None: it may), decided before anyone is graded: grade-all's
    pre-check, and each cluster worker's."""
    with GradingSession(limits, allow_unprotected=allow_unprotected) as session:
        return UNPROTECTED if session.refused else None


class GradingSession:
    """Context manager for one grading run's sandbox; `start_worker` stages and makes the student's
    worker (the caller starts it, to read its load report), `yardstick` the trusted one."""

    def __init__(self, limits: Limits, *, allow_unprotected: bool = False) -> None:
        self.limits = limits
        self.allow_unprotected = allow_unprotected
        self.policy: SandboxPolicy | None = None
        self.worker: Worker | None = None
        self.yardsticks: list[Worker] = []
        self._run_dir: Path | None = None

    def __enter__(self) -> GradingSession:
        with timing.phase("sandbox set-up"):
            self.policy = SandboxPolicy(self.limits, python=sys.executable)
        return self

    @property
    def protections(self) -> Protections:
        assert self.policy is not None, "use the session in a `with` block"
        return self.policy.protections

    @property
    def refused(self) -> bool:
        """Whether this session must grade nothing (see refuses)."""
        return refuses(self.protections, self.allow_unprotected)

    def start_worker(self, submission: Submission, contract: dict[str, str], run_dir: Path,
                     deadline: float | None = None) -> Worker:
        """The student's worker, its sandbox staged from the submission's manifest (not started).
        `run_dir` is the grader's private folder; `deadline` ends the grading budget."""
        assert self.policy is not None and self.worker is None, "one student worker per session"
        if self.refused:
            raise RuntimeError("this session refuses to grade: no worker may start")
        with timing.phase("sandbox set-up"):
            self.policy.clear_leftovers()  # of an earlier run that did not end cleanly
            sandbox_dir = self.policy.new_sandbox_dir()
            self.worker = Worker(build_manifest(submission, contract, sandbox_dir), run_dir, self.policy, sandbox_dir)
            self.worker.deadline = deadline
        self._run_dir = run_dir
        return self.worker

    def yardstick(self) -> Worker:
        """A trusted worker (no student code) for the speed checks' yardsticks; closed with the session."""
        assert self.policy is not None and self.worker is not None and self._run_dir is not None
        worker = trusted_worker(self.policy, self._run_dir, self.worker.deadline)
        self.yardsticks.append(worker)
        return worker

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        if self.policy is None:
            return
        try:
            if self.worker is not None:
                with timing.phase("clean-up"):
                    for worker in [*self.yardsticks, self.worker]:
                        worker.close()
                        shutil.rmtree(worker.sandbox_dir, ignore_errors=True)
                    self.policy.clear_leftovers()
        finally:
            self.policy.close()
