"""Seeded mistakes lose exactly the tests that name them; correct variants keep full marks.

Cases live as data with their task, in tests/grading/<task>/corpus.py. Each is graded on the reference with
only its definitions replaced, under an assignment that holds its task (the default one when it does,
so a task that only one assignment lists still works), with the hidden tests of its own task selected
(the other tasks' tests cannot be affected by a change confined to this task's module, and skipping
them keeps CI fast).
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from autograder.course.assignment import available, default_assignment
from autograder.grading.grade import grade_submission
from autograder.course.rubric import load_rubric
from autograder.course.tasks import all_tasks
from tests.project.corpus import build
from tests.project.corpus.cases import Mistake, Variant

def all_cases(kind: type) -> list:
    found = []
    for task in all_tasks().values():
        if task.corpus is not None:
            found += getattr(task.module("corpus.py"), "MISTAKES" if kind is Mistake else "VARIANTS", [])
    return found


def assignment_with(task: str) -> Path:
    """The default assignment if it lists `task`, else the first (by name) that does."""
    candidates = [default_assignment(), *available().values()]
    return next(path for path in candidates if task in load_rubric(path).tasks)


MISTAKES = all_cases(Mistake)
VARIANTS = all_cases(Variant)


@pytest.fixture(scope="module")
def reference(tmp_path_factory) -> Path:
    return build.reference_submission(tmp_path_factory.mktemp("corpus") / "reference")


def grade_case(reference: Path, tmp_path: Path, case) -> tuple[dict[str, dict], str]:
    """(results by test id, every text the student reads, joined)."""
    folder = tmp_path / "submission"
    shutil.copytree(reference, folder)
    build.replace_function(folder, case.module, case.source)
    module = folder / f"{case.module}.py"
    text = module.read_text(encoding="utf-8") + case.then
    if getattr(case, "renamed", None):
        text = re.sub(rf"^def {case.renamed[0]}\(", f"def {case.renamed[1]}(", text, flags=re.MULTILINE)
    module.write_text(text, encoding="utf-8")
    for name, content in getattr(case, "files", {}).items():
        (folder / name).write_text(content, encoding="utf-8")
    document = grade_submission(folder, tmp_path / "results.json", log=lambda line: None,
                                rubric_path=assignment_with(case.module),
                                select=lambda test_id: test_id.startswith(case.module + "."))
    said = "\n".join([document["output"]] + [t["output"] for t in document["tests"]])
    return {t["extra_data"]["id"]: t for t in document["tests"]}, said


def test_the_corpus_is_large_enough():
    assert len(MISTAKES) >= 25 and len(VARIANTS) >= 8
    assert len({m.name for m in MISTAKES}) == len(MISTAKES)


@pytest.mark.parametrize("mistake", MISTAKES, ids=[m.name for m in MISTAKES])
def test_mistake_loses_the_named_tests_only(reference, tmp_path, mistake):
    results, _ = grade_case(reference, tmp_path, mistake)
    assert results, "no test ran"
    for test_id in mistake.loses:
        assert results[test_id]["score"] < results[test_id]["max_score"], f"{test_id} should lose points"
    kept = {i: t["output"] for i, t in results.items() if i not in mistake.loses and t["score"] < t["max_score"]}
    assert kept == {}, "unrelated tests lost points"
    if mistake.says:
        messages = " ".join(results[i]["output"] for i in mistake.loses)
        assert mistake.says.lower() in messages.lower()
    if mistake.points is not None:
        assert sum(t["max_score"] - t["score"] for t in results.values()) == pytest.approx(mistake.points)


@pytest.mark.parametrize("variant", VARIANTS, ids=[v.name for v in VARIANTS])
def test_variant_gets_full_marks(reference, tmp_path, variant):
    results, said = grade_case(reference, tmp_path, variant)
    assert results
    lost = {i: t["output"] for i, t in results.items() if t["score"] < t["max_score"]}
    assert lost == {}
    assert variant.says in said and not (variant.lacks and variant.lacks in said)
