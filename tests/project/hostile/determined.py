"""Submissions by a student who has read the grader's code (issue #16): they attack the timing
checks, the loop check, the reply path, the conversion of results and the time limits. None may
earn a point its code does not earn, nor be blamed on the grader."""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.project.hostile.case import BOTH_MODES, RIGHT_ANSWER, Builder, Context, Hostile, fill, replacing



def loops_in_exec(indent: int) -> str:
    """Squared distances into `out` by a Python loop over pairs, in a string: out of the AST's sight."""
    pad = "\n" + " " * indent
    return (pad + "out = np.empty((len(feats), len(protos)))" + pad + 'exec("for i in range(len(feats)):\\n'
            ' for j in range(len(protos)):\\n  out[i, j] = ((feats[i] - protos[j]) ** 2).sum()")')
NUMPY_SPEED = ("distances.numpy_no_loops", "distances.numpy_faster_than_loops")
TORCH_SPEED = ("distances.torch_no_loops", "distances.torch_faster_than_loops", "distances.torch_speed_vs_reference")


def appending(module: str, source: str) -> Builder:
    """The reference with code run at the very end of `module`, after all its definitions."""
    def make(reference: Path, dest: Path, ctx: Context) -> Path:
        shutil.copytree(reference, dest, dirs_exist_ok=True)
        path = dest / f"{module}.py"
        path.write_text(path.read_text(encoding="utf-8") + "\n" + fill(source, ctx), encoding="utf-8")
        return dest
    return make


DETERMINED = [
    Hostile("caches the results of hidden loops, keyed on the input", replacing("distances", '''
        _CACHE = {}

        def numpydists(feats, protos):
            import numpy as np
            key = (feats.tobytes(), protos.tobytes())
            if key not in _CACHE:''' + loops_in_exec(16) + '''
                _CACHE[key] = out
            return _CACHE[key]
        '''), "distances.", loses=NUMPY_SPEED, says=("call to `exec`",)),
    Hostile("returns garbage at once for large inputs, loops for small ones", replacing("distances", '''
        def numpydists(feats, protos):
            import numpy as np
            if len(feats) >= 1000:
                return np.zeros((len(feats), len(protos)))''' + loops_in_exec(12) + '''
            return out
        '''), "distances.", loses=NUMPY_SPEED, says=("values are right",)),
    Hostile("answers early through the worker's reply helper and drops the real reply", replacing("distances", '''
        def pytorchdists(feats0, protos0, device):
            import sys
            import numpy as np
            import torch
            if len(feats0) >= 1000:
                frame = sys._getframe()
                while frame is not None and "responses" not in frame.f_locals:
                    frame = frame.f_back
                if frame is not None:
                    helpers, responses, request = (frame.f_locals[k] for k in ("helpers", "responses", "request"))
                    fake = np.zeros((len(feats0), len(protos0)))
                    helpers.wire.write_message(responses, {"ok": True, "value": fake, "id": request.get("id")})
                    real = helpers.wire.write_message

                    def drop_once(stream, message):
                        helpers.wire.write_message = real
                    helpers.wire.write_message = drop_once
            feats, protos = torch.as_tensor(feats0, device=device), torch.as_tensor(protos0, device=device)
            return torch.cdist(feats, protos).pow(2).cpu().numpy()
        '''), "distances.", loses=TORCH_SPEED, says=("values are right",)),
    Hostile("rebinds numpydists to a loop function after its def", appending("distances", '''
        def _by_rows(feats, protos):
            out = np.empty((len(feats), len(protos)))
            for i in range(len(feats)):
                out[i] = ((feats[i] - protos) ** 2).sum(axis=1)
            return out

        numpydists = _by_rows
        '''), "distances.", loses=NUMPY_SPEED, says=("in `_by_rows`, which `numpydists` runs",)),
    Hostile("decorates pytorchdists with a loop function made by exec", appending("distances", '''
        def _swap(honest):
            namespace = {}
            exec("import torch\\n"
                 "def pytorchdists(feats0, protos0, device):\\n"
                 "    feats, protos = torch.as_tensor(feats0), torch.as_tensor(protos0)\\n"
                 "    out = torch.empty(len(feats), len(protos), dtype=feats.dtype)\\n"
                 "    for i in range(len(feats)):\\n"
                 "        out[i] = ((feats[i] - protos) ** 2).sum(dim=1)\\n"
                 "    return out.numpy()\\n", namespace)
            return namespace["pytorchdists"]

        @_swap
        def pytorchdists(feats0, protos0, device):
            import torch
            feats, protos = torch.as_tensor(feats0, device=device), torch.as_tensor(protos0, device=device)
            return torch.cdist(feats, protos).pow(2).cpu().numpy()
        '''), "distances.", loses=TORCH_SPEED, says=("not in your files as written",)),
    Hostile("returns a tensor whose __torch_function__ swaps in the right answer", replacing("distances", '''
        def pytorchdists(feats0, protos0, device):
            import numpy as np
            import torch
            feats, protos = np.asarray(feats0), np.asarray(protos0)
            right = torch.as_tensor(((feats[:, None, :] - protos[None, :, :]) ** 2).sum(axis=-1))

            class Lying(torch.Tensor):
                @classmethod
                def __torch_function__(cls, func, types, args=(), kwargs=None):
                    if func is torch.Tensor.detach:
                        return right.clone()
                    return super().__torch_function__(func, types, args, kwargs or {})

            return torch.zeros_like(right).as_subclass(Lying)
        '''), "distances.", loses=("distances.torch_agrees", "distances.torch_float32_input") + TORCH_SPEED),
    Hostile("writes a malformed reply of its own before the real one", replacing("broadcasting", '''
        def broadcast_shape(a, b):
            import json, os, struct, sys
            value = {"__ndarray__": 0, "dtype": "float64", "shape": [1] * 100}
            header = json.dumps({"payload": {"__dict__": {"ok": True, "value": value}}, "buffers": 1}).encode()
            os.write(int(sys.argv[3]), struct.pack("<I", len(header)) + header + struct.pack("<Q", 8) + bytes(8))
            return _right(a, b)
        ''' + RIGHT_ANSWER), "broadcasting.", loses=("broadcasting.given_pairs", "broadcasting.random_pairs"),
            says=("could not be accepted",), modes=BOTH_MODES),
    Hostile("hangs in numpydists: one time limit, not one per test", replacing("distances", '''
        def numpydists(feats, protos):
            while True:
                pass
        '''), "distances.", loses=("distances.numpy_agrees", "distances.numpy_float32_input") + NUMPY_SPEED,
            says=("time limit of 8 s ([limits] call_timeout) in test 1.2; it was not called again",), modes=BOTH_MODES),
]
