"""Worker-side probes of the distances task: the plain-loop yardstick that "faster than loops" is
measured against, timed in a worker that holds no student code."""

from __future__ import annotations

from typing import Any

import numpy as np

from probes import Lookup, probe  # the worker's probe registry


@probe()
def probe_loop_distances(lookup: Lookup, manifest: dict[str, Any], feats: np.ndarray, protos: np.ndarray) -> np.ndarray:
    """Squared distances with two plain Python loops: what "faster than loops" is measured against."""
    out = np.empty((len(feats), len(protos)))
    for i in range(len(feats)):
        for j in range(len(protos)):
            diff = feats[i] - protos[j]
            out[i, j] = np.dot(diff, diff)
    return out
