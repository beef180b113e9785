"""Seeded mistakes and correct variants: each one is a small replacement of reference definitions.

A Mistake must lose points on exactly the tests it names (within its task) and keep every other
test of that task; a Variant is another correct solution and must keep full marks.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Mistake:
    name: str               # what the student got wrong, in words
    module: str             # the task module whose definitions are replaced
    source: str             # replacement top-level definitions (same names as the reference's)
    loses: tuple[str, ...]  # rubric ids of the tests that must lose points
    says: str = ""          # a phrase the failing output must contain (the teaching message)
    points: float | None = None  # exact points lost in all (None: only "some")
    then: str = ""          # raw text appended to the module (what cannot be parsed: a syntax error)
    renamed: tuple[str, str] | None = None  # (handout name, the student's name) for a definition


@dataclass(frozen=True)
class Variant:
    name: str
    module: str
    source: str
    says: str = ""   # a phrase some output must contain (a note, say)
    lacks: str = ""  # a phrase no output may contain
    then: str = ""   # raw text appended to the module (top-level code)
    files: dict[str, str] = field(default_factory=dict)  # data files handed in beside the code
