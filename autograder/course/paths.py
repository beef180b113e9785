"""Where things are: the project's own folders and the Gradescope-shaped root.

`AUTOGRADER_ROOT` (default `/autograder`) lets tests and TAs run the Gradescope entry point under a
temporary folder laid out like Gradescope's: submission/, results/, submission_metadata.json.
"""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]  # autograder/course/paths.py
ENGINE_DIR = PROJECT_ROOT / "autograder"  # in a handout, also its generated data (contract.json...)
GRADING_TESTS = PROJECT_ROOT / "tests" / "grading"
ASSIGNMENTS_DIR = PROJECT_ROOT / "assignments"  # one <name>.toml per assignment (autograder/course/assignment.py)
TEMPLATE_DIR = PROJECT_ROOT / "student_template"
REFERENCE_DIR = PROJECT_ROOT / "reference"


def gradescope_root() -> Path:
    return Path(os.environ.get("AUTOGRADER_ROOT", "/autograder"))


def shown(path: Path) -> str:
    """A path as an instructor reads it: relative to the project when inside it."""
    try:
        return str(path.resolve().relative_to(PROJECT_ROOT))
    except ValueError:
        return str(path)
