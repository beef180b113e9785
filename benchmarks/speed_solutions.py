"""Implementations of T1 used by the timing benchmarks: correct ones, and ones that hide a Python
loop where the AST loop finder cannot see it (inside exec). Each is a source for distances.py's
numpydists and pytorchdists, graded with the reference's other functions."""

CORRECT_BROADCAST = '''
def numpydists(feats, protos):
    import numpy as np
    return ((feats[:, None, :] - protos[None, :, :]) ** 2).sum(axis=2)


def pytorchdists(feats0, protos0, device):
    import torch
    feats, protos = torch.as_tensor(feats0, device=device), torch.as_tensor(protos0, device=device)
    return ((feats[:, None, :] - protos[None, :, :]) ** 2).sum(dim=2).cpu().numpy()
'''


def hidden_loops(loop: str) -> str:
    """numpydists and pytorchdists that fill `out` with the given loop, run through exec so that
    the AST loop finder cannot see it (the same loop text serves numpy arrays and tensors)."""
    return f"""
def numpydists(feats, protos):
    import numpy as np
    out = np.empty((len(feats), len(protos)))
    exec({loop!r})
    return out


def pytorchdists(feats0, protos0, device):
    import torch
    feats, protos = torch.as_tensor(feats0, device=device), torch.as_tensor(protos0, device=device)
    out = torch.empty(len(feats), len(protos), dtype=feats.dtype, device=device)
    exec({loop!r})
    return out.cpu().numpy()
"""


HIDDEN_PAIR_LOOPS = hidden_loops("for i in range(len(feats)):\n for j in range(len(protos)):\n"
                                 "  d = feats[i] - protos[j]\n  out[i, j] = d @ d")
HIDDEN_ROW_LOOPS = hidden_loops("for i in range(len(feats)):\n out[i] = ((protos - feats[i]) ** 2).sum(1)")

SOLUTIONS = {"reference": None, "broadcast (correct, slowest)": CORRECT_BROADCAST,
             "hidden pair loops": HIDDEN_PAIR_LOOPS, "hidden row loops": HIDDEN_ROW_LOOPS}
CORRECT = ("reference", "broadcast (correct, slowest)")
