"""The public example checks of the self-check: each task's own `public_checks.py`, loaded by path.

They live with their task (`tests/grading/<task>/public_checks.py` in the project, shipped as
`checks/<task>/public_checks.py` in the handout); this module knows none of them by name. Each entry
of a task's `CHECKS` is `(title, check)` or `(title, check, test ids)`: the rubric tests the check
stands for, whose points the self-check's summary counts (autograder/course/public_split.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Mapping

from autograder.course.tasks import check_files, load_module


@dataclass(frozen=True)
class PublicCheck:
    task: str
    title: str
    run: Callable[[Any, Mapping[str, Path]], str | None]  # (student proxy, data files by name); raises on failure
    tests: tuple[str, ...] = ()  # rubric test ids this check stands for


def _tests(value: Any) -> tuple[str, ...]:
    return (value,) if isinstance(value, str) else tuple(str(v) for v in value)


def load_checks(tasks: list[str]) -> list[PublicCheck]:
    """Every public check of the given tasks, in task order then in each file's order."""
    checks = []
    for name, path in check_files(tasks).items():
        module = load_module(path, f"autograder_public_checks_{name}")
        for title, run, *tests in module.CHECKS:
            checks.append(PublicCheck(name, title, run, _tests(tests[0]) if tests else ()))
    return checks
