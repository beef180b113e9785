"""Measuring a grading run from outside: wall time, memory of all its processes, CPU contention.

Memory is taken two ways. Sampling: the sum of PSS (shared pages split between the processes that
map them, so torch's libraries are not counted twice) over the run's process tree, every 50 ms.
Cgroup: where the machine lets us make a memory cgroup (cgroup v1, as root), the run is started in
one and its peak usage read at the end: what Docker's memory limit on Gradescope counts; the
cgroup can also be given a limit, to check that a run fits.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from autograder.sandbox import processes

ROOT = Path(__file__).resolve().parent.parent
PYTHON = str(ROOT / ".venv" / "bin" / "python")
CGROUP_V1 = Path("/sys/fs/cgroup/memory")


def pss_mb(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/smaps_rollup") as fh:
            for line in fh:
                if line.startswith("Pss:"):
                    return int(line.split()[1]) / 1024
    except (OSError, ValueError):
        pass
    return 0.0


def own_cgroup() -> Path | None:
    try:
        for line in Path("/proc/self/cgroup").read_text().splitlines():
            _, controllers, path = line.split(":", 2)
            if "memory" in controllers.split(","):
                return CGROUP_V1 / path.lstrip("/")
    except OSError:
        pass
    return None


@contextmanager
def memory_cgroup(limit_mb: int | None = None) -> Iterator[Path | None]:
    """A fresh memory cgroup (None where this machine does not allow one)."""
    parent = own_cgroup()
    if parent is None or not parent.is_dir() or os.geteuid() != 0:
        yield None
        return
    group = parent / f"agbench-{os.getpid()}-{time.monotonic_ns()}"
    try:
        group.mkdir()
    except OSError:
        yield None
        return
    try:
        if limit_mb is not None:
            (group / "memory.limit_in_bytes").write_text(str(limit_mb * 1024 * 1024))
            swap = group / "memory.memsw.limit_in_bytes"
            if swap.exists():
                swap.write_text(str(limit_mb * 1024 * 1024))  # no swapping around the limit
        yield group
    finally:
        for _ in range(50):
            try:
                group.rmdir()
                break
            except OSError:
                time.sleep(0.1)


def cgroup_peak_mb(group: Path) -> dict[str, float]:
    """Peak usage (what Docker's limit counts, page cache included) and OOM kills in the group."""
    control = dict(line.split() for line in (group / "memory.oom_control").read_text().splitlines())
    return {"peak_mb": int((group / "memory.max_usage_in_bytes").read_text()) / 2 ** 20,
            "oom_kills": float(control.get("oom_kill", 0))}


@dataclass
class Run:
    wall: float
    peak_pss_mb: float
    peak_rss_mb: float
    cgroup: dict[str, float] | None
    returncode: int
    stdout: str


def run(argv: list[str], limit_mb: int | None = None, env: dict | None = None,
        cpu: str | None = None) -> Run:
    """Run a command to the end, sampling its tree's memory; optionally in a limited cgroup and
    pinned to `cpu` (taskset list)."""
    if cpu is not None:
        argv = ["taskset", "-c", cpu] + argv
    with memory_cgroup(limit_mb) as group:
        def enter() -> None:
            if group is not None:
                (group / "cgroup.procs").write_text(str(os.getpid()))
        with tempfile.TemporaryFile("w+") as log:
            start = time.perf_counter()
            proc = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT, text=True, env=env,
                                    preexec_fn=enter)
            peak_pss = peak_rss = 0.0
            while proc.poll() is None:
                pids = [proc.pid] + processes.descendants(proc.pid)
                peak_pss = max(peak_pss, sum(pss_mb(p) for p in pids))
                peak_rss = max(peak_rss, sum(_rss_mb(p) for p in pids))
                time.sleep(0.05)
            wall = time.perf_counter() - start
            log.seek(0)
            output = log.read()
        cgroup = cgroup_peak_mb(group) if group is not None else None
    return Run(wall, peak_pss, peak_rss, cgroup, proc.returncode, output)


def _rss_mb(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/statm") as fh:
            return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2 ** 20
    except (OSError, ValueError, IndexError):
        return 0.0


@contextmanager
def busy_loops(count: int, cpu: str | None = None) -> Iterator[None]:
    """`count` processes spinning in Python (optionally pinned), for the length of the block."""
    prefix = ["taskset", "-c", cpu] if cpu is not None else []
    loops = [subprocess.Popen(prefix + [sys.executable, "-c", "while True: pass"]) for _ in range(count)]
    try:
        time.sleep(0.3)
        yield
    finally:
        for loop in loops:
            loop.kill()
            loop.wait()


def machine() -> str:
    return f"{os.cpu_count()} cores, Python {sys.version.split()[0]}, {time.strftime('%Y-%m-%d')}"
