"""The names a submission must define, read from the student template (the one source of truth).

Each public top-level function, class or constant of `student_template/<task>/<task>.py` is a
required name whose home module is `<task>`. Adding an exercise = adding a task folder; nothing
here changes.
"""

from __future__ import annotations

import ast
from functools import lru_cache
from pathlib import Path

from autograder.course.tasks import all_tasks


def defined_names(node: ast.AST) -> list[str]:
    """The names a top-level statement defines (a def, a class, a plain or annotated assignment)."""
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return [node.name]
    if isinstance(node, ast.Assign):
        return [t.id for t in node.targets if isinstance(t, ast.Name)]
    if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
        return [node.target.id]
    return []


def _public_names(tree: ast.Module) -> list[str]:
    return [n for node in tree.body for n in defined_names(node) if not n.startswith("_")]


def _templates(tasks: tuple[str, ...] | None) -> list[Path]:
    known = all_tasks()
    return [known[name].template for name in (tasks if tasks is not None else tuple(known))]


@lru_cache(maxsize=None)
def required_names(tasks: tuple[str, ...] | None = None) -> dict[str, str]:
    """{name: task module} of the given tasks (default: every task), in task then template order."""
    found: dict[str, str] = {}
    for path in _templates(tasks):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for name in _public_names(tree):
            found.setdefault(name, path.stem)
    return found


def task_modules(tasks: tuple[str, ...] | None = None) -> list[str]:
    return [path.stem for path in _templates(tasks)]


@lru_cache(maxsize=None)
def template_signatures(tasks: tuple[str, ...] | None = None) -> dict[str, str]:
    """{function name: "name(arg, ...)"} as the handout writes it, to show next to a student's own."""
    found: dict[str, str] = {}
    for path in _templates(tasks):
        for node in ast.parse(path.read_text(encoding="utf-8"), filename=str(path)).body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and not node.name.startswith("_"):
                found.setdefault(node.name, signature(node))
    return found


def signature(node: ast.FunctionDef | ast.AsyncFunctionDef) -> str:
    return f"{node.name}({ast.unparse(node.args)})"
