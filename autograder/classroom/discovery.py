"""Which submissions a class folder holds, and who handed each in (Gradescope's metadata).

Kept apart from batch.py so that grading (local or on a cluster) and discovery each stay short.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from pathlib import Path

from autograder.classroom.entry_names import safe_names

METADATA_FILE = "submission_metadata.yml"
SUBMISSION_SUFFIXES = (".zip", ".ipynb", ".py")


@dataclass
class Submitter:
    name: str = ""
    email: str = ""
    sid: str = ""


@dataclass
class Entry:
    """One submission to grade: its id (folder or file name), where it is, who handed it in."""

    name: str
    path: Path
    submitters: list[Submitter] = field(default_factory=list)


# ---------------------------------------------------------------- Gradescope metadata

_KEY = re.compile(r"^(\s*)(-\s+)?:?([A-Za-z0-9_.\-]+):\s*(.*)$")


def _scalar(text: str) -> str:
    """A YAML scalar as text: quotes removed, '' unescaped; good enough for names and emails."""
    text = text.strip()
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
        inner = text[1:-1]
        return inner.replace("''", "'") if text[0] == "'" else inner.replace('\\"', '"')
    return text


def parse_metadata(text: str) -> dict[str, list[Submitter]]:
    """Submitters per submission folder from Gradescope's Ruby-flavoured YAML, read line by line.

    Only the `:submitters:` list of each top-level key is read: the rest (results, scores, nested
    `:name:` keys of test results) is skipped, so no YAML library is needed.
    """
    found: dict[str, list[Submitter]] = {}
    current: list[Submitter] | None = None
    block_indent: int | None = None  # indentation of the `:submitters:` key while inside its list
    for line in text.splitlines():
        match = _KEY.match(line)
        if not line.strip() or line.lstrip().startswith("#") or line.strip() == "---":
            continue
        indent = len(line) - len(line.lstrip())
        if indent == 0 and match and not match.group(2):
            current = found.setdefault(match.group(3), [])
            block_indent = None
            continue
        if current is None or not match:
            continue
        dash, key, value = bool(match.group(2)), match.group(3), match.group(4)
        if key == "submitters" and not dash:
            block_indent = indent
            continue
        if block_indent is None:
            continue
        if indent < block_indent or (indent == block_indent and not dash):
            block_indent = None  # the next key of the submission: the list has ended
            continue
        if dash:
            current.append(Submitter())
        if current and key in ("name", "email", "sid"):
            setattr(current[-1], key, _scalar(value))
    return found


# ---------------------------------------------------------------- discovery

def _is_candidate(path: Path) -> bool:
    if path.name.startswith((".", "__")):
        return False
    return path.is_dir() or path.suffix.lower() in SUBMISSION_SUFFIXES


def _export_entries(folder: Path) -> list[Entry]:
    """A Gradescope export: every sub-folder is one submission, named in the metadata."""
    meta = parse_metadata((folder / METADATA_FILE).read_text(encoding="utf-8", errors="replace"))
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
