"""How a grader process is started: an isolated interpreter in a trusted working folder.

Why: a grader runs as the TA's user (root on a course machine), outside the sandbox. Started as
`python -m autograder` from inside a class folder, Python would put that folder first on the import
path, so a submitted `autograder.py` (or a submission folder `numpy/` with an `__init__.py`) would be
imported by the grader instead of the real package, and matplotlib would read a `matplotlibrc` from
it. `-I` keeps the working folder, `PYTHONPATH` and the user's site-packages off the path; the
working folder is the project itself, so nothing relative to it comes from a submission.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from autograder.course.paths import PROJECT_ROOT

TRUSTED_CWD = PROJECT_ROOT  # where every grader process runs: the grader's own files, no submission


ENTRY = PROJECT_ROOT / "autograder" / "__main__.py"  # puts its own project on the path (run_autograder too)


def grader_command(*args: str | Path) -> list[str]:
    """`python -I <project>/autograder/__main__.py ARGS` with this interpreter: the grader of this
    very project (a copy of it included), whatever is installed. Paths are made absolute (the
    grader runs in TRUSTED_CWD, not in the caller's folder), never resolved through links."""
    return [sys.executable, "-I", str(ENTRY), *(os.path.abspath(a) if isinstance(a, Path) else a for a in args)]


def drop_untrusted_path() -> list[str]:
    """Remove the current folder from `sys.path` when it is not the project (a TA's
    `python -m autograder ...` run from inside a class folder): whatever the grader imports next
    then comes from the installed packages, never from a submission. Returns what was removed."""
    here = os.getcwd()
    removed = [p for p in sys.path if p in ("", ".", here) and Path(here).resolve() != PROJECT_ROOT]
    sys.path[:] = [p for p in sys.path if p not in removed]
    return removed


def isolate_spawned_pythons() -> None:
    """Pythons this process starts without `-I` (the local Dask cluster's workers and the similarity
    check's readers, started by multiprocessing as `python -c ...`, which puts the current folder
    first on the path and would import a class folder's `multiprocessing/` as the TA's user) leave
    the current folder off the path: PYTHONSAFEPATH (Python 3.11 and later), inherited by every
    worker a nanny (re)starts. Set by every command of the CLI (cli.main)."""
    os.environ["PYTHONSAFEPATH"] = "1"
