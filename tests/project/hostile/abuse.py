"""Wrong answers that look right, and code that abuses the machine. Each costs only its own tests."""

from __future__ import annotations

from tests.project.hostile.case import BOTH_MODES, NUMPYDISTS, RIGHT_ANSWER, TORCHDISTS, Hostile, replacing

BROADCAST = ("broadcasting.given_pairs", "broadcasting.random_pairs")

WRONG_ANSWERS = [
    Hostile("returns None", replacing("distances", '''
        def pytorchdists(feats0, protos0, device):
            result = feats0 @ protos0.T
        '''), "distances.", loses=TORCHDISTS, says=("did you forget `return`",)),
    Hostile("returns an object whose __eq__ always says True", replacing("distances", '''
        class AlwaysEqual:
            def __eq__(self, other):
                return True
            __array_priority__ = 1000
            def __array__(self, dtype=None, copy=None):
                import numpy as np
                return np.zeros((1, 1))
        def numpydists(feats, protos):
            return AlwaysEqual()
        '''), "distances.", loses=NUMPYDISTS, says=("AlwaysEqual",)),
    Hostile("returns an array whose __array__ lies", replacing("distances", '''
        import numpy as np
        class Lying(np.ndarray):
            def __array__(self, dtype=None, copy=None):
                return self.truth
            def __eq__(self, other):
                return np.ones(np.shape(other), dtype=bool)
        def numpydists(feats, protos):
            truth = ((feats[:, None, :] - protos[None, :, :]) ** 2).sum(axis=2)
            out = np.zeros_like(truth).view(Lying)
            out.truth = truth
            return out
        '''), "distances.", loses=("distances.numpy_agrees", "distances.numpy_float32_input", "distances.numpy_no_loops",
                                  "distances.numpy_faster_than_loops"), says=("numpydists",)),
    Hostile("returns NaN", replacing("distances", '''
        import numpy as np
        def numpydists(feats, protos):
            return np.full((len(feats), len(protos)), np.nan)
        '''), "distances.", loses=NUMPYDISTS, says=("NaN",)),
    Hostile("returns a tensor on another device", replacing("distances", '''
        def pytorchdists(feats0, protos0, device):
            import torch
            return torch.empty((len(feats0), len(protos0)), device="meta")
        '''), "distances.", loses=TORCHDISTS, says=("meta",)),
    Hostile("returns a huge array", replacing("distances", '''
        import numpy as np
        def numpydists(feats, protos):
            return np.ones((12000, 2000))
        '''), "distances.", loses=NUMPYDISTS, says=("reasonable size",)),
    Hostile("prints a megabyte, then returns the right answer", replacing("distances", '''
        import numpy as np
        def numpydists(feats, protos):
            print("x" * 1_000_000)
            return ((feats[:, None, :] - protos[None, :, :]) ** 2).sum(axis=2)
        '''), "distances."),
]

RESOURCE_ABUSE = [
    Hostile("infinite loop that ignores SIGTERM", replacing("broadcasting", '''
        def broadcast_shape(a, b):
            import signal
            signal.signal(signal.SIGTERM, signal.SIG_IGN)
            while True:
                pass
        '''), "broadcasting.", loses=BROADCAST, says=("time limit",)),
    Hostile("fork bomb", replacing("broadcasting", '''
        def broadcast_shape(a, b):
            import os
            while True:
                try:
                    os.fork()
                except OSError:
                    pass
        '''), "broadcasting.", loses=BROADCAST, says=("time limit",), modes=BOTH_MODES),
    Hostile("allocates 50 GB", replacing("broadcasting", '''
        def broadcast_shape(a, b):
            import numpy as np
            return np.ones(50 * 2 ** 30 // 8)
        '''), "broadcasting.", loses=BROADCAST, says=("MemoryError",)),
    Hostile("writes a 10 GB file", replacing("broadcasting", '''
        def broadcast_shape(a, b):
            with open("big.bin", "wb") as fh:
                for _ in range(10 * 1024):
                    fh.write(bytes(1 << 20))
        '''), "broadcasting.", loses=BROADCAST, says=("File too large",), modes=BOTH_MODES),
    Hostile("fills the disk with many files", replacing("broadcasting", '''
        def broadcast_shape(a, b):
            import os, tempfile
            for folder in (".", tempfile.gettempdir()):
                for i in range(100):
                    with open(os.path.join(folder, f"fill{os.getpid()}-{i}.bin"), "wb") as fh:
                        for _ in range(60):
                            fh.write(bytes(1 << 20))
        '''), "broadcasting.", loses=BROADCAST, modes=BOTH_MODES),
    Hostile("a daemon, a thread and a double-fork outlive the call", replacing("broadcasting", '''
        import os, subprocess, threading
        STARTED = []
        def _spin():
            while True:
                pass
        def broadcast_shape(a, b):
            if not STARTED:
                STARTED.append(subprocess.Popen(["setsid", "sh", "-c", "while :; do :; done"]))
                threading.Thread(target=_spin, daemon=True).start()
                if os.fork() == 0:
                    os.setsid()
                    if os.fork() == 0:
                        while True:
                            pass
                    os._exit(0)
            return _right(a, b)
        ''' + RIGHT_ANSWER), "broadcasting.", modes=BOTH_MODES),
    Hostile("closes the worker's pipes", replacing("broadcasting", '''
        def broadcast_shape(a, b):
            import os
            os.closerange(3, 1024)
            return (1,)
        '''), "broadcasting.", loses=BROADCAST, says=("exited",)),
]
