"""Hidden test of the vote task, authored from a master notebook."""

from autograder.api import fail


def test_majority(student):
    if student.call("majority", [3, 1, 3, 2]) != 3:
        fail("`majority([3, 1, 3, 2])` should be 3.")
