"""Hidden tests, T2 broadcasting: the eight pairs, more pairs against the rule, the written answers.

Written as a Gradescope suite is (a unittest.TestCase with gradescope-utils decorators), as the worked
example of README's "Bringing your Gradescope tests": the rubric's entries still win where they speak,
`self.student` is the sandboxed submission, `self.credit` and `self.notes` the plugin's.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from gradescope_utils.autograder_utils.decorators import number, visibility, weight

from autograder.api import StudentTestCase, describe_value, fail
from reference.broadcasting.broadcasting import broadcast_shape as reference_broadcast_shape

PAIRS = [((3, 1, 3), (2, 3, 3)), ((4, 1), (3, 1, 1, 5)), ((3,), (3, 1, 1, 5)), ((1, 4), (7, 1)),
         ((6, 3, 1, 7), (2, 7)), ((6, 3, 1, 7), (2, 1, 7)), ((1, 2, 3, 1, 6), (8, 1, 3, 2, 6)),
         ((2, 5, 1, 7), (9, 2, 3, 2, 1))]


def as_shape(value: Any) -> tuple[int, ...] | None | str:
    """The student's answer as a tuple or None; a string explains what else came back."""
    if value is None:
        return None
    if isinstance(value, (list, tuple)) and all(isinstance(v, (int, np.integer)) and not isinstance(v, bool)
                                                for v in value):
        return tuple(int(v) for v in value)
    if isinstance(value, np.ndarray) and value.ndim == 1 and value.dtype.kind in "iu":
        return tuple(int(v) for v in value)
    return f"{describe_value(value)} (a tuple of ints, or None, was expected)"


def score_pairs(student: Any, pairs: list[tuple[tuple[int, ...], tuple[int, ...]]]) -> tuple[int, list[str]]:
    right, wrong = 0, []
    for a, b in pairs:
        got = as_shape(student.call("broadcast_shape", a, b))
        expected = reference_broadcast_shape(a, b)
        if got == expected:
            right += 1
        else:
            wrong.append(f"broadcast_shape({a}, {b}) returned {got}, expected {expected}")
    return right, wrong


def random_pairs(count: int, seed: int) -> list[tuple[tuple[int, ...], tuple[int, ...]]]:
    """Pairs of which about half broadcast: b is derived from a, then perturbed."""
    rng = np.random.default_rng(seed)
    pairs = []
    for _ in range(count):
        a = tuple(int(d) for d in rng.integers(1, 5, size=rng.integers(0, 5)))
        b = [1 if rng.random() < 0.3 else d for d in a[len(a) - rng.integers(0, len(a) + 1):]]
        b = [int(d) for d in rng.integers(1, 4, size=rng.integers(0, 3))] + b
        if rng.random() < 0.5 and b:
            b[rng.integers(0, len(b))] = int(rng.integers(2, 6))
        pairs.append((a, tuple(b)) if rng.random() < 0.5 else (tuple(b), a))
    return pairs


class TestBroadcasting(StudentTestCase):
    @weight(4)
    @number("2.1")
    def test_given_pairs(self) -> None:
        """broadcast_shape: the eight pairs of the handout"""
        right, wrong = score_pairs(self.student, PAIRS)
        self.credit.set(right / len(PAIRS), f"{right} of {len(PAIRS)} pairs right")
        if wrong:
            fail("\n".join(["Some of the handout's pairs are wrong:"] + [f"- {w}" for w in wrong]))

    @weight(4)
    @number("2.2")
    @visibility("after_due_date")
    def test_random_pairs(self) -> None:
        """broadcast_shape: more pairs, checked against the rule"""
        pairs = random_pairs(int(self.entry["count"]), int(self.entry["seed"]))
        right, wrong = score_pairs(self.student, pairs)
        self.credit.set(right / len(pairs), f"{right} of {len(pairs)} pairs right")
        if wrong:
            fail(f"{len(wrong)} of {len(pairs)} pairs are wrong. The first ones:\n"
                 + "\n".join(f"- {w}" for w in wrong[:5]))

    @weight(4)
    @number("2.3")
    def test_answers(self) -> None:
        """BROADCAST_ANSWERS: your answers to the eight pairs"""
        answers = self.student.get("BROADCAST_ANSWERS")
        if answers is None:
            fail("`BROADCAST_ANSWERS` is None: fill in your eight answers (a tuple or None each).")
        if not isinstance(answers, (list, tuple)) or len(answers) != len(PAIRS):
            fail(f"`BROADCAST_ANSWERS` is {describe_value(answers)}; a list of {len(PAIRS)} answers was expected.")
        wrong = [f"pair {i + 1}: {a} and {b}: you wrote {as_shape(ans)}" for i, ((a, b), ans)
                 in enumerate(zip(PAIRS, answers)) if as_shape(ans) != reference_broadcast_shape(a, b)]
        right = len(PAIRS) - len(wrong)
        self.credit.set(right / len(PAIRS), f"{right} of {len(PAIRS)} answers right")
        if wrong:
            fail("\n".join(["These answers are wrong (None means: not compatible):"] + [f"- {w}" for w in wrong]))
