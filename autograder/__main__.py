"""`python -m autograder` is the same as the `autograder` console script.

Graders are started as `python -I <project>/autograder/__main__.py ...` (autograder/course/launch.py):
isolated, so this file puts the project it lies in on the import path itself, and nothing else.
"""

import sys
from pathlib import Path

if not __package__:  # run as a file: the project this file belongs to, never the caller's folder
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from autograder.course.launch import drop_untrusted_path  # noqa: E402

drop_untrusted_path()  # before anything else is imported: run from a class folder, nothing may come from it

from autograder.cli import main  # noqa: E402

if __name__ == "__main__":  # not when a spawned process (a local Dask worker) re-imports the main module
    raise SystemExit(main())
