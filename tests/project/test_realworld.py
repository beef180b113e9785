"""Real-world shapes of submissions get the verdict a careful TA would give (corpus/realworld.py):
exact points lost per test, every other test of the task at full marks, and the student's words.

Each case selects only its own task's tests (as test_corpus.py does), so the file stays cheap.
"""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest

from autograder.grading.grade import grade_submission
from autograder.course.assignment import default_assignment
from tests.project.corpus import build
from tests.project.corpus.realworld import CELL, SUBMISSIONS, UNCOMPILABLE_LOOP, Submitted
from tests.project.corpus.realworld_parts import distances


def write_submission(case: Submitted, folder: Path) -> Path:
    folder.mkdir(parents=True)
    for name, text in case.files.items():
        if name.endswith(".ipynb"):
            notebook = nbformat.v4.new_notebook()
            notebook.cells = [nbformat.v4.new_code_cell(cell) for cell in text.split(CELL)]
            nbformat.write(notebook, str(folder / name))
        else:
            (folder / name).write_text(text, encoding="utf-8")
    if not case.zipped:
        return folder
    return build.as_zip(folder, folder.parent / "submission.zip", top="homework")


def grade(case: Submitted, tmp_path: Path, rubric: Path | None = None) -> dict:
    path = write_submission(case, tmp_path / "submission")
    return grade_submission(path, tmp_path / "results.json", rubric_path=rubric, log=lambda line: None,
                            select=lambda test_id: test_id.startswith(case.tests))


def outputs(document: dict) -> dict[str, str]:
    found = {t["extra_data"]["id"]: t["output"] for t in document["tests"]}
    found["top"] = document["output"]
    return found


def test_the_real_world_corpus_is_large_enough():
    assert len(SUBMISSIONS) >= 20 and len({c.name for c in SUBMISSIONS}) == len(SUBMISSIONS)


@pytest.mark.parametrize("case", SUBMISSIONS, ids=[c.name for c in SUBMISSIONS])
def test_real_world_submission_gets_the_tas_verdict(tmp_path, case):
    document = grade(case, tmp_path)
    tests = {t["extra_data"]["id"]: t for t in document["tests"]}
    assert tests and all(i.startswith(case.tests) for i in tests)
    lost = {i: t["max_score"] - t["score"] for i, t in tests.items() if t["score"] < t["max_score"]}
    assert lost == case.lost, {i: tests[i]["output"][:400] for i in set(lost) ^ set(case.lost)}
    text = outputs(document)
    for where, phrases in case.says.items():
        for phrase in phrases:
            assert phrase in text[where], f"{where} lacks {phrase!r}:\n{text[where]}"
    for where, phrases in case.lacks.items():
        for phrase in phrases:
            assert phrase not in text[where], f"{where} says {phrase!r}:\n{text[where]}"


def test_salvaged_parts_earn_points_when_the_rubric_says_so(tmp_path):
    """[grading] salvage_earns_points = true: only the broken function's tests are lost."""
    rubric = tmp_path / "assignment.toml"
    rubric.write_text(default_assignment().read_text(encoding="utf-8").replace(
        "salvage_earns_points = false", "salvage_earns_points = true"), encoding="utf-8")
    case = Submitted("broken loops", {"distances.py": distances(UNCOMPILABLE_LOOP)}, "distances.")
    document = grade(case, tmp_path, rubric)
    lost = {t["extra_data"]["id"]: t["max_score"] - t["score"] for t in document["tests"] if t["score"] < t["max_score"]}
    assert lost == {"distances.forloop_agrees": 3}
    numpy = next(t for t in document["tests"] if t["extra_data"]["id"] == "distances.numpy_agrees")
    assert "what it earns there counts" in numpy["output"]


def test_a_skipped_zero_point_test_is_shown_as_skipped(tmp_path):
    case = Submitted("reference", {"distances.py": distances()}, "distances.gpu")
    document = grade(case, tmp_path)
    gpu = document["tests"][0]
    if not gpu["extra_data"].get("skipped"):
        pytest.skip("this machine has a CUDA device: the GPU test ran")
    assert gpu["score"] == gpu["max_score"] == 0 and gpu["output"].startswith("Skipped, not graded:")
    assert json.loads((tmp_path / "results.json").read_text())["tests"][0]["extra_data"]["skipped"] is True
