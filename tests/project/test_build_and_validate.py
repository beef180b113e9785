"""The instructor's tools: the Gradescope zip works end to end, and validate gives a verdict."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tempfile
import zipfile
from pathlib import Path

import jsonschema
import pytest

from autograder.course.assignment import default_assignment
from autograder.verbs.build import build_gradescope_zip
from autograder.grading.results import schema
from autograder.verbs.validate import validate
from tests.project.corpus.build import reference_submission


def test_zip_holds_what_the_grader_needs_and_nothing_else(tmp_path):
    names = zipfile.ZipFile(build_gradescope_zip(tmp_path / "ag.zip")).namelist()
    assert {"setup.sh", "run_autograder", "assignments/full.toml", "pyproject.toml", "reference/mnist/mnist_weights.pt",
            "tests/grading/pytest.ini", "tests/grading/mnist/rubric.toml",
            "tests/grading/kmeans/test_kmeans.py", "tests/grading/mnist/probes.py", "autograder/grading/grade.py",
            "student_template/regression/qn2_data.csv"} <= set(names)
    assert not [n for n in names if n.startswith(("tests/project", ".git", ".venv", "benchmarks", "docs"))
                or "__pycache__" in n or n.endswith("/corpus.py")]
    assert [n for n in names if n.startswith("assignments/")] == ["assignments/full.toml"]  # the default there
    info = zipfile.ZipFile(tmp_path / "ag.zip").getinfo("run_autograder")
    assert (info.external_attr >> 16) & 0o111


@pytest.fixture
def traversable_dir():
    """A folder other users can enter, as Gradescope's /autograder is (pytest's own temp root is
    0700, where the sandbox user could not run the venv's python and the grader would refuse)."""
    folder = Path(tempfile.mkdtemp(prefix="ag-gradescope-"))
    os.chmod(folder, 0o755)
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def test_built_zip_grades_in_a_gradescope_shaped_root(traversable_dir):
    """Unpack as Gradescope does, run its setup.sh, grade a submission through run_autograder."""
    tmp_path = traversable_dir
    root = tmp_path / "autograder"
    with zipfile.ZipFile(build_gradescope_zip(tmp_path / "ag.zip")) as zf:
        zf.extractall(root / "source")
    for script in ("setup.sh", "run_autograder"):
        os.chmod(root / "source" / script, 0o755)
    setup = subprocess.run(["bash", str(root / "source" / "setup.sh")], capture_output=True, text=True, timeout=1200)
    assert setup.returncode == 0, setup.stdout[-2000:] + setup.stderr[-2000:]
    shutil.copy(root / "source" / "run_autograder", root / "run_autograder")
    reference_submission(root / "submission")
    (root / "results").mkdir()
    done = subprocess.run([str(root / "run_autograder")], env={**os.environ, "AUTOGRADER_ROOT": str(root)},
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0
    document = json.loads((root / "results" / "results.json").read_text())
    jsonschema.validate(document, schema())
    assert document["score"] == 100 and len(document["tests"]) == 37  # 36 until float32_input became two tests
    assert re.search(r"protection: unprivileged user: ag-sandbox\d* \(uid", done.stdout)  # the instructor-only log


def test_validate_passes_on_the_project_and_fails_on_a_broken_rubric(tmp_path):
    lines: list[str] = []
    assert validate(lines.append) is True
    assert lines[-1] == "VERDICT: ready to build and upload."
    broken = tmp_path / "full.toml"
    broken.write_text(default_assignment().read_text().replace("total_points = 100", "total_points = 90"))
    lines.clear()
    assert validate(lines.append, rubric_path=broken) is False
    assert any("points add up to 100, but [assignment] total_points is 90" in line for line in lines)
