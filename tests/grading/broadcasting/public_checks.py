"""Public example checks of the broadcasting task, shipped with the handout for the student's self-check.

Every expected value is computed here from the task text's definition or published in it; nothing
comes from the reference or the hidden tests, and passing does not promise full marks.
`CHECKS` lists (title, check, rubric test ids); a check gets the student proxy and the data files by name, and raises
on failure through the grader's own feedback helpers.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Mapping

import numpy as np

from autograder.api import describe_value, fail

HANDOUT_PAIRS = [((4, 1), (3, 1, 1, 5), (3, 1, 4, 5)), ((3, 1, 3), (2, 3, 3), None)]  # from the task table


def _broadcast(student: Any, files: Mapping[str, Path]) -> None:
    for a, b, expected in HANDOUT_PAIRS:
        got = student.call("broadcast_shape", a, b)
        if isinstance(got, np.ndarray):
            got = tuple(int(v) for v in got)
        if isinstance(got, list):
            got = tuple(got)
        if got != expected:
            fail(f"`broadcast_shape({a}, {b})` returned {describe_value(got) if got is not None else None}, "
                 f"expected {expected} (see the table of the handout).")


CHECKS = [("broadcast_shape on two pairs of the handout", _broadcast, "broadcasting.given_pairs")]
