"""Run the real command line in a subprocess, as a TA or an instructor would."""

from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path

from autograder.paths import PROJECT_ROOT

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib


def autograder(*args: str, cwd: Path = PROJECT_ROOT, timeout: float = 600) -> subprocess.CompletedProcess:
    """`python -m autograder ARGS` from `cwd` (a copy of the project runs its own code and rubric)."""
    return subprocess.run([sys.executable, "-m", "autograder", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=timeout)


def rubric_tests(path: Path = PROJECT_ROOT / "rubric.toml") -> dict[str, dict]:
    """The [tests] table of a rubric file, read with tomllib: the oracle for points and names."""
    return tomllib.loads(Path(path).read_text(encoding="utf-8"))["tests"]


def column(test_id: str, path: Path = PROJECT_ROOT / "rubric.toml") -> str:
    """A test's grades.csv column, "<number> <name>", from the rubric file itself."""
    raw = rubric_tests(path)[test_id]
    return f"{raw['number']} {raw['name']}"


def csv_rows(path: Path, key: str = "submission") -> dict[str, dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as fh:
        return {row[key]: row for row in csv.DictReader(fh)}
