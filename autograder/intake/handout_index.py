"""The handout's own files, recognised in a submission, and the handout's requirements file.

A student who zips the whole handout folder hands back the self-check (`check.py`, `checks/`, the
grader's `autograder/` package) and the helpers shipped with the tasks. Those are not their work:
loading them as student code gives a page of "ModuleNotFoundError while loading". A file is the
handout's own when its path AND its content (sha256) are those of a file the handout shipped, so
a student's own `check.py` still counts as code. The index is written into the handout zip; the
grader computes the same index from the project (and also honours a submitted copy of the index:
trusting it can only hide the submitter's own files from grading, never add points).
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Callable, Iterable, Mapping

from autograder.paths import PROJECT_ROOT

INDEX_FILE = "autograder/handout_files.json"
REQUIREMENTS_FILE = "requirements.txt"
# Grader-side tools of pyproject.toml that a student's machine does not need (the self-check runs
# without pytest; the rubric checks are the instructor's).
GRADER_ONLY = {"pytest", "jsonschema", "tomli", "gradescope-utils"}
CPU_INDEX = "https://download.pytorch.org/whl/cpu"
ENGINE_FOLDERS = {"autograder", "checks"}  # the self-check's folders, named as one each


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass(frozen=True)
class HandoutIndex:
    files: Mapping[str, str]      # handout path -> sha256 of what it shipped
    kept: frozenset[str]          # handout paths that stay part of a submission (task data files)

    def recognises(self, rel: str, read: Callable[[], bytes]) -> bool:
        """`rel` (relative to the submission's root) is a file the handout shipped, unchanged and
        not kept: at its handout path, or at the tail of it (the homework folder zipped alone).
        The content is read only for a path the handout has."""
        sha = None
        for path, expected in self.files.items():
            if path in self.kept or not (path == rel or path.endswith("/" + rel)):
                continue
            sha = sha or digest(read())
            if sha == expected:
                return True
        return False


def index_json(members: Mapping[str, bytes], kept: Iterable[str]) -> bytes:
    """The index of a handout's members, as written into its zip."""
    files = {name: digest(data) for name, data in sorted(members.items())}
    return json.dumps({"files": files, "kept": sorted(kept)}, indent=0).encode("utf-8")


def parse_index(raw: bytes) -> HandoutIndex | None:
    try:
        data = json.loads(raw.decode("utf-8"))
        files = {str(k): str(v) for k, v in dict(data["files"]).items()}
        return HandoutIndex(files, frozenset(str(k) for k in data.get("kept", [])))
    except (ValueError, KeyError, TypeError, AttributeError):
        return None


@lru_cache(maxsize=None)
def project_index() -> HandoutIndex:
    """The index of the handout this installation would give out: the shipped file in a student's
    handout, else computed from the project by the code that builds the handout zip."""
    shipped = PROJECT_ROOT / INDEX_FILE
    if shipped.is_file():
        return parse_index(shipped.read_bytes()) or HandoutIndex({}, frozenset())
    from autograder.handout import handout_members, own_files_index  # what a zip of every task would hold
    from autograder.tasks import all_tasks

    tasks = list(all_tasks())
    members, data = handout_members(tasks)
    return parse_index(own_files_index(members, data, tasks)) or HandoutIndex({}, frozenset())


def known_content(name: str, read: Callable[[], bytes]) -> bool:
    """A file named `name` holds what the handout shipped under that name (its path is checked
    later, by handout_copies): read only when the handout has a file of that name."""
    index = project_index()
    expected = {sha for path, sha in index.files.items() if path.rsplit("/", 1)[-1] == name and path not in index.kept}
    return bool(expected) and digest(read()) in expected


def handout_copies(root: Path, files: Iterable[Path]) -> set[Path]:
    """The files under `root` that are the handout's own, unchanged (see the module's docstring)."""
    indexes = [project_index()]
    submitted = root / INDEX_FILE
    if submitted.is_file() and not submitted.is_symlink():  # the handout the student had (maybe older)
        indexes += [parsed] if (parsed := parse_index(submitted.read_bytes())) else []
    found = set()
    for path in files:
        rel = path.relative_to(root).as_posix()
        if rel == INDEX_FILE or any(index.recognises(rel, path.read_bytes) for index in indexes):
            found.add(path)
    return found


def skipped_note(root: Path, skipped: Iterable[Path]) -> str:
    """One short line for the handout's own files that were left out: the grader's folders by name,
    other files by path (a task's helper, which a student may wonder about)."""
    rels = sorted(p.relative_to(root).as_posix() for p in skipped)
    shown = sorted({r.split("/")[0] + "/" if r.split("/")[0] in ENGINE_FOLDERS else r for r in rels})
    return (f"The handout's own files, unchanged, were not graded ({len(rels)}: "
            + ", ".join(f"`{g}`" for g in shown[:6]) + (", ..." if len(shown) > 6 else "") + ").")


def _requirement_name(line: str) -> str:
    return re.split(r"[\s=<>!~;\[]", line.strip(), maxsplit=1)[0].lower()


def _dependencies(pyproject: Path) -> list[str]:
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10
        import tomli as tomllib  # type: ignore[no-redef]

    return list(tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]["dependencies"])


def pinned(package: str, pyproject: Path = PROJECT_ROOT / "pyproject.toml") -> str:
    """The version pyproject.toml pins for `package` (the first pin), e.g. "2.13.0"."""
    for line in _dependencies(pyproject):
        if _requirement_name(line) == package and "==" in line:
            return line.split("==", 1)[1].split(";", 1)[0].strip()
    raise KeyError(f"pyproject.toml pins no version of {package}")


def requirements_text(pyproject: Path = PROJECT_ROOT / "pyproject.toml") -> str:
    """requirements.txt for the students: the grader's own pinned runtime packages (the CPU build of
    torch, at the grader's version), without the grader-only tools."""
    pins = [d for d in _dependencies(pyproject) if _requirement_name(d) not in GRADER_ONLY]
    header = ["# The packages your homework and `python check.py` need, at the grader's versions.",
              "# `pip install -r requirements.txt` installs the CPU build of torch (about 1 GB installed,",
              "# not the 5 GB CUDA build); the grader runs on a CPU too, and a GPU is never needed.",
              f"--extra-index-url {CPU_INDEX}"]
    return "\n".join(header + pins) + "\n"

