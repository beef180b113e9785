"""Copy a submission into a staging folder without trusting it: zips and folders alike.

A zip may hold `..` or absolute paths, symlinks, lie about sizes (a zip bomb), hold members that
clash (`notes` as a file and `notes/extra.py`) or names the filesystem refuses (longer than 255
bytes, paths past PATH_MAX); a folder may hold symlinks to the grader's files. Everything is copied
by reading real bytes under hard caps, one member at a time: a member that cannot be written is
skipped and the rest is still graded. Python source and notebooks are held to the caps of
source_limits.py here, before anything parses them. Everything skipped is said in a note.
"""

from __future__ import annotations

import os
import stat
import zipfile
from pathlib import Path, PurePosixPath
from typing import BinaryIO, Callable, Collection

from autograder.course.markdown import code_span
from autograder.intake.notebook_stream import slim_notebook
from autograder.intake.source_limits import MAX_SOURCE_FILE_BYTES, SourceBudget, notebook_problem

MAX_ENTRIES = 2000
MAX_FILE_BYTES = 100 * 1024 * 1024
MAX_TOTAL_BYTES = 200 * 1024 * 1024
MAX_DEPTH = 16  # folders deep: deeper members are skipped (and a folder walk never recurses far)
MAX_CENTRAL_DIRECTORY = 4 * 1024 * 1024  # bytes of a zip's table of contents, read whole by zipfile
CHUNK = 1 << 20
CODE_FIRST = (".py", ".ipynb", ".zip")
IGNORED_PARTS = {"__MACOSX", ".ipynb_checkpoints", "__pycache__", ".git"}


class Budget:
    """Counts entries and bytes across one submission, so the caps hold whatever its shape."""

    def __init__(self) -> None:
        self.entries = 0
        self.bytes = 0
        self.source = SourceBudget()
        # (file name, content reader) -> True for a known file that is not the student's code (the
        # handout's own, see handout_index.py): it does not use up the caps on the student's Python
        self.exempt: Callable[[str, Callable[[], bytes]], bool] = lambda name, read: False

    def take_entry(self) -> bool:
        self.entries += 1
        return self.entries <= MAX_ENTRIES


def _ignored(parts: tuple[str, ...]) -> bool:
    return any(p in IGNORED_PARTS or p.startswith(".") for p in parts)


def _remove(path: Path) -> None:
    try:
        path.unlink(missing_ok=True)
    except OSError:  # a folder of that name, or a path the filesystem refuses: nothing was written
        pass


def _copy_stream(source: BinaryIO, target: Path, budget: Budget, cap: int = MAX_FILE_BYTES) -> tuple[str | None, int, int]:
    """Copy at most the caps' worth of bytes: (problem or None, bytes, newlines). The part written
    is deleted when a cap is exceeded."""
    written = lines = 0
    with open(target, "wb") as out:
        while True:
            chunk = source.read(CHUNK)
            if not chunk:
                return None, written, lines
            written += len(chunk)
            lines += chunk.count(b"\n")
            budget.bytes += len(chunk)
            if written > cap or budget.bytes > MAX_TOTAL_BYTES:
                out.close()
                target.unlink()
                return "too large once unpacked", written, lines
            out.write(chunk)


def _store_notebook(open_source: Callable[[], BinaryIO], label: str, target: Path, budget: Budget) -> str | None:
    """A notebook is staged slimmed (notebook_stream.py): its code cells only, so its outputs, however
    large, count against no limit and are never held in memory whole."""
    try:
        with open_source() as source:
            slim, problem, _ = slim_notebook(source, label)
        if slim is None:
            return problem
        budget.bytes += len(slim)
        refused = notebook_problem(label, len(slim), slim)
        if refused or budget.bytes > MAX_TOTAL_BYTES:
            return refused or f"`{label}` was skipped: too large once unpacked."
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(slim)
    except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError, RuntimeError) as exc:
        _remove(target)
        reason = (exc.strerror or exc) if isinstance(exc, OSError) else exc
        return f"`{label}` was skipped: it could not be written ({reason})."
    return None


def _store(open_source: Callable[[], BinaryIO], label: str, target: Path, declared: int, budget: Budget) -> str | None:
    """Write one member to `target` under the caps; the note for the student when it was skipped.
    Any OSError (a clash with a file or folder of the same name, a name too long) skips it alone."""
    suffix = target.suffix.lower()
    if suffix == ".ipynb":
        return _store_notebook(open_source, label, target, budget)
    source_file = suffix == ".py"
    cap = MAX_SOURCE_FILE_BYTES if source_file else MAX_FILE_BYTES
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        with open_source() as source:
            problem, size, lines = _copy_stream(source, target, budget, cap)
    except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError, RuntimeError) as exc:
        _remove(target)
        reason = (exc.strerror or exc) if isinstance(exc, OSError) else exc
        return f"{code_span(label)} was skipped: it could not be written ({reason})."
    if problem and (budget.bytes > MAX_TOTAL_BYTES or not source_file):
        return f"{code_span(label)} was skipped: {problem}."
    size = max(size, declared)  # past a cap only the cap was read: say the size the file claims
    if source_file and not problem and budget.exempt(target.name, target.read_bytes):
        refused = None
    elif source_file:
        refused = budget.source.take(label, size, lines)
    else:
        refused = None
    if refused:
        _remove(target)
    return refused


def _central_directory_problem(archive: Path) -> str | None:
    """zipfile reads a zip's whole table of contents into memory: refuse a huge one unread."""
    try:
        with open(archive, "rb") as fh:
            end = zipfile._EndRecData(fh)  # type: ignore[attr-defined]  # stable in 3.10 to 3.13
    except OSError:
        return None
    if end and end[zipfile._ECD_SIZE] > MAX_CENTRAL_DIRECTORY:  # type: ignore[attr-defined]
        return f"{code_span(archive.name)} lists too many files (its table of contents is over 4 MB); it was ignored."
    return None


def unpack_zip(archive: Path, dest: Path, notes: list[str], budget: Budget) -> None:
    problem = _central_directory_problem(archive)
    if problem:
        notes.append(problem)
        return
    try:
        zf = zipfile.ZipFile(archive)
    except (zipfile.BadZipFile, OSError) as exc:
        notes.append(f"{code_span(archive.name)} is not a readable zip file ({exc}); it was ignored.")
        return
    with zf:
        for info in sorted(zf.infolist(), key=lambda i: not holds_code(i.filename)):  # code first
            name = info.filename
            parts = PurePosixPath(name.replace("\\", "/")).parts
            if info.is_dir():
                continue
            if not budget.take_entry():
                notes.append(f"{code_span(archive.name)} has more than {MAX_ENTRIES} files; the rest were skipped.")
                return
            if name.startswith(("/", "\\")) or ".." in parts or (parts and ":" in parts[0]):
                notes.append(f"{code_span(name[:120])} in {code_span(archive.name)} points outside the submission; it was skipped.")
                continue
            if stat.S_ISLNK(info.external_attr >> 16):
                notes.append(f"{code_span(name[:120])} in {code_span(archive.name)} is a symbolic link; it was skipped.")
                continue
            if _ignored(parts):
                continue
            if len(parts) > MAX_DEPTH:
                notes.append(f"{code_span(name[:120])} in {code_span(archive.name)} is more than {MAX_DEPTH} folders deep; it was skipped.")
                continue
            if name.lower().endswith(".zip"):
                notes.append(f"{code_span(name[:120])} is a zip inside the zip; nested zips are not opened.")
                continue
            problem = _store(lambda: zf.open(info), name[:120], dest.joinpath(*parts), info.file_size, budget)
            if problem:
                notes.append(problem)
                if budget.bytes > MAX_TOTAL_BYTES:
                    notes.append("The submission is too large once unpacked; the rest was skipped.")
                    return


def copy_file(path: Path, dest: Path, notes: list[str], budget: Budget, label: str | None = None) -> None:
    """Copy one regular file into the folder `dest`, under the same caps as a zip member."""
    try:
        declared = path.stat().st_size
    except OSError:
        declared = 0
    problem = _store(lambda: open(path, "rb"), label or path.name, dest / path.name, declared, budget)
    if problem:
        notes.append(problem)


def holds_code(name: str) -> bool:
    """Copied first, so that a cap on entries or bytes never costs the code (2,500 images sorted
    before it): Python files, notebooks, and zips (which usually hold them)."""
    return name.lower().endswith(CODE_FIRST)


def copy_tree(source: Path, dest: Path, notes: list[str], budget: Budget, top: Path | None = None,
              leave_out: Collection[Path] = ()) -> None:
    """Copy a folder without following links; zips found inside are unpacked in place. `leave_out`:
    paths not copied (the self-check's own zip of this folder). Two walks: the code first, then the rest."""
    for code in (True, False):
        _copy_tree(source, dest, notes, budget, top or source, leave_out, code)


def _copy_tree(source: Path, dest: Path, notes: list[str], budget: Budget, top: Path,
               leave_out: Collection[Path], code: bool) -> None:
    """One walk of copy_tree: the files that hold code, or the others (which also says what was skipped)."""
    try:
        entries = sorted(os.scandir(source), key=lambda e: e.name)
    except OSError as exc:
        if not code:
            notes.append(f"{code_span(source.name)} could not be read ({exc.strerror}).")
        return
    for entry in entries:
        rel = Path(entry.path).relative_to(top)
        if _ignored(rel.parts) or Path(entry.path) in leave_out:
            continue
        if entry.is_symlink():
            if not code:
                notes.append(f"{code_span(rel)} is a symbolic link; it was skipped.")
            continue
        if entry.is_dir(follow_symlinks=False):
            if len(rel.parts) < MAX_DEPTH:
                _copy_tree(Path(entry.path), dest / entry.name, notes, budget, top, leave_out, code)
            elif not code:
                notes.append(f"{code_span(rel)} is more than {MAX_DEPTH} folders deep; it was skipped.")
            continue
        if holds_code(entry.name) != code or not entry.is_file(follow_symlinks=False):
            continue
        if not budget.take_entry():
            if budget.entries == MAX_ENTRIES + 1:
                notes.append(f"The submission has more than {MAX_ENTRIES} files; the rest were skipped "
                             "(your code was read first).")
            continue
        if entry.name.lower().endswith(".zip"):
            unpack_zip(Path(entry.path), dest / Path(entry.name).stem, notes, budget)
            continue
        copy_file(Path(entry.path), dest, notes, budget, str(rel))
