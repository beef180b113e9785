"""Checks of what a TA or an instructor typed, before anything is graded.

Why: a wrong path or option must cost one clear line and exit status 2, never a traceback and
never a fake grade (a results.json worth 0 for a file that does not exist).
"""

from __future__ import annotations

import argparse
import difflib
import fnmatch
import re
from pathlib import Path
from typing import Callable

from autograder.classroom.batch import Entry


class UsageError(Exception):
    """Bad input: the message is the one line the user reads; the exit status is 2."""


def existing_submission(path: Path) -> Path:
    if not path.exists():
        raise UsageError(f"{path}: no such file or folder (a submission is a folder, .py, .ipynb or .zip)")
    return path


def class_folder(path: Path) -> Path:
    if not path.exists():
        raise UsageError(f"{path}: no such folder")
    if not path.is_dir():
        raise UsageError(f"{path} is a file; grade-all takes a folder of submissions (grade one file with "
                         f"`autograder grade {path}`)")
    return path


def out_folder(path: Path, must_exist: bool = False) -> Path:
    if path.exists() and not path.is_dir():
        raise UsageError(f"--out {path} is a file; give a folder for the results")
    if must_exist and not path.is_dir():
        raise UsageError(f"{path}: no such folder (the --out folder of an earlier grade-all)")
    return path


def out_file(path: Path) -> Path:
    """A file to write (its folder is made if needed), not a folder."""
    if path.is_dir():
        raise UsageError(f"--out {path} is a folder; give the path of the file to write")
    return path


def positive(value: float | None, option: str) -> None:
    if value is not None and value <= 0:
        raise UsageError(f"{option} {value:g}: must be at least 1" if option == "--jobs"
                         else f"{option} {value:g}: must be more than 0")


def fraction(value: float | None, option: str) -> None:
    if value is not None and not 0 < value <= 1:
        raise UsageError(f"{option} {value:g}: give a fraction above 0 and at most 1 (0.6 for 60%)")


def route(scheduler: str | None, cluster: str | None, jobs: int | None) -> bool:
    """Whether grade-all goes through Dask; --scheduler, --cluster and --jobs exclude each other."""
    given = [name for name, value in (("--scheduler", scheduler), ("--cluster", cluster), ("--jobs", jobs)) if value]
    if len(given) > 1:
        raise UsageError(f"{' and '.join(given)} exclude each other: --jobs sizes the local pool, --cluster "
                         "local:N a local Dask cluster, --scheduler names a running one")
    if cluster is not None and not re.fullmatch(r"local:[1-9][0-9]*", cluster):
        raise UsageError(f"--cluster {cluster!r}: expected local:N with N at least 1 (e.g. local:4); a cluster "
                         "of other machines is given by --scheduler ADDRESS")
    if scheduler is not None and "://" not in scheduler:
        raise UsageError(f"--scheduler {scheduler!r}: give the scheduler's address, e.g. tcp://host:8786")
    return bool(scheduler or cluster)


def only_name(only: str | None, entries: list[Entry]) -> None:
    """`--only` must name a submission; a student's name or email on an export is told its folder."""
    if only is None or any(e.name == only for e in entries):
        return
    owners = [e.name for e in entries for s in e.submitters
              if only.strip().lower() in (s.name.lower(), s.email.lower(), s.sid.lower())]
    if owners:
        raise UsageError(f"--only {only!r} is a student, not a submission: use --only {owners[0]}")
    names = [e.name for e in entries]
    close = [n for n in names if n.lower().startswith(only.lower())] or difflib.get_close_matches(only, names, n=3) \
        or [n for n in names if only.lower() in n.lower()]
    raise UsageError(f"--only {only!r}: no submission of that name in the folder"
                     + (f" (did you mean {' or '.join(repr(c) for c in close[:3])}?)" if close
                        else f" ({len(entries)} submissions found)"))


def some_submissions(entries: list[Entry], folder: Path) -> None:
    """An empty class folder is a mistake (a wrong path, an export not unpacked), not an empty gradebook."""
    if not entries:
        raise UsageError(f"{folder}: no submission in it (a submission is a folder, .zip, .ipynb or .py file; "
                         "a Gradescope export holds submission_metadata.yml)")


def tests_pattern(pattern: str | None, selector: Callable[[str], bool] | None, ids: list[str]) -> None:
    """`--tests` must select something: a typo would otherwise "regrade" nothing and say done."""
    if pattern and selector is not None and not any(selector(i) for i in ids):
        close = difflib.get_close_matches(pattern, ids, n=1, cutoff=0.5)
        raise UsageError(f"--tests {pattern!r} matches no test"
                         + (f" (did you mean {close[0]!r}?)" if close else f" (ids look like {ids[0]!r})"))


def rubric_problems(problems: list[str]) -> None:
    if problems:
        raise UsageError(f"the rubric has {len(problems)} problem(s); nothing was graded:\n"
                         + "\n".join(f"  {p}" for p in problems))


def selector(pattern: str | None) -> Callable[[str], bool] | None:
    """`--tests PATTERN` as a test-id predicate (a glob, or a part of the id); None selects every test."""
    return None if not pattern else (lambda test_id: fnmatch.fnmatch(test_id, pattern) or pattern in test_id)


def assignment(args: argparse.Namespace) -> Path:
    """The assignment file this command works on (`--assignment`, `--rubric`, or the default rule of
    autograder/course/assignment.py), said on stdout so nobody wonders which one was used (stderr stays the
    one line of a usage error)."""
    from autograder.course.assignment import choose

    choice = choose(getattr(args, "assignment", None), getattr(args, "rubric", None))
    print(choice.describe())
    return choice.path
