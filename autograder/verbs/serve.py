"""The grading service: one long-lived grader process that grades a batch's submissions one after another.

Why: a fresh `autograder grade` per submission pays, every time, the interpreter's start, importing
pytest, numpy and the engine, and the sandbox probe; a service pays them once per batch slot (issue
27). Each job still runs exactly what `autograder grade` runs (the CLI's own `main`, handed in by
cli.py), its output written to the job's log file through fds 1 and 2 as a fresh grader's would be,
and whatever a job can leave behind in this process is put back before the next one (`Baseline`):
the hidden tests' modules, the environment, the working folder, sys.path, signal handlers, warning
filters, the random generators' state, numpy's print and error options, the umask and the timings.

The protocol (autograder/classroom/service.py is the client): one JSON job per line on stdin
({"path", "out", "log", "tests"}), one JSON reply per job ({"returncode"}) on the pipe fd given by
--reply-fd. Both channels are moved off inheritable fds at start, so the sandboxed worker a job
starts can neither read the next jobs nor forge a reply; stdin becomes /dev/null as for a grader.
"""

from __future__ import annotations

import gc
import json
import os
import random
import signal
import sys
import traceback
import warnings
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable

from autograder.course import timing
from autograder.course.launch import TRUSTED_CWD
from autograder.course.paths import PROJECT_ROOT

ENGINE = PROJECT_ROOT / "autograder"
INTERRUPTED = 130  # cli.main's status after Ctrl-C or SIGTERM: the service stops after answering


def _inside(path: str, folder: Path) -> bool:
    try:
        return os.path.commonpath([os.path.realpath(path), str(folder)]) == str(folder)
    except ValueError:
        return False


def from_hidden_side(module: Any) -> bool:
    """A module the grading run imported from the course's own files (the hidden tests, their
    conftest, the reference, a task's data module), not the engine nor an installed package: pytest
    would reuse it from sys.modules, with whatever state the previous submission's tests left in it."""
    files = [getattr(module, "__file__", None)] if getattr(module, "__file__", None) else \
        [str(p) for p in (getattr(module, "__path__", None) or [])]  # a namespace package pytest made
    return bool(files) and all(_course_file(str(f)) for f in files)


@lru_cache(maxsize=None)
def _course_file(path: str) -> bool:
    """Whether `path` is one of the course's own files (in the project, not the engine nor a venv in it)."""
    prefixes = {str(Path(p).resolve()) for p in (sys.prefix, sys.base_prefix, sys.exec_prefix)}
    return (_inside(path, PROJECT_ROOT.resolve()) and not _inside(path, ENGINE.resolve())
            and not any(_inside(path, Path(p)) for p in prefixes))


class Baseline:
    """What the process looked like before the first job, put back after every job."""

    def __init__(self) -> None:
        self.environ = dict(os.environ)
        self.path = list(sys.path)
        self.argv = list(sys.argv)
        self.handlers = {s: signal.getsignal(s) for s in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP, signal.SIGPIPE)}
        self.filters = list(warnings.filters)
        self.umask = os.umask(0o022)
        os.umask(self.umask)
        self.recursion = sys.getrecursionlimit()
        self.streams = sys.stdout, sys.stderr
        import numpy

        self.numpy_print, self.numpy_err = numpy.get_printoptions(), numpy.geterr()
        self.modules = {name: module for name, module in sys.modules.items() if not from_hidden_side(module)}

    def restore(self) -> list[str]:
        """Put everything back; returns the names of the modules dropped."""
        os.chdir(TRUSTED_CWD)
        os.environ.clear()
        os.environ.update(self.environ)
        sys.path[:] = self.path
        sys.argv[:] = self.argv
        sys.stdout, sys.stderr = self.streams
        for number, handler in self.handlers.items():
            signal.signal(number, handler)
        warnings.filters[:] = self.filters
        os.umask(self.umask)
        sys.setrecursionlimit(self.recursion)
        dropped = [name for name, module in list(sys.modules.items())  # only what a job imported is looked at
                   if self.modules.get(name) is not module and from_hidden_side(module)]
        for name in dropped:
            del sys.modules[name]
        self._reset_generators()
        timing.reset()
        gc.collect()
        return dropped

    def _reset_generators(self) -> None:
        """As a fresh process has them: Python's and numpy's seeded from the OS, torch's at its fixed start."""
        import numpy

        random.seed()
        numpy.random.seed()
        numpy.set_printoptions(**self.numpy_print)
        numpy.seterr(**self.numpy_err)
        torch = sys.modules.get("torch")
        if torch is not None and hasattr(torch, "manual_seed"):
            torch.manual_seed(torch.initial_seed())


def _own_channels(reply_fd: int) -> tuple[Any, Any]:
    """(jobs, replies) on non-inheritable fds; fd 0 becomes /dev/null."""
    jobs = os.fdopen(os.dup(0), "rb")  # os.dup: not inherited by the jobs' workers
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.close(devnull)
    os.set_inheritable(reply_fd, False)
    return jobs, os.fdopen(reply_fd, "wb", buffering=0)


def _redirect(fd: int) -> None:
    """Everything written to fds 1 and 2 (Python's, the worker's, C libraries') goes to `fd`."""
    for stream in (sys.stdout, sys.stderr, sys.__stdout__, sys.__stderr__):
        try:
            stream.flush()
        except (AttributeError, OSError, ValueError):
            pass
    os.dup2(fd, 1)
    os.dup2(fd, 2)


def run_job(job: dict[str, Any], grade: Callable[[list[str]], int], devnull: int) -> int:
    """Grade one job as `autograder grade` would, its output in its log; the grade's return code."""
    argv = ["grade", str(job["path"]), "--out", str(job["out"])] + (["--tests", job["tests"]] if job.get("tests") else [])
    timing.begin()  # this job's wall time starts now, not when the service started
    with open(job["log"], "ab") as log:  # truncated by the client, which may have given it our start-up output
        _redirect(log.fileno())
        try:
            return int(grade(argv))
        except SystemExit as exc:  # argparse's refusal, as a fresh process would end
            return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        except KeyboardInterrupt:  # SIGTERM outside what `main` guards: the service stops after this job
            return INTERRUPTED
        except BaseException:  # as an uncaught exception ends a fresh grader: its traceback, status 1
            traceback.print_exc()
            return 1
        finally:
            _redirect(devnull)


def warm_up() -> None:
    """Before the first job arrives: the sandbox's probes and the worker template (numpy, torch and
    matplotlib imported), while the batch is still getting ready (a service is started before the
    batch's own checks). Best effort: each job probes for itself, and starts the template if this did not."""
    from autograder.course.limits import Limits
    from autograder.sandbox.policy import SandboxPolicy

    try:
        policy = SandboxPolicy(Limits(), python=sys.executable)
        try:
            policy.start_template()
        finally:
            policy.close()
    except Exception:  # the first job meets the same problem and reports it
        pass
    timing.reset()  # paid before any job: in none of their figures


def serve(reply_fd: int, grade: Callable[[list[str]], int]) -> int:
    """Grade jobs until stdin ends (the client closed it) or a job was interrupted (SIGTERM)."""
    from autograder.classroom.batch import raise_interrupt

    signal.signal(signal.SIGTERM, raise_interrupt)  # idle or grading, SIGTERM ends the service in order
    jobs, replies = _own_channels(reply_fd)  # first: no process the warm-up starts may hold them
    try:
        import autograder.grading.grade  # noqa: F401 (pytest, numpy and the engine, once for every job)

        warm_up()
    except KeyboardInterrupt:
        return INTERRUPTED
    sys.stdout, sys.stderr = getattr(sys.stdout, "raw", sys.stdout), getattr(sys.stderr, "raw", sys.stderr)  # each
    # job's own `main` makes them printable, once, as in a fresh grader
    devnull = os.open(os.devnull, os.O_WRONLY)
    baseline = Baseline()
    try:
        for line in jobs:
            code = run_job(json.loads(line), grade, devnull)
            baseline.restore()
            replies.write(json.dumps({"returncode": code}).encode() + b"\n")
            if code == INTERRUPTED:
                return INTERRUPTED
    except KeyboardInterrupt:
        return INTERRUPTED
    except BrokenPipeError:  # the client went away
        return 1
    return 0
