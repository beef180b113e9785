"""Registered probes: a probe that fails through its own bug is the grader's internal error, never
the student's; a probe that calls the student's code with the handout's arguments blames the
student's signature; an unregistered probe name is the test author's error, said as such."""

from __future__ import annotations

from tests.project.small_folders import by_id, forget_small_tasks, grade, hidden_folder  # noqa: F401 (autouse)

PROBES = '''
from probes import probe, require


@probe("step")
def probe_buggy(lookup, manifest):
    require(lookup, "step")
    return undefined_name  # noqa: F821 - the grader's own bug


@probe("step")
def probe_drives_step(lookup, manifest):
    return require(lookup, "step")(1, 2, 3)
'''

TESTS = '''
def test_buggy(student):
    student.probe("buggy")

def test_signature(student):
    student.probe("drives_step")

def test_unregistered(student):
    student.probe("no_such_probe")
'''

RUBRIC = "[assignment]\ntotal_points = 3\n" + "".join(f'[tests."probed.{name}"]\npoints = 1\n'
                                                   for name in ("buggy", "signature", "unregistered"))

SUBMISSION = '''
def step(a, b):
    return a + b
'''

INTERNAL = "The grader hit an internal error on this test (not your fault)"


def test_a_probes_own_failure_is_an_internal_error_and_a_signature_mismatch_the_students(tmp_path):
    tests_dir, rubric = hidden_folder(tmp_path, "probed", TESTS, RUBRIC)
    (tests_dir / "probed" / "probes.py").write_text(PROBES)
    results = by_id(grade(tmp_path, tests_dir, rubric, SUBMISSION))
    assert results["probed.buggy"]["score"] == 0 and INTERNAL in results["probed.buggy"]["output"]
    assert "undefined_name" not in results["probed.buggy"]["output"]  # the grader's details stay in its log
    signature = results["probed.signature"]["output"]
    assert INTERNAL not in signature and "step() takes 2 positional arguments but 3 were given" in signature
    assert INTERNAL in results["probed.unregistered"]["output"]
