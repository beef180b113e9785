"""The caps that keep a submission's shape and size from taking the grading process down: checked
on real files, before anything is parsed (the end-to-end cases are in hostile/escape.py)."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

from autograder.intake.source_limits import MAX_NOTEBOOK_ITEMS, MAX_SOURCE_FILE_BYTES, MAX_SOURCE_TOTAL_BYTES
from autograder.intake.submission import load_submission


def notes_of(submission: Path, tmp_path: Path) -> tuple[list[str], list[str]]:
    loaded = load_submission(submission, tmp_path / "staging", ["distances"])
    return [u.label for u in loaded.units], loaded.notes


def test_a_single_python_file_over_the_cap_is_not_loaded(tmp_path):
    big = tmp_path / "distances.py"
    big.write_text("x = 1\n" * (MAX_SOURCE_FILE_BYTES // 6 + 1000))
    labels, notes = notes_of(big, tmp_path)
    assert labels == []
    assert any(n.startswith("`distances.py` is 13") and "of Python; the limit is 128.0 KB per file" in n for n in notes)


def test_files_within_the_per_file_cap_stop_at_the_total(tmp_path):
    folder = tmp_path / "sub"
    folder.mkdir()
    piece = "value = 1234567890123456789\n" * (100 * 1024 // 28)  # 100 KB: three pass the 256 KB total
    for name in ("a.py", "b.py", "c.py"):
        (folder / name).write_text(piece)
    labels, notes = notes_of(folder, tmp_path)
    assert labels == ["a.py", "b.py"]
    assert notes[0] == "`c.py` (100.0 KB) would take the submission's Python past 256.0 KB in all; it was not loaded."
    assert 2 * len(piece) <= MAX_SOURCE_TOTAL_BYTES < 3 * len(piece)


def test_a_notebook_with_too_many_json_items_is_not_read(tmp_path):
    cell = {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None, "source": "z = 3\n"}
    notebook = {"cells": [cell] * (MAX_NOTEBOOK_ITEMS // 5), "metadata": {}, "nbformat": 4, "nbformat_minor": 4}
    path = tmp_path / "hw.ipynb"
    path.write_text(json.dumps(notebook))
    labels, notes = notes_of(path, tmp_path)
    assert labels == [] and any("holds too many items" in n for n in notes)


def test_a_zip_whose_table_of_contents_is_huge_is_not_opened(tmp_path):
    archive = tmp_path / "many.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for i in range(20_000):  # about 250 bytes of table per entry: over 4 MB
            zf.writestr(f"{'n' * 200}/{i}.txt", b"")
    labels, notes = notes_of(archive, tmp_path)
    assert labels == [] and notes[0] == "`many.zip` lists too many files (its table of contents is over 4 MB); it was ignored."
