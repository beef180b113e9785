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


# ---------------------------------------------------------------- the schema (rubric_schema.check_rubric)

SHIPPED = RUBRIC_FILE.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def hidden_ids() -> list[str]:
    from autograder.grading import collect_test_ids

    return collect_test_ids()


def mutated(tmp_path, old: str, new: str):
    """The shipped rubric with one edit, and the (1-based) line of the edit's last line that
    differs from `old` (a header such as [leaderboard] kept after it does not count)."""
    assert old in SHIPPED, old
    text = SHIPPED.replace(old, new, 1)
    changed = [i for i, line in enumerate(new.splitlines()) if line.strip() and line not in old.splitlines()]
    line = text[:text.index(new)].count("\n") + 1 + changed[-1]
    return write(tmp_path, text), line


@pytest.mark.parametrize("old,new,words", [
    ("rtol = 1e-9", 'rtol = "1e-9"', ['[tests."distances.forloop_agrees"]', "rtol = '1e-9' is a string", "number"]),
    ("rtol = 1e-7", "rtoll = 1e-7", ['[tests."distances.numpy_agrees"]', "unknown key 'rtoll'", "did you mean 'rtol'"]),
    ("min_speedup = 5.0", 'min_speedup = "5"', ["numpy_faster_than_loops", "min_speedup = '5' is a string"]),
    ('number = "1.7"\npoints = 2', 'number = "1.7"\npoints = -5', ["points: -5 is less than the minimum of 0"]),
    ('number = "1.7"\npoints = 2', 'number = "1.7"\npoint = 2', ["unknown key 'point'", "did you mean 'points'?"]),
    ("cpu_seconds = 900", 'cpu_seconds = "900"', ["[limits] cpu_seconds: '900' is not of type 'integer'"]),
    ("call_timeout = 60", "call_timout = 60", ["[limits] unknown key 'call_timout' (did you mean 'call_timeout'?)"]),
    ("salvage_earns_points = false", 'salvage_earns_points = "yes"', ["[grading] salvage_earns_points"]),
    ("[leaderboard]", "[gradng]\n\n[leaderboard]", ["unknown key 'gradng'", "'grading'"]),
    ("total_points = 100", "total_points = 90", ["[assignment]", "points add up to 100, but [assignment] total_points is 90"]),
    ('visibility = "after_due_date"', 'visibility = "later"', ["broadcasting.random_pairs", "visibility: 'later' is not one of"]),
    ('[tests."mnist.loss_plot"]', '[tests."mnist.loss_plots"]', ["rubric entry mnist.loss_plots matches no test"]),
])
def test_each_schema_problem_names_file_line_and_entry(tmp_path, hidden_ids, old, new, words):
    from autograder.rubric_schema import check_rubric

    path, line = mutated(tmp_path, old, new)
    problems = check_rubric(path, collected_ids=hidden_ids)
    located = [p for p in problems if p.startswith(f"{path}:{line}:")]
    assert located and all(w in located[0] for w in words), problems


def test_a_test_with_no_entry_is_reported(tmp_path, hidden_ids):
    from autograder.rubric_schema import check_rubric

    path = write(tmp_path, SHIPPED.replace('[tests."mnist.loss_plot"]', '[tests."mnist.loss_plots"]'))
    assert any("test mnist.loss_plot has no rubric entry" in p for p in check_rubric(path, collected_ids=hidden_ids))


def test_the_shipped_rubric_and_grading_table_pass(tmp_path, hidden_ids):
    from autograder.rubric_schema import check_rubric

    assert check_rubric(RUBRIC_FILE, collected_ids=hidden_ids) == []
    with_grading = SHIPPED.replace("salvage_earns_points = false", "salvage_earns_points = true")
    assert with_grading != SHIPPED
    assert check_rubric(write(tmp_path, with_grading)) == []


def test_limits_keys_and_types_follow_the_limits_dataclass(tmp_path):
    """Every field of Limits (including ones other engineers add) is accepted with its own type,
    and refused with another."""
    import dataclasses

    from autograder.rubric_schema import check_rubric
    from autograder.sandbox.policy import Limits

    fields = dataclasses.fields(Limits)
    limits = SHIPPED[SHIPPED.index("\n[limits]\n"):SHIPPED.index("\n[defaults]\n")]
    table = "\n".join(f"{f.name} = {f.default!r}" for f in fields)
    assert check_rubric(write(tmp_path, SHIPPED.replace(limits, f"\n[limits]\n{table}\n"))) == []
    wrong = "\n".join(f"{f.name} = \"{f.default}\"" for f in fields)
    problems = check_rubric(write(tmp_path, SHIPPED.replace(limits, f"\n[limits]\n{wrong}\n")))
    assert len(problems) == len(fields) and all("[limits]" in p for p in problems)
