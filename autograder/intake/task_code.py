"""The code a submission wrote for each task, as one text per task: what a similarity check compares.

Why here: a submission's code is read once at intake (files, notebooks as their code cells, the
index of definitions); a copy hunt must see the same code the grader grades, in every form alike, so
a notebook and a folder of .py files holding the same functions give the same text. Per task we keep
the copy of each required name the grader would grade (choice.py: an implemented definition beats a
stub), drop the stubs and the template's own definitions left unchanged (every student starts from
them), and add the submission's own helpers those definitions reach. Nothing is run.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import Iterable

from autograder.course.contract import defined_names, required_names
from autograder.intake.choice import choose_homes, is_stub, template_fingerprints
from autograder.intake.source_index import SourceIndex, Unit, first_line


@dataclass(frozen=True)
class Piece:
    """One top-level definition of the submission, where the student wrote it."""

    label: str  # the unit: "<task>.py" or "hw.ipynb, code cell 7 (def fit(X, ...)"
    line: int
    source: str


@dataclass(frozen=True)
class TaskCode:
    """The code one submission wrote for one task, in reading order."""

    pieces: tuple[Piece, ...]

    @property
    def text(self) -> str:
        """The pieces, each under a comment saying where it was written (comments are not compared)."""
        return "".join(f"# {_printable(p.label)}, line {p.line}\n{p.source}\n\n" for p in self.pieces)


def _printable(label: str) -> str:
    """A file name on one line: a newline in a student's file name must not end the comment."""
    return "".join(c if c.isprintable() else "?" for c in label)


def _segment(unit: Unit, node: ast.stmt) -> str:
    lines = unit.source.splitlines()
    return "\n".join(lines[first_line(node) - 1:node.end_lineno or node.lineno])


def _names_used(node: ast.AST) -> set[str]:
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}


def _top_level(index: SourceIndex) -> list[tuple[int, Unit, ast.stmt]]:
    """(unit position, unit, statement) of every definition, in reading order."""
    return [(position, unit, node) for position, (unit, tree) in enumerate(index.trees) for node in tree.body
            if defined_names(node)]


def _chosen(found: list[tuple[int, Unit, ast.stmt]], name: str, module: str) -> tuple[int, Unit, ast.stmt] | None:
    """The definition of `name` Python keeps in `module`: the last one there."""
    mine = [item for item in found if item[1].module == module and name in defined_names(item[2])]
    return mine[-1] if mine else None


def _helpers(roots: Iterable[ast.stmt], found: list[tuple[int, Unit, ast.stmt]],
             contract: dict[str, str]) -> list[tuple[int, Unit, ast.stmt]]:
    """The submission's own functions and classes the task's definitions reach, transitively
    (names of other tasks and of the template are left to their own task)."""
    by_name: dict[str, tuple[int, Unit, ast.stmt]] = {}
    for item in found:
        for name in defined_names(item[2]):
            if name not in contract and isinstance(item[2], (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                by_name[name] = item  # the last definition wins, as in Python
    reached: dict[str, tuple[int, Unit, ast.stmt]] = {}
    todo = [name for root in roots for name in _names_used(root)]
    while todo:
        name = todo.pop()
        if name in by_name and name not in reached:
            reached[name] = by_name[name]
            todo += _names_used(by_name[name][2])
    return list(reached.values())


def task_code(index: SourceIndex, tasks: tuple[str, ...]) -> dict[str, TaskCode]:
    """{task: the code the submission indexed by `index` wrote for it} for each of `tasks`."""
    contract = required_names(tasks)
    templates = template_fingerprints(tasks)
    homes = choose_homes(index, contract, templates).homes
    found = _top_level(index)
    code: dict[str, TaskCode] = {}
    for task in tasks:
        own = [item for name, home_task in contract.items() if home_task == task
               for item in [_chosen(found, name, homes[name])]
               if item is not None and not is_stub(name, item[2], templates)]
        chosen = {id(item[2]): item for item in own + _helpers([item[2] for item in own], found, contract)}
        ordered = sorted(chosen.values(), key=lambda item: (item[0], item[2].lineno))
        code[task] = TaskCode(tuple(Piece(unit.label, first_line(node), _segment(unit, node))
                                    for _, unit, node in ordered))
    return code
