"""Copy a submission into a staging folder without trusting it: zips and folders alike.

A zip may hold `..` or absolute paths, symlinks, or lie about sizes (a zip bomb); a folder may hold
symlinks to the grader's files. Everything is copied by reading real bytes under hard caps, and
everything skipped is said in a note for the student.
"""

from __future__ import annotations

import os
import stat
import zipfile
from pathlib import Path, PurePosixPath

MAX_ENTRIES = 2000
MAX_FILE_BYTES = 100 * 1024 * 1024
MAX_TOTAL_BYTES = 200 * 1024 * 1024
CHUNK = 1 << 20
IGNORED_PARTS = {"__MACOSX", ".ipynb_checkpoints", "__pycache__", ".git"}


class Budget:
    """Counts entries and bytes across one submission, so the caps hold whatever its shape."""

    def __init__(self) -> None:
        self.entries = 0
        self.bytes = 0

    def take_entry(self) -> bool:
        self.entries += 1
        return self.entries <= MAX_ENTRIES


def _ignored(parts: tuple[str, ...]) -> bool:
    return any(p in IGNORED_PARTS or p.startswith(".") for p in parts)


def _copy_stream(source, target: Path, budget: Budget) -> str | None:
    """Copy at most the caps' worth of bytes; return a problem (and delete the part) if exceeded."""
    written = 0
    with open(target, "wb") as out:
        while True:
            chunk = source.read(CHUNK)
            if not chunk:
                return None
            written += len(chunk)
            budget.bytes += len(chunk)
            if written > MAX_FILE_BYTES or budget.bytes > MAX_TOTAL_BYTES:
                out.close()
                target.unlink()
                return "too large once unpacked"
            out.write(chunk)


def unpack_zip(archive: Path, dest: Path, notes: list[str], budget: Budget) -> None:
    try:
        zf = zipfile.ZipFile(archive)
    except (zipfile.BadZipFile, OSError) as exc:
        notes.append(f"`{archive.name}` is not a readable zip file ({exc}); it was ignored.")
        return
    with zf:
        for info in zf.infolist():
            name = info.filename
            parts = PurePosixPath(name.replace("\\", "/")).parts
            if info.is_dir():
                continue
            if name.startswith(("/", "\\")) or ".." in parts or (parts and ":" in parts[0]):
                notes.append(f"`{name}` in `{archive.name}` points outside the submission; it was skipped.")
                continue
            if stat.S_ISLNK(info.external_attr >> 16):
                notes.append(f"`{name}` in `{archive.name}` is a symbolic link; it was skipped.")
                continue
            if _ignored(parts):
                continue
            if not budget.take_entry():
                notes.append(f"`{archive.name}` has more than {MAX_ENTRIES} files; the rest were skipped.")
                return
            if name.lower().endswith(".zip"):
                notes.append(f"`{name}` is a zip inside the zip; nested zips are not opened.")
                continue
            target = dest.joinpath(*parts)
            target.parent.mkdir(parents=True, exist_ok=True)
            try:
                with zf.open(info) as source:
                    problem = _copy_stream(source, target, budget)
            except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError, RuntimeError) as exc:
                problem = f"unreadable ({exc})"
                target.unlink(missing_ok=True)
            if problem:
                notes.append(f"`{name}` in `{archive.name}` was skipped: {problem}.")
                if budget.bytes > MAX_TOTAL_BYTES:
                    notes.append("The submission is too large once unpacked; the rest was skipped.")
                    return


def copy_tree(source: Path, dest: Path, notes: list[str], budget: Budget, top: Path | None = None) -> None:
    """Copy a folder without following links; zips found inside are unpacked in place."""
    top = top or source
    try:
        entries = sorted(os.scandir(source), key=lambda e: e.name)
    except OSError as exc:
        notes.append(f"`{source.name}` could not be read ({exc}).")
        return
    for entry in entries:
        rel = Path(entry.path).relative_to(top)
        if _ignored(rel.parts):
            continue
        if entry.is_symlink():
            notes.append(f"`{rel}` is a symbolic link; it was skipped.")
            continue
        if entry.is_dir(follow_symlinks=False):
            copy_tree(Path(entry.path), dest / entry.name, notes, budget, top)
            continue
        if not entry.is_file(follow_symlinks=False) or not budget.take_entry():
            continue
        dest.mkdir(parents=True, exist_ok=True)
        if entry.name.lower().endswith(".zip"):
            unpack_zip(Path(entry.path), dest / Path(entry.name).stem, notes, budget)
            continue
        with open(entry.path, "rb") as fh:
            problem = _copy_stream(fh, dest / entry.name, budget)
        if problem:
            notes.append(f"`{rel}` was skipped: {problem}.")
