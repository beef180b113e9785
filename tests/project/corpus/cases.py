"""Seeded mistakes and correct variants: each one is a small replacement of reference definitions.

A Mistake must lose points on exactly the tests it names (within its task) and keep every other
test of that task; a Variant is another correct solution and must keep full marks.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Mistake:
    name: str               # what the student got wrong, in words
    module: str             # the task module whose definitions are replaced
    source: str             # replacement top-level definitions (same names as the reference's)
    loses: tuple[str, ...]  # rubric ids of the tests that must lose points
    says: str = ""          # a phrase the failing output must contain (the teaching message)


@dataclass(frozen=True)
class Variant:
    name: str
    module: str
    source: str
