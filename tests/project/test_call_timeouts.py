"""Each student call's time limit comes from the first layer that speaks, and the message names it:
the test's `timeout=` argument, the rubric entry's `timeout`, `@pytest.mark.timeout`, `[limits] call_timeout`."""

from __future__ import annotations

from tests.project.small_folders import by_id, forget_small_tasks, grade, hidden_folder  # noqa: F401 (autouse)

TESTS = '''
import pytest
from autograder.api import fail

def test_explicit(student):
    student.call("broadcast_shape", (1,), (2,), timeout=1)

@pytest.mark.timeout(9)
def test_rubric(student):
    student.call("forloopdists", 1, 2)

@pytest.mark.timeout(1)
def test_marker(student):
    student.call("numpydists", 1, 2)

def test_limits(student):
    student.call("least_squares", 1, 2)

def test_fast(student):
    if student.call("predict", 1, 2, 3) != 6:
        fail("predict is wrong")
'''

RUBRIC = '''
[assignment]
total_points = 5
[limits]
call_timeout = 1
[tests."slowtask.explicit"]
points = 1
timeout = 9
[tests."slowtask.rubric"]
points = 1
timeout = 1
[tests."slowtask.marker"]
points = 1
[tests."slowtask.limits"]
points = 1
[tests."slowtask.fast"]
points = 1
'''

SUBMISSION = '''
import time

def _sleep(*args):
    time.sleep(60)

broadcast_shape = forloopdists = numpydists = least_squares = _sleep

def predict(a, b, c):
    return a + b + c
'''


def test_each_timeout_names_where_its_limit_came_from(tmp_path):
    tests_dir, rubric = hidden_folder(tmp_path, "slowtask", TESTS, RUBRIC)
    results = by_id(grade(tmp_path, tests_dir, rubric, SUBMISSION))
    expected = {
        "slowtask.explicit": "`broadcast_shape` did not finish within its time limit of 1 s "
                             "(the test's `timeout=` argument) in test 1",
        "slowtask.rubric": "`forloopdists` did not finish within its time limit of 1 s "
                           '(rubric.toml [tests."slowtask.rubric"] timeout) in test 2',
        "slowtask.marker": "`numpydists` did not finish within its time limit of 1 s "
                           "(@pytest.mark.timeout on the test) in test 3",
        "slowtask.limits": "`least_squares` did not finish within its time limit of 1 s "
                           "([limits] call_timeout) in test 4",
    }
    for tid, words in expected.items():
        assert results[tid]["score"] == 0 and words in results[tid]["output"], (tid, results[tid]["output"])
    assert results["slowtask.fast"]["score"] == 1  # the worker came back after the timeouts


def test_timeout_stays_a_known_rubric_parameter_when_no_test_reads_it(tmp_path):
    """The plugin reads `timeout` for every test, so the rubric check must not call it unknown."""
    from autograder.course.rubric_schema import parameters_read

    tests_dir, _ = hidden_folder(tmp_path, "quiet", "def test_x(student):\n    pass\n", "")
    assert "timeout" in parameters_read(tests_dir) and "rtol" not in parameters_read(tests_dir)
