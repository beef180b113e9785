"""Static, AST-only facts about a submission: where names are defined, and its definitions-only form.

Read in the grading process without running anything, so it is safe on hostile code: a syntax
error in one unit is recorded with its line and the other units are still indexed.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from typing import Iterable, Protocol

from autograder.course.markdown import plain
from autograder.intake.salvage import parser_limit


class Unit(Protocol):
    module: str
    label: str
    source: str


@dataclass(frozen=True)
class Location:
    label: str
    line: int
    kind: str  # "function", "class" or "value"
    module: str


@dataclass
class SourceIndex:
    trees: list[tuple[Unit, ast.Module]] = field(default_factory=list)
    definitions: dict[str, list[tuple[Location, ast.AST]]] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    units: list[Unit] = field(default_factory=list)  # every unit, those that do not parse included
    compiled: dict | None = None  # source_functions' result: compiled once per submission, not per check

    def definitions_only(self) -> dict[str, str]:
        """{unit label: its definitions-only text} for every unit that parsed (see definitions_only)."""
        return {unit.label: definitions_only(unit.source, tree) for unit, tree in self.trees}

    def locate(self, name: str) -> list[Location]:
        return [loc for loc, _ in self.definitions.get(name, [])]

    def function_node(self, name: str, preferred_module: str | None = None) -> tuple[Location, ast.AST] | None:
        """The definition Python would use: in the preferred module if there, else the last one."""
        found = [(loc, node) for loc, node in self.definitions.get(name, [])
                 if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))]
        preferred = [f for f in found if f[0].module == preferred_module]
        chosen = preferred or found
        return chosen[-1] if chosen else None


def _targets(node: ast.AST) -> Iterable[str]:
    if isinstance(node, ast.Name):
        yield node.id
    elif isinstance(node, (ast.Tuple, ast.List)):
        for element in node.elts:
            yield from _targets(element)


def index_definitions(units: Iterable[Unit]) -> SourceIndex:
    index = SourceIndex()
    for unit in units:
        index.units.append(unit)
        try:
            tree = ast.parse(unit.source, filename=unit.label)
        except SyntaxError as exc:
            index.problems.append(f"{plain(unit.label)}, line {exc.lineno}: {exc.msg} "
                                  f"(the whole {'cell' if 'cell' in unit.label else 'file'} could not be read)")
            continue
        except (ValueError, RecursionError, MemoryError) as exc:  # nesting too deep for Python's parser
            index.problems.append(f"{plain(unit.label)}: cannot be read as Python ({parser_limit(exc)})")
            continue
        index.trees.append((unit, tree))
        for node in tree.body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                kind = "class" if isinstance(node, ast.ClassDef) else "function"
                names = [node.name]
            elif isinstance(node, ast.Assign):
                kind, names = "value", [n for t in node.targets for n in _targets(t)]
            elif isinstance(node, ast.AnnAssign):
                kind, names = "value", list(_targets(node.target))
            else:
                continue
            for name in names:
                location = Location(unit.label, node.lineno, kind, unit.module)
                index.definitions.setdefault(name, []).append((location, node))
    return index


def called_name(call: ast.Call) -> str | None:
    func = call.func
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return None


def first_line(node: ast.AST) -> int:
    return min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", [])])  # type: ignore[attr-defined]


CHEAP_CALLS = {"array", "asarray", "arange", "linspace", "zeros", "ones", "eye", "full", "device", "tensor",
               "dtype", "float32", "float64", "int64", "Path", "tuple", "list", "dict", "set", "range", "float",
               "int", "str", "len", "default_rng", "seed", "manual_seed"}


def _cheap(value: ast.AST) -> bool:
    """An expression that only builds a constant: no call except to a few cheap constructors."""
    return all(not isinstance(n, ast.Call) or called_name(n) in CHEAP_CALLS for n in ast.walk(value))


def definitions_only(source: str, tree: ast.Module) -> str:
    """The unit with only imports, definitions and cheap constants kept, from the tree the index
    already parsed (nothing is parsed again).

    Used when loading a submission takes too long (a training loop at the top level of a notebook):
    the functions still get graded. Dropped statements become blank lines, so line numbers hold.
    """
    lines = source.splitlines()
    keep = [False] * len(lines)
    for node in tree.body:
        kept = isinstance(node, (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) \
            or (isinstance(node, (ast.Assign, ast.AnnAssign)) and node.value is not None and _cheap(node.value))
        if kept:
            for i in range(first_line(node) - 1, node.end_lineno or node.lineno):
                keep[i] = True
    return "\n".join(line if keep[i] else "" for i, line in enumerate(lines)) + "\n"
