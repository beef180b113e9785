"""Which protections the worker process gets on this platform, and the command that applies them.

Why a policy object: Gradescope runs us as root in Docker (user namespaces may be missing), a TA
runs us as an ordinary user, CI as root on a VM. Each protection is probed once, used when it
works, and reported (to the instructor only) when it does not, so nothing silently degrades.
"""

from __future__ import annotations

import os
import pwd
import resource
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

SANDBOX_USER = "ag-sandbox"


@dataclass(frozen=True)
class Limits:
    """Per-worker resource limits (set from the rubric's [limits] table)."""

    cpu_seconds: int = 600
    address_space_mb: int = 4096
    file_size_mb: int = 64
    processes: int = 64
    open_files: int = 256
    output_kb: int = 64
    load_timeout: float = 120.0
    call_timeout: float = 60.0


@dataclass
class Protections:
    """What is active for this run; `report()` lines go to the instructor-only stdout."""

    separate_process: bool = True
    rlimits: bool = True
    user: str | None = None  # the unprivileged user the worker runs as, or None
    network_blocked: bool = False
    network_how: str = ""
    notes: list[str] = field(default_factory=list)

    def report(self) -> list[str]:
        lines = ["separate worker process per submission: yes",
                 "resource limits (CPU time, address space, file size, processes, open files): yes",
                 f"unprivileged user: {self.user or 'NO (grader is not root: the worker runs as the grading user)'}",
                 f"network blocked: {self.network_how if self.network_blocked else 'NO'}"]
        return lines + [f"note: {n}" for n in self.notes]


def _works(command: list[str]) -> bool:
    try:
        return subprocess.run(command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL, timeout=20).returncode == 0
    except (OSError, subprocess.SubprocessError):
        return False


def ensure_sandbox_user() -> pwd.struct_passwd | None:
    """Create the unprivileged user when running as root; None when that is not possible."""
    try:
        return pwd.getpwnam(SANDBOX_USER)
    except KeyError:
        pass
    if os.geteuid() != 0 or shutil.which("useradd") is None:
        return None
    subprocess.run(["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin",
                    SANDBOX_USER], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        return pwd.getpwnam(SANDBOX_USER)
    except KeyError:
        return None


class SandboxPolicy:
    """Builds the worker's command line and pre-exec hook for the protections that work here."""

    def __init__(self, limits: Limits, python: str, allow_root_fallback: bool = True) -> None:
        self.limits = limits
        self.python = python
        self.protections = Protections()
        self.user = ensure_sandbox_user() if os.geteuid() == 0 else None
        self._prefix: list[str] = []
        self._probe(allow_root_fallback)

    def _probe(self, allow_root_fallback: bool) -> None:
        prot = self.protections
        net: list[str] = []
        if shutil.which("unshare"):
            if os.geteuid() == 0 and _works(["unshare", "--net", "true"]):
                net = ["unshare", "--net", "--"]
            elif os.geteuid() != 0 and _works(["unshare", "--user", "--map-current-user", "--net", "true"]):
                net = ["unshare", "--user", "--map-current-user", "--net", "--"]
        if net:
            prot.network_blocked, prot.network_how = True, "private network namespace (unshare)"
        else:
            prot.notes.append("network namespaces are not available here: the worker could open sockets")
        drop: list[str] = []
        if self.user is not None and shutil.which("setpriv"):
            drop = ["setpriv", f"--reuid={self.user.pw_uid}", f"--regid={self.user.pw_gid}",
                    "--clear-groups", "--no-new-privs", "--"]
            if _works(net + drop + [self.python, "-I", "-c", "import numpy"]):
                prot.user = f"{SANDBOX_USER} (uid {self.user.pw_uid})"
            else:
                drop = []
                prot.notes.append(f"the interpreter {self.python} cannot be run by {SANDBOX_USER} "
                                  "(is it under /root?); the worker keeps the grader's user")
        elif os.geteuid() == 0:
            prot.notes.append("could not create an unprivileged user (no useradd/setpriv)")
        self._prefix = net + drop
        if os.geteuid() == 0 and not drop and not allow_root_fallback:
            raise RuntimeError("refusing to run student code as root")

    @property
    def uid(self) -> int | None:
        return self.user.pw_uid if self.user is not None and self.protections.user else None

    def command(self, argv: list[str]) -> list[str]:
        return self._prefix + [self.python, "-I"] + argv

    def preexec(self) -> None:
        """Runs in the child before exec (still as the grader's user): resource limits."""
        lim = self.limits
        mb = 1024 * 1024
        for which, value in ((resource.RLIMIT_CPU, lim.cpu_seconds),
                             (resource.RLIMIT_AS, lim.address_space_mb * mb),
                             (resource.RLIMIT_FSIZE, lim.file_size_mb * mb),
                             (resource.RLIMIT_NOFILE, lim.open_files),
                             (resource.RLIMIT_CORE, 0)):
            _lower(which, value)
        if self.uid is not None:
            _lower(resource.RLIMIT_NPROC, lim.processes)

    def prepare_dir(self, path: Path, writable: bool) -> None:
        """Give the sandbox user read (and write, for its working folder) access to a folder."""
        if self.uid is None:
            return
        for root, dirs, files in os.walk(path):
            for name in dirs + files + [""]:
                target = os.path.join(root, name) if name else root
                os.chmod(target, 0o755 if os.path.isdir(target) else 0o644)
        if writable:
            os.chown(path, self.uid, self.user.pw_gid if self.user else -1)


def _lower(which: int, value: int) -> None:
    soft, hard = resource.getrlimit(which)
    if hard != resource.RLIM_INFINITY:
        value = min(value, hard)
    try:
        resource.setrlimit(which, (value, value))
    except (ValueError, OSError):
        pass
