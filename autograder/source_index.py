"""Static, AST-only facts about a submission: where names are defined, loops, what a function uses.

Read in the grading process without running anything, so it is safe on hostile code: a syntax
error in one unit is recorded with its line and the other units are still indexed.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from typing import Iterable, Protocol


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


@dataclass(frozen=True)
class LoopFinding:
    label: str
    line: int
    what: str


@dataclass
class SourceIndex:
    trees: list[tuple[Unit, ast.Module]] = field(default_factory=list)
    definitions: dict[str, list[tuple[Location, ast.AST]]] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    units: list[Unit] = field(default_factory=list)  # every unit, those that do not parse included

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
            index.problems.append(f"{unit.label}, line {exc.lineno}: {exc.msg} "
                                  f"(the whole {'cell' if 'cell' in unit.label else 'file'} could not be read)")
            continue
        except (ValueError, RecursionError) as exc:
            index.problems.append(f"{unit.label}: cannot be read as Python ({exc})")
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


LOOP_CALLS = {"map", "filter", "vectorize", "apply_along_axis", "apply_over_axes", "fromiter", "frompyfunc",
              "reduce", "starmap", "accumulate", "product", "apply_", "map_"}
LOOP_NODES = {ast.For: "for loop", ast.AsyncFor: "async for loop", ast.While: "while loop",
              ast.ListComp: "list comprehension", ast.SetComp: "set comprehension",
              ast.DictComp: "dict comprehension", ast.GeneratorExp: "generator expression"}


CHUNK_CALLS = {"split", "chunk", "array_split", "tensor_split"}


def is_chunk_loop(node: ast.AST) -> bool:
    """`for start in range(0, n, step)` or `for block in x.split(k)`: blocks of rows, each
    vectorised, which is how large inputs fit in memory. Not a loop over elements."""
    if not isinstance(node, (ast.For, ast.AsyncFor)) or not isinstance(node.iter, ast.Call):
        return False
    call, name = node.iter, _called_name(node.iter)
    if name == "range" and len(call.args) == 3:
        step = call.args[2]
        return not (isinstance(step, ast.Constant) and step.value in (1, -1))
    return name in CHUNK_CALLS


def _called_name(call: ast.Call) -> str | None:
    func = call.func
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return None


def _functions_reached(index: SourceIndex, name: str, preferred_module: str | None) -> list[tuple[Location, ast.AST]]:
    """The function and, transitively, the submission's own functions it calls."""
    seen: set[str] = set()
    order: list[tuple[Location, ast.AST]] = []
    pending = [name]
    while pending:
        current = pending.pop()
        if current in seen:
            continue
        seen.add(current)
        hit = index.function_node(current, preferred_module)
        if hit is None:
            continue
        order.append(hit)
        for node in ast.walk(hit[1]):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in index.definitions:
                pending.append(node.func.id)
    return order


def find_python_loops(index: SourceIndex, name: str, preferred_module: str | None = None) -> list[LoopFinding]:
    found: list[LoopFinding] = []
    for location, function in _functions_reached(index, name, preferred_module):
        where = "" if function.name == name else f" (in `{function.name}`, which `{name}` calls)"
        for node in ast.walk(function):
            if is_chunk_loop(node):
                continue
            kind = LOOP_NODES.get(type(node))
            if kind is None and isinstance(node, ast.Call) and _called_name(node) in LOOP_CALLS:
                kind = f"call to `{_called_name(node)}` (a loop in disguise)"
            if kind is not None:
                found.append(LoopFinding(location.label, getattr(node, "lineno", location.line), kind + where))
    return sorted(found, key=lambda f: (f.label, f.line))


def mentions(index: SourceIndex, name: str, identifier: str, preferred_module: str | None = None) -> bool:
    """Whether `identifier` appears (as a name or attribute) in the function or what it calls."""
    for _, function in _functions_reached(index, name, preferred_module):
        for node in ast.walk(function):
            if (isinstance(node, ast.Name) and node.id == identifier) or \
                    (isinstance(node, ast.Attribute) and node.attr == identifier):
                return True
    return False


CHEAP_CALLS = {"array", "asarray", "arange", "linspace", "zeros", "ones", "eye", "full", "device", "tensor",
               "dtype", "float32", "float64", "int64", "Path", "tuple", "list", "dict", "set", "range", "float",
               "int", "str", "len", "default_rng", "seed", "manual_seed"}


def _cheap(value: ast.AST) -> bool:
    """An expression that only builds a constant: no call except to a few cheap constructors."""
    return all(not isinstance(n, ast.Call) or _called_name(n) in CHEAP_CALLS for n in ast.walk(value))


def definitions_only(source: str) -> str | None:
    """The unit with only imports, definitions and cheap constants kept (None: not parseable).

    Used when loading a submission takes too long (a training loop at the top level of a notebook):
    the functions still get graded. Dropped statements become blank lines, so line numbers hold.
    """
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError):
        return None
    lines = source.splitlines()
    keep = [False] * len(lines)
    for node in tree.body:
        kept = isinstance(node, (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) \
            or (isinstance(node, (ast.Assign, ast.AnnAssign)) and node.value is not None and _cheap(node.value))
        if kept:
            first = min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", [])])
            for i in range(first - 1, node.end_lineno or node.lineno):
                keep[i] = True
    return "\n".join(line if keep[i] else "" for i, line in enumerate(lines)) + "\n"
