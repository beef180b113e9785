"""`autograder validate`: what an instructor runs after editing an assignment, a rubric or the tests.

For one assignment: its rubric must be consistent with the hidden tests of its tasks, the reference
of its tasks must get full marks and their untouched templates zero. Each check prints a line; the
verdict is the last line.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Callable

from autograder.course.assignment import RubricError, default_assignment
from autograder.course.gradescope_tests import rubric_notes, rubric_with_decorators
from autograder.course.hidden_tests import collect_test_ids
from autograder.course.rubric import load_rubric
from autograder.course.rubric_schema import check_rubric
from autograder.course.tasks import all_tasks
from autograder.course.unconverted import direct_imports
from autograder.grading.grade import grade_submission
from autograder.verbs.requirements_check import requirement_failures


def _copy_tasks(label: str, dest: Path, tasks: tuple[str, ...]) -> Path:
    """The reference of the given tasks as a student would hand it in (each solution and its
    weights), or their untouched templates (the task files alone)."""
    dest.mkdir(parents=True)
    for task in (all_tasks()[name] for name in tasks):
        files = task.reference_files() if label == "reference" else [task.template]
        for path in files:
            (dest / path.name).write_bytes(path.read_bytes())
    return dest


def assignment_problems(rubric_path: Path) -> tuple[list[str], list[str] | None]:
    """(every problem of the assignment and its tasks' rubric files, the ids of its tasks' hidden
    tests: None when the assignment is too broken to say which tasks)."""
    try:
        ids = collect_test_ids(load_rubric(rubric_path).tasks)
    except RubricError:
        ids = None  # check_rubric says where the file is wrong
    return check_rubric(rubric_path, collected_ids=ids), ids


def validate(say: Callable[[str], None] = print, rubric_path: Path | None = None) -> bool:
    """Check the assignment's rubric (schema, ids against its tasks' hidden tests), then grade the
    reference and the template with it; True when both score as they must. A broken rubric stops here."""
    problems: list[str] = []
    rubric_path = default_assignment() if rubric_path is None else Path(rubric_path)
    rubric_problems, ids = assignment_problems(rubric_path)
    if rubric_problems:
        counted = f": {len(ids)} hidden tests" if ids is not None else " (its tasks' hidden tests were not collected)"
        say(f"FAIL rubric{counted}" + "".join(f"\n     - {p}" for p in rubric_problems))
        say(f"VERDICT: {len(rubric_problems)} problem(s) to fix first.")
        return False
    rubric = rubric_with_decorators(rubric_path)
    say(f"ok   rubric of {rubric.name} ({', '.join(rubric.tasks)}): {len(ids or [])} hidden tests, {len(rubric.entries)} entries, {rubric.total_points:g} points")
    for note in rubric_notes(rubric_path):
        say(f"note rubric: {note}")
    unconverted = direct_imports(rubric.tasks)
    if unconverted:
        problems += unconverted
        say("FAIL hidden tests not converted from Gradescope" + "".join(f"\n     - {p}" for p in unconverted))
    packages = requirement_failures(rubric.tasks, rubric.limits)
    if packages:
        problems += packages
        say("FAIL the tasks' own packages (requirements.txt)" + "".join(f"\n     - {p}" for p in packages))
    with tempfile.TemporaryDirectory(prefix="ag-validate-") as tmp:
        for label, expected in (("reference", rubric.total_points), ("template", 0.0)):
            folder = _copy_tasks(label, Path(tmp) / label, rubric.tasks)
            document = grade_submission(folder, Path(tmp) / f"{label}.json", rubric_path=rubric_path,
                                        log=lambda line: None)
            lost = [f"{t['name']}: {t['score']:g}/{t['max_score']:g}" for t in document["tests"]
                    if (t["score"] < t["max_score"]) == (expected > 0) and t["max_score"] > 0]
            good = document["score"] == expected
            if not good:
                problems.append(f"{label} scored {document['score']:g}, expected {expected:g}")
            say(f"{'ok  ' if good else 'FAIL'} {label}: {document['score']:g}/{rubric.total_points:g} "
                f"in {document['execution_time']:.1f} s" + ("".join(f"\n     - {x}" for x in lost) if not good else ""))
    say("VERDICT: " + ("ready to build and upload." if not problems else f"{len(problems)} problem(s) to fix first."))
    return not problems
