"""Hidden tests brought from a Gradescope autograder and not converted yet: they import the student's
module themselves (`import fun`, `from fun import projectile`).

Why: on Gradescope that import runs the submission inside the test; here the student's code runs
only in its sandbox, so such a test fails on every submission with an internal error and the
reference scores 0 with no reason given. Read from the source, never run, so `validate` can name
the line and say how to convert it (README "Bringing your Gradescope tests").
"""

from __future__ import annotations

import ast
from autograder.course.assignment import shown
from autograder.course.tasks import all_tasks


def _imported(node: ast.stmt) -> list[str]:
    """The top-level module names an import statement imports (`a` of `import a.b`)."""
    if isinstance(node, ast.Import):
        return [alias.name.split(".", 1)[0] for alias in node.names]
    if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
        return [node.module.split(".", 1)[0]]
    return []


def direct_imports(tasks: tuple[str, ...]) -> list[str]:
    """One line per import of a student module (a task's module name) in the given tasks' hidden
    tests: `file:line: ...` with how to call the student's code instead."""
    known = all_tasks()
    found = []
    for name in tasks:
        for path in sorted(known[name].tests_dir.glob("test_*.py")) if name in known else []:
            try:
                tree = ast.parse(path.read_text(encoding="utf-8"))
            except (OSError, UnicodeDecodeError, SyntaxError):
                continue  # collection reports it
            for node in ast.walk(tree):
                for module in _imported(node) if isinstance(node, ast.stmt) else []:
                    if module in known:
                        found.append(
                            f"{shown(path)}:{node.lineno}: imports the student's module `{module}` itself, as a "
                            "Gradescope test does; here the student's code runs only in its sandbox, so this test "
                            "fails for everyone. Convert it: derive the TestCase from "
                            "autograder.api.StudentTestCase (or take the `student` fixture) and call "
                            f"`self.student.call(\"<function>\", ...)` instead of `{module}.<function>(...)` "
                            "(README \"Bringing your Gradescope tests\")")
    return found
