"""The unprivileged users the worker runs as (as root): one per grading process, claimed by lock.

Why locks in a root-owned folder: each grading process claims a free user (ag-sandbox,
ag-sandbox1, ...) with a lock file it holds until it ends, so graders side by side never share one.
The lock files live in a folder only root can write in, opened with O_NOFOLLOW: a sandbox user
cannot plant a symbolic link there that root would follow (in a shared folder such as /run/lock it
could, and root would create or truncate any file it names).
"""

from __future__ import annotations

import fcntl
import grp
import os
import pwd
import shutil
import stat
import subprocess
from pathlib import Path

SANDBOX_USER = "ag-sandbox"
SLOT_FOLDER = Path("/run/ag-sandbox-slots") if Path("/run").is_dir() else Path("/var/lib/ag-sandbox-slots")
LEGACY_LOCKS = Path("/run/lock")  # where earlier versions lock: taken too, so the two never share a user
MAX_SLOTS = 64
_LEGACY: dict[int, int] = {}  # fd of a slot's lock -> fd of its legacy lock
_HELD_HERE: list[int] = []  # slots this process held before, in the order it first claimed them


def sandbox_user_name(slot: int) -> str:
    return SANDBOX_USER if slot <= 0 else f"{SANDBOX_USER}{slot}"


def lock_folder() -> Path:
    """The root-owned 0700 folder of the slot locks (made if missing); refuses anything else there."""
    try:
        os.mkdir(SLOT_FOLDER, 0o700)
    except FileExistsError:
        pass
    info = os.lstat(SLOT_FOLDER)
    if not stat.S_ISDIR(info.st_mode) or info.st_uid != 0 or info.st_mode & 0o077:
        raise RuntimeError(f"{SLOT_FOLDER} is not a folder of root's alone (mode {oct(info.st_mode)}, "
                           f"owner {info.st_uid}): remove it and grade again")
    return SLOT_FOLDER


def _lock(path: Path) -> int | None:
    """The fd of an exclusive lock on `path` (never through a symbolic link); None if held elsewhere."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return fd
    except OSError:
        os.close(fd)
        return None


def _legacy_lock(slot: int) -> int | None:
    """-1 when the legacy lock of `slot` is held by an older grader; its fd, or None if unusable
    (no such folder, or a link planted there: never followed)."""
    try:
        fd = _lock(LEGACY_LOCKS / f"ag-sandbox-slot-{slot}.lock")
    except OSError:
        return None
    return -1 if fd is None else fd


def claim_slot() -> tuple[int, int]:
    """(slot number, fd of its lock): the first sandbox user no other grading process holds.
    The lock goes with the fd: given back by release_slot() or, at the latest, at exit.
    The slots this process held before are tried first: a grading service keeps the same users from
    one submission to the next, and what it learnt about them (policy's probes) stays true."""
    folder = lock_folder()
    for slot in _HELD_HERE + [s for s in range(MAX_SLOTS) if s not in _HELD_HERE]:
        fd = _lock(folder / f"slot-{slot}.lock")
        if fd is None:
            continue
        legacy = _legacy_lock(slot)
        if legacy == -1:
            os.close(fd)
            continue
        if legacy is not None:
            _LEGACY[fd] = legacy
        if slot not in _HELD_HERE:
            _HELD_HERE.append(slot)
        return slot, fd
    raise RuntimeError(f"more than {MAX_SLOTS} sandbox users in use at once on this machine")


def release_slot(fd: int) -> None:
    os.close(fd)
    legacy = _LEGACY.pop(fd, None)
    if legacy is not None:
        os.close(legacy)


def ensure_sandbox_user(name: str = SANDBOX_USER) -> pwd.struct_passwd | None:
    """Create the unprivileged user when running as root; None when that is not possible."""
    try:
        return pwd.getpwnam(name)
    except KeyError:
        pass
    if os.geteuid() != 0 or shutil.which("useradd") is None:
        return None
    subprocess.run(["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", name],
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        return pwd.getpwnam(name)
    except KeyError:
        return None


def own_group(user: pwd.struct_passwd | None) -> bool:
    """Whether `user`'s primary group is its alone (no member, no other user's primary group), as
    `useradd` makes it on Debian and Ubuntu: a folder of that group is then this user's only."""
    if user is None:
        return False
    try:
        if grp.getgrgid(user.pw_gid).gr_mem:
            return False
    except KeyError:
        return False
    return not any(p.pw_gid == user.pw_gid and p.pw_uid != user.pw_uid for p in pwd.getpwall())
