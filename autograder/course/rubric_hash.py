"""A short hash of what a rubric decides about scores, stored with every result.

Why: results graded or rescored under one rubric and written into a gradebook under another
gave totals above the maximum and columns of another rubric, silently. With the hash kept in each
results.json, any command that writes the gradebook can tell which results are stale.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from autograder.course.rubric import Rubric

HASH_KEY = "rubric_sha256"  # in results.json's top-level extra_data


def rubric_hash(rubric: Rubric) -> str:
    """sha256 of the total and each entry's name, points, number, visibility, tags and parameters
    (not of file paths or comments: moving or re-commenting a rubric changes no score)."""
    entries = {tid: {"name": e.name, "points": e.points, "number": e.number, "visibility": e.visibility,
                     "tags": list(e.tags), "params": e.params}
               for tid, e in sorted(rubric.entries.items())}
    text = json.dumps({"total": rubric.total_points, "entries": entries}, sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def stored_hash(document: dict[str, Any]) -> str | None:
    """The hash of the rubric a results document was scored under (None: unknown or mixed)."""
    value = (document.get("extra_data") or {}).get(HASH_KEY)
    return value if isinstance(value, str) else None
