"""The pre-started template of the worker (the "zygote"): imports numpy, torch and matplotlib once, then forks
one isolated child per worker start.

Why: a fresh worker pays the interpreter and `import torch` (about 1-2 s of CPU, 220 MB) before any
student code runs; across a class that is most of the cost of a quick submission. This process
runs as root (in the grader's private bubblewrap view, or, in basic mode, beside the grader), never
runs or reads student code and holds nothing secret: only libraries are loaded. Each child first
isolates itself exactly as a fresh worker is isolated, and only then loads the student's code by
running the ordinary worker_main.py of its own sandbox folder:

  zygote ─fork─► C1 (root; own session; subreaper: reports the worker's exit status)
                  └─ bubblewrap mode: unshare mount, PID, network, IPC, UTS namespaces ─fork─►
                     P1 (PID 1 of the new namespace, root: private /tmp, /dev/shm, working folder
                        tmpfs, its own sandbox folder read-only and nothing else of the sandbox base,
                        a /proc of its own namespace) ─fork─► W
                  └─ basic mode: unshare network and IPC namespaces ─fork─► W
                  W: closes every other descriptor, drops to the run's sandbox user (groups
                     cleared, all capabilities gone, no_new_privs), applies the run's rlimits and
                     oom score, reseeds the random generators, then runs worker_main.py.

Protocol (a Unix socket from the grader): each request is one JSON message with three descriptors
(request pipe, response pipe, log file) and a fourth, the status pipe, on which C1 writes the
worker's exit code ("-N" for a signal) before it exits. The zygote answers {"pid": C1's pid}.
Standalone: it imports nothing from the grader's package (like worker_main.py).
"""

from __future__ import annotations

import ctypes
import errno
import json
import os
import resource
import runpy
import signal
import socket
import sys
import traceback
from typing import Any

CLONE_NEWNS, CLONE_NEWUTS, CLONE_NEWIPC = 0x00020000, 0x04000000, 0x08000000
CLONE_NEWPID, CLONE_NEWNET = 0x20000000, 0x40000000
NAMESPACES = {"mount": CLONE_NEWNS, "uts": CLONE_NEWUTS, "ipc": CLONE_NEWIPC, "pid": CLONE_NEWPID, "net": CLONE_NEWNET}
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC = 1, 2, 4, 8
MS_REMOUNT, MS_BIND, MS_REC, MS_PRIVATE = 32, 4096, 16384, 1 << 18
PR_SET_PDEATHSIG, PR_SET_DUMPABLE, PR_CAPBSET_DROP, PR_SET_CHILD_SUBREAPER, PR_SET_NO_NEW_PRIVS = 1, 4, 24, 36, 38
CAPABILITY_VERSION_3 = 0x20080522
LIBC = ctypes.CDLL(None, use_errno=True)
PRELOADED = ("numpy", "torch", "matplotlib.pyplot")  # what most workers import anyway: paid once here
FAULT_EXIT = 70  # after "E:..." on the status pipe; the exit status follows that line
LIBRARY_FDS: set[int] = set()  # what the libraries opened while imported: theirs, kept in every worker


def _check(result: int, what: str) -> None:
    if result != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"{what}: {os.strerror(err)}")


def _mount(source: str | None, target: str, fstype: str | None, flags: int, data: str | None = None) -> None:
    enc = (lambda s: s.encode() if s is not None else None)
    _check(LIBC.mount(enc(source), enc(target), enc(fstype), ctypes.c_ulong(flags), enc(data)), f"mount {target}")


def _prctl(option: int, value: int) -> None:
    _check(LIBC.prctl(option, ctypes.c_ulong(value), 0, 0, 0), f"prctl {option}")


def _tmpfs(target: str, size: int, mode: str = "0755", owner: tuple[int, int] | None = None) -> None:
    options = f"size={size},mode={mode}" + (f",uid={owner[0]},gid={owner[1]}" if owner else "")
    _mount("tmpfs", target, "tmpfs", MS_NOSUID | MS_NODEV, options)


def _clear_inheritable() -> None:
    """capset: no permitted, effective or inheritable capability left (the drop from root already
    emptied the first two; the inheritable set is kept by a uid change)."""
    header = (ctypes.c_uint32 * 2)(CAPABILITY_VERSION_3, 0)
    data = (ctypes.c_uint32 * 6)()
    _check(LIBC.capset(header, data), "capset")


def private_view(spec: dict[str, Any]) -> None:
    """In P1 (root, own mount and PID namespaces): the mounts that bubblewrap gives a fresh worker
    on top of the zygote's view, which already holds only the system, the interpreter and the
    sandbox base. What the previous child wrote anywhere is out of sight: every writable place is new.
    What the new /tmp covers and the worker needs (its sandbox folder; an interpreter under /tmp) is
    shown again, read-only, through descriptors opened before."""
    view, sandbox = spec["view"], spec["sandbox_dir"]
    _mount(None, "/", None, MS_REC | MS_PRIVATE)
    shown = sorted(set(view["keep"]) | {sandbox})
    kept = {path: os.open(path, os.O_PATH | os.O_DIRECTORY) for path in shown}
    _tmpfs("/tmp", view["tmp_bytes"], "1777")
    base = view["base"]
    if os.path.isdir(base):  # a base outside /tmp is still in sight: hide it (other runs' folders)
        _tmpfs(base, 1 << 20)
    for path in shown:
        os.makedirs(path, mode=0o755, exist_ok=True)
        _mount(f"/proc/self/fd/{kept[path]}", path, None, MS_BIND | MS_REC)
        _mount(None, path, None, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV)
        os.close(kept[path])
    _tmpfs(spec["cwd"], view["work_bytes"], "0700", (spec["uid"], spec["gid"]) if spec["uid"] is not None else None)
    if os.path.isdir("/dev/shm"):
        _tmpfs("/dev/shm", view["tmp_bytes"], "1777")
    _mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC)


def become_worker(spec: dict[str, Any], fds: dict[str, int]) -> None:
    """In W: the descriptors, user, limits and environment of a fresh worker; then its code. A
    failure before the code runs is the template's, said on the status pipe ("E:" and why)."""
    try:
        _isolate_worker(spec, fds)
    except BaseException as exc:
        _fault(fds, f"worker set-up: {exc}")
    os.close(fds["status"])  # from here on, nothing the student runs can speak for the template
    _run_worker(spec)


def _isolate_worker(spec: dict[str, Any], fds: dict[str, int]) -> None:
    os.dup2(fds["log"], 1)
    os.dup2(fds["log"], 2)
    null = os.open("/dev/null", os.O_RDONLY)
    os.dup2(null, 0)
    keep = {0, 1, 2, fds["request"], fds["response"], fds["status"], *LIBRARY_FDS}
    for fd in sorted(int(name) for name in os.listdir("/proc/self/fd")):
        if fd not in keep:
            try:
                os.close(fd)
            except OSError:
                pass
    for sig in (signal.SIGCHLD, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, signal.SIG_DFL)
    for which, value in spec["rlimits"]:
        soft, hard = resource.getrlimit(which)
        value = value if hard == resource.RLIM_INFINITY else min(value, hard)
        resource.setrlimit(which, (value, value))
    with open("/proc/self/oom_score_adj", "w", encoding="ascii") as fh:
        fh.write("1000")
    os.chdir(spec["cwd"])
    for cap in range(64):  # the bounding set emptied: nothing this process execs can regain one
        if LIBC.prctl(PR_CAPBSET_DROP, ctypes.c_ulong(cap), 0, 0, 0) != 0 and ctypes.get_errno() == errno.EINVAL:
            break
    if spec["uid"] is not None:
        os.setgroups([])
        os.setresgid(spec["gid"], spec["gid"], spec["gid"])
        os.setresuid(spec["uid"], spec["uid"], spec["uid"])  # from root: every capability is cleared
    _clear_inheritable()
    _prctl(PR_SET_NO_NEW_PRIVS, 1)
    _prctl(PR_SET_DUMPABLE, 1)  # as after an exec: its own processes may inspect it, nobody else
    os.environ.clear()
    os.environ.update(spec["env"], **({"PWD": spec["cwd"]} if spec["view"] else {}))  # as bwrap --chdir sets it
    for name in ("random", "numpy.random"):  # seeded when imported, in the template: reseeded here,
        if name in sys.modules:                  # so that generators differ run to run as a fresh worker's
            sys.modules[name].seed()
    sys.argv = spec["argv"][:2] + [str(fds["request"]), str(fds["response"])] + spec["argv"][4:]
    sys.path[0] = os.path.dirname(spec["argv"][0])


def _run_worker(spec: dict[str, Any]) -> None:
    code = 0
    try:
        runpy.run_path(spec["argv"][0], run_name="__main__")
    except SystemExit as stop:
        code = stop.code if isinstance(stop.code, int) else (0 if stop.code is None else 1)
    except BaseException:
        traceback.print_exc()
        code = 1
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except Exception:
            pass
    os._exit(code)


def _fault(fds: dict[str, int], message: str) -> None:
    """The template's own failure (never the student's): said on the status pipe, then exit."""
    try:
        os.write(fds["status"], ("E:" + message.replace("\n", " ")[:500] + "\n").encode("utf-8", "replace"))
    finally:
        os._exit(FAULT_EXIT)


def _status(wait_status: int) -> int:
    return -os.WTERMSIG(wait_status) if os.WIFSIGNALED(wait_status) else os.WEXITSTATUS(wait_status)


def _wait_for(pid: int) -> int:
    """Wait for `pid`, reaping every other child (orphans adopted as subreaper or PID 1) meanwhile."""
    while True:
        try:
            done, status = os.wait()
        except ChildProcessError:
            return -signal.SIGKILL
        if done == pid:
            return _status(status)


def run_child(spec: dict[str, Any], fds: dict[str, int]) -> None:
    """C1: isolate, start W (through P1 under bubblewrap), report W's exit status, exit."""
    code = -signal.SIGKILL
    try:
        os.setsid()
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        _prctl(PR_SET_CHILD_SUBREAPER, 1)  # what the worker double-forks stays in this tree
        spaces = sum(NAMESPACES[name] for name in spec["namespaces"])
        if spaces:
            _check(LIBC.unshare(ctypes.c_int(spaces)), "unshare")
        pid = os.fork()
        if pid == 0:
            try:
                _prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
            except OSError as exc:
                _fault(fds, str(exc))
            if spec["view"]:
                run_namespace_init(spec, fds)
            become_worker(spec, fds)
        for fd in (fds["request"], fds["response"], fds["log"]):
            os.close(fd)
        code = _wait_for(pid)
        if spec["view"] and code == 0:
            os._exit(0)  # P1 wrote the worker's status itself
    except BaseException as exc:
        _fault(fds, f"isolation: {exc}")
    try:
        os.write(fds["status"], str(code).encode())
    finally:
        os._exit(0)


def run_namespace_init(spec: dict[str, Any], fds: dict[str, int]) -> None:
    """P1: build the private view, start W, reap every orphan of the namespace until W ends, write
    W's exit status, exit (which ends every process left in the namespace)."""
    try:
        private_view(spec)
    except BaseException as exc:
        _fault(fds, f"private view: {exc}")
    worker = os.fork()
    if worker == 0:
        become_worker(spec, fds)
    for fd in (fds["request"], fds["response"], fds["log"]):
        os.close(fd)
    os.write(fds["status"], str(_wait_for(worker)).encode())
    os._exit(0)


def serve(control: socket.socket) -> None:
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # C1s are reaped by the kernel
    control.sendall(json.dumps({"ready": True, "threads": len(os.listdir("/proc/self/task"))}).encode())
    while True:
        message, fds, _flags, _addr = socket.recv_fds(control, 1 << 20, 4)
        if not message:
            return
        spec = json.loads(message)
        named = dict(zip(("request", "response", "log", "status"), fds))
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:
            control.close()
            run_child(spec, named)
        for fd in fds:
            os.close(fd)
        control.sendall(json.dumps({"pid": pid}).encode())


def main() -> None:
    control = socket.socket(fileno=int(sys.argv[1]))
    _prctl(PR_SET_DUMPABLE, 0)  # nobody reads this process's memory through /proc
    before = set(os.listdir("/proc/self/fd"))
    for name in PRELOADED:
        try:
            __import__(name)
        except ImportError:  # a course without that library: its workers import what they use
            pass
    LIBRARY_FDS.update(int(fd) for fd in set(os.listdir("/proc/self/fd")) - before)
    serve(control)


if __name__ == "__main__":
    main()
