"""Which copy of a required name is graded when a submission holds a task in several forms.

A student who fills in the notebook and zips the handout folder also hands back the untouched
`homework/<task>.py`; the worker would find the name in its task's module first and grade the stub.
The rule (docs/grading-policy.md), per required name: a definition that is implemented beats a stub
(a body that only raises NotImplementedError, `pass`, `...` or a docstring, or a definition identical
to the template's); among implemented copies the task's own module wins, then the first in reading
order. Names with no implemented copy (given code, unchanged constants) follow the module chosen for
the rest of their task. The worker resolves each name in the module chosen here (the manifest's
"names"), and the student reads at the top which file was graded and which copy was ignored.
"""

from __future__ import annotations

import ast
import hashlib
import json
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from autograder.course.markdown import code_span
from autograder.course.contract import defined_names
from autograder.course.paths import ENGINE_DIR
from autograder.course.tasks import all_tasks
from autograder.intake.source_index import SourceIndex

TEMPLATES_FILE = "templates.json"  # in a handout's autograder/: the template's definitions, fingerprinted
SHIPPED_TEMPLATES = ENGINE_DIR / TEMPLATES_FILE


def fingerprint(node: ast.AST) -> str:
    """The definition's code without positions: equal for a copy, whatever its line."""
    return hashlib.sha256(ast.dump(node).encode("utf-8")).hexdigest()[:32]


@lru_cache(maxsize=None)
def template_fingerprints(tasks: tuple[str, ...] | None = None) -> dict[str, str]:
    """{public name: fingerprint of its template definition}; in a handout, from templates.json."""
    known = all_tasks()
    if not known:
        return dict(json.loads(SHIPPED_TEMPLATES.read_text(encoding="utf-8"))) if SHIPPED_TEMPLATES.is_file() else {}
    found: dict[str, str] = {}
    for name in tasks if tasks is not None else tuple(known):
        for node in ast.parse(known[name].template.read_text(encoding="utf-8")).body:
            for defined in defined_names(node):
                if not defined.startswith("_"):
                    found.setdefault(defined, fingerprint(node))
    return found


def _placeholder(statement: ast.stmt) -> bool:
    """`pass`, `...`, a string, or `raise NotImplementedError(...)`."""
    if isinstance(statement, ast.Pass):
        return True
    if isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Constant):
        return statement.value.value is Ellipsis or isinstance(statement.value.value, str)
    if isinstance(statement, ast.Raise) and statement.exc is not None:
        raised = statement.exc.func if isinstance(statement.exc, ast.Call) else statement.exc
        return isinstance(raised, ast.Name) and raised.id == "NotImplementedError"
    return False


def is_stub(name: str, node: ast.AST, templates: dict[str, str]) -> bool:
    if templates.get(name) == fingerprint(node):
        return True
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return all(_placeholder(statement) for statement in node.body)
    return False


@dataclass
class Choice:
    homes: dict[str, str]                           # name -> module the worker resolves it in
    lines: list[str] = field(default_factory=list)  # for the top of the feedback


def _last_per_module(index: SourceIndex, name: str) -> dict[str, tuple[str, ast.AST]]:
    """{module: (label, its last definition of `name`)}: Python keeps the last one of each module."""
    found: dict[str, tuple[str, ast.AST]] = {}
    for location, node in index.definitions.get(name, []):
        found[location.module] = (location.label, node)
    return found


def choose_homes(index: SourceIndex, contract: dict[str, str], templates: dict[str, str] | None = None) -> Choice:
    """Apply the rule of the module docstring to every required name of `contract` ({name: task})."""
    templates = template_fingerprints() if templates is None else templates
    files = {unit.label: getattr(unit, "path", unit.label) for unit in index.units}
    homes = dict(contract)
    task_home: dict[str, str] = {}
    graded: dict[str, list[str]] = {}
    copies: dict[str, dict[str, bool]] = {}  # task -> {file: every copy there a stub}
    undecided = []
    for name, task in contract.items():
        per_module = _last_per_module(index, name)
        implemented = [m for m, (_, node) in per_module.items() if not is_stub(name, node, templates)]
        task_copies = copies.setdefault(task, {})
        for module, (label, _) in per_module.items():
            file = files.get(label, label)
            task_copies[file] = task_copies.get(file, True) and module not in implemented
        if not implemented:
            undecided.append((name, task, per_module))
            continue
        homes[name] = task if task in implemented else implemented[0]
        task_home.setdefault(task, homes[name])
        graded.setdefault(task, []).append(files.get(per_module[homes[name]][0], per_module[homes[name]][0]))
    for name, task, per_module in undecided:  # given code and constants follow the rest of the task
        if task_home.get(task) in per_module:
            homes[name] = task_home[task]
    return Choice(homes, _lines(graded, copies))


def _lines(graded: dict[str, list[str]], copies: dict[str, dict[str, bool]]) -> list[str]:
    lines = []
    for task, used in graded.items():
        chosen = list(dict.fromkeys(used))
        ignored = [f for f in copies.get(task, {}) if f not in chosen]
        if not ignored:
            continue
        kind = "the stub copy" if all(copies[task][f] for f in ignored) else "another copy"
        lines.append(f"{task}: graded " + ", ".join(f"{code_span(f)}" for f in chosen) + f"; ignored {kind} in "
                     + ", ".join(f"{code_span(f)}" for f in ignored) + " (an implemented definition wins over a stub).")
    return lines


def apply_choice(submission: Any, contract: dict[str, str]) -> dict[str, str]:
    """The homes of the submission's required names (for the worker and the tests); the lines that
    say which copy was graded go first among the submission's notes."""
    choice = choose_homes(submission.index, contract)
    submission.notes[:0] = choice.lines
    return choice.homes
