"""The real handout zip of some tasks, unzipped into a folder that shares nothing with the project."""

from __future__ import annotations

import zipfile
from pathlib import Path

from autograder.intake.handout_contents import DEFAULT_TITLE
from autograder.verbs.handout import build_handout_zip


def unzipped_handout(folder: Path, tasks: list[str], title: str = DEFAULT_TITLE) -> Path:
    with zipfile.ZipFile(build_handout_zip(folder / "handout.zip", tasks, title)) as zf:
        zf.extractall(folder / "unpacked")
    return folder / "unpacked"
