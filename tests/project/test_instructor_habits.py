"""gradescope-utils habits (issue 26), graded end to end through the sandbox on a task made for the
purpose: a test's print() reaches the student under that test; `student.files()` names the files
handed in with their sizes; `student.run_script` runs `python hw.py ARGS` in the worker and brings
back its output, exit status and error.
"""

from __future__ import annotations

from pathlib import Path

from autograder.grading.grade import grade_submission
from tests.project.small_folders import by_id, forget_small_tasks, hidden_folder  # noqa: F401 (autouse)

HW = '''import sys


def double(x):
    return 2 * x


if __name__ == "__main__":
    print("args", sys.argv[1:])
    if sys.argv[1:] == ["fail"]:
        raise ValueError("bad argument")
    if sys.argv[1:] == ["quit"]:
        sys.exit(3)
    print("double(21) =", double(21))
'''

TESTS = '''
from autograder.api import fail


def test_prints(student):
    print("checking double on 21")
    print("(and this second line)")
    if student.call("double", 21) != 42:
        fail("double(21) should be 42")


def test_prints_then_fails(student):
    print("about to fail")
    fail("failed on purpose")


def test_prints_a_flood(student):
    print("x" * 50_000)


def test_files(student):
    fail(f"files: {student.files()}")


def test_script(student):
    run = student.run_script("hw.py", "7")
    fail(f"output={run.output!r} exit={run.exit} error={run.error} ok={run.ok}")


def test_script_error(student):
    run = student.run_script("hw", "fail")
    fail(f"output={run.output!r} exit={run.exit} error={run.error} ok={run.ok}")


def test_script_exit(student):
    run = student.run_script("hw", "quit")
    fail(f"exit={run.exit} error={run.error}")


def test_script_missing(student):
    student.run_script("nothere")
'''

NAMES = ["prints", "prints_then_fails", "prints_a_flood", "files", "script", "script_error", "script_exit",
         "script_missing"]
RUBRIC = "[assignment]\ntotal_points = 8\n" + "".join(
    f'[tests."habits.{name}"]\nname = "{name}"\nnumber = "{i}"\npoints = 1\n' for i, name in enumerate(NAMES, 1))


def graded(tmp_path: Path) -> dict[str, dict]:
    tests_dir, rubric = hidden_folder(tmp_path, "habits", TESTS, RUBRIC)
    submission = tmp_path / "submission"
    (submission / "data").mkdir(parents=True)
    (submission / "hw.py").write_text(HW)
    (submission / "data" / "notes.txt").write_text("hello")
    document = grade_submission(submission, tmp_path / "results.json", rubric_path=rubric, tests_dir=tests_dir,
                                log=lambda line: None)
    return by_id(document)


def test_prints_files_and_scripts(tmp_path: Path) -> None:
    results = graded(tmp_path)
    printed = results["habits.prints"]
    assert printed["score"] == 1
    assert printed["output"] == "Passed.\n\nPrinted by the test:\n```\nchecking double on 21\n(and this second line)\n```"
    assert results["habits.prints_then_fails"]["output"] == "failed on purpose\n\nPrinted by the test:\n```\nabout to fail\n```"
    flood = results["habits.prints_a_flood"]["output"]
    assert "x" * 10_000 + "\n... (40000 more characters not shown)" in flood and "x" * 10_001 not in flood

    assert results["habits.files"]["output"] == f"files: {{'data/notes.txt': 5, 'hw.py': {len(HW.encode())}}}"
    assert results["habits.script"]["output"] == (
        "output=\"args ['7']\\ndouble(21) = 42\\n\" exit=0 error=None ok=True")
    line = HW.splitlines().index('        raise ValueError("bad argument")') + 1
    assert results["habits.script_error"]["output"] == (
        f"output=\"args ['fail']\\n\" exit=1 error=line {line}: ValueError: bad argument ok=False")
    assert results["habits.script_exit"]["output"] == "exit=3 error=None"
    assert "`nothere.py` is not in your submission" in results["habits.script_missing"]["output"]
