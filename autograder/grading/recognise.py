"""Why a required name is absent, when the submission shows it: the definition is commented out,
the code is all at the top level (a script, a notebook computing in cells), or the file is another
year's starter left unfilled. Each says where, with the student's own lines.

Static, on the submission's text: nothing runs, so it is safe on hostile code; each check returns
"" when it does not recognise its case, and missing_message tries them before guessing names.
"""

from __future__ import annotations

import ast
import re
from typing import Any

from autograder.course.contract import template_signatures
from autograder.course.handout_names import handout_names
from autograder.intake.source_index import SourceIndex

MAX_SPANS = 6
COMPUTING = (ast.BinOp, ast.Call, ast.ListComp, ast.DictComp, ast.GeneratorExp, ast.Subscript)


def _home_units(index: SourceIndex, name: str, contract: dict[str, str]) -> list[tuple[Any, ast.Module]]:
    """The parsed units where `name` belongs: its task's file, else every unit of no other task."""
    home = contract.get(name)
    mine = [(u, t) for u, t in index.trees if u.module == home]
    tasks = set(contract.values())
    return mine or [(u, t) for u, t in index.trees if u.module not in tasks]


def commented_out(index: SourceIndex, name: str) -> str:
    """`# def name(` or `# name =` on a line of its own, or a def inside a top-level string."""
    pattern = re.compile(rf"^\s*#+\s*(def\s+{re.escape(name)}\s*\(|{re.escape(name)}\s*=[^=])")
    for unit in index.units:
        for number, line in enumerate(unit.source.splitlines(), start=1):
            if pattern.match(line):
                return (f"`{name}` is commented out ({unit.label}, line {number}: `{line.strip()[:80]}`): "
                        "remove the `#` in front of its lines to hand it in.")
    quoted = re.compile(rf"^\s*def\s+{re.escape(name)}\s*\(", re.MULTILINE)
    for unit, tree in index.trees:
        for node in tree.body:
            if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
                hit = quoted.search(node.value.value)
                if hit:
                    line = node.lineno + node.value.value.count("\n", 0, hit.start())
                    return (f"`{name}` is inside a string ({unit.label}, line {line}): it was commented out with "
                            "quotes; remove them to hand it in.")
    return ""


def _computes(node: ast.stmt) -> bool:
    if isinstance(node, (ast.For, ast.While, ast.AsyncFor)):
        return True
    if isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign)) and node.value is not None:
        return any(isinstance(n, COMPUTING) for n in ast.walk(node.value))
    return False


def _spans(nodes: list[ast.stmt]) -> str:
    """"lines 4-9, 12" for the statements given (consecutive ones joined)."""
    spans: list[list[int]] = []
    for node in nodes:
        start, end = node.lineno, getattr(node, "end_lineno", node.lineno) or node.lineno
        if spans and start <= spans[-1][1] + 2:
            spans[-1][1] = end
        else:
            spans.append([start, end])
    text = ", ".join(f"{a}-{b}" if b > a else f"{a}" for a, b in spans[:MAX_SPANS])
    return ("lines " if len(spans) > 1 or spans[0][1] > spans[0][0] else "line ") + text


def _functions(units: list[tuple[Any, ast.Module]]) -> list[tuple[Any, ast.FunctionDef | ast.AsyncFunctionDef]]:
    return [(u, n) for u, tree in units for n in tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]


def top_level_only(index: SourceIndex, name: str, contract: dict[str, str]) -> str:
    """The task's code runs at the top level: no function where it belongs computes anything."""
    if name not in template_signatures():
        return ""
    units = _home_units(index, name, contract)
    if not units or not all(_computes_nothing(node) for _, node in _functions(units)):
        return ""
    places = [f"{unit.label}, {_spans(nodes)}" for unit, tree in units
              if (nodes := [n for n in tree.body if _computes(n)])]
    if not places:
        return ""
    return (f"`{name}` is not defined: your code for it runs at the top level ({'; '.join(places[:MAX_SPANS])}), "
            f"not in a function. The grader calls `{template_signatures()[name]}`: put those lines in that function, "
            "compute from its arguments, and `return` the result.")


def _computes_nothing(node: ast.AST) -> bool:
    """A starter's body: no loop, arithmetic or comprehension, and a bare name (or nothing) returned."""
    if any(isinstance(n, (ast.For, ast.While, ast.BinOp, ast.ListComp, ast.Compare, ast.GeneratorExp))
           for n in ast.walk(node)):
        return False
    assert isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
    parameters = {a.arg for a in (*node.args.posonlyargs, *node.args.args, *node.args.kwonlyargs)}
    returns = [n for n in ast.walk(node) if isinstance(n, ast.Return)]
    return all(r.value is None or isinstance(r.value, ast.Constant)
               or (isinstance(r.value, ast.Name) and r.value.id not in parameters) for r in returns)


def other_starter(index: SourceIndex, name: str, contract: dict[str, str]) -> str:
    """Functions with names this handout does not use, whose bodies compute nothing: a starter from
    another year (or another course) handed in unfilled."""
    functions = _functions(_home_units(index, name, contract))
    stubs = [(unit, node) for unit, node in functions if node.name not in handout_names()]
    if not stubs or not all(_computes_nothing(node) for _, node in functions):
        return ""
    unit, node = stubs[0]
    returned = next((ast.unparse(r) for r in ast.walk(node) if isinstance(r, ast.Return) and r.value is not None), "")
    names = ", ".join(f"`{n.name}`" for _, n in stubs[:4])
    left = f", `{returned}` left in" if returned else ""
    expected = template_signatures().get(name, name)
    return (f"`{name}` is not defined. {unit.label} looks like a starter from another handout, unfilled: it "
            f"defines {names} (names this handout does not use), whose bodies compute nothing ({node.name}, line "
            f"{node.lineno}{left}). This handout asks for `{expected}`: start from its template.")


def recognised_absence(index: SourceIndex, name: str, contract: dict[str, str]) -> str:
    """The first recognised reason `name` is absent, or ""."""
    return (commented_out(index, name) or other_starter(index, name, contract)
            or top_level_only(index, name, contract))
