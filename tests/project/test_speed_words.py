"""The speed tests' words are true whichever way the ratio goes: code slower than the loops is
"1.7 times slower", never "0.6 times faster" (issue 24)."""

from __future__ import annotations

import pytest

from autograder.course.tasks import task

compared = task("distances").module("test_distances.py").compared


@pytest.mark.parametrize("ratio,words", [(3.21, "3.2 times faster than"), (1.0, "about as fast as"),
                                         (0.6, "1.7 times slower than"), (0.1, "10.0 times slower than")])
def test_ratio_in_words(ratio: float, words: str) -> None:
    assert compared(ratio) == words
