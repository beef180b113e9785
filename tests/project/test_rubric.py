"""The rubric file: the real one is consistent, and each kind of inconsistency is reported."""

from __future__ import annotations

import textwrap

import pytest

from autograder.rubric import RubricError, load_rubric
from autograder.paths import RUBRIC_FILE


def write(tmp_path, body: str):
    path = tmp_path / "rubric.toml"
    path.write_text(textwrap.dedent(body), encoding="utf-8")
    return path


def test_the_shipped_rubric_adds_up():
    rubric = load_rubric(RUBRIC_FILE)
    assert rubric.problems() == []
    assert sum(e.points for e in rubric.entries.values()) == rubric.total_points == 100
    assert {e.task for e in rubric.entries.values()} == {"distances", "broadcasting", "kmeans", "regression",
                                                         "mnist", "autodiff"}


def test_problems_are_named(tmp_path):
    rubric = load_rubric(write(tmp_path, """
        [assignment]
        total_points = 10
        [tests."a.one"]
        points = 3
        number = "1"
        rtol = -1
        [tests."a.two"]
        points = 3
        number = "1"
    """))
    problems = rubric.problems(collected_ids=["a.one", "a.three"])
    assert "points add up to 6, but [assignment] total_points is 10" in problems
    assert "a.two and a.one share the number 1" in problems
    assert "a.one: rtol = -1 must not be negative" in problems
    assert "test a.three has no rubric entry" in problems
    assert "rubric entry a.two matches no test" in problems


def test_defaults_and_parameters(tmp_path):
    rubric = load_rubric(write(tmp_path, """
        [assignment]
        total_points = 2
        [defaults]
        visibility = "after_due_date"
        [tests."a.one"]
        points = 2
        atol = 0.5
    """))
    entry = rubric.entry("a.one")
    assert entry.visibility == "after_due_date" and entry["atol"] == 0.5
    with pytest.raises(RubricError, match="has no parameter 'rtol'"):
        entry["rtol"]


@pytest.mark.parametrize("body,words", [
    ('[tests."a.b"]\npoints = 1\nvisibility = "secret"', "visibility"),
    ('[tests."a.b"]\npoints = -1', "points"),
    ('[limits]\ncall_timeot = 3', "unknown keys: call_timeot"),
    ('[tests."a.b"\npoints = 1', "cannot read"),
])
def test_invalid_rubrics_are_refused(tmp_path, body, words):
    with pytest.raises(RubricError, match=words):
        load_rubric(write(tmp_path, body))


def test_every_hidden_test_has_an_entry_and_every_entry_a_test():
    from autograder.grading import collect_test_ids

    ids = collect_test_ids()
    assert len(ids) == len(set(ids)) >= 30
    assert load_rubric(RUBRIC_FILE).problems(collected_ids=ids) == []
