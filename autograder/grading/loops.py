"""The loop finder: the Python-level loops in the code a student's function runs, read from the
source (nothing is run), for the tests that require vectorised code.

Why in grading and not at intake: what a name is bound to comes from the running worker (its
description, sandbox/identity.py), and the source it maps to is compiled here with the worker's own
fingerprints; the index it reads is intake's.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from types import CodeType

from autograder.course.markdown import code_span
from autograder.intake.source_index import Location, SourceIndex, called_name, first_line
from autograder.sandbox.identity import compile_statement, fingerprint, future_flags


@dataclass(frozen=True)
class LoopFinding:
    label: str
    line: int
    what: str


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
    call, name = node.iter, called_name(node.iter)
    if name == "range" and len(call.args) == 3:
        step = call.args[2]
        return not (isinstance(step, ast.Constant) and step.value in (1, -1))
    return name in CHUNK_CALLS


class CannotJudge(Exception):
    """What a name is bound to cannot be mapped to the submission's source; the message says why.
    Example: `except CannotJudge as exc: pytest.skip(str(exc))`."""


def _sibling_methods(index: SourceIndex, function: ast.AST) -> dict[str, tuple[Location, ast.AST]]:
    """{name: method} of the class whose body defines `function` ({} for a plain function): a
    method's `self.other(...)` runs them."""
    for unit, tree in index.trees:
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef) and function in node.body:
                return {m.name: (Location(unit.label, m.lineno, "function", unit.module), m) for m in node.body
                        if isinstance(m, (ast.FunctionDef, ast.AsyncFunctionDef))}
    return {}


def _functions_reached(index: SourceIndex, roots: list[tuple[Location, ast.AST]],
                       preferred_module: str | None) -> list[tuple[Location, ast.AST]]:
    """The root functions and, transitively, the submission's own functions they call by name (and
    a method's sibling methods it calls as `self.name(...)`)."""
    seen: set[int] = set()
    order: list[tuple[Location, ast.AST]] = []
    pending = list(roots)
    while pending:
        location, node = pending.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        order.append((location, node))
        methods = _sibling_methods(index, node)
        for inner in ast.walk(node):
            if isinstance(inner, ast.Call) and isinstance(inner.func, ast.Name):
                hit = index.function_node(inner.func.id, preferred_module)
                if hit is not None:
                    pending.append(hit)
            elif isinstance(inner, ast.Call) and isinstance(inner.func, ast.Attribute) and \
                    isinstance(inner.func.value, ast.Name) and inner.func.value.id in ("self", "cls"):
                pending += [methods[inner.func.attr]] if inner.func.attr in methods else []
    return order


def _name_of(node: ast.AST) -> str:
    return getattr(node, "name", "<lambda>")


def source_functions(index: SourceIndex) -> dict[tuple[str, int, str], tuple[str, Location, ast.AST]]:
    """(file label, first line, name) -> (fingerprint of its compiled code, location, node) for every
    function and lambda in the submission's source, compiled here (compiling runs nothing), once."""
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
                key = (first_line(node), _name_of(node))
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
        raise CannotJudge(f"`{name}` is bound to a {code_span(target.get('kind'), 80)}, not a function written with "
                          "`def` in your file, so the grader cannot read its code.")
    known, roots = source_functions(index), []
    for item in [target] + reached:
        via = "" if item is target else f" (reached from `{name}` through {code_span(item.get('via'), 60)})"
        if not isinstance(item, dict) or item.get("kind") != "function":
            raise CannotJudge(f"`{name}` uses a {code_span(item.get('kind'), 80)}{via}, whose code the grader cannot "
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
        where = "" if own == name.rpartition(".")[2] else f" (in `{own}`, which `{name}` runs)"  # `Class.method`
        for node in ast.walk(function):
            if is_chunk_loop(node):
                continue
            kind = LOOP_NODES.get(type(node))
            if kind is None and isinstance(node, ast.Call) and called_name(node) in LOOP_CALLS:
                kind = f"call to `{called_name(node)}` (a loop in disguise)"
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


def _label(file: object) -> str:
    """The submission's file as the student knows it; code made with exec has no file."""
    text = str(file)[:200]
    return text if not text.startswith("<") else f"code made with exec or compile ({text})"


def loops_that_ran(trace: object, name: str, repeats: int) -> list[LoopFinding]:
    """The Python loops a traced call of `name` ran (sandbox/looptrace.py's report, untrusted: read
    field by field): each line of the submission run more than `repeats` times, and each of its
    functions called more than that, however it was reached. A tracer the call switched off is a
    loop the grader could not watch."""
    if not isinstance(trace, dict):
        return [LoopFinding(name, 0, "the call's trace could not be read")]
    found = []
    for item in trace.get("lines") if isinstance(trace.get("lines"), list) else []:
        if isinstance(item, dict) and type(item.get("line")) is int and type(item.get("count")) is int:
            found.append(LoopFinding(_label(item.get("file")), item["line"],
                                     f"this line ran {item['count']} times in one call of `{name}` (a loop, "
                                     "however it was reached)"))
    for item in trace.get("calls") if isinstance(trace.get("calls"), list) else []:
        if isinstance(item, dict) and type(item.get("line")) is int and type(item.get("count")) is int:
            found.append(LoopFinding(_label(item.get("file")), item["line"],
                                     f"{code_span(item.get('name'), 80)} was called {item['count']} times in one call of "
                                     f"`{name}` (a loop over elements: map, vectorize, apply_along_axis...)"))
    if trace.get("switched_off") is not False:
        found.append(LoopFinding(name, 0, "the call switched off the grader's loop tracing (sys.settrace)"))
    return sorted(set(found), key=lambda f: (f.label, f.line, f.what))

