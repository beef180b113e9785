"""The test author's API (autograder/api/__init__.py) is the only grader module the task folders import."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import autograder.api as api
from autograder.course.paths import GRADING_TESTS, PROJECT_ROOT


def imported_modules(path: Path) -> set[str]:
    """Every module a file imports, at any depth (imports inside functions count too)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.add(node.module)
            if node.module == "autograder":  # `from autograder import timing` reaches timing
                found.update(f"autograder.{alias.name}" for alias in node.names)
    return found


def test_task_folders_import_only_the_api_from_the_grader():
    files = sorted(GRADING_TESTS.glob("**/*.py"))
    assert any(p.name.startswith("test_") for p in files) and any(p.name == "conftest.py" for p in files)
    offenders = {f"{p.relative_to(PROJECT_ROOT)}: {m}" for p in files for m in imported_modules(p)
                 if (m == "autograder" or m.startswith("autograder.")) and m != "autograder.api"}
    assert not offenders, sorted(offenders)


def test_the_checker_sees_an_engine_import(tmp_path):
    bad = tmp_path / "test_x.py"
    bad.write_text("from autograder import timing\ndef f():\n    from autograder.sandbox.wire import TensorData\n")
    assert {"autograder.timing", "autograder.sandbox.wire"} <= imported_modules(bad)


def test_every_exported_name_is_listed_and_documented():
    doc = api.__doc__ or ""
    for name in api.__all__:
        assert name in doc, f"{name} is not listed in autograder/api/__init__.py's docstring"
        value = getattr(api, name)
        if name != "Figure":  # an alias of dict, documented in the module docstring and beside it
            assert (value.__doc__ or "").strip() and value.__doc__ is not type.__doc__, name


def test_the_api_imports_neither_pytest_nor_tomllib():
    """Public checks import it in the students' self-check, where pytest need not be installed."""
    code = "import sys, autograder.api; print(sorted({'pytest', 'tomllib', 'tomli'} & set(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=PROJECT_ROOT, check=True)
    assert out.stdout.strip() == "[]"


def test_task_files_are_found_by_task_and_name():
    assert api.task_file("regression", "qn2_data.csv").parent.name == "regression"
    assert api.task_module("mnist", "mnist_data.py") is api.task_module("mnist", "mnist_data.py")
    assert api.is_figure({"__kind__": "figure", "axes": []}) and not api.is_figure({"axes": []})
