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

from functools import lru_cache
from pathlib import Path
from typing import Callable, Iterable

from autograder.course.markdown import code_span
from autograder.course.paths import PROJECT_ROOT
from autograder.course.tasks import all_tasks
from autograder.intake.handout_contents import (
    INDEX_FILE,
    HandoutIndex,
    digest,
    handout_members,
    own_files_index,
    parse_index,
)

ENGINE_FOLDERS = {"autograder", "checks"}  # the self-check's folders, named as one each


@lru_cache(maxsize=None)
def project_index() -> HandoutIndex:
    """The index of the handout this installation would give out: the shipped file in a student's
    handout, else computed from the project by the code that builds the handout zip."""
    shipped = PROJECT_ROOT / INDEX_FILE
    if shipped.is_file():
        return parse_index(shipped.read_bytes()) or HandoutIndex({}, frozenset())
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
            + ", ".join(f"{code_span(g)}" for g in shown[:6]) + (", ..." if len(shown) > 6 else "") + ").")


