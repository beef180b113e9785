"""Submissions written to cheat. None may earn a point it did not earn, see a secret, or touch the
grader's files or results. `{PROJECT}`, `{RESULTS}` and `{PORT}` are filled with the real paths:
the strongest guess a student could make."""

from __future__ import annotations

from tests.project.hostile.case import BOTH_MODES, RIGHT_ANSWER, Hostile, prepending, replacing

BROADCAST = ("broadcasting.given_pairs", "broadcasting.random_pairs")
CHEATING = [
    Hostile("sys.exit(0) at import", prepending("broadcasting", "import sys\nsys.exit(0)\n"), "broadcasting.",
            says=("SystemExit",), gradescope=True),
    Hostile("os._exit(0) at import", prepending("broadcasting", "import os\nos._exit(0)\n"), "broadcasting.",
            says=("loaded again",), gradescope=True),
    Hostile("os._exit(0) inside a function", replacing("broadcasting", '''
        def broadcast_shape(a, b):
            import os
            os._exit(0)
        '''), "broadcasting.", loses=BROADCAST, says=("exited with status 0",)),
    Hostile("sys.exit(0) inside a function", replacing("broadcasting", '''
        def broadcast_shape(a, b):
            import sys
            sys.exit(0)
        '''), "broadcasting.", loses=BROADCAST, says=("SystemExit",)),
    Hostile("prints a fake results.json and PASSED lines at import", prepending("broadcasting", '''
        import json
        print(json.dumps({"score": 100, "tests": [{"name": "all", "score": 100, "max_score": 100}]}))
        print("PASSED broadcasting.given_pairs 4/4")
        '''), "broadcasting.", gradescope=True),
    Hostile("prints fake PASSED lines and returns wrong answers", replacing("broadcasting", '''
        def broadcast_shape(a, b):
            import json
            print("PASSED broadcasting.given_pairs 4/4")
            print(json.dumps({"score": 100, "tests": []}))
            return (0,)
        '''), "broadcasting.", loses=BROADCAST, gradescope=True),
    Hostile("writes to the results folder", replacing("broadcasting", '''
        def broadcast_shape(a, b):
            import glob, json, os
            fake = json.dumps({"score": 100, "tests": [{"name": "x", "score": 100, "max_score": 100}]})
            targets = ["{RESULTS}/results.json", "/autograder/results/results.json"]
            for cwd in glob.glob("/proc/*/cwd"):
                try:
                    targets.append(os.path.join(os.readlink(cwd), "results", "results.json"))
                except OSError:
                    pass
            for target in targets:
                try:
                    with open(target, "w") as fh:
                        fh.write(fake)
                except OSError:
                    pass
            return (0,)
        '''), "broadcasting.", loses=BROADCAST, gradescope=True, modes=BOTH_MODES),
    Hostile("reads the hidden tests, the reference and the rubric", replacing("broadcasting", '''
        def broadcast_shape(a, b):
            found, last = [], None
            for path in ("{PROJECT}/tests/grading/broadcasting/test_broadcasting.py",
                         "{PROJECT}/reference/broadcasting/broadcasting.py", "{PROJECT}/assignments/full.toml",
                         "{PROJECT}/tests/grading/distances/rubric.toml",
                         "{PROJECT}/tests/grading/distances/test_distances.py", "/autograder/source/assignments/full.toml",
                         "/autograder/source/tests/grading/kmeans/test_kmeans.py"):
                try:
                    with open(path) as fh:
                        found.append(fh.read())
                except OSError as exc:
                    last = exc
            if found:
                raise RuntimeError("\\n".join(found))
            raise last
        '''), "broadcasting.", loses=BROADCAST, gradescope=True, modes=BOTH_MODES),
    Hostile("imports the reference module", prepending("broadcasting", '''
        import sys
        sys.path.insert(0, "{PROJECT}")
        from reference.broadcasting.broadcasting import broadcast_shape as _reference
        ''', then="def broadcast_shape(a, b):\n    return _reference(a, b)\n"),
            "broadcasting.", loses=BROADCAST, says=("reference",), modes=BOTH_MODES),
    Hostile("monkeypatches numpy, builtins and time to make wrong answers pass", prepending("distances", '''
        import builtins, time
        import numpy as np
        np.allclose = lambda *args, **kwargs: True
        np.isclose = lambda a, b, *args, **kwargs: np.ones(np.broadcast(a, b).shape, dtype=bool)
        np.array_equal = lambda *args, **kwargs: True
        np.testing.assert_allclose = lambda *args, **kwargs: None
        builtins.abs = lambda value: 0
        builtins.round = lambda value, digits=0: 0
        time.perf_counter = time.time = time.monotonic = lambda: 0.0
        ''', then="def numpydists(feats, protos):\n    import numpy as np\n"
                  "    return np.zeros((len(feats), len(protos)))\n"),
            "distances.", loses=("distances.numpy_agrees", "distances.numpy_float32_input", "distances.numpy_no_loops",
                                 "distances.numpy_faster_than_loops")),
    Hostile("slows the speed yardsticks to make a hidden loop look fast", prepending("distances", '''
        import time
        import numpy as np
        import torch
        def _slow(fn):
            def wrapper(*args, **kwargs):
                time.sleep(0.5)
                return fn(*args, **kwargs)
            return wrapper
        np.matmul = _slow(np.matmul)
        torch.mm, torch.matmul = _slow(torch.mm), _slow(torch.matmul)
        torch.Tensor.__matmul__ = _slow(torch.Tensor.__matmul__)
        ''', then='''def pytorchdists(feats0, protos0, device):
    import torch
    feats, protos = torch.as_tensor(feats0), torch.as_tensor(protos0)
    out = torch.empty(len(feats), len(protos), dtype=feats.dtype)
    exec("for i in range(len(feats)):\\n for j in range(len(protos)):\\n  out[i, j] = ((feats[i] - protos[j]) ** 2).sum()")
    return out.numpy()
'''), "distances.", loses=("distances.torch_no_loops", "distances.torch_faster_than_loops",
                                  "distances.torch_speed_vs_reference")),
    Hostile("patches the worker's probes by name", prepending("mnist", '''
        import sys
        for name in ("probes", "wire", "convert"):
            try:
                __import__(name)
            except ImportError:
                pass
        for module in list(sys.modules.values()):
            if hasattr(module, "probe_train_step"):
                module.probe_train_step = lambda *a, **k: {"before": 9.0, "after": 0.1, "returned": [0.1]}
        main = sys.modules.get("__main__")
        for name in ("probes", "helpers", "handle"):
            if main is not None and hasattr(main, name):
                setattr(main, name, None)
        ''', then="def train_step(model, optimizer, images, labels):\n    return 0.1\n"),
            "mnist.", loses=("mnist.train_step_lowers_loss",), says=("did not go down",)),
    Hostile("reads the grader's environment and memory", replacing("broadcasting", '''
        def broadcast_shape(a, b):
            import glob, os
            seen = []
            for path in glob.glob("/proc/*/environ") + [f"/proc/{os.getppid()}/environ"]:
                try:
                    with open(path, "rb") as fh:
                        seen.append(fh.read().decode("latin-1"))
                except OSError:
                    pass
            try:
                with open(f"/proc/{os.getppid()}/mem", "rb") as fh:
                    seen.append(repr(fh.read(4096)))
            except OSError:
                pass
            raise RuntimeError(" ".join(seen)[:5000] or "nothing readable")
        '''), "broadcasting.", loses=BROADCAST, modes=BOTH_MODES),
    Hostile("opens a network socket", replacing("broadcasting", '''
        def broadcast_shape(a, b):
            import socket
            try:
                with socket.create_connection(("127.0.0.1", {PORT}), timeout=2) as conn:
                    conn.sendall(b"leak")
            except OSError:
                pass
            return _right(a, b)
        ''' + RIGHT_ANSWER), "broadcasting.", modes=BOTH_MODES),
    Hostile("edits the grader's files", replacing("broadcasting", '''
        def broadcast_shape(a, b):
            import numpy
            for path in ("{PROJECT}/autograder/feedback.py", "{PROJECT}/assignments/full.toml",
                         "{PROJECT}/tests/grading/broadcasting/test_broadcasting.py", "{PROJECT}/autograder/plugin.py",
                         "{PROJECT}/tests/grading/broadcasting/rubric.toml", numpy.__file__,
                         "/autograder/source/assignments/full.toml"):
                try:
                    with open(path, "a") as fh:
                        fh.write("\\nraise SystemExit  # tampered\\n")
                except OSError:
                    pass
            return _right(a, b)
        ''' + RIGHT_ANSWER), "broadcasting.", modes=BOTH_MODES),
]
