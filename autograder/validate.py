"""`autograder validate`: what an instructor runs after editing the rubric or the tests.

The rubric must be consistent with the hidden tests, the reference must get full marks and the
untouched template zero. Each check prints a line; the verdict is the last line.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Callable

from autograder.gradescope_tests import rubric_notes, rubric_with_decorators
from autograder.grading import collect_test_ids, grade_submission
from autograder.paths import RUBRIC_FILE
from autograder.rubric_schema import check_rubric
from autograder.tasks import all_tasks


def _copy_tasks(label: str, dest: Path) -> Path:
    """The reference as a student would hand it in (each solution and its weights), or the
    untouched template (the task files alone)."""
    dest.mkdir(parents=True)
    for task in all_tasks().values():
        files = task.reference_files() if label == "reference" else [task.template]
        for path in files:
            (dest / path.name).write_bytes(path.read_bytes())
    return dest


def validate(say: Callable[[str], None] = print, rubric_path: Path = RUBRIC_FILE) -> bool:
    """Check the rubric (schema, ids against the hidden tests), then grade the reference and the
    template with it; True when both score as they must. A broken rubric stops here."""
    problems: list[str] = []
    ids = collect_test_ids()
    rubric_problems = check_rubric(rubric_path, collected_ids=ids)
    if rubric_problems:
        say(f"FAIL rubric: {len(ids)} hidden tests" + "".join(f"\n     - {p}" for p in rubric_problems))
        say(f"VERDICT: {len(rubric_problems)} problem(s) to fix first.")
        return False
    rubric = rubric_with_decorators(rubric_path)
    say(f"ok   rubric: {len(ids)} hidden tests, {len(rubric.entries)} entries, {rubric.total_points:g} points")
    for note in rubric_notes(rubric_path):
        say(f"note rubric: {note}")
    with tempfile.TemporaryDirectory(prefix="ag-validate-") as tmp:
        for label, expected in (("reference", rubric.total_points), ("template", 0.0)):
            folder = _copy_tasks(label, Path(tmp) / label)
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
