"""Tiny hidden-test folders graded for real: a rubric, one test file and a submission, all in tmp.

Why: the plugin's behaviour (time limits, Gradescope decorators) is best shown on tests written for
the purpose, graded end to end through the sandbox, not only on the real tasks. Each folder gets its
own task name, so its test module never meets another folder's in sys.modules.
"""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

from autograder.grading import grade_submission
from autograder.paths import GRADING_TESTS


def hidden_folder(root: Path, task: str, tests: str, rubric: str) -> tuple[Path, Path]:
    """(tests_dir, rubric path): `<root>/hidden/<task>/test_<task>.py` and `<root>/rubric.toml`."""
    tests_dir = root / "hidden"
    (tests_dir / task).mkdir(parents=True)
    (tests_dir / "pytest.ini").write_text((GRADING_TESTS / "pytest.ini").read_text())
    (tests_dir / task / f"test_{task}.py").write_text(textwrap.dedent(tests))
    (root / "rubric.toml").write_text(textwrap.dedent(rubric))
    return tests_dir, root / "rubric.toml"


def grade(root: Path, tests_dir: Path, rubric: Path, submission: str) -> dict[str, Any]:
    """Grade one .py submission against the folder; returns the results document."""
    path = root / "hw.py"
    path.write_text(textwrap.dedent(submission))
    return grade_submission(path, root / "results.json", rubric_path=rubric, tests_dir=tests_dir,
                            log=lambda line: None)


def by_id(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {t["extra_data"]["id"]: t for t in document["tests"]}
