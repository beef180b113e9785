"""`autograder author MASTER --task NAME`: a task's template and reference from one master file.

Why: instructors coming from nbgrader or Otter keep ONE file, the solution with its solution code
between `### BEGIN SOLUTION` and `### END SOLUTION` (nbgrader's markers, which Otter reads too),
and expect the student's version to be generated, never kept in sync by hand. The master is a
`.py` file or a notebook (its code cells, in order). The reference is the master without the
marker lines; in the template each region becomes `# YOUR CODE HERE` and a `raise
NotImplementedError`, and a whole `def` or `class` inside a top-level region keeps its signature
and docstring. What was written is recorded (sha256) in `tests/grading/<task>/authored.json`, so a
second run refuses to overwrite a file edited since (or never written by `author`) unless forced.
"""

from __future__ import annotations

import ast
import hashlib
import json
import re
import textwrap
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import nbformat

from autograder.course.paths import PROJECT_ROOT
from autograder.intake.notebook import neutralise

MARKER = re.compile(r"^(?P<indent>[ \t]*)#+[ \t]*(?P<kind>BEGIN|END)[ \t]+SOLUTION\b")
STUB_COMMENT = "# YOUR CODE HERE"
RECORD = "authored.json"
TASK_NAME = re.compile(r"^[a-z_][a-z0-9_]*$")


class AuthoringError(ValueError):
    """A master that cannot be turned into a task, or a file that must not be overwritten: one line
    (`file:line: ...` where a line is to blame)."""


@dataclass(frozen=True)
class Region:
    begin: int    # 0-based line index of the BEGIN marker in the master's text
    end: int      # 0-based line index of its END marker
    indent: str   # the BEGIN marker's indentation: "" is a top-level region


def master_source(path: Path) -> str:
    """The master's Python: a `.py` file as written, or a notebook's code cells joined in order
    (IPython magics and shell lines left out, as the grader leaves them out of a submission)."""
    if not path.is_file():
        raise AuthoringError(f"{path}: no such file")
    if path.suffix == ".py":
        return path.read_text(encoding="utf-8")
    if path.suffix != ".ipynb":
        raise AuthoringError(f"{path}: a master is a .py file or a .ipynb notebook")
    try:
        notebook = nbformat.read(str(path), as_version=4)
    except Exception as exc:  # nbformat raises several kinds for JSON and schema problems
        raise AuthoringError(f"{path}: not a readable notebook ({type(exc).__name__}: {str(exc)[:200]})") from None
    cells = []
    for cell in notebook.cells:
        python = neutralise(cell.source) if cell.cell_type == "code" else None
        if python is not None:
            kept = [line for line in python.splitlines() if not line.startswith("pass  # dropped IPython")]
            cells.append("\n".join(kept).strip("\n"))
    return "\n\n\n".join(cell for cell in cells if cell) + "\n"


def find_regions(lines: list[str], label: str) -> list[Region]:
    """The master's solution regions, in order; a marker out of place is an error naming its line."""
    regions: list[Region] = []
    open_at: tuple[int, str] | None = None
    for number, line in enumerate(lines):
        marker = MARKER.match(line)
        if not marker:
            continue
        if marker["kind"] == "BEGIN":
            if open_at is not None:
                raise AuthoringError(f"{label}:{number + 1}: BEGIN SOLUTION inside the region opened at "
                                     f"line {open_at[0] + 1}: close it with ### END SOLUTION first")
            open_at = (number, marker["indent"])
        else:
            if open_at is None:
                raise AuthoringError(f"{label}:{number + 1}: END SOLUTION with no BEGIN SOLUTION before it")
            regions.append(Region(open_at[0], number, open_at[1]))
            open_at = None
    if open_at is not None:
        raise AuthoringError(f"{label}:{open_at[0] + 1}: BEGIN SOLUTION is never closed by ### END SOLUTION")
    if not regions:
        raise AuthoringError(f"{label}: no ### BEGIN SOLUTION / ### END SOLUTION region: the template would "
                             "hold the whole solution")
    return regions


def _parse(text: str, label: str, what: str, master_line: Callable[[int], int] = lambda line: line) -> ast.Module:
    """The parsed text, or an error at the master's line (`master_line` maps the text's lines to it)."""
    try:
        return ast.parse(text)
    except SyntaxError as exc:
        raise AuthoringError(f"{label}:{master_line(exc.lineno or 1)}: the {what} does not compile: {exc.msg}") from None


def reference_text(lines: list[str], regions: list[Region]) -> str:
    """The master without its marker lines."""
    markers = {r.begin for r in regions} | {r.end for r in regions}
    return "".join(line + "\n" for number, line in enumerate(lines) if number not in markers)


def _enclosing_function(tree: ast.Module, line: int) -> str | None:
    """The innermost function whose body holds the reference's 1-based `line` (a region that starts
    with a `def` is not inside that function)."""
    found = None
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.lineno < line <= (node.end_lineno or 0):
            if found is None or node.lineno >= found.lineno:
                found = node
    return found.name if found else None


def _raise_line(indent: str, function: str | None) -> list[str]:
    what = f"{function} is not implemented yet" if function else "this part is not implemented yet"
    return [f"{indent}{STUB_COMMENT}", f"{indent}raise NotImplementedError({what!r})"]


def _stub_definition(node: ast.stmt, lines: list[str], indent: str) -> list[str]:
    """A def kept as its decorators, signature and docstring, its body one `raise NotImplementedError`;
    a class kept as its header and docstring, with each method stubbed the same way."""
    body = node.body  # type: ignore[attr-defined]
    docstring = body[0] if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) \
        and isinstance(body[0].value.value, str) else None
    start = min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", [])])
    first_body = body[0].lineno
    if first_body == node.lineno:  # `def f(x): return x` on one line: rebuilt, as there is no header line
        copy = ast.parse(ast.unparse(node)).body[0]
        copy.body = [ast.Pass()]  # type: ignore[attr-defined]
        header = [indent + line for line in ast.unparse(copy).splitlines()[:-1]]
        inner = indent + "    "
    else:
        header = lines[start - 1:(docstring.end_lineno if docstring else first_body - 1)]  # type: ignore[union-attr]
        inner = re.match(r"[ \t]*", lines[first_body - 1]).group()  # type: ignore[union-attr]
    if isinstance(node, ast.ClassDef):  # methods stubbed, attributes (dataclass fields) kept as written
        rest = [line for statement in body if statement is not docstring for line in
                ([""] + _stub_definition(statement, lines, inner)
                 if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef))
                 else lines[statement.lineno - 1:statement.end_lineno])]
        return header + (rest if rest or docstring else [f"{inner}pass"])
    return header + _raise_line(inner, node.name)  # type: ignore[attr-defined]


def _top_level_stub(region_text: str, label: str, begin: int, gap: int) -> list[str]:
    """A region outside any function (module or class level): each public def or class keeps its
    signature and docstring, each public assigned name stays defined (as None), so the template
    names everything the handout asks for; private helpers (`_name`) are the solution's own and go.
    Pieces are `gap` blank lines apart (PEP 8: two at module level, one in a class)."""
    tree = _parse(region_text, label, f"solution region at line {begin + 1}", lambda line: begin + 1 + line)
    lines = region_text.splitlines()
    pieces: list[list[str]] = []
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and not node.name.startswith("_"):
            pieces.append(_stub_definition(node, lines, ""))
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            pieces += [[f"{t.id} = None  {STUB_COMMENT}"] for t in targets
                       if isinstance(t, ast.Name) and not t.id.startswith("_")]
    out = [line for piece in pieces for line in [""] * gap + piece][gap:]
    return out or [STUB_COMMENT]


def template_text(lines: list[str], regions: list[Region], label: str) -> str:
    """The master with each region replaced by its stub."""
    markers = {r.begin for r in regions} | {r.end for r in regions}
    kept = [number for number in range(len(lines)) if number not in markers]
    reference = _parse(reference_text(lines, regions), label, "reference (the master without its markers)",
                       lambda line: kept[min(line, len(kept)) - 1] + 1)
    out: list[str] = []
    position = 0
    for number, region in enumerate(regions):
        out += lines[position:region.begin]
        inside = lines[region.begin + 1:region.end]
        function = _enclosing_function(reference, region.begin - 2 * number + 1)  # its first line, markers gone
        if function is not None:
            out += _raise_line(region.indent, function)
        else:  # module or class level: definitions keep their signatures, names stay defined
            stub = _top_level_stub(textwrap.dedent("\n".join(inside)) + "\n", label, region.begin,
                                   gap=1 if region.indent else 2)
            out += [region.indent + line if line else line for line in stub]
        position = region.end + 1
    out += lines[position:]
    text = "".join(line + "\n" for line in out)
    _parse(text, label, "template made from it (at that line of the template)")
    return text


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _edited(targets: list[Path], record: Path, root: Path) -> list[str]:
    """The targets that exist and differ from what `author` last wrote there (or that it never wrote)."""
    written = json.loads(record.read_text(encoding="utf-8")).get("files", {}) if record.is_file() else {}
    return [path.relative_to(root).as_posix() for path in targets
            if path.is_file() and written.get(path.relative_to(root).as_posix()) != _digest(path)]


def author_task(master: Path, task: str, force: bool = False, root: Path = PROJECT_ROOT) -> list[Path]:
    """Write `student_template/<task>/<task>.py` and `reference/<task>/<task>.py` from `master`, and the
    record of what was written; returns the two paths. Nothing is written when anything is wrong."""
    if not TASK_NAME.match(task):
        raise AuthoringError(f"--task {task!r}: a task name is a Python module name in lower case "
                             "(letters, digits, _), as it names the student's file")
    master = Path(master)
    label = master.name
    lines = master_source(master).splitlines()
    regions = find_regions(lines, label)
    template, reference = template_text(lines, regions, label), reference_text(lines, regions)
    targets = [root / "student_template" / task / f"{task}.py", root / "reference" / task / f"{task}.py"]
    record = root / "tests" / "grading" / task / RECORD
    edited = _edited(targets, record, root)
    if edited and not force:
        raise AuthoringError(f"{', '.join(edited)} changed since `autograder author` last wrote it (or was not "
                             "written by it): edit the master instead, or pass --force to overwrite")
    for path, text in zip(targets, (template, reference)):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    record.parent.mkdir(parents=True, exist_ok=True)
    try:
        master_name = master.resolve().relative_to(root).as_posix()
    except ValueError:
        master_name = str(master.resolve())
    files = {path.relative_to(root).as_posix(): _digest(path) for path in targets}
    record.write_text(json.dumps({"master": master_name, "regions": len(regions), "files": files}, indent=1) + "\n",
                      encoding="utf-8")
    return targets
