"""What a hidden test is handed besides the submission: partial credit, and the same fixtures as
attributes of a unittest TestCase (`StudentTestCase`).

Why a module of its own: the grading plugin fills them in and the test author's API (autograder.api)
names them; both import them from here, so neither imports the other.
"""

from __future__ import annotations

import unittest
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from autograder.course.rubric import Entry
    from autograder.grading.student import StudentProxy


@dataclass
class Credit:
    """Partial credit a test may grant before it passes or fails (gradescope-utils' set_score).
    Example: `credit.set(0.5, "the labels are right, the centres not")`."""

    fraction: float | None = None
    reason: str = ""

    def set(self, fraction: float, reason: str = "") -> None:
        self.fraction = min(1.0, max(0.0, float(fraction)))
        self.reason = reason


class Leaderboard(Protocol):
    """The `leaderboard` fixture: sets this submission's value in a Gradescope leaderboard column
    (the last value set for a name wins). Example: `leaderboard("test error (%)", 1.25, "asc")`."""

    def __call__(self, name: str, value: float, order: str = "asc") -> None: ...


class StudentTestCase(unittest.TestCase):
    """A unittest.TestCase whose tests reach the submission as the pytest fixtures do: the plugin
    sets `self.student`, `self.entry` (None when the rubric has no entry), `self.credit`,
    `self.notes` and `self.leaderboard` before each test method (so from `setUp` on, not in
    `setUpClass`). Why: Gradescope test suites are
    TestCases; this lets them run here unchanged but for the sandboxed `self.student`.

    Example::

        class TestShapes(StudentTestCase):
            @weight(2)
            def test_eight_pairs(self):
                if self.student.call("broadcast_shape", (4, 1), (3, 1, 1, 5)) != (3, 1, 4, 5):
                    fail("...")
    """

    student: StudentProxy
    entry: Entry | None
    credit: Credit
    notes: list[str]
    leaderboard: Leaderboard
