"""Tiny hidden-test folders graded for real: an assignment, one test file and a submission, all in tmp.

Why: the plugin's behaviour (time limits, Gradescope decorators) is best shown on tests written for
the purpose, graded end to end through the sandbox, not only on the real tasks. Each folder is a
task of its own (an empty template, its hidden test file) registered with the task registry for the
length of one test (`forget_small_tasks`, autouse in the modules that import it), and its rubric is
an assignment file listing that one task.
"""

from __future__ import annotations

import re
import textwrap
from pathlib import Path
from typing import Any, Iterator

import pytest

from autograder.course.contract import required_names, template_signatures
from autograder.grading.grade import grade_submission
from autograder.course.paths import GRADING_TESTS
from autograder.course.tasks import Task, all_tasks, registered_probes

_ADDED: list[str] = []


def _forget_caches() -> None:
    required_names.cache_clear()
    template_signatures.cache_clear()
    registered_probes.cache_clear()


def hidden_folder(root: Path, task: str, tests: str, rubric: str) -> tuple[Path, Path]:
    """(tests_dir, assignment path): `<root>/hidden/<task>/test_<task>.py`, and `<root>/rubric.toml`,
    an assignment of that one task whose [tests] entries are the given rubric's."""
    tests_dir = root / "hidden"
    (tests_dir / task).mkdir(parents=True)
    (tests_dir / "pytest.ini").write_text((GRADING_TESTS / "pytest.ini").read_text())
    (tests_dir / task / f"test_{task}.py").write_text(textwrap.dedent(tests))
    template = root / "template" / task
    template.mkdir(parents=True)
    (template / f"{task}.py").write_text(f'"""{task}: a task made for one test."""\n')
    (root / "reference" / task).mkdir(parents=True)
    text = re.sub(r"^\[assignment\]\n", f'[assignment]\ntasks = ["{task}"]\n', textwrap.dedent(rubric), flags=re.M)
    (root / "rubric.toml").write_text(text)
    all_tasks()[task] = Task(task, template, root / "reference" / task, tests_dir / task)
    _ADDED.append(task)
    _forget_caches()
    return tests_dir, root / "rubric.toml"


@pytest.fixture(autouse=True)
def forget_small_tasks() -> Iterator[None]:
    """Take the tasks this test registered out of the registry again."""
    yield
    while _ADDED:
        all_tasks().pop(_ADDED.pop(), None)
    _forget_caches()


def grade(root: Path, tests_dir: Path, rubric: Path, submission: str) -> dict[str, Any]:
    """Grade one .py submission against the folder; returns the results document."""
    path = root / "hw.py"
    path.write_text(textwrap.dedent(submission))
    return grade_submission(path, root / "results.json", rubric_path=rubric, tests_dir=tests_dir,
                            log=lambda line: None)


def by_id(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {t["extra_data"]["id"]: t for t in document["tests"]}
