"""The hidden tests as the course declares them: which files pytest collects for an assignment's
tasks, and the id each test has in the rubric (`<task>.<name>[<param>]`).

Why in the course model: a test id is the key of a rubric entry, and the rubric check, the
gradescope-utils decorators and the grading plugin all need the same ids and the same collection;
none of them may depend on the grading run above. pytest is imported only to collect.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from autograder.course.paths import GRADING_TESTS, PROJECT_ROOT
from autograder.course.rubric import load_rubric


def task_of(path: Path) -> str:
    """The task a hidden test file belongs to: its folder (`tests/grading/<task>/test_*.py`, beside
    the tests' pytest.ini one level up), so a suite split over several files is still one task;
    a file directly in the tests folder is named after itself (`test_<task>.py`)."""
    if (path.parent.parent / "pytest.ini").is_file():
        return path.parent.name
    return path.stem[len("test_"):] if path.stem.startswith("test_") else path.stem


def rubric_id(item: Any) -> str:
    """`<task>.<name>[<param>]` from `tests/grading/<task>/test_*.py::test_<name>[<param>]`."""
    task = task_of(Path(str(item.path))) if getattr(item, "path", None) else "unknown"
    name = getattr(item, "originalname", item.name)
    name = name[len("test_"):] if name.startswith("test_") else name
    callspec = getattr(item, "callspec", None)
    return f"{task}.{name}" + (f"[{callspec.id}]" if callspec else "")


def pytest_args(tests_dir: Path, tasks: tuple[str, ...] | None = None) -> list[str]:
    """pytest on the hidden tests of the given tasks only (an assignment's): their folders (None:
    every task's, as when the decorators of all hidden tests are read)."""
    if str(PROJECT_ROOT) not in sys.path:  # the hidden tests import `reference`
        sys.path.insert(0, str(PROJECT_ROOT))
    folders = [str(tests_dir)] if tasks is None else \
        [str(tests_dir / task) for task in tasks if (tests_dir / task).is_dir()]
    return [*folders, "-c", str(tests_dir / "pytest.ini"), "--rootdir", str(tests_dir),
            "-p", "no:cacheprovider", "-p", "no:unraisableexception", "-p", "no:threadexception",
            "--assert=plain", "-s", "-W", "ignore",
            "--continue-on-collection-errors", "--import-mode=importlib"]


class _Collector:
    def __init__(self) -> None:
        self.ids: list[str] = []

    def pytest_collection_modifyitems(self, items: list[Any]) -> None:
        self.ids = [rubric_id(i) for i in items]


def collect_test_ids(tasks: tuple[str, ...] | None = None, tests_dir: Path = GRADING_TESTS) -> list[str]:
    """The ids of the hidden tests of `tasks` (default: the default assignment's), without grading
    anything (for rubric checks)."""
    import pytest  # grader side only: the self-check runs without it

    collector = _Collector()
    tasks = load_rubric().tasks if tasks is None else tasks
    pytest.main(pytest_args(tests_dir, tuple(tasks)) + ["--collect-only", "-p", "no:terminal"], plugins=[collector])
    return collector.ids
