"""Static, AST-only facts about a submission: where names are defined, loops, what a function uses.

Read in the grading process without running anything, so it is safe on hostile code: a syntax
error in one unit is recorded with its line and the other units are still indexed.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from types import CodeType
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


HIDDEN_CODE_CALLS = {"exec", "eval"}  # code from a string: any loop in it is out of the loop finder's sight
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


class CannotJudge(Exception):
    """What a name is bound to cannot be mapped to the submission's source; the message says why."""


def _functions_reached(index: SourceIndex, roots: list[tuple[Location, ast.AST]],
                       preferred_module: str | None) -> list[tuple[Location, ast.AST]]:
    """The root functions and, transitively, the submission's own functions they call by name."""
    seen: set[int] = set()
    order: list[tuple[Location, ast.AST]] = []
    pending = list(roots)
    while pending:
        location, node = pending.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        order.append((location, node))
        for inner in ast.walk(node):
            if isinstance(inner, ast.Call) and isinstance(inner.func, ast.Name):
                hit = index.function_node(inner.func.id, preferred_module)
                if hit is not None:
                    pending.append(hit)
    return order


def _name_of(node: ast.AST) -> str:
    return getattr(node, "name", "<lambda>")


def _first_line(node: ast.AST) -> int:
    return min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", [])])  # type: ignore[attr-defined]


def source_functions(index: SourceIndex) -> dict[tuple[str, int, str], tuple[str, Location, ast.AST]]:
    """(file label, first line, name) -> (fingerprint of its compiled code, location, node) for every
    function and lambda in the submission's source, compiled here (compiling runs nothing), once."""
    from autograder.sandbox.identity import compile_statement, fingerprint, future_flags

    if index.compiled is not None:
        return index.compiled
    found: dict[tuple[str, int, str], tuple[str, Location, ast.AST]] = {}
    for unit, tree in index.trees:
        flags, pending = future_flags(tree), []
        for statement in tree.body:
            try:
                pending.append(compile_statement(statement, unit.label, flags))
            except (SyntaxError, ValueError, RecursionError, MemoryError):
                continue
        prints: dict[tuple[int, str], str] = {}
        while pending:
            code = pending.pop()
            prints[(code.co_firstlineno, code.co_name)] = fingerprint(code)
            pending += [c for c in code.co_consts if isinstance(c, CodeType)]
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
                key = (_first_line(node), _name_of(node))
                if key in prints:
                    location = Location(unit.label, node.lineno, "function", unit.module)
                    found[(unit.label, *key)] = (prints[key], location, node)
    index.compiled = found
    return found


def bound_functions(index: SourceIndex, name: str, identity: dict) -> list[tuple[Location, ast.AST]]:
    """The source of what `name` is really bound to and of the submission's functions it reaches,
    from the worker's description (see sandbox/identity.py); CannotJudge if any part has no source."""
    target = identity.get("target") if isinstance(identity, dict) else None
    reached = identity.get("reached") if isinstance(identity, dict) else None
    if not isinstance(target, dict) or not isinstance(reached, list):
        raise CannotJudge(f"what `{name}` is bound to could not be determined")
    if target.get("kind") != "function":
        raise CannotJudge(f"`{name}` is bound to a `{str(target.get('kind'))[:80]}`, not a function written with "
                          "`def` in your file, so the grader cannot read its code.")
    known, roots = source_functions(index), []
    for item in [target] + reached:
        via = "" if item is target else f" (reached from `{name}` through `{str(item.get('via'))[:60]}`)"
        if not isinstance(item, dict) or item.get("kind") != "function":
            raise CannotJudge(f"`{name}` uses a `{str(item.get('kind'))[:80]}`{via}, whose code the grader cannot "
                              "read.")
        hit = known.get((str(item.get("file")), item.get("line"), str(item.get("name"))))
        if hit is None or hit[0] != item.get("print"):
            raise CannotJudge(f"`{name}` runs code{via} that is not in your files as written (made with exec, "
                              "compile or similar), so the grader cannot read it.")
        roots.append(hit[1:])
    return roots


def find_python_loops(index: SourceIndex, name: str, preferred_module: str | None = None,
                      roots: list[tuple[Location, ast.AST]] | None = None) -> list[LoopFinding]:
    """Loops in `roots` (by default, the last `def name`) and the submission's functions they call."""
    if roots is None:
        hit = index.function_node(name, preferred_module)
        roots = [hit] if hit is not None else []
    found: list[LoopFinding] = []
    for location, function in _functions_reached(index, roots, preferred_module):
        own = _name_of(function)
        where = "" if own == name else f" (in `{own}`, which `{name}` runs)"
        for node in ast.walk(function):
            if is_chunk_loop(node):
                continue
            kind = LOOP_NODES.get(type(node))
            if kind is None and isinstance(node, ast.Call) and _called_name(node) in LOOP_CALLS:
                kind = f"call to `{_called_name(node)}` (a loop in disguise)"
            if kind is None and isinstance(node, ast.Call) and isinstance(node.func, ast.Name) \
                    and node.func.id in HIDDEN_CODE_CALLS:
                kind = f"call to `{node.func.id}` (code in a string, which the grader cannot check for loops)"
            if kind is not None:
                found.append(LoopFinding(location.label, getattr(node, "lineno", location.line), kind + where))
    return sorted(set(found), key=lambda f: (f.label, f.line, f.what))


def mentions(index: SourceIndex, name: str, identifier: str, preferred_module: str | None = None) -> bool:
    """Whether `identifier` appears (as a name or attribute) in the function or what it calls."""
    hit = index.function_node(name, preferred_module)
    for _, function in _functions_reached(index, [hit] if hit else [], preferred_module):
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
            for i in range(_first_line(node) - 1, node.end_lineno or node.lineno):
                keep[i] = True
    return "\n".join(line if keep[i] else "" for i, line in enumerate(lines)) + "\n"
