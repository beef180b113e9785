"""The worker's private view of the machine under bubblewrap (`bwrap`).

Why a private view rather than file permissions alone: on a TA's laptop the worker runs as the
TA's own user, who can read the hidden tests and write the grader's files; permissions cannot
help there. Under bwrap the worker sees the system read-only, the grader's folders not at all, a
fresh /proc that holds only its own processes (no grader memory or environment), no network, and
two small private tmpfs (its working folder and /tmp) that vanish with it: it cannot fill the disk
or leave anything behind for the next submission. When the outer bwrap dies, every process
inside dies with it.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

from autograder.paths import PROJECT_ROOT, gradescope_root


def available() -> bool:
    return shutil.which("bwrap") is not None


def _inside(path: Path, folders: list[Path]) -> bool:
    return any(path == f or f in path.parents for f in folders)


def hidden_folders() -> list[Path]:
    """Folders the worker must not see: the project (hidden tests, reference, rubric), the
    Gradescope root (source, results, metadata) and the grading user's home."""
    candidates = [PROJECT_ROOT, gradescope_root()]
    home = os.environ.get("HOME")
    if home and os.geteuid() != 0:
        candidates.append(Path(home))
    found: list[Path] = []
    for folder in candidates:
        folder = folder.resolve()
        if folder.is_dir() and folder != Path("/") and folder not in found:
            found.append(folder)
    return found


def interpreter_folders(python: str) -> list[Path]:
    """What the worker's interpreter needs (venv, base installation): shown again, read-only,
    when it lies inside a hidden folder (a .venv inside the project)."""
    folders = {Path(sys.prefix), Path(sys.base_prefix), Path(python).parent.parent,
               Path(os.path.realpath(python)).parent.parent}
    return sorted({f.resolve() for f in folders if f.is_dir()})


def arguments(python: str, sandbox_dir: Path, workdir: Path, workspace_mb: int) -> list[str]:
    """The bwrap command up to and including `--`, for one worker start."""
    size = str(workspace_mb * 1024 * 1024)
    hidden = hidden_folders()
    args = ["bwrap", "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc", "--size", size, "--tmpfs", "/tmp"]
    for folder in hidden:
        args += ["--tmpfs", str(folder)]
    for folder in interpreter_folders(python):
        if _inside(folder, hidden):
            args += ["--ro-bind", str(folder), str(folder)]
    args += ["--ro-bind", str(sandbox_dir), str(sandbox_dir),
             "--size", size, "--tmpfs", str(workdir), "--chdir", str(workdir),
             "--unshare-all", "--die-with-parent", "--new-session", "--hostname", "sandbox", "--"]
    return args
