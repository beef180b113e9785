"""Build submissions on disk from the reference and the template, in every accepted form.

The reference modules are written so that each can be handed in as the student's own file
(no imports between reference modules), which makes "the template with the reference bodies
pasted in" a copy of reference/<task>/<task>.py for every task.
"""

from __future__ import annotations

import ast
import json
import shutil
import zipfile
from pathlib import Path

import nbformat

from autograder.course.tasks import all_tasks

WEIGHTS = "mnist_weights.pt"


def reference_submission(dest: Path) -> Path:
    """A folder of .py files named as in the template, holding the reference, plus the weights."""
    dest.mkdir(parents=True, exist_ok=True)
    for task in all_tasks().values():
        for path in task.reference_files():
            shutil.copy(path, dest / path.name)
    return dest


def template_submission(dest: Path) -> Path:
    dest.mkdir(parents=True, exist_ok=True)
    for task in all_tasks().values():
        shutil.copy(task.template, dest / task.template.name)
    return dest


def as_single_file(folder: Path, dest: Path) -> Path:
    """All .py files of a folder concatenated into one module (imports first is not needed)."""
    dest.mkdir(parents=True, exist_ok=True)
    future = "from __future__ import annotations\n"
    parts = [p.read_text(encoding="utf-8").replace(future, "") for p in sorted(folder.glob("*.py"))]
    (dest / "homework.py").write_text(future + "\n\n".join(parts), encoding="utf-8")
    for extra in folder.glob("*.pt"):
        shutil.copy(extra, dest / extra.name)
    return dest


def as_notebook(folder: Path, dest: Path, failing_cell: bool = False) -> Path:
    """One markdown + code cell per file, like a student's notebook, with IPython lines mixed in."""
    dest.mkdir(parents=True, exist_ok=True)
    nb = nbformat.v4.new_notebook()
    nb.cells.append(nbformat.v4.new_code_cell("%matplotlib inline\n!pip list | head -3\nimport numpy as np"))
    for path in sorted(folder.glob("*.py")):
        nb.cells.append(nbformat.v4.new_markdown_cell(f"## {path.stem}"))
        nb.cells.append(nbformat.v4.new_code_cell(path.read_text(encoding="utf-8")))
        if failing_cell:
            nb.cells.append(nbformat.v4.new_code_cell("undefined_name_in_a_cell + 1"))
    nbformat.write(nb, str(dest / "homework.ipynb"))
    for extra in folder.glob("*.pt"):
        shutil.copy(extra, dest / extra.name)
    return dest


def as_zip(folder: Path, dest_zip: Path, top: str | None = "hw1") -> Path:
    with zipfile.ZipFile(dest_zip, "w", zipfile.ZIP_DEFLATED) as zf:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                zf.write(path, (f"{top}/" if top else "") + str(path.relative_to(folder)))
    return dest_zip


def _defined_name(node: ast.stmt) -> str | None:
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return node.name
    if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name):
        return node.targets[0].id
    return None


def replace_function(folder: Path, module: str, new_source: str) -> None:
    """Swap top-level definitions of `module.py` for those in `new_source` (same names), keep the
    rest; new definitions go at the end, and imports of `new_source` at the top (after any
    `from __future__` line), so that the new definitions can use them."""
    path = folder / f"{module}.py"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    new_tree = ast.parse(new_source)
    imports = [n for n in new_tree.body if _defined_name(n) is None]
    for new_node in [n for n in new_tree.body if _defined_name(n) is not None]:
        name = _defined_name(new_node)
        old = [n for n in ast.parse("".join(lines)).body if _defined_name(n) == name]
        segment = ast.get_source_segment(new_source, new_node) + "\n"
        if old:
            start = min(getattr(d, "lineno") for d in [old[-1]] + list(getattr(old[-1], "decorator_list", [])))
            lines[start - 1:old[-1].end_lineno] = [segment]
        else:
            lines.append("\n" + segment)
        lines = "".join(lines).splitlines(keepends=True)  # keep one list item per line
    if imports:
        tree = ast.parse("".join(lines))
        futures = [n for n in tree.body if isinstance(n, ast.ImportFrom) and n.module == "__future__"]
        at = futures[-1].end_lineno if futures else 0
        lines[at:at] = [ast.get_source_segment(new_source, n) + "\n" for n in imports]
    path.write_text("".join(lines), encoding="utf-8")


def read_results(path: Path) -> dict:
    return json.loads(Path(path).read_text(encoding="utf-8"))
