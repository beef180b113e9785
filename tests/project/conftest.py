"""Fixtures shared by the project's tests."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from autograder.handout import build_handout_zip


@pytest.fixture(scope="module")
def unpacked(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The real handout zip, unzipped into a folder that shares nothing with the project."""
    folder = tmp_path_factory.mktemp("handout")
    with zipfile.ZipFile(build_handout_zip(folder / "handout.zip")) as zf:
        zf.extractall(folder / "unpacked")
    return folder / "unpacked"
