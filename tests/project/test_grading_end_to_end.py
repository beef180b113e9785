"""Whole grading runs on real submissions: reference in every form, the untouched template,
and Gradescope's entry point in a temporary /autograder-shaped root."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import jsonschema
import pytest

from autograder.grading.grade import grade_submission
from autograder.course.paths import PROJECT_ROOT
from autograder.grading.results import schema
from autograder.course.rubric import load_rubric
from tests.project.corpus.build import (as_notebook, as_single_file, as_zip, reference_submission,
                                        template_submission)

RUBRIC = load_rubric()
FULL = RUBRIC.total_points
TASKS = sorted({e.task for e in RUBRIC.entries.values()})


def failures(document: dict) -> list[str]:
    return [f"{t['name']}: {t['score']}/{t['max_score']}\n{t['output']}" for t in document["tests"]
            if t["score"] < t["max_score"]]


def grade(path: Path, out: Path) -> dict:
    document = grade_submission(path, out, log=lambda line: None)
    jsonschema.validate(json.loads(out.read_text()), schema())
    return document


@pytest.fixture(scope="module")
def reference_folder(tmp_path_factory) -> Path:
    return reference_submission(tmp_path_factory.mktemp("reference") / "submission")


def test_reference_folder_gets_full_marks(reference_folder, tmp_path):
    document = grade(reference_folder, tmp_path / "results.json")
    assert failures(document) == []
    assert document["score"] == FULL
    assert len(document["tests"]) == len(RUBRIC.entries)
    assert document["leaderboard"] and document["leaderboard"][0]["value"] < 2.0


@pytest.mark.parametrize("form", ["single_file", "notebook", "zip"])
def test_reference_in_other_forms_gets_full_marks(reference_folder, tmp_path, form):
    if form == "single_file":
        submission = as_single_file(reference_folder, tmp_path / "single")
    elif form == "notebook":
        submission = as_notebook(reference_folder, tmp_path / "nb", failing_cell=True)
    else:
        submission = as_zip(reference_folder, tmp_path / "hw.zip")
    document = grade(submission, tmp_path / "results.json")
    assert failures(document) == []
    assert document["score"] == FULL


def test_template_scores_zero_with_not_implemented_messages(tmp_path):
    document = grade(template_submission(tmp_path / "template"), tmp_path / "results.json")
    assert document["score"] == 0
    assert "All" in document["output"] and "required names were found" in document["output"]
    outputs = {t["tags"][0]: t["output"] for t in document["tests"] if t["max_score"] > 0}
    assert set(outputs) == set(TASKS)
    for test in document["tests"]:
        assert "Traceback" not in test["output"] and "internal error" not in test["output"]
    not_implemented = [t for t in document["tests"] if "not implemented yet" in t["output"]]
    assert {t["tags"][0] for t in not_implemented} == set(TASKS)


def test_run_autograder_in_a_gradescope_shaped_root(reference_folder, tmp_path):
    root = tmp_path / "autograder"
    shutil.copytree(reference_folder, root / "submission")
    (root / "results").mkdir()
    (root / "submission_metadata.json").write_text(json.dumps({"id": 1, "users": [{"name": "A"}]}))
    env = {**os.environ, "AUTOGRADER_ROOT": str(root)}
    done = subprocess.run([str(PROJECT_ROOT / "run_autograder")], env=env, capture_output=True, text=True,
                          timeout=600)
    assert done.returncode == 0, done.stderr
    document = json.loads((root / "results" / "results.json").read_text())
    jsonschema.validate(document, schema())
    assert document["score"] == FULL
    assert "TOTAL" in done.stdout


def test_two_graders_side_by_side_do_not_disturb_each_other(reference_folder, tmp_path):
    """Each grading process claims its own sandbox user, so one run's clean-up (which ends every
    process of its user) never touches the other's worker."""
    runs = [subprocess.Popen([str(PROJECT_ROOT / ".venv" / "bin" / "python"), "-m", "autograder", "grade",
                              str(reference_folder), "--out", str(tmp_path / f"r{i}.json"), "--tests", "broadcasting.*",
                              "-v"], stdout=subprocess.PIPE, text=True) for i in range(2)]
    outputs = [run.communicate(timeout=600)[0] for run in runs]
    users = [re.search(r"protection: unprivileged user: (\S+)", out) for out in outputs]
    if os.geteuid() == 0:
        assert users[0] and users[1] and users[0].group(1) != users[1].group(1), outputs
    for i in range(2):
        assert json.loads((tmp_path / f"r{i}.json").read_text())["score"] == sum(e.points for e in RUBRIC.entries.values() if e.task == "broadcasting")
