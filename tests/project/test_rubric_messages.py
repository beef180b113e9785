"""Rubric messages an instructor from another course meets first (issue 26), each `file:line: [entry] ...`:
TOML syntax errors, a misspelled test id (did you mean), an unknown section, an unquoted test id, a
type error in the assignment (no "0 hidden tests"), and a Gradescope test that imports the student's
module itself (validate says how to convert it). Line numbers are those of the text written here.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from autograder.course.rubric_schema import check_rubric
from autograder.verbs.validate import validate
from tests.project.clirun import autograder, fresh_copy

HEAD = '[assignment]\ntasks = ["broadcasting"]\ntotal_points = 12\n'  # lines 1-3


def problems_of(tmp_path: Path, text: str) -> list[str]:
    path = tmp_path / "week.toml"
    path.write_text(text)
    return [p.replace(str(path), "week.toml") for p in check_rubric(path, collected_ids=BROADCASTING)]


BROADCASTING = ["broadcasting.given_pairs", "broadcasting.random_pairs", "broadcasting.answers"]


@pytest.mark.parametrize("tail, expected", [
    ('\n[tests."broadcasting.answers"\npoints = 1\n',
     "week.toml:5: cannot read the rubric: TOML syntax error at column 30: Expected ']' at the end of a table declaration"),
    ('\n[tests."broadcasting.given_pair"]\nname = "pairs"\n',
     "week.toml:5: [tests.\"broadcasting.given_pair\"] rubric entry broadcasting.given_pair matches no test "
     "(did you mean 'broadcasting.given_pairs'?)"),  # and "... has no points"
    ('\n[test."broadcasting.answers"]\npoints = 1\n',
     "week.toml:5: [test] unknown key 'test' (did you mean 'tests'?)"),
    ("\n[tests.broadcasting.answers]\nvisibility = \"hidden\"\n",
     "week.toml:5: [tests.\"broadcasting\"] is not a test id (`<task>.<test>`): write the id in quotes, "
     "[tests.\"broadcasting.answers\"]"),
])
def test_each_message_names_file_line_and_entry(tmp_path: Path, tail: str, expected: str) -> None:
    problems = problems_of(tmp_path, HEAD + tail)
    assert problems[-1] == expected and all(p.startswith("week.toml:5: ") for p in problems), problems


def test_a_key_above_every_table_is_found_at_its_line(tmp_path: Path) -> None:
    assert problems_of(tmp_path, "# week 2\ntotal = 12\n" + HEAD) == ["week.toml:2: [total] unknown key 'total'"]


def test_a_type_error_in_the_assignment_is_not_zero_hidden_tests(tmp_path: Path) -> None:
    path = tmp_path / "week.toml"
    path.write_text('[assignment]\ntasks = "broadcasting"\ntotal_points = 12\n')
    said: list[str] = []
    assert validate(said.append, path) is False
    assert "0 hidden tests" not in said[0] and said[0].startswith("FAIL rubric")
    assert f"{path}:2: [assignment] tasks: 'broadcasting' is not of type 'array'" in said[0]


FUN_TEST = '''"""Brought from Gradescope as it was: it imports the student's module."""
import unittest

from gradescope_utils.autograder_utils.decorators import weight

import fun


class TestFun(unittest.TestCase):
    @weight(1)
    def test_projectile(self):
        """projectile range"""
        self.assertAlmostEqual(fun.projectile(10.0), 10.2, places=1)
'''


def test_validate_names_an_unconverted_gradescope_test_and_how_to_convert_it(tmp_path: Path) -> None:
    project = fresh_copy(tmp_path / "clone")
    for folder, text in (("student_template", "def projectile(v):\n    raise NotImplementedError\n"),
                         ("reference", "def projectile(v):\n    return v * v / 9.81\n")):
        (project / folder / "fun").mkdir(parents=True)
        (project / folder / "fun" / "fun.py").write_text(text)
    (project / "tests" / "grading" / "fun").mkdir()
    (project / "tests" / "grading" / "fun" / "test_fun.py").write_text(FUN_TEST)
    (project / "assignments" / "fun_week.toml").write_text('[assignment]\ntasks = ["fun"]\ntotal_points = 1\n')
    done = autograder("validate", "--assignment", "fun_week", cwd=project)
    assert done.returncode == 1, done.stdout[-3000:] + done.stderr[-2000:]
    assert ("tests/grading/fun/test_fun.py:6: imports the student's module `fun` itself" in done.stdout
            and "autograder.api.StudentTestCase" in done.stdout), done.stdout[-3000:]
    shutil.rmtree(project / "tests" / "grading" / "fun")
    (project / "tests" / "grading" / "fun").mkdir()
    converted = FUN_TEST.replace("import unittest\n", "").replace("import fun\n", "from autograder.api import StudentTestCase\n")
    converted = converted.replace("unittest.TestCase", "StudentTestCase").replace(
        "fun.projectile(10.0)", 'self.student.call("projectile", 10.0)')
    (project / "tests" / "grading" / "fun" / "test_fun.py").write_text(converted)
    done = autograder("validate", "--assignment", "fun_week", cwd=project)
    assert done.returncode == 0 and "ok   reference: 1/1" in done.stdout, done.stdout[-3000:] + done.stderr[-2000:]
