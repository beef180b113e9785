"""The causes of impossible values (autograder/grading/causes.py), each a rule a test opts into, in
the words the student reads through check_array (issue 25)."""

from __future__ import annotations

import numpy as np
import pytest

from autograder.api import DEFAULT_CAUSES, Feedback, check_array
from autograder.grading.causes import RULES, likely_cause

RNG = np.random.default_rng(5)
FEATS, PROTOS = RNG.normal(size=(6, 4)) * 3, RNG.normal(size=(5, 4)) * 3
SQUARED = ((FEATS[:, None, :] - PROTOS[None, :, :]) ** 2).sum(-1)  # (6, 5)
NON_NEGATIVE = (*DEFAULT_CAUSES, "non_negative")


def said(got: np.ndarray, expected: np.ndarray = SQUARED, causes=DEFAULT_CAUSES) -> str:
    with pytest.raises(Feedback) as failed:
        check_array(got, expected, "f(feats, protos)", rtol=1e-9, atol=1e-9, causes=causes)
    return str(failed.value)


def test_negative_squared_distances_are_named_when_the_test_opts_in():
    missing_norm = -2 * FEATS @ PROTOS.T + (PROTOS ** 2).sum(1)[None, :]  # the ||x||^2 term left out
    assert (missing_norm < 0).any()
    message = said(missing_norm.astype(np.float32), causes=NON_NEGATIVE)
    lowest = float(missing_norm.astype(np.float32).min())
    assert f"values are negative (the lowest, {lowest:.6g}" in message and "a term is missing or its sign" in message
    assert "float32" not in message.split("largest relative error")[1]  # no irrelevant rounding remark
    assert "negative" not in said(missing_norm)  # without opting in, the rule is silent


def test_a_square_root_is_recognised_both_ways_round():
    assert "a square root is taken where none belongs" in said(np.sqrt(SQUARED))
    assert "a square root is missing" in said(SQUARED, expected=np.sqrt(SQUARED))


def test_transposed_values_name_the_shapes_not_a_convention():
    square = SQUARED[:5, :5]
    message = said(square.T.copy(), expected=square)
    assert "entry [i, j] holds what belongs at [j, i]" in message and "5 x 5" in message
    assert "first argument" not in message
    shape_message = said(SQUARED.T.copy())
    assert "shape (5, 6) where (6, 5) was expected: transposed?" in shape_message and "first argument" not in shape_message


def test_a_flipped_sign_and_a_constant_factor():
    assert "-1 times the expected one: a constant factor is off (a sign is flipped)" in said(-SQUARED)
    assert "0.5 times the expected one" in said(SQUARED / 2)


def test_memory_never_written_to_is_named():
    garbage = SQUARED.copy()
    garbage[2, 3], garbage[4, 0] = 6.9e-310, 1e-75
    message = said(garbage)
    assert "2 entries have absurd magnitudes" in message and "np.empty" in message


def test_rules_are_known_by_name_and_an_unknown_one_is_the_authors_error():
    assert set(DEFAULT_CAUSES) < set(RULES) and "non_negative" not in DEFAULT_CAUSES
    assert likely_cause(np.sqrt(SQUARED), SQUARED, causes=()) == ""
    with pytest.raises(KeyError):
        likely_cause(SQUARED, SQUARED, causes=("no_such_rule",))
