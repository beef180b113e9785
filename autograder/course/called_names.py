"""Which of the handout's names the selected hidden tests use, read from the tests' source.

Why: the feedback's "Not found in your submission" list must not claim a name no test needs (a
helper the handout gives, such as `make_blobs` or `DATA_FILE`, or another task's names when only
`<task>.*` is regraded). A test uses a name when the name appears as a string in the test, in the
module's helpers, constants and fixtures it reaches (its task's conftest.py included), or through a
probe it runs. Static and cached: the tests are read once per grading process.
"""

from __future__ import annotations

import ast
from functools import lru_cache
from pathlib import Path
from typing import Iterable

from autograder.course.paths import GRADING_TESTS
from autograder.course.tasks import registered_probes

Definitions = dict[str, list[ast.AST]]


def _definitions(trees: Iterable[ast.Module]) -> Definitions:
    """Module-level functions, classes, assignments and class methods, by the name they define."""
    found: Definitions = {}
    for tree in trees:
        for node in tree.body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                found.setdefault(node.name, []).append(node)
            if isinstance(node, ast.ClassDef):
                for method in node.body:
                    if isinstance(method, (ast.FunctionDef, ast.AsyncFunctionDef)):
                        found.setdefault(method.name, []).append(method)
            elif isinstance(node, (ast.Assign, ast.AnnAssign)):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                for target in targets:
                    for name in ast.walk(target):
                        if isinstance(name, ast.Name):
                            found.setdefault(name.id, []).append(node)
    return found


def _identifiers(node: ast.AST) -> set[str]:
    """Names, attributes and parameters a definition refers to (parameters reach pytest fixtures)."""
    found: set[str] = set()
    for child in ast.walk(node):
        if isinstance(child, ast.Name):
            found.add(child.id)
        elif isinstance(child, ast.Attribute):
            found.add(child.attr)
        elif isinstance(child, ast.arg):
            found.add(child.arg)
    return found


def _strings(nodes: Iterable[ast.AST]) -> set[str]:
    return {c.value for node in nodes for c in ast.walk(node)
            if isinstance(c, ast.Constant) and isinstance(c.value, str)}


@lru_cache(maxsize=None)
def _task_definitions(folder: Path) -> Definitions:
    files = sorted(folder.glob("test_*.py")) + [p for p in (folder / "conftest.py",) if p.is_file()]
    return _definitions(ast.parse(p.read_text(encoding="utf-8"), filename=str(p)) for p in files)


def test_function(test_id: str) -> str:
    """`fit.converges[2]` -> `test_converges`."""
    return "test_" + test_id.split(".", 1)[-1].split("[", 1)[0]


def names_used(test_ids: Iterable[str], contract: dict[str, str], tests_dir: Path = GRADING_TESTS) -> set[str]:
    """The contract's names the given tests use; every name of a test's task when its test function
    cannot be found (a test made at run time): over-claiming beats hiding a needed name. Worked out
    once per grading process for a given selection (a grading service grades many submissions)."""
    return set(_names_used(tuple(test_ids), tuple(sorted(contract.items())), tests_dir))


@lru_cache(maxsize=64)
def _names_used(test_ids: tuple[str, ...], items: tuple[tuple[str, str], ...], tests_dir: Path) -> frozenset[str]:
    contract = dict(items)
    used: set[str] = set()
    probes = registered_probes()
    for test_id in test_ids:
        task = test_id.split(".", 1)[0]
        definitions = _task_definitions(tests_dir / task)
        roots = definitions.get(test_function(test_id), [])
        if not roots:
            used |= {name for name, home in contract.items() if home == task}
            continue
        seen: list[ast.AST] = []
        todo = list(roots)
        while todo:
            node = todo.pop()
            if any(node is s for s in seen):
                continue
            seen.append(node)
            todo += [d for name in _identifiers(node) for d in definitions.get(name, ())]
        strings = _strings(seen)
        used |= {name for name in contract if name in strings}
        used |= {name for probe in strings & set(probes) for name in probes[probe] if name in contract}
    return frozenset(used)
