"""The worker's private view of the machine under bubblewrap (`bwrap`).

Why a private view rather than file permissions alone: on a TA's laptop the worker runs as the
TA's own user, who can read the hidden tests and write the grader's files; permissions cannot
help there. Why only what it needs rather than all of / with some folders hidden: a batch's export
(classmates' work), its output (their results), a TA's other folders can lie anywhere; a list of
folders to hide always misses one. Under bwrap the worker sees, read-only, the system folders
(/usr, /etc, the /bin and /lib links), the interpreter's own folders and its sandbox folder; the
grader's folders and anything named private (basic.PRIVATE_ENV) not at all, even inside those; a
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

from autograder.course.paths import PROJECT_ROOT, gradescope_root
from autograder.sandbox.basic import private_folders

SYSTEM_FOLDERS = ("usr", "etc", "bin", "sbin", "lib", "lib32", "lib64", "libx32")  # shown read-only
CPU_INFO = "/sys/devices/system/cpu"  # numpy and torch read the CPU count here


def available() -> bool:
    return shutil.which("bwrap") is not None


def _inside(path: Path, folders: list[Path]) -> bool:
    return any(path == f or f in path.parents for f in folders)


def hidden_folders() -> list[Path]:
    """Folders the worker must not see: the project (hidden tests, reference, rubric), the
    Gradescope root (source, results, metadata), the grading user's home and the private folders
    (a batch's input and output)."""
    candidates = [PROJECT_ROOT, gradescope_root(), *private_folders()]
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
    """What the worker's interpreter needs (venv, base installation): shown read-only when outside
    the system folders, or inside a hidden folder (a .venv inside the project)."""
    folders = {Path(sys.prefix), Path(sys.base_prefix), Path(python).parent.parent,
               Path(os.path.realpath(python)).parent.parent}
    return sorted({f.resolve() for f in folders if f.is_dir()})


def system_view() -> list[str]:
    """bwrap arguments showing the system folders read-only (links such as /bin -> usr/bin as links)."""
    args: list[str] = []
    for name in SYSTEM_FOLDERS:
        path = Path("/") / name
        if path.is_symlink():
            args += ["--symlink", os.readlink(path), str(path)]
        elif path.is_dir():
            args += ["--ro-bind", str(path), str(path)]
    if Path(CPU_INFO).is_dir():
        args += ["--ro-bind", CPU_INFO, CPU_INFO]
    return args


def _view(python: str, workspace_mb: int) -> list[str]:
    """bwrap arguments for what every sandboxed process sees: the system and the interpreter
    read-only, a fresh /dev and /proc, a private /tmp of `workspace_mb`, the hidden folders hidden."""
    shown = [Path("/", name).resolve() for name in SYSTEM_FOLDERS if Path("/", name).is_dir()]
    args = ["bwrap", *system_view(), "--dev", "/dev", "--proc", "/proc",
            "--size", str(workspace_mb * 1024 * 1024), "--tmpfs", "/tmp"]
    hidden = [f for f in hidden_folders() if _inside(f, shown)]  # a project under /usr/local, say
    for folder in hidden:
        args += ["--tmpfs", str(folder)]
    for folder in interpreter_folders(python):
        if not _inside(folder, shown) or _inside(folder, hidden):  # shown again over what hides it
            args += ["--ro-bind", str(folder), str(folder)]
    return args


def arguments(python: str, sandbox_dir: Path, workdir: Path, workspace_mb: int, staged_bytes: int = 0) -> list[str]:
    """The bwrap command up to and including `--`, for one worker start (the working folder's tmpfs
    also holds `staged_bytes` of the grader's copies of data files)."""
    size = workspace_mb * 1024 * 1024
    return _view(python, workspace_mb) + [
        "--ro-bind", str(sandbox_dir), str(sandbox_dir),
        "--size", str(size + staged_bytes), "--tmpfs", str(workdir), "--chdir", str(workdir),
        "--unshare-all", "--die-with-parent", "--new-session", "--hostname", "sandbox", "--"]


MOUNTING = {"--ro-bind": 2, "--bind": 2, "--tmpfs": 1, "--dev": 1, "--proc": 1, "--symlink": 2, "--dir": 1}


def _open_parents(args: list[str]) -> list[str]:
    """`args` with `--perms 0755 --dir` put before each bind for every folder above its target that
    bwrap would otherwise make itself: run by root it makes them 0700, and the sandbox user could
    not reach what lies below (a project under /tmp: its venv at /tmp/ci/main/.venv). Each goes
    right before its bind, after the mounts it lies in (the /tmp tmpfs)."""
    out, made, i = [], {"/"}, 0
    while i < len(args):
        arg, count = args[i], MOUNTING.get(args[i], 0)
        if arg in ("--ro-bind", "--bind"):
            for parent in reversed(Path(args[i + 2]).parents):
                if str(parent) not in made:
                    out += ["--perms", "0755", "--dir", str(parent)]
                    made.add(str(parent))
        if count:
            made.add(args[i + count])  # what this mounts or makes exists from here on
        out += args[i:i + 1 + count]
        i += 1 + count
    return out


def template_arguments(python: str, base: Path, capabilities: tuple[str, ...]) -> list[str]:
    """The bwrap command for the pre-started worker template (zygote.py), run by root: the same
    view as a worker's, with the folder that will hold the runs' sandbox folders (read-only), its
    own network, IPC and UTS namespaces, and the capabilities it needs to give each child its mount
    and PID namespaces and to drop it to the run's user (the children give them all up)."""
    caps = [arg for cap in capabilities for arg in ("--cap-add", cap)]
    view = _view(python, 16)  # its /tmp: matplotlib's font cache
    return view[:1] + _open_parents(view[1:] + ["--ro-bind", str(base), str(base)]) + [
        "--chdir", "/",
        "--unshare-net", "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try", *caps,
        "--die-with-parent", "--new-session", "--hostname", "sandbox", "--"]
