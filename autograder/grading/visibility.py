"""Tests in the order of who may see them, so hidden inputs never reach a visible test.

Why: one worker serves a submission's tests, so its code can keep what it was given. Were a hidden
or `after_due_date` test's inputs kept and printed in a later visible test, the student would read
them. Visible tests therefore run first, then the later-visible ones, the hidden last; and should a
test of a more visible level still follow one of a less visible level, the worker is replaced
first (StudentProxy.enter_visibility): no worker that saw a test's inputs serves a test seen sooner.
"""

from __future__ import annotations

from typing import Callable, TypeVar

T = TypeVar("T")

# Gradescope's levels, from shown at once to never shown; an unknown one counts as never shown.
LEVELS = {"visible": 0, "after_due_date": 1, "after_published": 2, "hidden": 3}


def level(visibility: str | None) -> int:
    return LEVELS.get(str(visibility), max(LEVELS.values()))


def by_visibility(items: list[T], visibility_of: Callable[[T], str | None]) -> list[T]:
    """`items` with the visible first and the hidden last; the order within a level is kept."""
    return sorted(items, key=lambda item: level(visibility_of(item)))
