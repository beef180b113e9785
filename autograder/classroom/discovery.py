"""Which submissions a class folder holds, and who handed each in (Gradescope's metadata).

Kept apart from batch.py so that grading (local or on a cluster) and discovery each stay short.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

from autograder.classroom.entry_names import safe_names
from autograder.classroom.roster import Submitter, parse_metadata  # noqa: F401 (re-exported)

METADATA_FILE = "submission_metadata.yml"
SUBMISSION_SUFFIXES = (".zip", ".ipynb", ".py")


@dataclass
class Entry:
    """One submission to grade: its id (folder or file name), where it is, who handed it in."""

    name: str
    path: Path
    submitters: list[Submitter] = field(default_factory=list)


# ---------------------------------------------------------------- discovery

def _is_candidate(path: Path) -> bool:
    if path.name.startswith((".", "__")):
        return False
    return path.is_dir() or path.suffix.lower() in SUBMISSION_SUFFIXES


def _export_entries(folder: Path) -> list[Entry]:
    """A Gradescope export: every sub-folder is one submission, named in the metadata."""
    meta = parse_metadata((folder / METADATA_FILE).read_text(encoding="utf-8", errors="replace"))  # RosterError: a ValueError
    return [Entry(p.name, p, meta.get(p.name, [])) for p in sorted(folder.iterdir())
            if p.is_dir() and _is_candidate(p)]


def discover(root: Path, exclude: Path | None = None) -> list[Entry]:
    """The submissions in `root`: each folder or .zip/.ipynb/.py file is one.

    A folder holding submission_metadata.yml (root itself or one level down) is a Gradescope
    export whose sub-folders are the submissions. `exclude` (the output folder) is never graded.
    """
    root = Path(root)
    if (root / METADATA_FILE).is_file():
        entries = _export_entries(root)
    else:
        entries = []
        for path in sorted(root.iterdir()):
            if not _is_candidate(path) or (exclude is not None and path.resolve() == exclude.resolve()):
                continue
            if path.is_dir() and (path / METADATA_FILE).is_file():
                entries += _export_entries(path)
            else:
                entries.append(Entry(path.name, path))
    names = [e.name for e in entries]
    duplicates = {n for n in names if names.count(n) > 1}
    if duplicates:
        raise ValueError(f"two submissions share the name(s) {', '.join(sorted(duplicates))}: rename one")
    return [replace(e, name=name) for e, name in zip(entries, safe_names(names))]  # OUT's own names stay OUT's
