"""Process control for the grader: find, time, freeze and kill everything a worker started.

Why: a student's code may fork, double-fork or `setsid` to outlive its call and harm the next
submission. The grader makes itself a child subreaper, so every orphan of a worker is re-parented
to the grader (never to init) and can be found and killed, on every platform and without root.
It also makes itself non-dumpable, so a worker running as the same user (a TA's laptop) cannot
read the grader's memory or environment through /proc.
"""

from __future__ import annotations

import ctypes
import os
import signal
import time

PR_SET_DUMPABLE = 4
PR_SET_CHILD_SUBREAPER = 36
_LIBC = None
LIVE_WORKERS: set[int] = set()  # pids of the workers this process runs: never taken for orphans


def _prctl(option: int, value: int) -> bool:
    global _LIBC
    try:
        if _LIBC is None:
            _LIBC = ctypes.CDLL(None, use_errno=True)
        return _LIBC.prctl(option, value, 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def harden_grader_process() -> dict[str, bool]:
    """Subreaper (orphans come back to us) and non-dumpable (no /proc/<grader>/mem or environ)."""
    return {"subreaper": _prctl(PR_SET_CHILD_SUBREAPER, 1), "not_dumpable": _prctl(PR_SET_DUMPABLE, 0)}


def children(pid: int) -> list[int]:
    """Direct children of a process, from /proc/<pid>/task/*/children (empty if it is gone)."""
    found: list[int] = []
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return found
    for task in tasks:
        try:
            with open(f"/proc/{pid}/task/{task}/children", encoding="ascii") as fh:
                found += [int(c) for c in fh.read().split()]
        except (OSError, ValueError):
            continue
    return found


def descendants(pid: int) -> list[int]:
    """Every process below `pid` (not `pid` itself), parents before children."""
    found, pending = [], children(pid)
    while pending:
        current = pending.pop(0)
        found.append(current)
        pending += children(current)
    return found


def cpu_seconds(pid: int) -> float:
    """utime + stime of one process (all its threads); 0 when it is gone or /proc is missing."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as fh:
            fields = fh.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return 0.0


def tree_cpu_seconds(pid: int) -> float:
    """CPU time of a process and of all its live descendants: work moved to a child still counts."""
    return sum(cpu_seconds(p) for p in [pid] + descendants(pid))


def _signal_all(pids: list[int], sig: int) -> None:
    for pid in pids:
        try:
            os.kill(pid, sig)
        except (ProcessLookupError, PermissionError):
            pass


def freeze_tree(pid: int, frozen: bool, strays: bool = True) -> None:
    """Stop (or continue) a process tree, so that it cannot steal CPU from a measurement; with it
    (`strays`, in a grader) every orphan that escaped a worker's tree (re-parented to us, the
    subreaper), and their trees: an escaped process could otherwise burn CPU exactly while a
    yardstick is timed. Not in a batch, whose other children are its other slots' graders."""
    strays = strays and [p for p in children(os.getpid()) if p not in LIVE_WORKERS]
    pids = [pid] + descendants(pid) + [q for p in strays or [] for q in [p] + descendants(p)]
    _signal_all(pids, signal.SIGSTOP if frozen else signal.SIGCONT)


def kill_tree(pid: int, rounds: int = 20) -> None:
    """SIGKILL a process and all its descendants; repeated while new ones appear (fork loops)."""
    for _ in range(rounds):
        pids = [pid] + descendants(pid)
        _signal_all(pids, signal.SIGKILL)
        if not descendants(pid):
            return
        time.sleep(0.01)


def kill_orphans(keep: set[int]) -> int:
    """Kill and reap the grader's children that it did not start (orphans of workers re-parented
    here by the subreaper); `keep` holds the pids of live workers. Returns how many were killed."""
    killed = 0
    for _ in range(20):
        strays = [p for p in children(os.getpid()) if p not in keep]
        if not strays:
            break
        for stray in strays:
            kill_tree(stray)
            try:
                os.waitpid(stray, 0)
            except ChildProcessError:
                pass
            killed += 1
    return killed


ORPHAN_QUIET = 0.1  # seconds without a new orphan before a sweep ends


def sweep_orphans(keep: set[int], quiet: float = ORPHAN_QUIET, limit: float = 10.0) -> int:
    """Kill and reap orphans until none has come for `quiet` seconds: processes of a collapsing PID
    namespace, or killed descendants, reach us (the subreaper) a little after their worker died."""
    killed, last = 0, time.monotonic()
    deadline = last + limit
    while time.monotonic() < deadline:
        found = kill_orphans(keep)
        killed += found
        now = time.monotonic()
        if found:
            last = now
        elif now - last >= quiet:
            break
        time.sleep(0.01)
    return killed
