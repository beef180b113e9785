"""Assignments and the tasks' rubric files: the shipped ones are consistent (and the full assignment is
exactly the single rubric.toml it replaced), the merge follows its rules, and each kind of mistake is
reported with the file it lies in (the assignment or a task's own rubric.toml), the line and the entry."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from autograder.course.assignment import choose
from autograder.course.paths import ASSIGNMENTS_DIR, PROJECT_ROOT
from autograder.course.assignment import toml
from autograder.course.rubric import ENTRY_KEYS, RubricError, load_rubric

from tests.project.clirun import LEGACY_RUBRIC, fresh_copy

tomllib = toml()  # tomllib, or tomli on Python 3.10

FULL = ASSIGNMENTS_DIR / "full.toml"
SHIPPED = FULL.read_text(encoding="utf-8")
COURSE_ORDER = ("distances", "broadcasting", "kmeans", "regression", "mnist", "autodiff")


def write(tmp_path: Path, body: str, name: str = "assignment.toml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(body), encoding="utf-8")
    return path


@pytest.mark.parametrize("name,tasks,total", [("full", COURSE_ORDER, 100),
                                              ("week2", ("distances", "broadcasting", "kmeans"), 57),
                                              ("a1", ("regression", "mnist", "optim", "autodiff"), 59)])
def test_the_shipped_assignments_add_up(name, tasks, total):
    rubric = load_rubric(ASSIGNMENTS_DIR / f"{name}.toml")
    assert rubric.problems() == [] and rubric.tasks == tasks
    assert sum(e.points for e in rubric.entries.values()) == rubric.total_points == total
    assert [e.task for e in rubric.entries.values()] == sorted((e.task for e in rubric.entries.values()), key=tasks.index)
    assert {e.number.split(".")[0] for e in rubric.entries.values()} == {str(i) for i in range(1, len(tasks) + 1)}


def test_the_full_assignment_is_the_old_rubric_entry_for_entry():
    """The oracle is the pre-assignment rubric.toml itself (kept as data, read with tomllib alone)."""
    legacy = tomllib.loads(LEGACY_RUBRIC.read_text(encoding="utf-8"))
    rubric = load_rubric(FULL)
    assert list(rubric.entries) == list(legacy["tests"])
    for test_id, raw in legacy["tests"].items():
        entry, old = rubric.entries[test_id], {**legacy["defaults"], **raw}
        assert (entry.name, entry.points, entry.number, entry.visibility) == (
            old["name"], old["points"], old["number"], old["visibility"]), test_id
        assert entry.params == {k: v for k, v in old.items() if k not in ENTRY_KEYS}, test_id
    assert (rubric.title, rubric.total_points) == (legacy["assignment"]["title"], legacy["assignment"]["total_points"])
    assert rubric.limits.__dict__ == {**rubric.limits.__dict__, **legacy["limits"]}
    assert rubric.grading == legacy["grading"] and rubric.leaderboard == legacy["leaderboard"]


def test_problems_are_named(tmp_path):
    rubric = load_rubric(write(tmp_path, """
        [assignment]
        tasks = ["broadcasting"]
        total_points = 10
        [tests."broadcasting.one"]
        points = 3
        number = "1"
        rtol = -1
        [tests."broadcasting.two"]
        points = 3
        number = "1"
    """))
    problems = rubric.problems(collected_ids=["broadcasting.one", "broadcasting.three"])
    assert "points add up to 18, but [assignment] total_points is 10" in problems  # 12 of the task's own
    assert "broadcasting.two and broadcasting.one share the number 1" in problems
    assert "broadcasting.one: rtol = -1 must not be negative" in problems
    assert "test broadcasting.three has no rubric entry" in problems
    assert "rubric entry broadcasting.two matches no test" in problems


def test_position_defaults_and_overrides(tmp_path):
    """Numbers follow the assignment's order; [defaults] sit below a task's entries, overrides above."""
    rubric = load_rubric(write(tmp_path, """
        [assignment]
        tasks = ["kmeans", "broadcasting"]
        total_points = 32
        [defaults]
        visibility = "hidden"
        [tests."kmeans.plot"]
        points = 5
        atol = 0.5
        [tests."broadcasting.answers"]
        number = "9"
    """))
    plot, pairs, random = (rubric.entry(t) for t in ("kmeans.plot", "broadcasting.given_pairs", "broadcasting.random_pairs"))
    assert (plot.number, plot.points, plot["atol"], plot.visibility) == ("1.6", 5, 0.5, "hidden")
    assert (pairs.number, pairs.visibility, random.visibility) == ("2.1", "hidden", "after_due_date")
    assert rubric.entry("broadcasting.answers").number == "9" and rubric.tasks == ("kmeans", "broadcasting")
    with pytest.raises(RubricError, match="has no parameter 'rtol'"):
        plot["rtol"]


@pytest.mark.parametrize("body,words", [
    ('[tests."kmeans.plot"]\nvisibility = "secret"', "visibility"),
    ('[tests."kmeans.plot"]\npoints = -1', "points"),
    ('[limits]\ncall_timeot = 3', "unknown keys: call_timeot"),
    ('[tests."kmeans.plot"\npoints = 1', "cannot read"),
    ('[tests."mnist.loss_plot"]\npoints = 1', "a task this assignment does not list"),
])
def test_invalid_assignments_are_refused(tmp_path, body, words):
    with pytest.raises(RubricError, match=words):
        load_rubric(write(tmp_path, '[assignment]\ntasks = ["kmeans"]\ntotal_points = 18\n' + body))


def test_an_unknown_task_is_refused(tmp_path):
    with pytest.raises(RubricError, match="no task 'kmean'"):
        load_rubric(write(tmp_path, '[assignment]\ntasks = ["kmean"]\ntotal_points = 1\n'))


def test_which_assignment_is_used(tmp_path):
    one = write(tmp_path, '[assignment]\ntasks = ["kmeans"]\ntotal_points = 18\n', "w1.toml")
    assert choose(folder=tmp_path).describe().endswith("w1.toml; the only one)")
    write(tmp_path, '[assignment]\ntasks = ["kmeans"]\ntotal_points = 18\n', "w2.toml")
    with pytest.raises(RubricError, match=r"none is marked `default = true`.*assignments: w1, w2"):
        choose(folder=tmp_path)
    one.write_text(one.read_text() + "default = true\n")
    assert choose(folder=tmp_path).describe() == f"assignment: w1 ({one}; default)"
    assert choose("w2", folder=tmp_path).how == "named"
    with pytest.raises(RubricError, match=r"no assignment 'w3'.*assignments: w1, w2"):
        choose("w3", folder=tmp_path)
    assert choose(path=one).how == "given file"
    assert choose().name == "full"  # the repository's own rule: full says default = true


def test_every_hidden_test_has_an_entry_and_every_entry_a_test():
    from autograder.course.hidden_tests import collect_test_ids

    ids = collect_test_ids(COURSE_ORDER)
    assert len(ids) == len(set(ids)) >= 30
    assert load_rubric(FULL).problems(collected_ids=ids) == []


# ---------------------------------------------------------------- the schema (rubric_schema.check_rubric)

@pytest.fixture(scope="module")
def hidden_ids() -> list[str]:
    from autograder.course.hidden_tests import collect_test_ids

    return collect_test_ids(COURSE_ORDER)


def mutated(text: str, old: str, new: str) -> tuple[str, int]:
    """`text` with one edit, and the (1-based) line of the edit's last line that differs from `old`."""
    assert old in text, old
    changed_text = text.replace(old, new, 1)
    changed = [i for i, line in enumerate(new.splitlines()) if line.strip() and line not in old.splitlines()]
    return changed_text, changed_text[:changed_text.index(new)].count("\n") + 1 + changed[-1]


@pytest.mark.parametrize("old,new,words", [
    ("cpu_seconds = 900", 'cpu_seconds = "900"', ["[limits] cpu_seconds: '900' is not of type 'integer'"]),
    ("call_timeout = 60", "call_timout = 60", ["[limits] unknown key 'call_timout' (did you mean 'call_timeout'?)"]),
    ("salvage_earns_points = false", 'salvage_earns_points = "yes"', ["[grading] salvage_earns_points"]),
    ("[defaults]", "[gradng]\n\n[defaults]", ["unknown key 'gradng'", "'grading'"]),
    ("total_points = 100", "total_points = 90", ["[assignment]", "points add up to 100, but [assignment] total_points is 90"]),
    ('"kmeans", "regression"', '"kmean", "regression"', ["[assignment]", "no task 'kmean'"]),
    ("default = true", "default = 1", ["[assignment] default: 1 is not of type 'boolean'"]),
    ('visibility = "visible"', 'visibility = "visible"\n\n[tests."distances.forloop_agrees"]\nrtol = "1e-9"',
     ['[tests."distances.forloop_agrees"]', "rtol = '1e-9' is a string"]),
    ('visibility = "visible"', 'visibility = "visible"\n\n[tests."kmeans.plot"]\nnumber = "1.1"',
     ['[tests."kmeans.plot"]', "share the number 1.1"]),
])
def test_each_assignment_problem_names_file_line_and_entry(tmp_path, hidden_ids, old, new, words):
    from autograder.course.rubric_schema import check_rubric

    text, line = mutated(SHIPPED, old, new)
    path = write(tmp_path, text)
    problems = check_rubric(path, collected_ids=hidden_ids)
    located = [p for p in problems if p.startswith(f"{path}:{line}:")]
    assert located and all(w in located[0] for w in words), problems


def test_an_override_of_a_task_the_assignment_does_not_list_is_named(tmp_path):
    from autograder.course.rubric_schema import check_rubric

    week2 = (ASSIGNMENTS_DIR / "week2.toml").read_text(encoding="utf-8")
    path = write(tmp_path, week2 + '\n[tests."mnist.loss_plot"]\npoints = 1\n')
    line = len(week2.splitlines()) + 2
    assert check_rubric(path) == [f'{path}:{line}: [tests."mnist.loss_plot"] overrides a test of task \'mnist\', '
                                  "which [assignment] tasks does not list"]


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    """A copy of the project, for mistakes in a task's own rubric.toml."""
    return fresh_copy(tmp_path_factory.mktemp("clone"))


TASK_FILE_CASES = [
    ("distances", "rtol = 1e-9", 'rtol = "1e-9"', ['[tests."distances.forloop_agrees"]', "rtol = '1e-9' is a string", "number"]),
    ("distances", "rtol = 1e-7", "rtoll = 1e-7", ['[tests."distances.numpy_agrees"]', "unknown key 'rtoll'", "did you mean 'rtol'"]),
    ("distances", "min_speedup = 5.0", 'min_speedup = "5"', ["numpy_faster_than_loops", "min_speedup = '5' is a string"]),
    ("distances", 'number = "7"\npoints = 2', 'number = "7"\npoints = -5', ["points: -5 is less than the minimum of 0"]),
    ("distances", 'number = "7"\npoints = 2', 'number = "7"\npoint = 2', ["unknown key 'point'", "did you mean 'points'?"]),
    ("broadcasting", 'visibility = "after_due_date"', 'visibility = "later"', ["broadcasting.random_pairs", "visibility: 'later' is not one of"]),
    ("mnist", '[tests."mnist.loss_plot"]', '[tests."mnist.loss_plots"]', ["rubric entry mnist.loss_plots matches no test"]),
    ("mnist", "[leaderboard]", "[leaderbord]", ["[leaderbord] unknown key 'leaderbord' (did you mean 'leaderboard'?)"]),
    ("kmeans", '[tests."kmeans.plot"]', '[tests."distances.plot"]', ["is not a test of task 'kmeans'"]),
    ("kmeans", 'number = "6"\npoints = 3\natol = 1e-4', 'number = "5"\npoints = 3\natol = 1e-4', ['[tests."kmeans.plot"]', "share the number 3.5"]),
]


def test_each_task_file_problem_names_that_file_line_and_entry(project, hidden_ids):
    """Each mistake made in a copy's task rubric.toml, checked by the copy's own code: the problem
    names the task's file (not the assignment), its line and the entry."""
    script = ("import json, sys; from pathlib import Path; from autograder.course.rubric_schema import check_rubric; "
              "print(json.dumps(check_rubric(Path('assignments/full.toml'), json.loads(sys.stdin.read()))))")
    for task, old, new, words in TASK_FILE_CASES:
        path = project / "tests" / "grading" / task / "rubric.toml"
        good = path.read_text(encoding="utf-8")
        text, line = mutated(good, old, new)
        path.write_text(text, encoding="utf-8")
        try:
            done = subprocess.run([sys.executable, "-c", script], cwd=project, input=json.dumps(hidden_ids),
                                  capture_output=True, text=True, timeout=120)
        finally:
            path.write_text(good, encoding="utf-8")
        problems = json.loads(done.stdout) if done.returncode == 0 else [done.stderr]
        located = [p for p in problems if p.startswith(f"{path.relative_to(project)}:{line}:")]
        assert located and all(w in located[0] for w in words), (task, new, problems)


def test_a_test_with_no_entry_is_reported_in_its_task_file(hidden_ids):
    from autograder.course.rubric_schema import check_rubric
    from autograder.course.tasks import task

    problems = check_rubric(FULL, collected_ids=hidden_ids + ["mnist.new_test"])
    assert problems == [f"{task('mnist').rubric.relative_to(PROJECT_ROOT)}: test mnist.new_test has no rubric entry (a test of "
                        'grading/mnist/test_mnist.py): add [tests."mnist.new_test"]']


def test_the_shipped_assignments_and_grading_table_pass(tmp_path):
    from autograder.course.hidden_tests import collect_test_ids
    from autograder.course.rubric_schema import check_rubric

    for path in sorted(ASSIGNMENTS_DIR.glob("*.toml")):
        assert check_rubric(path, collected_ids=collect_test_ids(load_rubric(path).tasks)) == [], path
    with_grading = SHIPPED.replace("salvage_earns_points = false", "salvage_earns_points = true")
    assert with_grading != SHIPPED
    assert check_rubric(write(tmp_path, with_grading)) == []


def test_limits_keys_and_types_follow_the_limits_dataclass(tmp_path):
    """Every field of Limits (including ones other engineers add) is accepted with its own type,
    and refused with another."""
    import dataclasses

    from autograder.course.rubric_schema import check_rubric
    from autograder.course.limits import Limits

    fields = dataclasses.fields(Limits)
    limits = SHIPPED[SHIPPED.index("\n[limits]\n"):SHIPPED.index("\n[grading]\n")]
    table = "\n".join(f"{f.name} = {f.default!r}" for f in fields)
    assert check_rubric(write(tmp_path, SHIPPED.replace(limits, f"\n[limits]\n{table}\n"))) == []
    wrong = "\n".join(f"{f.name} = \"{f.default}\"" for f in fields)
    problems = check_rubric(write(tmp_path, SHIPPED.replace(limits, f"\n[limits]\n{wrong}\n")))
    assert len(problems) == len(fields) and all("[limits]" in p for p in problems)
