"""Every name a test author uses has a docstring with an example (issue 26): the API's exports, the
methods of `student` and of a student's object, and every public name of the probes module (read
from its source: it imports the worker's `wire`, so it is not imported here)."""

from __future__ import annotations

import ast
import inspect

import autograder.api as api
from autograder.course.paths import PROJECT_ROOT
from autograder.grading.objects import StudentObject
from autograder.grading.scripts import ScriptRun
from autograder.grading.student import StudentProxy

PROBES = PROJECT_ROOT / "autograder" / "sandbox" / "probes.py"


def test_every_api_name_and_method_has_an_example():
    data = {name for name in api.__all__ if not callable(getattr(api, name)) and name != "Figure"}  # DEFAULT_CAUSES
    lacking = [name for name in api.__all__ if name != "Figure" and name not in data
               and "Example" not in (getattr(api, name).__doc__ or "")]
    # a constant has no docstring of its own: the module's lists it in a line that shows its use
    lacking += [name for name in data if not any(name in line and "(" in line for line in (api.__doc__ or "").splitlines())]
    for cls in (StudentProxy, StudentObject, ScriptRun):
        lacking += [f"{cls.__name__}.{name}" for name, member in inspect.getmembers(cls, inspect.isfunction)
                    if not name.startswith("_") and "Example" not in (member.__doc__ or "")]
    assert lacking == []
    assert "Example:" in inspect.getsource(api).split("Figure = dict", 1)[1][:600]  # the alias's own text


def test_every_public_name_of_the_probes_module_has_an_example():
    tree = ast.parse(PROBES.read_text(encoding="utf-8"))
    lacking, body = [], tree.body
    for position, node in enumerate(body):
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            name, doc = node.name, ast.get_docstring(node) or ""
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            target = node.targets[0] if isinstance(node, ast.Assign) else node.target
            name = getattr(target, "id", "_")
            after = body[position + 1] if position + 1 < len(body) else None
            doc = after.value.value if isinstance(after, ast.Expr) and isinstance(after.value, ast.Constant) else ""
        else:
            continue
        if not name.startswith("_") and "Example" not in str(doc):
            lacking.append(name)
    assert lacking == []
    module_doc = ast.get_docstring(tree) or ""
    assert "from probes import" in module_doc and "yardstick" in module_doc


def test_the_api_page_gives_race_and_the_readme_links_the_pages():
    doc = api.__doc__ or ""
    assert "race(name, rounds, yardstick, timeout=None, on=None)" in doc and "new(class_name, *args" in doc
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    assert "autograder/sandbox/probes.py" in readme and "autograder/api/__init__.py" in readme
