"""Seeded mistakes and correct variants for T1, pairwise squared distances."""

from tests.project.corpus.cases import Mistake, Variant

MISTAKES = [
    Mistake("distances: transposed result", "distances", '''
def numpydists(feats, protos):
    import numpy as np
    return ((protos[:, None, :] - feats[None, :, :]) ** 2).sum(axis=2)
''', loses=("distances.numpy_agrees", "distances.numpy_float32_input", "distances.numpy_no_loops",
           "distances.numpy_faster_than_loops"), says="transposed?"),
    Mistake("distances: square root taken", "distances", '''
def numpydists(feats, protos):
    import numpy as np
    return np.sqrt(((feats[:, None, :] - protos[None, :, :]) ** 2).sum(axis=2))
''', loses=("distances.numpy_agrees", "distances.numpy_float32_input", "distances.numpy_no_loops",
           "distances.numpy_faster_than_loops"), says="square roots"),
    Mistake("distances: D hard-coded to 300", "distances", '''
def numpydists(feats, protos):
    import numpy as np
    f = feats.reshape(-1, 1, 300)
    return ((f - protos.reshape(1, -1, 300)) ** 2).sum(axis=2)
''', loses=("distances.numpy_agrees", "distances.numpy_float32_input", "distances.numpy_no_loops",
           "distances.numpy_faster_than_loops"), says="raised"),
    Mistake("distances: loops hidden in a comprehension", "distances", '''
def numpydists(feats, protos):
    import numpy as np
    return np.stack([((protos - row) ** 2).sum(axis=1) for row in feats])
''', loses=("distances.numpy_no_loops", "distances.numpy_faster_than_loops"), says="comprehension"),
    Mistake("distances: torch version loops over rows", "distances", '''
def pytorchdists(feats0, protos0, device):
    import torch
    feats = torch.as_tensor(feats0, device=device)
    protos = torch.as_tensor(protos0, device=device)
    rows = []
    for i in range(feats.shape[0]):
        rows.append(((protos - feats[i]) ** 2).sum(dim=1))
    return torch.stack(rows).cpu().numpy()
''', loses=("distances.torch_no_loops", "distances.torch_faster_than_loops",
           "distances.torch_speed_vs_reference"), says="for loop"),
    Mistake("distances: absolute differences instead of squares in the loops", "distances", '''
def forloopdists(feats, protos):
    import numpy as np
    out = np.zeros((feats.shape[0], protos.shape[0]))
    for i in range(feats.shape[0]):
        for j in range(protos.shape[0]):
            out[i, j] = np.abs(feats[i] - protos[j]).sum()
    return out
''', loses=("distances.forloop_agrees",), says="not close enough"),
    Mistake("distances: numpydists forgets to return", "distances", '''
def numpydists(feats, protos):
    import numpy as np
    result = ((feats[:, None, :] - protos[None, :, :]) ** 2).sum(axis=2)
''', loses=("distances.numpy_agrees", "distances.numpy_float32_input", "distances.numpy_no_loops",
               "distances.numpy_faster_than_loops"), says="forget `return`"),
]

VARIANTS = [
    Variant("distances: einsum", "distances", '''
def numpydists(feats, protos):
    import numpy as np
    diff = feats[:, None, :] - protos[None, :, :]
    return np.einsum("npd,npd->np", diff, diff)
'''),
    Variant("distances: torch.cdist squared, tensor returned", "distances", '''
def pytorchdists(feats0, protos0, device):
    import torch
    f = torch.as_tensor(feats0, device=device)
    p = torch.as_tensor(protos0, device=device)
    return torch.cdist(f, p) ** 2
'''),
    Variant("distances: torch in float32", "distances", '''
def pytorchdists(feats0, protos0, device):
    import torch
    f = torch.as_tensor(feats0, dtype=torch.float32, device=device)
    p = torch.as_tensor(protos0, dtype=torch.float32, device=device)
    d = (f * f).sum(1, keepdim=True) + (p * p).sum(1)[None, :] - 2 * f @ p.T
    return d.clamp_min(0).cpu().numpy()
'''),
    Variant("distances: torch (N, P, D) broadcast form (correct, memory-hungry)", "distances", '''
def pytorchdists(feats0, protos0, device):
    import torch
    f = torch.as_tensor(feats0, device=device)
    p = torch.as_tensor(protos0, device=device)
    return ((f[:, None, :] - p[None, :, :]) ** 2).sum(dim=-1).cpu().numpy()
'''),
    Variant("distances: loops returning a list of lists", "distances", '''
def forloopdists(feats, protos):
    rows = []
    for f in feats:
        row = []
        for p in protos:
            row.append(float(((f - p) ** 2).sum()))
        rows.append(row)
    return rows
'''),
]

# Issue 11: what real student code exposed (each in our own words).
BROKEN_LOOP = '''

def forloopdists_draft(feats, protos):
    for i in range(len(feats)):
    pass
'''
TORCH_TESTS = ("distances.torch_agrees", "distances.torch_float32_input", "distances.torch_no_loops",
               "distances.torch_faster_than_loops", "distances.torch_speed_vs_reference")
MISTAKES += [
    Mistake("distances: float32 numpydists wrong far beyond rounding", "distances", '''
def numpydists(feats, protos):
    import numpy as np
    f, p = feats.astype(np.float32), protos.astype(np.float32)
    return (f ** 2).sum(1)[:, None] + (p ** 2).sum(1)[None, :] - f @ p.T
''', loses=("distances.numpy_agrees", "distances.numpy_float32_input", "distances.numpy_no_loops",
           "distances.numpy_faster_than_loops"), points=11,  # no-loops and speed need right values
            says="its rounding cannot explain an error this large"),
    Mistake("distances: a part of the file Python cannot compile", "distances", "", then=BROKEN_LOOP,
            loses=("distances.forloop_agrees", "distances.numpy_agrees", "distances.torch_agrees",
                   "distances.numpy_float32_input", "distances.torch_float32_input", "distances.numpy_no_loops",
                   "distances.torch_no_loops", "distances.numpy_faster_than_loops",
                   "distances.torch_faster_than_loops", "distances.torch_speed_vs_reference"), points=27,
            says="would have scored 5/5"),
    Mistake("distances: pytorchdists refuses float32 input", "distances", '''
def pytorchdists(feats0, protos0, device):
    import numpy as np
    import torch
    assert feats0.dtype == np.float64, "float64 only"
    f, p = torch.from_numpy(feats0).to(device), torch.from_numpy(protos0).to(device)
    return ((f[:, None, :] - p[None, :, :]) ** 2).sum(-1).cpu().numpy()
''', loses=("distances.torch_float32_input",), points=1, says="AssertionError: float64 only"),
    Mistake("distances: pytorchdists without its device parameter", "distances", '''
def pytorchdists(feats0, protos0):
    import torch
    f, p = torch.from_numpy(feats0), torch.from_numpy(protos0)
    return ((f[:, None, :] - p[None, :, :]) ** 2).sum(-1).numpy()
''', loses=TORCH_TESTS, points=13, says="the handout defines it: `pytorchdists(feats0, protos0, device)`"),
    Mistake("distances: numpydists handed in as numpy_dists", "distances", "", renamed=("numpydists", "numpy_dists"),
            loses=("distances.numpy_agrees", "distances.numpy_float32_input", "distances.numpy_no_loops",
                   "distances.numpy_faster_than_loops"), points=11, says="did you mean `numpy_dists` (distances.py, line 26)"),
    Mistake("distances: torch methods called on numpy inputs", "distances", '''
def pytorchdists(feats0, protos0, device):
    return ((feats0.unsqueeze(1) - protos0.unsqueeze(0)) ** 2).sum(-1)
''', loses=TORCH_TESTS, points=13, says="torch.as_tensor(feats0, device=device)"),
]
VARIANTS += [
    Variant("distances: loops return a list of lists of np.float64", "distances", '''
def forloopdists(feats, protos):
    import numpy as np
    return [[np.sum((f - p) ** 2) for p in protos] for f in feats]
''', lacks="reshaped"),
    Variant("distances: loops fill a float32 torch.zeros", "distances", '''
def forloopdists(feats, protos):
    import torch
    out = torch.zeros(len(feats), len(protos))
    for i in range(len(feats)):
        for j in range(len(protos)):
            out[i, j] = float(((feats[i] - protos[j]) ** 2).sum())
    return out
''', says="checked at float32 precision"),
]
