"""Run the real command line in a subprocess, as a TA or an instructor would."""

from __future__ import annotations

import csv
import shutil
import subprocess
import sys
from pathlib import Path

from autograder.course.paths import PROJECT_ROOT

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib


def autograder(*args: str, cwd: Path = PROJECT_ROOT, timeout: float = 600) -> subprocess.CompletedProcess:
    """`python -m autograder ARGS` from `cwd` (a copy of the project runs its own code and rubric)."""
    return subprocess.run([sys.executable, "-m", "autograder", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=timeout)


LEGACY_RUBRIC = Path(__file__).resolve().parent / "data" / "legacy_rubric.toml"  # the one file before assignments


def rubric_tests(path: Path = LEGACY_RUBRIC) -> dict[str, dict]:
    """The [tests] table of the pre-assignment rubric file, read with tomllib: the oracle for the
    full assignment's points and names (test_rubric.py proves the two equal)."""
    return tomllib.loads(Path(path).read_text(encoding="utf-8"))["tests"]


def column(test_id: str, path: Path = LEGACY_RUBRIC) -> str:
    """A test's grades.csv column, "<number> <name>", from the rubric file itself."""
    raw = rubric_tests(path)[test_id]
    return f"{raw['number']} {raw['name']}"


def fresh_copy(dest: Path) -> Path:
    """The files a fresh clone holds (tracked, plus new files not ignored), copied to `dest`."""
    listed = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard"], cwd=PROJECT_ROOT,
                            capture_output=True, text=True, check=True).stdout.splitlines()
    for name in listed:
        source = PROJECT_ROOT / name
        if source.is_file() and not name.startswith("tests/project/"):
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, dest / name)
    return dest


def csv_rows(path: Path, key: str = "submission") -> dict[str, dict[str, str]]:
    with open(path, newline="", encoding="utf-8-sig") as fh:  # written with a BOM, for Excel
        return {row[key]: row for row in csv.DictReader(fh)}
