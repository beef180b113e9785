"""Libraries the grader does not have, and the names a failed import leaves undefined.

A student who imports pandas or sklearn on their laptop sees `ModuleNotFoundError` here, then, much
later, `NameError: name 'xrange' is not defined` from a function that relied on `past`. Both get
their cause: the library is not on the grader, here is the numpy/torch way; that name was to come
from that import, on that line. Static: the submission's imports are read, never run.
"""

from __future__ import annotations

import ast
import importlib.util
import re

from autograder.intake.source_index import SourceIndex

NO_MODULE = re.compile(r"No module named '([\w.]+)'")
UNDEFINED = re.compile(r"name '(\w+)' is not defined")
ON_THE_GRADER = "the packages of the handout's requirements.txt and Python's standard library"

# top-level module -> what to use instead, with what the grader has
INSTEAD = {
    "pandas": "read a CSV with `np.loadtxt(path, delimiter=\",\", skiprows=1)` (or `np.genfromtxt`), and "
              "compute on numpy arrays",
    "sklearn": "write the step yourself with numpy: array arithmetic for pairwise computations, a clustering as its assign and "
               "update steps, a linear fit with `np.linalg.lstsq`",
    "scipy": "numpy has what these tasks need: `np.linalg` for solves and norms, array arithmetic for "
             "pairwise computations",
    "past": "Python 3 has it built in: `range` instead of `xrange`, `input` instead of `raw_input`",
    "future": "Python 3 has it built in: `range` instead of `xrange`, `input` instead of `raw_input`",
    "six": "Python 3 has it built in: `range`, `str`, `dict.items()`",
    "tkinter": "no window can open on the grader: return the matplotlib Figure instead of showing it",
    "seaborn": "matplotlib draws the same: `fig, ax = plt.subplots()` then `ax.scatter` / `ax.plot`",
    "cv2": "numpy slicing and `torch.nn.functional` do the image operations these tasks need",
    "tensorflow": "the tasks use torch: `torch.nn` for models, its optimisers for training",
    "keras": "the tasks use torch: `torch.nn` for models, its optimisers for training",
}


def available(module: str) -> bool:
    """Whether the grader (the same environment as the worker) can import `module`'s top level."""
    try:
        return importlib.util.find_spec(module.split(".")[0]) is not None
    except (ImportError, ValueError):
        return False


def library_hint(message: str) -> str:
    """For "No module named 'pandas'": the library is not on the grader, and what to use instead."""
    match = NO_MODULE.search(message)
    if not match:
        return ""
    top = match.group(1).split(".")[0]
    instead = INSTEAD.get(top, "do it with numpy or torch, or ask your instructor whether the package may be used")
    return f"`{top}` is not installed on the grader (it has only {ON_THE_GRADER}): {instead}."


def import_of(index: SourceIndex, name: str) -> tuple[str, int, str] | None:
    """(unit label, line, module) of an import in the submission that binds `name` and cannot run
    on the grader; None when there is none."""
    for unit, tree in index.trees:
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                bound = [alias.asname or alias.name for alias in node.names]
                if name in bound and not available(node.module):
                    return unit.label, node.lineno, node.module
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    if (alias.asname or alias.name.split(".")[0]) == name and not available(alias.name):
                        return unit.label, node.lineno, alias.name
    return None


def failed_import_hint(index: SourceIndex, kind: str, message: str) -> str:
    """For a NameError whose name a failed import was to define: that import, and the library hint."""
    match = UNDEFINED.search(message) if kind == "NameError" else None
    found = import_of(index, match.group(1)) if match else None
    if found is None:
        return ""
    label, line, module = found
    assert match is not None
    return (f"`{match.group(1)}` was to come from the import at {label}, line {line}, which failed when your "
            f"code was loaded: {library_hint(f'No module named {module!r}')}")
