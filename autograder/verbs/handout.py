"""`autograder handout`: the zip a student downloads, of an assignment's tasks.

What it holds is decided by autograder/intake/handout_contents.py (intake reads the same list to
recognise the handout's own files in a submission); this verb only writes it, with its index.
"""

from __future__ import annotations

from pathlib import Path

from autograder.course.paths import PROJECT_ROOT
from autograder.intake.handout_contents import DEFAULT_TITLE, INDEX_FILE, handout_members, own_files_index
from autograder.verbs.packing import write_zip


def build_handout_zip(out: Path, tasks: list[str], title: str = DEFAULT_TITLE, root: Path = PROJECT_ROOT) -> Path:
    """Write the student's zip of the given tasks (an assignment's), in their order, with the index
    of its own files (handout_index.py). The templates and the notebook are not in the index: they
    are the student's work, judged by the stub rule (choice.py)."""
    members, data = handout_members(tasks, title, root)
    members[INDEX_FILE] = own_files_index(members, data, list(tasks))
    return write_zip(Path(out), members)
