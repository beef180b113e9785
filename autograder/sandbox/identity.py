"""What a name of the submission is bound to once it has loaded, described without calling it.

Why: the loop check reads source code, but a module may rebind a name after its `def` (an
assignment, a decorator, exec). The worker reports which code object the name really runs, and
which of the submission's functions that code can reach (through its globals, closures and
`__wrapped__`); the grader maps each to its own parse of the submission and judges there.
Copied into the worker's folder like wire.py: standard library only. The grader imports
`fingerprint` from here too, so both sides compare the same digest of compiled code.
"""

from __future__ import annotations
import __future__

import ast
import hashlib
import sys
import types
from typing import Any

MAX_REACHED = 200
LOOPING_CALLABLES = {"numpy.vectorize", "numpy.frompyfunc"}  # a Python loop over the elements


def future_flags(tree: ast.Module) -> int:
    """`from __future__ import ...` must apply to every statement compiled on its own."""
    flags = 0
    for node in tree.body:
        if isinstance(node, ast.ImportFrom) and node.module == "__future__":
            for alias in node.names:
                feature = getattr(__future__, alias.name, None)
                flags |= getattr(feature, "compiler_flag", 0)
    return flags


def compile_statement(node: ast.stmt, label: str, flags: int) -> types.CodeType:
    """One top-level statement, compiled as the worker runs it (the grader compiles it alike to
    compare code: bytecode depends on what else is in the same compilation)."""
    return compile(ast.Module(body=[node], type_ignores=[]), label, "exec", flags=flags, dont_inherit=True)


def fingerprint(code: types.CodeType) -> str:
    """A digest of what the code does (bytecode, names, nested code), not where it was compiled."""
    digest = hashlib.sha256()

    def feed(current: types.CodeType) -> None:
        digest.update(current.co_code + repr(current.co_names).encode() + current.co_name.encode())
        for const in current.co_consts:
            if isinstance(const, types.CodeType):
                feed(const)
    feed(code)
    return digest.hexdigest()[:24]


def _names(code: types.CodeType) -> set[str]:
    names = set(code.co_names)
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            names |= _names(const)
    return names


def _kind(obj: Any) -> str:
    kind = type(obj)
    return f"{kind.__module__}.{kind.__qualname__}"


class _Walker:
    def __init__(self, student_dicts: list[dict[str, Any]], student_files: set[str]) -> None:
        self.student_dicts = student_dicts
        self.student_files = student_files
        self.module_dicts = [vars(m) for m in list(sys.modules.values()) if isinstance(m, types.ModuleType)]
        self.seen: set[int] = set()
        self.reached: list[dict[str, Any]] = []

    def is_students(self, namespace: Any) -> bool:
        """Defined by the submission: in one of its modules, or in a namespace of no module (exec)."""
        return any(namespace is d for d in self.student_dicts) or not any(namespace is d for d in self.module_dicts)

    def function(self, fn: types.FunctionType) -> dict[str, Any]:
        code = fn.__code__
        students = code.co_filename in self.student_files or self.is_students(fn.__globals__)
        return {"kind": "function", "file": code.co_filename, "line": code.co_firstlineno, "name": code.co_name,
                "print": fingerprint(code), "student": students}

    def visit(self, obj: Any, via: str) -> None:
        if id(obj) in self.seen or len(self.reached) >= MAX_REACHED:
            return
        self.seen.add(id(obj))
        if type(obj) is types.FunctionType:
            node = self.function(obj)
            if node["student"]:
                self.reached.append({**node, "via": via})
                self.follow(obj)
        elif type(obj) in (staticmethod, classmethod):
            self.visit(obj.__func__, via)
        elif isinstance(obj, (types.ModuleType, type)) or not callable(obj):
            return
        elif _kind(obj) not in LOOPING_CALLABLES and (type(obj).__module__ in ("builtins", "numpy", "torch._C")
                                                       or _kind(obj).startswith("torch.")):
            return  # the libraries' own callables (builtins, ufuncs, torch functions)
        else:
            self.reached.append({"kind": _kind(obj), "via": via, "student": True})

    def owned(self, holder: Any) -> bool:
        """A module or class of the submission, whose members its functions may call by attribute."""
        if isinstance(holder, types.ModuleType):
            return any(vars(holder) is d for d in self.student_dicts)
        module = sys.modules.get(getattr(holder, "__module__", None) or "")
        return module is None or any(vars(module) is d for d in self.student_dicts)

    def follow(self, fn: types.FunctionType) -> None:
        names = _names(fn.__code__)
        for name in sorted(names):
            value = dict.get(fn.__globals__, name)
            if value is None:
                continue
            if isinstance(value, (types.ModuleType, type)):
                if self.owned(value):
                    members = vars(value)
                    for attr in sorted(names & set(members)):
                        self.visit(members[attr], f"{name}.{attr}")
            else:
                self.visit(value, name)
        for cell in fn.__closure__ or ():
            try:
                self.visit(cell.cell_contents, "a closure variable")
            except ValueError:  # an empty cell
                pass
        wrapped = fn.__dict__.get("__wrapped__")
        if wrapped is not None:
            self.visit(wrapped, "__wrapped__")


def describe(obj: Any, student_modules: list[types.ModuleType], student_files: set[str]) -> dict[str, Any]:
    """{"target": what the name is bound to, "reached": the submission's callables its code can reach}."""
    walker = _Walker([vars(m) for m in student_modules], student_files)
    if type(obj) is not types.FunctionType:
        return {"target": {"kind": _kind(obj)}, "reached": []}
    walker.seen.add(id(obj))
    walker.follow(obj)
    return {"target": walker.function(obj), "reached": walker.reached}
