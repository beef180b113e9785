"""Where a grading run spends its time, by phase, for instructors and the benchmarks.

Why a process-wide registry: the phases are measured in different places (the grader, the pytest
plugin, a hidden test's fixture that loads a data set, the worker client) that share nothing else.
One grading run at a time per process: `reset()` starts a run. A run's wall time counts from
`begin()` (the grading service, per job), else from the process' start (a fresh `autograder grade`:
its interpreter start and imports are part of what grading a submission costs).
"""

from __future__ import annotations

import os
import time
from collections import defaultdict
from contextlib import contextmanager
from typing import Iterator

_SECONDS: dict[str, float] = defaultdict(float)
TESTS_OWN_WORK = "hidden tests' own work (set-up and calls, the student's calls included)"
OVERHEAD = "overhead (not the hidden tests' own work)"
ONCE = "worker template start (once per grading process)"  # paid by a process's first submission only


def _process_start() -> float:
    """time.monotonic() when this process started (Linux /proc), else now."""
    try:
        with open("/proc/self/stat", encoding="ascii") as fh:
            started = int(fh.read().rsplit(")", 1)[1].split()[19]) / os.sysconf("SC_CLK_TCK")
        with open("/proc/uptime", encoding="ascii") as fh:
            uptime = float(fh.read().split()[0])
        return time.monotonic() - max(0.0, uptime - started)
    except (OSError, ValueError, IndexError):
        return time.monotonic()


_BEGAN = [_process_start()]


def begin() -> None:
    """A grading run starts now (the grading service, at each job)."""
    _BEGAN[0] = time.monotonic()


def overhead() -> tuple[float, float]:
    """(wall seconds since the run began, of which everything but the hidden tests' own work and
    the worker template's start, which a grading process pays once for all its submissions)."""
    wall = time.monotonic() - _BEGAN[0]
    return round(wall, 3), round(max(0.0, wall - _SECONDS.get(TESTS_OWN_WORK, 0.0) - _SECONDS.get(ONCE, 0.0)), 3)


def reset() -> None:
    _SECONDS.clear()


def add(phase: str, seconds: float) -> None:
    _SECONDS[phase] += seconds


@contextmanager
def phase(name: str) -> Iterator[None]:
    start = time.perf_counter()
    try:
        yield
    finally:
        add(name, time.perf_counter() - start)


def summary() -> dict[str, float]:
    return {name: round(seconds, 3) for name, seconds in _SECONDS.items()}
