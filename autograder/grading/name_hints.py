"""Which of a submission's own names may be the one the handout asks for, ranked by kind first.

A function is offered only functions that accept the arguments the grader passes (never a variable
holding an optimiser or a tensor, never a `run()` without parameters); a constant only constants,
those whose value has the handout's shape first (eight answers for eight answers); a class only
classes. Within a kind: a close spelling, then shared words of the name and of the handout's
docstring (`human_torch` for `pytorchdists`, `clusters_plot` for `plot_kmeans`), then the same
number of arguments in the file where the name belongs. Static: nothing of the submission runs.
"""

from __future__ import annotations

import ast
import difflib

from autograder.course.handout_names import HandoutName, handout_names, literal_shape, name_words, required_count, same_size
from autograder.intake.source_index import Location, SourceIndex

MAX_SUGGESTIONS = 3
CLOSE_SPELLING = 0.6


def _squash(name: str) -> str:
    return name.lower().replace("_", "")


def accepts(node: ast.AST, count: int) -> bool:
    """Whether a function can be called with `count` positional arguments."""
    if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return False
    total = len(node.args.posonlyargs) + len(node.args.args)
    return required_count(node.args) <= count and (count <= total or node.args.vararg is not None)


def value_shape(node: ast.AST) -> str:
    return literal_shape(node.value) if isinstance(node, (ast.Assign, ast.AnnAssign)) else ""


def _rank(name: str, want: HandoutName | None, home: str | None, candidate: str,
          location: Location, node: ast.AST) -> tuple | None:
    """A sort key (larger is likelier) for `candidate`, or None when it is not a thing of the right kind."""
    if want is not None and location.kind != want.kind:
        return None
    if want is not None and want.kind == "function" and not accepts(node, want.required):
        return None
    ratio = difflib.SequenceMatcher(None, _squash(name), _squash(candidate)).ratio()
    spelled = ratio >= CLOSE_SPELLING or (len(candidate) >= 4 and candidate.lower() in name.lower())
    words = name_words(candidate)
    shared = len(words & want.words) if want else 0
    shared += sum(1 for w in words if w in name.lower() and w not in (want.words if want else ()))
    shaped = bool(want and want.kind == "value" and same_size(value_shape(node), want.value_shape))
    exact = bool(want and want.kind == "function" and isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
                 and required_count(node.args) == want.required)
    at_home = location.module == home
    plausible = spelled or shaped or shared > 0 or (
        at_home and exact and not candidate.startswith("_") and want is not None and want.kind == "function")
    if not plausible:
        return None
    return (spelled, shaped, shared, exact, at_home, ratio)


def suggestions(index: SourceIndex, name: str, contract: dict[str, str]) -> list[str]:
    """Up to three names of the submission that may be `name`, likeliest first."""
    want = handout_names().get(name)
    ranked = []
    for candidate, places in index.definitions.items():
        if candidate == name or candidate in contract:
            continue
        location, node = places[-1]
        key = _rank(name, want, contract.get(name), candidate, location, node)
        if key is not None:
            ranked.append((key, candidate))
    ranked.sort(key=lambda item: item[0], reverse=True)
    return [candidate for _, candidate in ranked[:MAX_SUGGESTIONS]]


def described(index: SourceIndex, candidate: str) -> str:
    """`candidate` (file, line N), with the shape of its value when it is a constant."""
    location, node = index.definitions[candidate][-1]
    shape = value_shape(node) if location.kind == "value" else ""
    return f"`{candidate}` ({location.label}, line {location.line}{': a ' + shape if shape else ''})"
