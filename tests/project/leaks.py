"""What a student must never see, and a search of everything a student can see of a result.

Secrets are read from the grader's own files, so the search grows with them: every distinctive line
of the hidden tests (their code, their inputs), every parameter line of the rubrics' tests (tasks' and assignments'), and the
body of every reference function (unless the submission itself holds it: a student may see their
own code quoted back).
"""

from __future__ import annotations

import ast
import textwrap
from pathlib import Path

from autograder.course.paths import ASSIGNMENTS_DIR, GRADING_TESTS, REFERENCE_DIR
from autograder.course.rubric import ENTRY_KEYS

MIN_LINE = 30  # shorter lines (`return out`, `import numpy as np`) are not distinctive
GRADER_CANARY = "AG_GRADER_CANARY"  # an environment variable the grading process holds


def normalised(text: str) -> str:
    return "\n".join(line.strip() for line in text.splitlines() if line.strip())


def hidden_test_lines() -> list[str]:
    lines = []
    for path in sorted(GRADING_TESTS.glob("**/*.py")):
        for raw in path.read_text(encoding="utf-8").splitlines():
            line = raw.strip()
            if len(line) >= MIN_LINE and not line.startswith(("#", "from ", "import ")):
                lines.append(line)
    return lines


def rubric_parameter_lines() -> list[tuple[str, str]]:
    """(`key = value` as in the rubric, `key=value` as in code) for the [tests.*] tables' parameters
    (everything but name/points/number/visibility/tags)."""
    found, in_tests = [], False
    rubric_files = [*sorted(ASSIGNMENTS_DIR.glob("*.toml")), *sorted(GRADING_TESTS.glob("*/rubric.toml"))]
    for raw in (line for path in rubric_files for line in path.read_text(encoding="utf-8").splitlines()):
        line = raw.split("#", 1)[0].strip()
        if line.startswith("["):
            in_tests = line.startswith("[tests.")
        elif in_tests and "=" in line:
            key, value = (part.strip() for part in line.split("=", 1))
            if key not in ENTRY_KEYS:
                found.append((f"{key} = {value}", f"{key}={value}"))
    return found


def function_body(source: str, node: ast.FunctionDef | ast.AsyncFunctionDef) -> str:
    """A function's body without its def line and docstring, normalised ("" when it has none)."""
    body = node.body[1:] if ast.get_docstring(node) is not None else node.body
    if not body:
        return ""
    lines = source.splitlines()[body[0].lineno - 1:body[-1].end_lineno]
    return normalised(textwrap.dedent("\n".join(lines)))


def reference_bodies() -> list[str]:
    """Each reference function body (nested ones too), if long enough to be distinctive."""
    bodies = []
    for path in sorted(REFERENCE_DIR.glob("*/*.py")):
        source = path.read_text(encoding="utf-8")
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                text = function_body(source, node)
                if len(text) >= MIN_LINE:
                    bodies.append(text)
    return bodies


def student_visible_text(document: dict) -> str:
    """The top-level output and every test a student may see (name and output), hidden ones aside."""
    parts = [str(document.get("output", ""))]
    for test in document.get("tests", []):
        if test.get("visibility", "visible") != "hidden":
            parts += [str(test.get("name", "")), str(test.get("output", ""))]
    return "\n".join(parts)


def leaks(document: dict, submitted_text: str = "", canary: str | None = None) -> list[str]:
    """The secrets found in what the student can see of `document`, by their first line."""
    visible = student_visible_text(document)
    flat, submitted = normalised(visible), normalised(submitted_text)
    found = [line for line in hidden_test_lines() if line in visible and line not in submitted_text]
    found += [line for line, _ in rubric_parameter_lines() if line in visible]
    found += [body.splitlines()[0] for body in reference_bodies() if body in flat and body not in submitted]
    if canary and canary in visible:
        found.append("the grading process's environment")
    return found


def submitted_text(folder: Path) -> str:
    """Every text file of a submission folder (what the student wrote)."""
    texts = []
    for path in sorted(Path(folder).rglob("*")):
        if path.is_file() and path.suffix in (".py", ".ipynb"):
            texts.append(path.read_text(encoding="utf-8", errors="replace"))
    return "\n".join(texts)
