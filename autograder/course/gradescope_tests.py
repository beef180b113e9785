"""Gradescope's test vocabulary, from gradescope-utils itself: tests brought from a Gradescope
autograder keep their decorators (`@weight`, `@number`, `@visibility`, `@tags`, `@partial_credit`,
`@leaderboard` of `gradescope_utils.autograder_utils.decorators`), on pytest functions or on
unittest.TestCase methods.

Why read the attributes the package sets (`__weight__`, `__number__`, ...) rather than the source:
the decorators stay the package's, so a test behaves here as it did on Gradescope. The rubric wins
where both speak (an instructor's rubric edit must not be undone by a forgotten decorator); where it
is silent the decorator's value serves, and `autograder validate` notes every disagreement.

`@partial_credit(w)` hands the test `set_score(points)`: the points earned out of w become the
plugin's partial credit. `@leaderboard(column, order)` hands it `set_leaderboard_value(x)`: x goes
to the submission's leaderboard. A StudentTestCase (autograder/api/__init__.py) gets `self.student` & co.
"""

from __future__ import annotations

import inspect
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable

from autograder.course.assignment import merge
from autograder.course.hidden_tests import pytest_args, rubric_id
from autograder.course.paths import GRADING_TESTS
from autograder.course.rubric import load_rubric

# rubric key -> the attribute gradescope-utils sets, and the decorator that sets it (for messages)
ATTRIBUTES = {"points": ("__weight__", "@weight"), "number": ("__number__", "@number"),
              "visibility": ("__visibility__", "@visibility"), "tags": ("__tags__", "@tags")}
SCORE, LEADERBOARD_VALUE = "__score__", "__leaderboard_value__"
PACKAGE = "gradescope_utils"  # a test file that never names it carries none of its decorators
COLUMN, ORDER = "__leaderboard_column__", "__leaderboard_sort_order__"


def holder(obj: Any) -> Any:
    """The function object the decorators wrote their attributes on (a method's `__func__`)."""
    return getattr(obj, "__func__", obj)


def rubric_values(obj: Any) -> dict[str, Any]:
    """The rubric keys a test's decorators give ({} when it has none); a decorated test's docstring
    (first line) is its name, as on Gradescope."""
    function = holder(obj)
    found: dict[str, Any] = {}
    for key, (attribute, _decorator) in ATTRIBUTES.items():
        if hasattr(function, attribute):
            value = getattr(function, attribute)
            found[key] = (float(value) if key == "points" else list(value) if key == "tags" else str(value))
    doc = inspect.getdoc(function)
    if found and doc:
        found["name"] = doc.splitlines()[0].strip()
    return found


def with_decorators(tests: dict[str, Any], found: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """The rubric's [tests] table with the decorators' values where an entry is silent (a new entry
    for a decorated test the rubric does not list); the rubric's own keys are kept."""
    merged = {tid: dict(raw) if isinstance(raw, dict) else raw for tid, raw in tests.items()}
    for tid, values in found.items():
        raw = merged.setdefault(tid, {})
        if isinstance(raw, dict):
            for key, value in values.items():
                raw.setdefault(key, value)
    return merged


def disagreements(tests: dict[str, Any], found: dict[str, dict[str, Any]]) -> list[str]:
    """One line per key the rubric and a decorator both give, differently: the rubric wins."""
    lines = []
    for tid, values in sorted(found.items()):
        raw = tests.get(tid)
        for key, (_attribute, decorator) in ATTRIBUTES.items():
            if not isinstance(raw, dict) or key not in raw or key not in values or key == "tags":
                continue
            ours, theirs = raw[key], values[key]
            if key == "points" and isinstance(ours, (int, float)) and float(ours) != theirs:
                lines.append(f"{tid}: rubric says {ours:g} points, {decorator} says {theirs:g} — the rubric wins")
            elif key != "points" and str(ours) != theirs:
                lines.append(f"{tid}: rubric says {key} {ours}, {decorator} says {theirs} — the rubric wins")
    return lines


def rubric_notes(rubric_path: Path, tests_dir: Path | None = None) -> list[str]:
    """`disagreements` between the assignment's rubric files and the hidden tests' decorators (for validate)."""
    return disagreements(merge(Path(rubric_path)).stated, collected_decorations(Path(tests_dir or GRADING_TESTS)))


def decorated_items(items: list[Any], test_id: Callable[[Any], str]) -> dict[str, dict[str, Any]]:
    """{test id: its decorators' rubric values} of the collected tests that carry any."""
    found = {test_id(item): rubric_values(getattr(item, "obj", None)) for item in items}
    return {tid: values for tid, values in found.items() if values}


@lru_cache(maxsize=None)
def collected_decorations(tests_dir: Path) -> dict[str, dict[str, Any]]:
    """The decorators' rubric values of every hidden test under `tests_dir`, by collecting them
    (nothing is run); once per folder and process. Only the tasks whose tests import the package are
    collected: every `autograder grade` reads this, and most tasks have no decorator to find."""
    decorated = tuple(sorted({path.parent.name for path in Path(tests_dir).glob("*/test_*.py")
                              if PACKAGE in path.read_text(encoding="utf-8")}))
    if not decorated:
        return {}

    class Collector:
        found: dict[str, dict[str, Any]] = {}

        def pytest_collection_modifyitems(self, items: list[Any]) -> None:
            Collector.found = decorated_items(items, rubric_id)

    import pytest

    pytest.main(pytest_args(Path(tests_dir), decorated) + ["--collect-only", "-p", "no:terminal"], plugins=[Collector()])
    return Collector.found


def rubric_with_decorators(rubric_path: Path | None, tests_dir: Path | None = None) -> Any:
    """The rubric as grading sees it (decorator values where it is silent), for the commands that
    read it outside a grading run (validate, rescore, --tests): a decorated test has its points there too."""
    return load_rubric(rubric_path, collected_decorations(Path(tests_dir or GRADING_TESTS)))


def start(item: Any) -> None:
    """Before a test: forget a score or leaderboard value an earlier run of it left on the function."""
    function = holder(getattr(item, "obj", None))
    for attribute in (SCORE, LEADERBOARD_VALUE):
        if attribute in getattr(function, "__dict__", {}):
            delattr(function, attribute)


def finish(item: Any, set_credit: Callable[[float, str], None],
           add_leaderboard: Callable[[str, float, str], None]) -> None:
    """After a test: what it gave `set_score` becomes partial credit (points out of its
    @partial_credit weight), what it gave `set_leaderboard_value` a leaderboard value."""
    function = holder(getattr(item, "obj", None))
    score, weight = getattr(function, SCORE, None), getattr(function, "__weight__", None)
    if isinstance(score, (int, float)) and isinstance(weight, (int, float)) and weight > 0:
        set_credit(float(score) / float(weight), f"{float(score):g} of {float(weight):g} points")
    value, column = getattr(function, LEADERBOARD_VALUE, None), getattr(function, COLUMN, None)
    if value is not None and column:
        add_leaderboard(str(column), value, str(getattr(function, ORDER, "desc")))
