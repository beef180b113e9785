"""Fixtures shared by the project's tests."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from autograder.handout import build_handout_zip
from autograder.rubric import load_rubric


@pytest.fixture(scope="module")
def unpacked(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The real handout zip, unzipped into a folder that shares nothing with the project."""
    folder = tmp_path_factory.mktemp("handout")
    assignment = load_rubric()  # the default (full) assignment: every task, in the course's order
    with zipfile.ZipFile(build_handout_zip(folder / "handout.zip", list(assignment.tasks), assignment.title)) as zf:
        zf.extractall(folder / "unpacked")
    return folder / "unpacked"
