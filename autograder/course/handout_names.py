"""What the handout says each required name IS: a function (and how many arguments the grader
passes), a class, or a constant (and the shape of its value, read from the reference), with the
words of its docstring. Read from the template and reference files, never from a submission.

Why: a hint for a missing name is only useful when it offers a thing of the same kind: a function
for a function, a list of eight answers for a list of eight answers.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from autograder.course.tasks import all_tasks

WORD = re.compile(r"[a-z]{4,}")
STOPWORDS = frozenset({"with", "without", "data", "from", "that", "this", "returns", "return", "numpy", "array",
                       "given", "each", "into", "your", "list", "value", "values", "where", "which", "them"})


@dataclass(frozen=True)
class HandoutName:
    name: str
    kind: str                      # "function", "class" or "value", as Location.kind
    required: int = 0              # arguments without a default: what a caller must pass (functions)
    value_shape: str = ""          # "list of 8", "dict of 8", "number", "" (constants, from the reference)
    words: frozenset[str] = field(default_factory=frozenset)  # its name's and docstring's words


def literal_shape(node: ast.AST | None) -> str:
    """The shape of a literal value, in words: "list of 8", "dict of 3", "number", "text"; "" otherwise."""
    if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
        return f"{type(node).__name__.lower()} of {len(node.elts)}"
    if isinstance(node, ast.Dict):
        return f"dict of {len(node.keys)}"
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)) and not isinstance(node.value, bool):
        return "number"
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return "text"
    return ""


def same_size(a: str, b: str) -> bool:
    """A list of 8 answers handed in as a tuple or a dict of 8 is the same thing, offered as such."""
    return bool(a) and a.split(" of ")[-1] == b.split(" of ")[-1]


def name_words(text: str) -> set[str]:
    """Words of four letters or more in an identifier or a sentence (`plot_clusters` -> plot, clusters)."""
    return set(WORD.findall(text.lower().replace("_", " "))) - STOPWORDS


def required_count(args: ast.arguments) -> int:
    """Positional parameters without a default: what a caller must pass."""
    return len(args.posonlyargs) + len(args.args) - len(args.defaults)


def _values(path: Path) -> dict[str, ast.AST]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    return {t.id: node.value for node in tree.body if isinstance(node, ast.Assign)
            for t in node.targets if isinstance(t, ast.Name)}


@lru_cache(maxsize=None)
def handout_names() -> dict[str, HandoutName]:
    """{name: what the handout says it is} over every task's template."""
    found: dict[str, HandoutName] = {}
    for task in all_tasks().values():
        template = ast.parse(task.template.read_text(encoding="utf-8"), filename=str(task.template))
        reference = task.reference_dir / task.template.name
        values = _values(reference) if reference.is_file() else {}
        for node in template.body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                doc = (ast.get_docstring(node) or "").split("\n\n")[0]
                found.setdefault(node.name, HandoutName(node.name, "function", required_count(node.args),
                                                        words=frozenset(name_words(node.name) | name_words(doc))))
            elif isinstance(node, ast.ClassDef):
                found.setdefault(node.name, HandoutName(node.name, "class", words=frozenset(name_words(node.name))))
            elif isinstance(node, ast.Assign):
                for target in (t for t in node.targets if isinstance(t, ast.Name)):
                    found.setdefault(target.id, HandoutName(
                        target.id, "value", value_shape=literal_shape(values.get(target.id)),
                        words=frozenset(name_words(target.id))))
    return found
