"""Name the real cause when a test cannot use a student's name: a file Python cannot compile, a
misspelt name, a signature that differs from the handout's; and apply the course's salvage rule.

Everything here is static (the submission's text, never its running code), so it is safe on hostile
submissions and cheap enough to run on every failure.
"""

from __future__ import annotations

import ast
import re
from pathlib import PurePosixPath
from typing import Any, Iterable

from autograder.course.contract import signature, template_signatures
from autograder.grading.libraries import failed_import_hint
from autograder.grading.name_hints import described, suggestions
from autograder.grading.recognise import recognised_absence
from autograder.intake.source_index import Location, SourceIndex
from autograder.sandbox.client import MissingName, StudentCodeError

ARGUMENT_ERROR = re.compile(r"positional argument|keyword argument|takes \d+|missing \d+ required|takes no arguments")


def uncompilable_home(index: SourceIndex, name: str, preferred: str | None = None) -> Any | None:
    """The unit (file or cell) that holds `name` when Python cannot compile that unit, else None."""
    for unit in index.units:
        if getattr(unit, "compile_error", "") and name in getattr(unit, "skipped_names", ()):
            return unit
    places = index.locate(name)
    if not places:
        return None
    home = ([p for p in places if p.module == preferred] or places)[-1]
    return next((u for u in index.units if u.label == home.label and getattr(u, "compile_error", "")), None)


def _where(location: Location) -> str:
    return f"{location.label}, line {location.line}"


def expected_place(index: SourceIndex, module: str | None) -> str:
    """Where a name belongs, in the terms of what was handed in: `task.py`, or "your notebook" to a
    student who submitted a notebook and no file of that name."""
    paths = [str(getattr(unit, "path", unit.label)) for unit in index.units]
    if module and any(PurePosixPath(p).name == f"{module}.py" for p in paths):
        return f"`{module}.py`"
    if any(p.endswith(".ipynb") for p in paths):
        return "your notebook"
    return f"`{module or '?'}.py`"


def missing_message(index: SourceIndex, name: str, contract: dict[str, str]) -> str:
    """Why `name` is not there, in the student's terms.
    Example: `fail(missing_message(student.index, "sgd_fit", student.contract))`."""
    home = uncompilable_home(index, name, contract.get(name))
    if home is not None:
        return f"`{name}` is in {home.label}, which Python cannot compile: {home.compile_error}"
    recognised = recognised_absence(index, name, contract)
    if recognised:
        return recognised
    found = suggestions(index, name, contract)
    if not found:
        return f"`{name}` is not defined in your submission (expected in {expected_place(index, contract.get(name))})"
    options = " or ".join(described(index, n) for n in found)
    return f"`{name}` not found; did you mean {options}? The handout's names are required"


def signature_hint(index: SourceIndex, name: str, contract: dict[str, str], error: dict[str, Any]) -> str:
    """The handout's signature next to the student's, when a call failed on its arguments; else ""."""
    message = str(error.get("message", ""))
    if error.get("type") != "TypeError" or f"{name}()" not in message or not ARGUMENT_ERROR.search(message):
        return ""
    expected = template_signatures().get(name)
    hit = index.function_node(name, contract.get(name))
    if expected is None or hit is None:
        return ""
    location, node = hit
    assert isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
    return (f"The grader calls it as the handout defines it: `{expected}`. Yours is `{signature(node)}` "
            f"({_where(location)}): keep the handout's parameters (extra ones need a default value).")


def salvage_rule(index: SourceIndex, used: Iterable[str], contract: dict[str, str], earns: bool,
                 fraction: float, points: float) -> tuple[float, str]:
    """(fraction to award, what the student reads) for a test that used names from a file Python
    cannot compile: by default such code earns nothing, and the student sees what it would have."""
    broken = {u.label: u.compile_error for n in sorted(used)
              if (u := uncompilable_home(index, n, contract.get(n))) is not None}
    if not broken:
        return fraction, ""
    cause = "Python cannot compile " + "; ".join(f"{label} ({error})" for label, error in broken.items())
    if earns:
        return fraction, (f"{cause}. This test ran on the rest of the file (the broken lines skipped), and by the "
                          "course's rule what it earns there counts.")
    if fraction > 0:
        return 0.0, (f"Scored 0: {cause}, and code that does not run as submitted earns nothing (course rule). "
                     f"With the broken lines skipped, this test would have scored {fraction * points:g}/{points:g}.")
    return 0.0, f"{cause}: code that does not run as submitted earns nothing (course rule)."


def explain_name_error(exc: Exception, index: SourceIndex, name: str, contract: dict[str, str]) -> None:
    """Give a failed call its real cause: where the missing name is, or the handout's signature."""
    if isinstance(exc, MissingName) and name in str(exc):
        exc.args = (missing_message(index, name, contract),)
    elif isinstance(exc, StudentCodeError) and exc.error.get("submission_problem"):
        if f"`{name}` is not defined" in str(exc.error.get("message", "")):  # a probe's own lookup
            exc.error = {**exc.error, "message": missing_message(index, name, contract)}
    elif isinstance(exc, StudentCodeError) and "hint" not in exc.error:
        hint = (signature_hint(index, name, contract, exc.error)
                or failed_import_hint(index, str(exc.error.get("type")), str(exc.error.get("message", ""))))
        if hint:
            exc.error = {**exc.error, "hint": hint}
