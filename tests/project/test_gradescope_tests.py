"""Tests written for Gradescope (gradescope-utils decorators, unittest TestCases) graded here: the
decorators serve where the rubric is silent, the rubric wins where both speak and validate notes it,
set_score and set_leaderboard_value work; on a small hidden-test folder graded end to end."""

from __future__ import annotations

from autograder.course.gradescope_tests import rubric_notes, rubric_with_decorators
from autograder.course.hidden_tests import collect_test_ids
from autograder.classroom.rescore import rescore_document
from autograder.course.rubric_schema import check_rubric
from tests.project.small_folders import by_id, forget_small_tasks, grade, hidden_folder  # noqa: F401 (autouse)

TESTS = '''
from gradescope_utils.autograder_utils.decorators import leaderboard, number, partial_credit, tags, visibility, weight

from autograder.api import StudentTestCase, fail


class TestShapes(StudentTestCase):
    @weight(2)
    @number("7.1")
    @visibility("after_due_date")
    @tags("shapes", "numpy")
    def test_decorated_only(self):
        """broadcast_shape on one pair of the handout"""
        if self.student.call("broadcast_shape", (4, 1), (3, 1, 1, 5)) != (3, 1, 4, 5):
            fail("wrong shape")

    @weight(5)
    @visibility("hidden")
    def test_rubric_wins(self):
        self.notes.append(f"rtol is {self.entry['rtol']}")
        self.assertEqual(self.student.call("predict", 1, 2, 3), 6)

    @partial_credit(4)
    def test_partial(self, set_score=None):
        set_score(1)
        fail("only one case of four is right")


@weight(3)
def test_function_style(student):
    """the docstring is not the name: the rubric gives one"""
    if student.call("predict", 1, 2, 3) != 6:
        fail("predict is wrong")


@leaderboard("speed", "asc")
def test_board(student, set_leaderboard_value=None):
    set_leaderboard_value(student.call("predict", 1, 2, 3))


@partial_credit(2)
def test_partial_passes(student, set_score=None):
    set_score(0.5)
'''

RUBRIC = '''
[assignment]
total_points = 13
[tests."gs.rubric_wins"]
points = 1
number = "9.9"
visibility = "visible"
rtol = 0.5
[tests."gs.function_style"]
name = "predict, as a pytest function"
[tests."gs.board"]
points = 1
'''

SUBMISSION = '''
def broadcast_shape(a, b):
    return (3, 1, 4, 5)

def predict(X, w, b):
    return X + w + b
'''


def test_decorators_fill_in_where_the_rubric_is_silent(tmp_path):
    tests_dir, rubric = hidden_folder(tmp_path, "gs", TESTS, RUBRIC)
    document = grade(tmp_path, tests_dir, rubric, SUBMISSION)
    results = by_id(document)
    shapes = results["gs.decorated_only"]  # no rubric entry: all from the decorators and the docstring
    assert (shapes["score"], shapes["max_score"], shapes["number"], shapes["visibility"], shapes["name"]) == \
        (2, 2, "7.1", "after_due_date", "broadcast_shape on one pair of the handout")
    assert shapes["tags"] == ["gs", "shapes", "numpy"]
    wins = results["gs.rubric_wins"]  # the rubric speaks: its points, number and visibility
    assert (wins["score"], wins["max_score"], wins["number"], wins["visibility"]) == (1, 1, "9.9", "visible")
    assert "rtol is 0.5" in wins["output"]  # self.entry and self.notes reach the StudentTestCase
    function = results["gs.function_style"]  # entry without points: @weight's
    assert (function["score"], function["max_score"], function["name"]) == (3, 3, "predict, as a pytest function")
    assert document["score"] == 2 + 1 + 1 + 3 + 1 + 0.5


def test_set_score_and_set_leaderboard_value_reach_the_results(tmp_path):
    tests_dir, rubric = hidden_folder(tmp_path, "gsb", TESTS, RUBRIC.replace('"gs.', '"gsb.'))
    document = grade(tmp_path, tests_dir, rubric, SUBMISSION)
    results = by_id(document)
    partial = results["gsb.partial"]
    assert (partial["score"], partial["max_score"]) == (1, 4)
    assert "Partial credit: 1 of 4 points" in partial["output"] and "only one case of four" in partial["output"]
    assert (results["gsb.partial_passes"]["score"], results["gsb.partial_passes"]["max_score"]) == (0.5, 2)
    assert {"name": "speed", "value": 6, "order": "asc"} in document["leaderboard"]
    rescored = rescore_document("x", document, rubric_with_decorators(rubric, tests_dir))  # `autograder rescore`
    assert not rescored.dropped and rescored.new["score"] == document["score"] == 8.5


def test_the_rubric_check_counts_decorated_points_and_notes_disagreements(tmp_path):
    tests_dir, rubric = hidden_folder(tmp_path, "gsc", TESTS, RUBRIC.replace('"gs.', '"gsc.'))
    ids = collect_test_ids(("gsc",), tests_dir)
    assert check_rubric(rubric, collected_ids=ids, tests_dir=tests_dir) == []
    assert rubric_notes(rubric, tests_dir) == [
        "gsc.rubric_wins: rubric says 1 points, @weight says 5 — the rubric wins",
        "gsc.rubric_wins: rubric says visibility visible, @visibility says hidden — the rubric wins"]
    rubric_seen = rubric_with_decorators(rubric, tests_dir)  # what rescore and --tests read
    seen = rubric_seen.entries
    assert (seen["gsc.decorated_only"].points, seen["gsc.function_style"].points) == (2, 3)
    rubric.write_text(rubric.read_text().replace("total_points = 13", "total_points = 12"))
    assert any("points add up to 13" in p for p in check_rubric(rubric, collected_ids=ids, tests_dir=tests_dir))
    rubric.write_text(rubric.read_text() + '[tests."gsc.nothing"]\nname = "no points, no decorator"\n')
    assert any('[tests."gsc.nothing"] has no points' in p for p in check_rubric(rubric, tests_dir=tests_dir))


def test_validate_notes_where_the_rubric_overrides_broadcastings_decorators(tmp_path):
    """The worked example (broadcasting's TestCase, @weight(4) on each test) under a rubric that gives
    one of them 3 points: validate says so, and grades with the rubric's 3."""
    from autograder.course.assignment import available
    from autograder.verbs.validate import validate

    text = available()["full"].read_text(encoding="utf-8").replace("total_points = 100", "total_points = 99")
    rubric = tmp_path / "full.toml"
    rubric.write_text(text + '\n[tests."broadcasting.given_pairs"]\npoints = 3\n')
    lines: list[str] = []
    assert validate(lines.append, rubric)
    assert "note rubric: broadcasting.given_pairs: rubric says 3 points, @weight says 4 — the rubric wins" in lines
    assert any(line.startswith("ok   reference: 99/99") for line in lines), lines
