"""Which protections the worker process gets on this platform, and the command that applies them.

Why a policy object: Gradescope runs us as root in Docker (user namespaces may be missing), a TA
runs us as an ordinary user, CI as root on a VM. Each protection is probed once, used when it
works, and reported (to the instructor only) when it does not, so nothing silently degrades.

Two modes. "bubblewrap": the worker gets a private view of the machine (see bubblewrap.py).
"basic" (bwrap missing or refused, or AUTOGRADER_SANDBOX=basic): file permissions, rlimits and,
where the kernel allows it, `unshare --net`. As root, both modes first drop to an unprivileged
user of this grading run's own: each grading process claims a free user (ag-sandbox,
ag-sandbox1, ...) with a lock file it holds until it ends, so that graders running side by side
(grade-all --jobs N, two terminals, CI) never share one: one submission's processes can neither
signal nor starve another's, and "kill every process of my sandbox user" is safe. The users and
their lock files are in users.py; what basic mode does around the worker (every folder the user can
write in, sealed folders, the project's permissions) in basic.py.
"""

from __future__ import annotations

import os
import resource
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from autograder.course.limits import Limits
from autograder.sandbox import basic, bubblewrap, processes, zygote
from autograder.sandbox.basic import SHARED_TMP, sandbox_temp_base
from autograder.sandbox.users import claim_slot, ensure_sandbox_user, own_group, release_slot, sandbox_user_name

__all__ = ["Protections", "SandboxPolicy", "SHARED_TMP", "ensure_sandbox_user", "sandbox_temp_base"]
_PROBED: dict[tuple, tuple[str, list[str], list[str]]] = {}  # (mode, uid, python) -> probe outcome
_USER_RUNS_PYTHON: dict[tuple[int, str], bool] = {}  # (sandbox uid, python) -> it can run that interpreter
TEMPLATE_START = "forked from a pre-started template (numpy, torch and matplotlib imported once per grading process)"


@dataclass
class Protections:
    """What is active for this run; `report()` lines go to the instructor-only stdout."""

    mode: str = "basic"
    user: str | None = None  # the unprivileged user the worker runs as, or None
    network_blocked: bool = False
    network_how: str = ""
    processes_limited: bool = False
    worker_start: str = "fresh interpreter per worker"
    notes: list[str] = field(default_factory=list)

    @property
    def guards_grader_files(self) -> bool:
        """Whether the worker is kept from the hidden tests and the reference (out of its view, or
        behind permissions of another user): without that, a submission could copy the answers."""
        return self.mode == "bubblewrap" or self.user is not None

    def report(self) -> list[str]:
        private = self.mode == "bubblewrap"
        return [
            "separate worker process per submission: yes",
            "resource limits (CPU time, address space, file size, open files): yes; "
            f"process count: {'yes' if self.processes_limited else 'NO'}",
            f"sandbox: {'bubblewrap (private file view, PID namespace, private /tmp)' if private else 'basic (no bubblewrap)'}",
            f"unprivileged user: {self.user or 'NO (grader is not root: the worker runs as the grading user)'}",
            f"network blocked: {self.network_how if self.network_blocked else 'NO'}",
            "hidden tests, reference and rubric unreadable by the worker: "
            + ("yes (not in its view)" if private else "yes (permissions)" if self.user else "NO"),
            f"worker start: {self.worker_start}",
        ] + [f"note: {n}" for n in self.notes]


def _works(command: list[str]) -> bool:
    try:
        return subprocess.run(command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL, timeout=30).returncode == 0
    except (OSError, subprocess.SubprocessError):
        return False


def _own_process_count() -> int:
    uid, count = os.getuid(), 0
    try:
        entries = os.listdir("/proc")
    except OSError:
        return 0
    for entry in entries:
        if entry.isdigit():
            try:
                count += os.stat(f"/proc/{entry}").st_uid == uid
            except OSError:
                continue
    return count


class SandboxPolicy:
    """Builds the worker's command line and pre-exec hook for the protections that work here."""

    def __init__(self, limits: Limits, python: str) -> None:
        processes.harden_grader_process()  # first: what the probes below orphan comes back to us
        self.limits = limits
        self.python = python
        self.protections = Protections()
        self._slot_lock = -1
        self.user = None
        if os.geteuid() == 0:
            slot, self._slot_lock = claim_slot()
            self.user = ensure_sandbox_user(sandbox_user_name(slot))
        self._drop: list[str] = []
        self._net: list[str] = []
        self._own_processes = 0
        self._writable: list[Path] | None = None
        self.fresh_workers = 0  # workers started as fresh interpreters (not forked from the template)
        self._probe()

    # ---- probing ------------------------------------------------------------------------------
    def _probe(self) -> None:
        prot = self.protections
        if self.user is not None and shutil.which("setpriv"):
            self._drop = ["setpriv", f"--reuid={self.user.pw_uid}", f"--regid={self.user.pw_gid}",
                          "--clear-groups", "--no-new-privs", "--"]
            key = (self.user.pw_uid, self.python)
            if key not in _USER_RUNS_PYTHON:  # asked once per grading process (a service grades many)
                _USER_RUNS_PYTHON[key] = _works(self._drop + [self.python, "-I", "-c", "import numpy"])
            if _USER_RUNS_PYTHON[key]:
                prot.user = f"{self.user.pw_name} (uid {self.user.pw_uid})"
            else:
                self._drop = []
                prot.notes.append(f"the interpreter {self.python} cannot be run by {self.user.pw_name} "
                                  "(is it under /root?); the worker keeps the grader's user")
        elif os.geteuid() == 0:
            prot.notes.append("could not create an unprivileged user (no useradd/setpriv)")
        prot.processes_limited = self.uid is not None or os.geteuid() != 0
        wanted = os.environ.get("AUTOGRADER_SANDBOX", "auto")
        key = (wanted, self.uid, self.python)
        if key not in _PROBED:
            _PROBED[key] = self._probe_mode(wanted)
        prot.mode, self._net, notes = _PROBED[key]
        prot.notes += notes
        if prot.mode == "bubblewrap":
            prot.network_blocked, prot.network_how = True, "private network namespace (bubblewrap)"
        elif self._net:
            how = "network and IPC namespaces" if "--ipc" in self._net else "network namespace"
            prot.network_blocked, prot.network_how = True, f"private {how} (unshare)"
        self._probe_template()
        if prot.mode == "basic" and self.uid is not None:
            sealed = basic.seal(basic.private_folders())
            if sealed:
                prot.notes.append("made unreachable to the sandbox users: " + ", ".join(sealed))

    def _probe_mode(self, wanted: str) -> tuple[str, list[str], list[str]]:
        """("bubblewrap" | "basic", unshare prefix for basic mode, notes)."""
        notes: list[str] = []
        root_without_drop = os.geteuid() == 0 and not self._drop
        if wanted != "basic" and bubblewrap.available() and not root_without_drop:
            trial = Path(tempfile.mkdtemp(prefix="ag-probe-", dir=sandbox_temp_base()))
            try:
                os.chmod(trial, 0o755)
                (trial / "work").mkdir()
                command = self._drop + bubblewrap.arguments(self.python, trial, trial / "work", 8)
                if _works(command + [self.python, "-I", "-c", "import numpy"]):
                    return "bubblewrap", [], notes
            finally:
                shutil.rmtree(trial, ignore_errors=True)
            notes.append("bubblewrap is installed but refused to start here (user namespaces disabled?)")
        elif wanted == "basic":
            notes.append("bubblewrap not used (AUTOGRADER_SANDBOX=basic)")
        elif root_without_drop:
            notes.append("bubblewrap not used: it needs the unprivileged user")
        else:
            notes.append("bubblewrap is not installed (apt install bubblewrap): the worker sees the "
                         "grader's files with its user's permissions, and a process outside its tree survives only until cleanup")
        net: list[str] = []
        prefix = ["unshare"] if os.geteuid() == 0 else ["unshare", "--user", "--map-current-user"]
        for namespaces in (["--net", "--ipc"], ["--net"]):  # IPC too where allowed: no System V segment outlives the run
            if shutil.which("unshare") and _works(prefix + namespaces + ["true"]):
                net = prefix + namespaces + ["--"]
                break
        if not net:
            notes.append("network namespaces are not available here: the worker could open sockets")
        elif "--ipc" not in net:
            notes.append("IPC namespaces are not available here: System V shared memory could outlive the run")
        if os.geteuid() == 0 and not shutil.which("find"):
            notes.append("`find` is missing: only /tmp, /var/tmp and /dev/shm are cleared of the worker's files")
        return "basic", net, notes

    # ---- starting a worker --------------------------------------------------------------------
    @property
    def uid(self) -> int | None:
        return self.user.pw_uid if self.user is not None and self.protections.user else None

    @property
    def private_view(self) -> bool:
        return self.protections.mode == "bubblewrap"

    def command(self, argv: list[str], sandbox_dir: Path, workdir: Path, staged_bytes: int = 0) -> list[str]:
        """`staged_bytes`: what the grader puts in the working folder itself (copies of the student's
        data files), given on top of the workspace."""
        self._own_processes = _own_process_count() if os.geteuid() != 0 else 0  # for preexec
        if self.private_view:
            view = bubblewrap.arguments(self.python, sandbox_dir, workdir, self.limits.workspace_mb, staged_bytes)
            return self._drop + view + [self.python, "-I"] + argv
        return self._net + self._drop + [self.python, "-I"] + argv

    def new_sandbox_dir(self) -> Path:
        """A fresh folder for a student's worker: inside the pre-started template's base where the
        template serves this run (started here on first use), else in the temp folder as before."""
        template = self._template()
        return template.sandbox_dir() if template is not None else basic.new_sandbox_dir()

    def start_template(self) -> bool:
        """Start this process's worker template now if it is to serve (a grading service warming up)."""
        return self._template() is not None

    def _template(self) -> zygote.Zygote | None:
        """The pre-started template (started on first use), or None with the reason reported."""
        if self.protections.worker_start != TEMPLATE_START:
            return None
        try:
            return zygote.shared(self.python, self.private_view)
        except zygote.ZygoteUnavailable as exc:
            self.protections.worker_start = f"fresh interpreter per worker ({exc})"
            return None

    def _probe_template(self) -> None:
        reason = zygote.unavailable_reason(self.private_view)
        if reason is None and self.uid is None:
            reason = "the pre-started worker template needs the unprivileged sandbox user"
        self.protections.worker_start = TEMPLATE_START if reason is None else f"fresh interpreter per worker ({reason})"

    def template_for(self, sandbox_dir: Path) -> zygote.Zygote | None:
        """The running template that can start a worker in `sandbox_dir` (one inside its base)."""
        return zygote.serving(self.python, self.private_view, sandbox_dir)

    def child_spec(self, argv: list[str], sandbox_dir: Path, workdir: Path, staged_bytes: int,
                   env: dict[str, str]) -> dict[str, object]:
        """What the template's child applies to itself: the same namespaces, user, rlimits and
        private mounts as `command` and `preexec` give a fresh worker."""
        lim, mb = self.limits, 1024 * 1024
        rlimits = self._rlimits() + [(resource.RLIMIT_NPROC, lim.processes)]  # the template needs the sandbox user
        if self.private_view:
            namespaces = ["mount", "pid", "net", "ipc", "uts"]
            under_tmp = [str(f) for f in bubblewrap.interpreter_folders(self.python) if Path("/tmp") in f.parents]
            view = {"base": str(sandbox_dir.parent), "tmp_bytes": lim.workspace_mb * mb,
                    "work_bytes": lim.workspace_mb * mb + staged_bytes, "keep": under_tmp}
        else:
            namespaces = [name for name in ("net", "ipc") if f"--{name}" in self._net]
            view = None
        return {"argv": argv, "env": env, "cwd": str(workdir), "sandbox_dir": str(sandbox_dir), "view": view,
                "namespaces": namespaces, "rlimits": rlimits, "uid": self.uid,
                "gid": self.user.pw_gid if self.user is not None else None}

    def _rlimits(self) -> list[tuple[int, int]]:
        """Every worker's limits but the process count (which depends on the user it runs as)."""
        lim, mb = self.limits, 1024 * 1024
        return [(resource.RLIMIT_CPU, lim.cpu_seconds), (resource.RLIMIT_AS, lim.address_space_mb * mb),
                (resource.RLIMIT_FSIZE, lim.file_size_mb * mb), (resource.RLIMIT_NOFILE, lim.open_files),
                (resource.RLIMIT_CORE, 0)]

    def preexec(self) -> None:
        """Runs in the child before exec (still as the grader's user): limits, and first in line
        for the out-of-memory killer (a student's allocation never takes the grader down)."""
        lim = self.limits
        for which, value in self._rlimits():
            _lower(which, value)
        if self.uid is not None:
            _lower(resource.RLIMIT_NPROC, lim.processes)
        elif os.geteuid() != 0:  # the TA's own user: allow this many more than it already runs
            _lower(resource.RLIMIT_NPROC, self._own_processes + lim.processes)
        try:
            with open("/proc/self/oom_score_adj", "w", encoding="ascii") as fh:
                fh.write("1000")
        except OSError:
            pass

    def prepare_dir(self, path: Path, writable: bool) -> None:
        """Give the sandbox user read (and write, for its working folder) access to a folder, and to
        no other run's user: the run's sandbox folder itself is root's, in the group of this run's
        user alone, 0750 (staged code, manifest, runtime and working folder inside it). A
        fresh working folder means a fresh worker: what the user wrote outside it goes too, or a
        call stopped for filling the disk would stop every later call as well."""
        if self.uid is None:
            return
        if writable:
            basic.remove(self.shared_tmp_entries())
        for root, dirs, files in os.walk(path):
            for name in dirs + files + ([""] if writable or root != str(path) else []):
                target = os.path.join(root, name) if name else root
                os.chmod(target, 0o755 if os.path.isdir(target) else 0o644)
        gid = self.user.pw_gid if self.user else -1
        if writable:
            os.chown(path, self.uid, gid)
        elif own_group(self.user):  # the run's sandbox folder: its user alone may enter it
            os.chown(path, 0, gid)
            os.chmod(path, 0o750)
        else:
            os.chmod(path, 0o755)
            self.protections.notes.append(f"{self.user.pw_name} shares its group with other users: the sandbox "
                                          "folder of this run is readable by the other runs' users")

    def close(self) -> None:
        """Give this run's sandbox user back (after its processes and files are gone)."""
        if self._slot_lock >= 0:
            release_slot(self._slot_lock)
            self._slot_lock = -1

    def __del__(self) -> None:
        try:
            self.close()
        except Exception:  # interpreter shutdown
            pass

    # ---- after a worker -----------------------------------------------------------------------
    def clear_leftovers(self) -> None:
        """Before and after a run: end every process of the sandbox user (as root, kill -1 as that
        user, whatever the mode: an earlier run in another mode may have left some), reap what came
        back to us, and remove what the user left in the shared temp folders."""
        if self.uid is not None:
            _works(self._drop + ["kill", "-KILL", "-1"])
        processes.sweep_orphans(keep=processes.LIVE_WORKERS, quiet=self.orphan_quiet)
        basic.remove(self.shared_tmp_entries())

    @property
    def orphan_quiet(self) -> float:
        """How long to wait for more orphans once none comes: a fresh worker's tree scatters to the
        grader (the subreaper) a little after it dies; a forked worker's orphans stay below its own
        subreaper and die with it (zygote_main.py), so none can come."""
        return processes.ORPHAN_QUIET if self.fresh_workers else 0.0

    def writable_folders(self) -> list[Path]:
        """Where the sandbox user can leave files: in basic mode every folder it may write in (asked
        of the system once, as that user); under bubblewrap it writes nowhere outside its tmpfs, and
        only the shared temp folders are checked (for what an earlier basic-mode run left)."""
        if self._writable is None:
            basic_mode = self.uid is not None and not self.private_view
            self._writable = basic.writable_folders(self._drop) if basic_mode else [Path(p) for p in SHARED_TMP]
        return self._writable

    def shared_tmp_entries(self) -> list[Path]:
        """As root: what the sandbox user left in the folders it can write in, outside its sandbox."""
        return [] if self.uid is None else basic.owned_entries(self.writable_folders(), self.uid)

    def disk_bytes(self, workdir: Path) -> int:
        """Bytes a basic-mode worker has written where it could (bubblewrap caps its tmpfs instead)."""
        return sum(basic.tree_bytes(p) for p in [workdir] + self.shared_tmp_entries())

    def another_user(self) -> SandboxPolicy:
        """A policy of its own sandbox user (as root): for the trusted yardstick worker, so that no
        process of the student's user can signal (SIGSTOP) or trace it. It runs no student code:
        the shared temp folders are all it needs cleared, without the scan of writable folders."""
        other = SandboxPolicy(self.limits, self.python)
        other._writable = [Path(p) for p in SHARED_TMP]
        return other


def _lower(which: int, value: int) -> None:
    soft, hard = resource.getrlimit(which)
    if hard != resource.RLIM_INFINITY:
        value = min(value, hard)
    try:
        resource.setrlimit(which, (value, value))
    except (ValueError, OSError):
        pass
