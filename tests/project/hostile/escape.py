"""Submissions written by someone who has read the grader's code and aims at the grader itself:
its unpacking, its memory, the folders and users around the worker, the speed yardstick.

Each must cost only what it attacks (most attack nothing graded, and keep full marks), leave nothing
behind (`absent`: paths that must not exist after grading) and never make the grader fail.
"""

from __future__ import annotations

import os
from pathlib import Path

from tests.project.hostile.case import (BOTH_MODES, NUMPYDISTS, RIGHT_ANSWER, Context, Hostile,
                                     files, prepending, reference_entries, replacing, zipped)

BROADCAST = ("broadcasting.given_pairs", "broadcasting.random_pairs")
DEEP = Path("/var/tmp/ag-escape-deep/inner")  # a world-writable folder below the top of a shared one
NOTES = ("/run/lock/ag-escape-note", str(DEEP / "ag-escape-note"), str(DEEP / "ag-escape-dir"))
VICTIM = "/etc/ag-escape-victim"  # what a lock-file symlink planted by the student points at


def clashing_zip(reference: Path) -> list[tuple[str, bytes]]:
    """The reference, plus members no filesystem can hold side by side or at all."""
    too_long = "/".join(["p" * 250] * 15) + "/" + "q" * 250 + ".py"  # past PATH_MAX (4096 bytes)
    return reference_entries(reference) + [
        ("notes", b"a file named like the folder below"), ("notes/extra.py", b"x = 1\n"),
        ("helpers/util.py", b"y = 2\n"), ("helpers", b"a file named like the folder above"),
        ("n" * 300 + "/a.py", b"z = 3\n"), ("f" * 300 + ".py", b"w = 4\n"), (too_long, b"v = 5\n")]


def with_deep_folder(builder):
    """A builder that first makes DEEP: a world-writable folder (sticky, like /tmp) two levels down."""
    def make(reference: Path, dest: Path, ctx: Context) -> Path:
        DEEP.mkdir(parents=True, exist_ok=True)
        os.chmod(DEEP, 0o1777)
        return builder(reference, dest, ctx)
    return make


WRITES_EVERYWHERE = RIGHT_ANSWER + '''
        def broadcast_shape(a, b):
            import os
            for path in ("/run/lock/ag-escape-note", "/var/tmp/ag-escape-deep/inner/ag-escape-note"):
                try:
                    with open(path, "w") as fh:
                        fh.write("left for the next submission")
                except OSError:
                    pass
            try:
                os.makedirs("/var/tmp/ag-escape-deep/inner/ag-escape-dir/more", exist_ok=True)
            except OSError:
                pass
            return _right(a, b)
        '''

FILLS_DEEP_FOLDER = '''
        def broadcast_shape(a, b):
            block = b"x" * (60 << 20)
            i = 0
            while True:
                with open(f"/var/tmp/ag-escape-deep/inner/ag-escape-fill-{i}", "wb") as fh:
                    fh.write(block)
                i += 1
        '''

PLANTS_LOCK_LINKS = '''
        import os as _os
        for _folder, _name in (("/run/lock", "ag-sandbox-slot-{}.lock"), ("/tmp", "ag-sandbox-slot-{}.lock"),
                               ("/run/ag-sandbox-slots", "slot-{}.lock")):
            for _slot in range(64):
                try:
                    _os.symlink("/etc/ag-escape-victim", _os.path.join(_folder, _name.format(_slot)))
                except OSError:
                    pass
        '''

RUNS_BENCHMARK_ANSWERS = '''
        def numpydists(feats, protos):
            namespace = {}
            with open("{PROJECT}/benchmarks/speed_solutions.py") as fh:
                exec(fh.read(), namespace)
            exec(namespace["CORRECT_BROADCAST"], namespace)
            return namespace["numpydists"](feats, protos)
        '''

# A daemon that escapes the worker's tree and keeps the yardstick worker (the one whose manifest
# loads no code) paused 99% of the time, so that a slow hidden loop looks fast.
PAUSES_YARDSTICK = '''
        import json as _json, os as _os, signal as _signal, time as _time
        def _yardsticks(mine):
            found = []
            for entry in _os.listdir("/proc"):
                if not entry.isdigit() or int(entry) in mine:
                    continue
                try:
                    argv = open(f"/proc/{entry}/cmdline", "rb").read().split(b"\\0")
                    manifest = next(a for a in argv if a.endswith(b"manifest.json"))
                    if not _json.load(open(manifest))["units"]:
                        found.append(int(entry))
                except (OSError, StopIteration, ValueError, KeyError):
                    continue
            return found
        _PAUSER = []
        def _pause_yardsticks():
            """(Re)start the daemon: the grader kills escaped processes when it (re)starts a worker."""
            try:
                _os.kill(_PAUSER[-1], 0)
                return
            except (IndexError, OSError):
                pass
            mine = {_os.getpid()}
            read, write = _os.pipe()
            if _os.fork():
                _PAUSER.append(int(_os.read(read, 32)))
                return
            _os.setsid()
            if _os.fork():
                _os._exit(0)
            mine.add(_os.getpid())
            _os.write(write, str(_os.getpid()).encode())
            targets, looked = [], 0.0
            while True:
                if _time.monotonic() - looked > 0.5:
                    targets, looked = _yardsticks(mine), _time.monotonic()
                for sig, pause in ((_signal.SIGSTOP, 0.2), (_signal.SIGCONT, 0.002)):
                    for pid in targets:
                        try:
                            _os.kill(pid, sig)
                        except OSError:
                            pass
                    _time.sleep(pause)
        '''
HIDDEN_LOOP = '''def pytorchdists(feats0, protos0, device):
    import torch
    globals()["_pause_yardsticks"]()  # a call the loop finder does not follow, as the exec below
    feats, protos = torch.as_tensor(feats0), torch.as_tensor(protos0)
    out = torch.empty(len(feats), len(protos), dtype=feats.dtype)
    exec("for i in range(len(feats)):\\n for j in range(len(protos)):\\n  out[i, j] = ((feats[i] - protos[j]) ** 2).sum()")
    return out.numpy()
'''

CASES = [
    Hostile("zip whose members clash, or whose names and paths are too long", zipped(clashing_zip), "distances.",
            says=("could not be written", "File name too long")),
    Hostile("folder nested deeper than any homework", files({"/".join(["d"] * 20) + "/deep.py": "x = 1\n"},
                                                           with_reference=True), "distances.",
            says=("folders deep",)),
    Hostile("4 MB of plain statements and 20,000 lines beside the reference",
            files({"big.py": "x = 1\n" * 700_000, "long.py": "pass\n" * 20_000}, with_reference=True), "distances.",
            says=("`big.py` is 4.0 MB of Python", "it was not loaded", "lines of Python")),
    Hostile("writes below the top of the shared folders and in /run/lock",
            with_deep_folder(replacing("broadcasting", WRITES_EVERYWHERE)), "broadcasting.", modes=BOTH_MODES,
            absent=NOTES),
    Hostile("fills a world-writable folder below the top of /var/tmp",
            with_deep_folder(replacing("broadcasting", FILLS_DEEP_FOLDER)), "broadcasting.", loses=BROADCAST,
            says=("wrote more than",), modes=("basic",), absent=(str(DEEP / "ag-escape-fill-0"),)),
    Hostile("plants symbolic links where the slot lock files are made", prepending("distances", PLANTS_LOCK_LINKS),
            "distances.", modes=BOTH_MODES, absent=(VICTIM,)),
    Hostile("runs the answers kept in the project's benchmarks", replacing("distances", RUNS_BENCHMARK_ANSWERS),
            "distances.", loses=NUMPYDISTS, says=("speed_solutions.py",), modes=BOTH_MODES),
    Hostile("an escaped process pauses the speed yardstick", prepending("distances", PAUSES_YARDSTICK, then=HIDDEN_LOOP),
            "distances.", loses=("distances.torch_no_loops",  # its hidden loop runs through exec, which counts
                                 "distances.torch_faster_than_loops", "distances.torch_speed_vs_reference"),
            modes=BOTH_MODES),
]
