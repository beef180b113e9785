"""Agreement checks judge a value at the precision of the dtype the student returned, and name the
real cause of a wrong value (float32 is blamed only where its rounding could explain the error)."""

from __future__ import annotations

import numpy as np
import pytest

from autograder.grading.feedback import Feedback, as_array, check_array, check_scalar
from autograder.sandbox.wire import TensorData

EXPECTED = np.array([[72.9497, 10.5], [3.25, 400.0]])


def test_nested_numpy_scalars_keep_their_shape_and_precision():
    rows = [[np.float32(v) for v in row] for row in EXPECTED]
    got = as_array(rows, "forloopdists")
    assert got.shape == (2, 2) and got.dtype == np.float32
    mixed = as_array([[np.float64(1.0), 2.0], [TensorData(np.array(3.0, np.float32), "torch.float32", "cpu"), 4]], "f")
    assert mixed.shape == (2, 2) and mixed.dtype == np.float64


def test_float32_result_accepted_at_float32_precision_with_a_note():
    notes: list[str] = []
    check_array(EXPECTED.astype(np.float32), EXPECTED, "forloopdists", rtol=1e-9, atol=1e-9, notes=notes)
    assert len(notes) == 1 and "checked at float32 precision" in notes[0] and "no points" in notes[0]
    exact_notes: list[str] = []
    check_array(EXPECTED, EXPECTED, "forloopdists", rtol=1e-9, atol=1e-9, notes=exact_notes)
    assert exact_notes == []


def test_float32_blamed_only_when_its_rounding_could_explain_the_error():
    small = EXPECTED.astype(np.float32)
    small[0, 0] += 0.05  # 1.2e-4 of the largest value: beyond 256 rounding steps, within what float32 sums can lose
    with pytest.raises(Feedback, match="can come from its rounding"):
        check_array(small, EXPECTED, "f", rtol=1e-9, atol=1e-9)
    large = EXPECTED.astype(np.float32)
    large[1, 0] += 369.0
    with pytest.raises(Feedback, match="cannot explain an error this large") as info:
        check_array(large, EXPECTED, "f", rtol=1e-9, atol=1e-9)
    assert "low precision may be the cause" not in str(info.value)


@pytest.mark.parametrize("got, words", [
    (np.sqrt(EXPECTED), "square roots"),
    (EXPECTED.T, "transposed"),
    (np.where(np.eye(2) > 0, EXPECTED, 0.0), "entries are 0"),
    (EXPECTED * 2, "2 times the expected"),
    (np.zeros_like(EXPECTED), "Every value is 0: was the result filled in"),
])
def test_wrong_values_name_their_cause(got, words):
    with pytest.raises(Feedback, match=words):
        check_array(got.astype(np.float32), EXPECTED, "f", rtol=1e-9, atol=1e-9)


def test_scalar_checked_at_its_own_precision():
    assert check_scalar(np.float32(72.9497), 72.9497, "f", rtol=1e-12) == pytest.approx(72.9497, rel=1e-6)
    with pytest.raises(Feedback):
        check_scalar(np.float64(72.9497) + 1e-6, 72.9497, "f", rtol=1e-12)


def test_one_precision_note_per_test():
    notes: list[str] = []
    for _ in range(3):
        check_array(EXPECTED.astype(np.float32), EXPECTED, "forloopdists", rtol=1e-9, atol=1e-9, notes=notes)
    assert len(notes) == 1
