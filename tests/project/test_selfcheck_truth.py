"""Issue 23: the self-check tells the truth. A handout copy holding a student's honest mistakes (a
list comprehension in numpydists, k-means centres transposed, an unclosed bracket in regression.py)
is checked with `python check.py` and graded by the real grader: each mistake fails its public
check with its cause, and the checks and the grader agree on which tests fail; `--zip` says "ready
to upload" only when every check passed; a second check after `--zip` reads no copy of the zip."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from autograder.course.paths import ASSIGNMENTS_DIR
from autograder.course.public_split import PublicSplit, split_of
from autograder.course.rubric import load_rubric
from autograder.course.rubric_schema import check_rubric
from autograder.course.tasks import all_tasks
from autograder.grading.grade import grade_submission
from autograder.intake.handout_contents import SUBMISSION_ZIP, WORK_FOLDER
from autograder.intake.submission import load_submission
from autograder.verbs.public_checks import load_checks
from autograder.verbs.selfcheck import Outcome
from autograder.verbs.verdict import format_outcomes, zip_verdict
from autograder.verbs.packing import write_zip
from tests.project.handouts import unzipped_handout

ASSIGNMENT = load_rubric()
TASKS = list(ASSIGNMENT.tasks)
CHECKS = load_checks(TASKS)

LIST_COMPREHENSION = '''

def numpydists(feats, protos):
    feats, protos = np.asarray(feats, dtype=np.float64), np.asarray(protos, dtype=np.float64)
    return np.array([[((f - p) ** 2).sum() for p in protos] for f in feats])
'''
TRANSPOSED = '''

def kmeans(X, init_indices, max_iter=100, tol=1e-6):
    centres, labels, n_iter = _kmeans_right(X, init_indices, max_iter, tol)
    return centres.T, labels, n_iter
'''


def transpose_kmeans(path: Path) -> None:
    """The reference's kmeans renamed, and a kmeans that returns its centres transposed."""
    source = path.read_text(encoding="utf-8")
    assert "\ndef kmeans(" in source
    path.write_text(source.replace("\ndef kmeans(", "\ndef _kmeans_right(") + TRANSPOSED, encoding="utf-8")
CLOSED, UNCLOSED = "A = np.hstack([np.ones((len(X), 1)), X])", "A = np.hstack([np.ones((len(X), 1)), X]"


@pytest.fixture(scope="module")
def unpacked(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return unzipped_handout(tmp_path_factory.mktemp("handout"), TASKS, ASSIGNMENT.title)


def filled_in(unpacked: Path, dest: Path) -> Path:
    """The handout, every task filled in with the reference (and its weights), in homework/."""
    handout = Path(shutil.copytree(unpacked, dest))
    for task in all_tasks().values():
        for path in task.reference_files():
            shutil.copy(path, handout / WORK_FOLDER / path.name)
    return handout


def with_mistakes(handout: Path) -> Path:
    work = handout / WORK_FOLDER
    with open(work / "distances.py", "a", encoding="utf-8") as fh:
        fh.write(LIST_COMPREHENSION)
    transpose_kmeans(work / "kmeans.py")
    source = (work / "regression.py").read_text(encoding="utf-8")
    assert CLOSED in source
    (work / "regression.py").write_text(source.replace(CLOSED, UNCLOSED), encoding="utf-8")
    return handout


def run_check(handout: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "check.py", *args], cwd=handout, capture_output=True, text=True, timeout=600)


def verdicts(out: str) -> dict[str, tuple[bool, str]]:
    """{check title: (passed, the message under it)} from check.py's output."""
    found = {}
    for match in re.finditer(r"^ +(?:[\d.]+ pts? )?(ok  |FAIL) (.+)\n((?:               .*\n)*)", out, flags=re.M):
        found[match.group(2)] = (match.group(1) == "ok  ", match.group(3))
    return found


def test_each_mistake_fails_its_check_with_its_cause_and_the_grader_agrees(unpacked: Path, tmp_path: Path) -> None:
    handout = with_mistakes(filled_in(unpacked, tmp_path / "handout"))
    result = run_check(handout)
    assert result.returncode == 1, result.stdout[-3000:] + result.stderr[-2000:]
    seen = verdicts(result.stdout)
    assert {c.title for c in CHECKS} <= set(seen), sorted(seen)
    passed, message = seen["numpydists has no Python loop"]
    assert not passed and "must not use Python loops" in message and "comprehension" in message
    passed, message = seen["kmeans returns centres, labels and n_iter of the right shapes (P = 3, D = 2)"]
    assert not passed and "(2, 3)" in message and "transposed?" in message
    passed, message = seen["least_squares on the corn data matches the published fit"]
    assert not passed and "cannot compile" in message and "not implemented" not in message
    passed, message = seen["predict on a tiny case"]  # predict is fine, but its file does not compile
    assert not passed and "code that does not run as submitted earns nothing" in message
    assert "Ready to upload" not in result.stdout

    document = grade_submission(handout, tmp_path / "results.json", log=lambda line: None)
    lost = {t["extra_data"]["id"] for t in document["tests"] if t["score"] < t["max_score"]}
    for check in CHECKS:  # a public check fails exactly when a test it stands for loses points
        assert check.tests, f"{check.title} names no rubric test"
        assert seen[check.title][0] == (not lost & set(check.tests)), (check.title, seen[check.title], lost)
    failed_points = sum(ASSIGNMENT.entries[t].points for t in {t for c in CHECKS for t in c.tests} & lost)
    public_points = sum(ASSIGNMENT.entries[t].points for t in {t for c in CHECKS for t in c.tests})
    assert f"Public checks: {public_points - failed_points:g} of {public_points:g} points' worth passed" in result.stdout


def test_zip_is_ready_only_when_every_check_passed_and_a_second_check_reads_no_copy(unpacked: Path,
                                                                                      tmp_path: Path) -> None:
    template = Path(shutil.copytree(unpacked, tmp_path / "template"))
    made = run_check(template, "--zip")
    assert (template / SUBMISSION_ZIP).is_file()
    assert "Ready to upload" not in made.stdout and "NOT ready to upload" in made.stdout  # never an untouched template
    assert made.stdout.index("## Self-check") < made.stdout.index("Wrote ") < made.stdout.index("NOT ready")
    assert "- [kmeans] kmeans on a small worked example (P = 2, D = 3) (3 pts): `kmeans` is not implemented yet." \
        in made.stdout

    handout = filled_in(unpacked, tmp_path / "handout")
    made = run_check(handout, "--zip")
    assert made.returncode == 0, made.stdout[-3000:]
    assert "Ready to upload: every public check passed." in made.stdout
    again = run_check(handout)
    assert again.returncode == 0, again.stdout[-3000:]
    assert "same module name" not in again.stdout and "submission/" not in again.stdout
    code_read = next(line for line in again.stdout.splitlines() if line.startswith("Code read:"))
    assert SUBMISSION_ZIP not in again.stdout and "homework/distances.py" in code_read


def test_the_grader_leaves_out_a_folders_own_submission_zip_but_reads_a_lone_zip(tmp_path: Path) -> None:
    folder = tmp_path / "folder"
    folder.mkdir()
    (folder / "distances.py").write_text("def numpydists(a, b):\n    return 1\n", encoding="utf-8")
    write_zip(folder / SUBMISSION_ZIP, {"distances.py": b"def numpydists(a, b):\n    return 2\n"})
    submission = load_submission(folder, tmp_path / "staging", ["distances"])
    assert [u.path for u in submission.units] == ["distances.py"] and "return 1" in submission.units[0].source
    assert any(n.startswith(f"`{SUBMISSION_ZIP}` (what `python check.py --zip` writes)") for n in submission.notes)
    lone = tmp_path / "gradescope"
    lone.mkdir()
    shutil.move(str(folder / SUBMISSION_ZIP), lone / SUBMISSION_ZIP)
    submission = load_submission(lone, tmp_path / "staging2", ["distances"])
    assert [u.source for u in submission.units] == ["def numpydists(a, b):\n    return 2\n"]


def test_the_summary_counts_the_rubric_points_each_check_stands_for() -> None:
    split = PublicSplit({"t.a": 3, "t.b": 5, "t.c": 2, "t.d": 1.5}, {"t.a": "A", "t.b": "B", "t.c": "C", "t.d": "D"})
    outcomes = [Outcome("all", "names", True, "Passed."), Outcome("t", "check a", True, "Passed.", ("t.a",)),
                Outcome("t", "check b", False, "wrong values\nmore", ("t.b",)),
                Outcome("t", "check a and c", True, "Passed.", ("t.a", "t.c"))]
    text = format_outcomes(outcomes, split)
    assert "    3 pts ok   check a\n" in text and "    5 pts FAIL check b\n               wrong values\n" in text
    assert "Public checks: 5 of 10 points' worth passed; hidden tests decide the other 1.5 of 11.5 points (D)." in text
    assert zip_verdict(outcomes, split) == [
        "NOT ready to upload: 1 check failed, and as it is this zip will lose points on:",
        "  - [t] check b (5 pts): wrong values",
        "The zip was written anyway; fix these, then run `python check.py --zip` again."]
    assert zip_verdict([o for o in outcomes if o.passed], split)[0].startswith("Ready to upload")
    later = PublicSplit(split.points, split.names, unnamed=4)  # tests hidden from students: counted, not named
    assert "hidden tests decide the other 5.5 of 15.5 points (D; tests not shown to students yet)." \
        in format_outcomes(outcomes, later)


def test_the_handout_names_no_test_hidden_from_students(tmp_path: Path) -> None:
    hidden = [e for e in ASSIGNMENT.entries.values() if e.visibility != "visible"]
    assert hidden  # the default assignment has some (after_due_date)
    handout = unzipped_handout(tmp_path, TASKS, ASSIGNMENT.title)
    shipped = (handout / "autograder" / "public_split.json").read_text(encoding="utf-8")
    assert not [e.id for e in hidden if e.id in shipped or e.name in shipped]
    assert f"{sum(e.points for e in hidden):g}" in shipped


def test_public_false_in_the_rubric_withholds_the_checks_standing_for_it(tmp_path: Path) -> None:
    """The instructor decides per test what students see: `public = false` is a valid rubric key, and
    the checks standing for that test are left out of the self-check and its points."""
    path = tmp_path / "full.toml"
    path.write_text((ASSIGNMENTS_DIR / "full.toml").read_text(encoding="utf-8")
                    + '\n[tests."kmeans.plot"]\npublic = false\n', encoding="utf-8")
    assert check_rubric(path) == []
    split = split_of(load_rubric(path))
    assert split.withheld == {"kmeans.plot"}
    shown = [c.title for c in CHECKS if split.shown(c.tests)]
    assert "plot_kmeans returns a matplotlib Figure" not in shown and len(shown) == len(CHECKS) - 1
