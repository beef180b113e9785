"""The packages a course needs, at the grader's pinned versions: the students' requirements.txt.

Why from pyproject.toml: the grader's own pins are the versions the hidden tests were checked
with, so the handout installs exactly those (the CPU build of torch), never a second list to keep
in sync.
"""

from __future__ import annotations

import re
from pathlib import Path

from autograder.course.paths import PROJECT_ROOT

REQUIREMENTS_FILE = "requirements.txt"
# Grader-side tools of pyproject.toml that a student's machine does not need (the self-check runs
# without pytest; the rubric checks, the similarity check and the feedback pages are the instructor's).
GRADER_ONLY = {"pytest", "jsonschema", "tomli", "gradescope-utils", "pyyaml", "copydetect", "pygments",
               "markdown-it-py"}
CPU_INDEX = "https://download.pytorch.org/whl/cpu"


def _requirement_name(line: str) -> str:
    return re.split(r"[\s=<>!~;\[]", line.strip(), maxsplit=1)[0].lower()


def _dependencies(pyproject: Path) -> list[str]:
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10
        import tomli as tomllib  # type: ignore[no-redef]

    return list(tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]["dependencies"])


def pinned(package: str, pyproject: Path = PROJECT_ROOT / "pyproject.toml") -> str:
    """The version pyproject.toml pins for `package` (the first pin), e.g. "2.13.0"."""
    for line in _dependencies(pyproject):
        if _requirement_name(line) == package and "==" in line:
            return line.split("==", 1)[1].split(";", 1)[0].strip()
    raise KeyError(f"pyproject.toml pins no version of {package}")


def requirements_text(pyproject: Path = PROJECT_ROOT / "pyproject.toml") -> str:
    """requirements.txt for the students: the grader's own pinned runtime packages (the CPU build of
    torch, at the grader's version), without the grader-only tools."""
    pins = [d for d in _dependencies(pyproject) if _requirement_name(d) not in GRADER_ONLY]
    header = ["# The packages your homework and `python check.py` need, at the grader's versions.",
              "# `pip install -r requirements.txt` installs the CPU build of torch (about 1 GB installed,",
              "# not the 5 GB CUDA build); the grader runs on a CPU too, and a GPU is never needed.",
              f"--extra-index-url {CPU_INDEX}"]
    return "\n".join(header + pins) + "\n"

