"""Seeded mistakes and correct variants for T1, pairwise squared distances."""

from tests.project.corpus.cases import Mistake, Variant

MISTAKES = [
    Mistake("distances: transposed result", "distances", '''
def numpydists(feats, protos):
    import numpy as np
    return ((protos[:, None, :] - feats[None, :, :]) ** 2).sum(axis=2)
''', loses=("distances.numpy_agrees", "distances.float32_input", "distances.numpy_no_loops",
           "distances.numpy_faster_than_loops"), says="transposed?"),
    Mistake("distances: square root taken", "distances", '''
def numpydists(feats, protos):
    import numpy as np
    return np.sqrt(((feats[:, None, :] - protos[None, :, :]) ** 2).sum(axis=2))
''', loses=("distances.numpy_agrees", "distances.float32_input", "distances.numpy_no_loops",
           "distances.numpy_faster_than_loops"), says="square roots"),
    Mistake("distances: D hard-coded to 300", "distances", '''
def numpydists(feats, protos):
    import numpy as np
    f = feats.reshape(-1, 1, 300)
    return ((f - protos.reshape(1, -1, 300)) ** 2).sum(axis=2)
''', loses=("distances.numpy_agrees", "distances.float32_input", "distances.numpy_no_loops",
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
''', loses=("distances.numpy_agrees", "distances.float32_input", "distances.numpy_no_loops",
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
