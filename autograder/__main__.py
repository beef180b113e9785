"""`python -m autograder` is the same as the `autograder` console script."""

from autograder.cli import main

if __name__ == "__main__":  # not when a spawned process (a local Dask worker) re-imports the main module
    raise SystemExit(main())
