"""What the basic sandbox (no private view) must do itself, as root, around a worker.

Why: without bubblewrap the worker sees the real machine as its sandbox user. It can write in every
folder that user may write in (not only /tmp: /run/lock, /dev/mqueue, any world-writable folder
deeper down), read every world-readable file (the project's benchmarks hold complete answers; a
batch's export holds classmates' work). So, as root: find every folder the sandbox user can write
in (asking the system as that user, once per grading process), count and remove what it leaves
there; make the project unreadable to other users except the interpreter the worker needs; and
seal the folders a batch names as private (its input and output).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

SHARED_TMP = ("/tmp", "/var/tmp", "/dev/shm")  # where a worker writes on any machine: always scanned
PRIVATE_ENV = "AUTOGRADER_PRIVATE_FOLDERS"     # os.pathsep-separated folders no submission may see
SKIPPED_BY_SCAN = ("/proc", "/sys")


def writable_folders(drop: list[str]) -> list[Path]:
    """Every folder the sandbox user (run through `drop`, a setpriv prefix) may create files in,
    found by `find -writable` as that user; its own folders aside (found as its entries)."""
    prune: list[str] = []
    for path in SKIPPED_BY_SCAN:
        prune += (["-o"] if prune else []) + ["-path", path]
    command = drop + ["find", "/", "(", *prune, ")", "-prune", "-o", "-type", "d", "-writable", "-print"]
    found = [Path(p) for p in SHARED_TMP if Path(p).is_dir()]
    try:
        done = subprocess.run(command, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=120)
    except (OSError, subprocess.SubprocessError):
        return found
    uid = _uid_of(drop)
    for line in done.stdout.splitlines():
        path = Path(line)
        try:
            if path.is_dir() and os.lstat(path).st_uid != uid and path not in found:
                found.append(path)
        except OSError:
            continue
    return found


def _uid_of(drop: list[str]) -> int | None:
    for arg in drop:
        if arg.startswith("--reuid="):
            return int(arg.split("=", 1)[1])
    return None


def owned_entries(folders: list[Path], uid: int) -> list[Path]:
    """What `uid` made in these folders (their direct entries it owns; its folders hold the rest)."""
    found = []
    for folder in folders:
        try:
            with os.scandir(folder) as entries:
                found += [Path(e.path) for e in entries if e.stat(follow_symlinks=False).st_uid == uid]
        except OSError:
            continue
    return found


def remove(paths: list[Path]) -> None:
    for path in paths:
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)
        else:
            try:
                path.unlink(missing_ok=True)
            except OSError:
                pass


def tree_bytes(path: Path) -> int:
    """Disk bytes of a file or folder, links not followed."""
    total = 0
    try:
        if not path.is_dir() or path.is_symlink():
            return path.lstat().st_blocks * 512
        for root, _dirs, files in os.walk(path):
            for name in files:
                try:
                    total += os.lstat(os.path.join(root, name)).st_blocks * 512
                except OSError:
                    continue
    except OSError:
        pass
    return total


def hide_from_submissions(folders: list[Path]) -> None:
    """Name folders (a batch's input and output) that no submission's worker may see; inherited by
    the grading processes started after this call, which hide or seal them (see private_folders)."""
    known = [p for p in os.environ.get(PRIVATE_ENV, "").split(os.pathsep) if p]
    for folder in folders:
        text = str(Path(folder).resolve())
        if text not in known:
            known.append(text)
    os.environ[PRIVATE_ENV] = os.pathsep.join(known)


def private_folders() -> list[Path]:
    """The folders named by hide_from_submissions that exist."""
    names = [p for p in os.environ.get(PRIVATE_ENV, "").split(os.pathsep) if p]
    return [Path(p).resolve() for p in names if Path(p).is_dir()]


def seal(folders: list[Path]) -> list[str]:
    """As root, take every permission of 'other users' off these folders (the sandbox user is one
    of them: its groups are cleared): what they hold becomes unreachable. Returns what was sealed."""
    sealed = []
    for folder in folders:
        try:
            mode = os.stat(folder).st_mode
            if mode & 0o007:
                os.chmod(folder, mode & ~0o007)
            sealed.append(str(folder))
        except OSError:
            continue
    return sealed


def protect_project(project: Path, keep: list[Path]) -> list[str]:
    """As root, make every top-level entry of the project unreadable to other users, except those
    holding a folder in `keep` (the interpreter's venv): the benchmarks and examples hold answers,
    and the worker needs nothing else of the project (its runtime is copied to its sandbox)."""
    protected = []
    for entry in sorted(project.iterdir()):
        if entry.is_symlink() or any(entry == k or entry in k.parents for k in keep):
            continue
        try:
            os.chmod(entry, os.stat(entry).st_mode & ~0o007)
            protected.append(entry.name)
        except OSError:
            continue
    return protected


def _traversable(folder: Path) -> bool:
    """Whether another user can reach into `folder` (every ancestor has its x bit for others)."""
    return all(os.stat(part).st_mode & 0o001 for part in [folder, *folder.parents])


def sandbox_temp_base() -> Path:
    """Where folders the sandbox user must enter are made: the system's temp dir, or /tmp when
    $TMPDIR is a private folder (a Dask worker's, a pytest run's) that user could not enter."""
    base = Path(tempfile.gettempdir())
    return Path("/tmp") if not _traversable(base) and _traversable(Path("/tmp")) else base


def new_sandbox_dir() -> Path:
    """A fresh folder in the system's temp dir, or in /tmp when $TMPDIR is a private folder (a
    Dask worker's, a pytest run's) that the sandbox user could not enter: its worker would fail
    to start, and the submission be told its code ended the process."""
    return Path(tempfile.mkdtemp(prefix="ag-sandbox-", dir=sandbox_temp_base()))  # 0700 until the worker's policy opens it to its user
