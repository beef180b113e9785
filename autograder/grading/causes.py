"""Causes of wrong values, each a named rule written once: what a wrong result most likely comes
from, in words the student can act on ("a square root is missing", "negative where it cannot be").

Why rules by name: a cause that holds for any task (every value is 0, a constant factor) is applied
everywhere, while one that needs to know what the values ARE (a sum of squares cannot be negative)
is switched on by the test that knows it: `check_array(..., causes=(*DEFAULT_CAUSES, "non_negative"))`.
The rules are task-neutral: they name shapes and indices, never a course's convention for rows.
"""

from __future__ import annotations

from typing import Callable, Sequence

import numpy as np

Rule = Callable[[np.ndarray, np.ndarray], str]
TINY, HUGE = 1e-30, 1e30  # no course result lives out there; memory never written to often does


def _close(a: np.ndarray, expected: np.ndarray) -> bool:
    return a.shape == expected.shape and bool(np.allclose(a, expected, rtol=1e-4, atol=1e-6))


def all_zero(got: np.ndarray, expected: np.ndarray) -> str:
    if not got.any() and expected.any():
        return "Every value is 0: was the result filled in at all?"
    return ""


def left_at_zero(got: np.ndarray, expected: np.ndarray) -> str:
    missing = (got == 0) & (expected != 0)
    if missing.any() and _close(np.where(missing, expected, got), expected):
        return (f"{int(missing.sum())} entries are 0 where they should not be, the rest is right: "
                "did every entry get filled (loop ranges, indentation of the assignment)?")
    return ""


def uninitialised(got: np.ndarray, expected: np.ndarray) -> str:
    """np.empty / torch.empty never written to: values of absurd magnitude where the truth is plain."""
    plain = (np.abs(expected) > TINY) & (np.abs(expected) < HUGE)
    odd = plain & (((got != 0) & (np.abs(got) < TINY)) | (np.abs(got) > HUGE))
    if odd.any():
        where = tuple(int(i) for i in np.argwhere(odd)[0])
        return (f"{int(odd.sum())} entries have absurd magnitudes (index {where} holds {got[where]:.3g} where "
                f"{expected[where]:.6g} was expected): that is memory never written to. An array made with "
                "`np.empty` or `torch.empty` must have every entry assigned; start from `np.zeros` to see which.")
    return ""


def constant_factor(got: np.ndarray, expected: np.ndarray) -> str:
    nonzero = np.abs(expected) > 1e-12
    if nonzero.sum() > 1:
        ratio = got[nonzero] / expected[nonzero]
        if np.allclose(ratio, ratio[0], rtol=1e-6) and not np.isclose(ratio[0], 1.0):
            sign = " (a sign is flipped)" if np.isclose(ratio[0], -1.0) else ""
            return f"Every value is {ratio[0]:.4g} times the expected one: a constant factor is off{sign}."
    return ""


def square_root(got: np.ndarray, expected: np.ndarray) -> str:
    """Both ways round: a root taken where none belongs, or one left out."""
    if _close(got ** 2, expected) and not _close(got, expected):
        return ("Your values are the square roots of the expected ones: a square root is taken where none "
                "belongs (the squares were asked for).")
    if (expected >= 0).all() and _close(got, expected ** 2) and not _close(got, expected):
        return ("Your values are the squares of the expected ones: a square root is missing "
                "(`np.sqrt` / `torch.sqrt` of your result gives the expected values).")
    return ""


def transposed(got: np.ndarray, expected: np.ndarray) -> str:
    if got.ndim == 2 and got.shape[0] == got.shape[1] and _close(got.T, expected) and not _close(got, expected):
        return (f"Your values are the expected ones transposed: entry [i, j] holds what belongs at [j, i] "
                f"(both are {got.shape[0]} x {got.shape[1]}, so the shape could not tell): swap the two axes.")
    return ""


def non_negative(got: np.ndarray, expected: np.ndarray) -> str:
    """Opt-in: for values that cannot be negative (sums of squares, counts, norms)."""
    negative = got < 0
    if (expected >= 0).all() and negative.any():
        where = tuple(int(i) for i in np.unravel_index(int(np.argmin(got)), got.shape))
        return (f"{int(negative.sum())} of {got.size} values are negative (the lowest, {got[where]:.6g} at index "
                f"{where}), which these values can never be: a term is missing or its sign is flipped "
                "(an expansion such as ‖x‖² + ‖y‖² − 2 x·y needs all three terms).")
    return ""


RULES: dict[str, Rule] = {
    "all_zero": all_zero,
    "left_at_zero": left_at_zero,
    "uninitialised": uninitialised,
    "constant_factor": constant_factor,
    "non_negative": non_negative,
    "square_root": square_root,
    "transposed": transposed,
}
DEFAULT_CAUSES: tuple[str, ...] = ("all_zero", "left_at_zero", "uninitialised", "constant_factor",
                                   "square_root", "transposed")
"""Applied by every check_array; "non_negative" is opt-in (the test must know the values cannot be < 0)."""


def likely_cause(got: np.ndarray, expected: np.ndarray, causes: Sequence[str] = DEFAULT_CAUSES) -> str:
    """The first recognised cause among `causes` (in RULES order), in words; "" when none is.
    An unknown rule name is the test author's mistake and raises KeyError at once."""
    wanted = {name: RULES[name] for name in causes}
    got = np.asarray(got, dtype=np.float64)
    expected = np.asarray(expected, dtype=np.float64)
    for name, rule in RULES.items():
        if name in wanted and got.shape == expected.shape:
            said = rule(got, expected)
            if said:
                return said
    return ""
