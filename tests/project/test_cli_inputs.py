"""Bad input through the real command line: one clear line on stderr, exit status 2, no traceback,
and nothing written that could pass for a grade."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.project.clirun import autograder
from tests.project.corpus import build

METADATA = """---
:submission_1:
  :submitters:
  - :name: Ada Lovelace
    :email: ada@example.edu
"""


@pytest.fixture(scope="module")
def place(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("inputs")
    build.template_submission(root / "klass" / "alice")
    build.template_submission(root / "klass" / "heidi_syntax")
    (root / "empty_class").mkdir()
    (root / "export" / "submission_1").mkdir(parents=True)
    (root / "export" / "submission_metadata.yml").write_text(METADATA, encoding="utf-8")
    (root / "a_file.txt").write_text("not a folder", encoding="utf-8")
    return root


CASES = [
    (["grade-all", "{root}/missing", "--out", "{root}/out"], "{root}/missing: no such folder"),
    (["grade-all", "{root}/a_file.txt", "--out", "{root}/out"], "is a file; grade-all takes a folder"),
    (["grade-all", "{root}/klass", "--out", "{root}/a_file.txt"], "--out {root}/a_file.txt is a file"),
    (["grade-all", "{root}/klass", "--out", "{root}/out", "--only", "alcie"], "did you mean 'alice'?"),
    (["grade-all", "{root}/klass", "--out", "{root}/out", "--only", "zoe"], "no submission of that name"),
    (["grade-all", "{root}/export", "--out", "{root}/out", "--only", "Ada Lovelace"],
     "is a student, not a submission: use --only submission_1"),
    (["grade-all", "{root}/klass", "--out", "{root}/out", "--jobs", "0"], "--jobs 0: must be at least 1"),
    (["grade-all", "{root}/klass", "--out", "{root}/out", "--jobs", "-3"], "--jobs -3: must be at least 1"),
    (["grade", "{root}/nope.zip", "--out", "{root}/out/results.json"], "nope.zip: no such file or folder"),
    (["grade", "{root}/klass/alice", "--out", "{root}"], "is a folder; give the path of the file"),
    (["grade-all", "{root}/klass", "--out", "{root}/out", "--tests", "kmeans.plto"],
     "--tests 'kmeans.plto' matches no test (did you mean 'kmeans.plot'?)"),
    (["grade", "{root}/klass/alice", "--out", "{root}/out/r.json", "--tests", "nothing*"], "matches no test"),
    (["grade-all", "{root}/klass", "--out", "{root}/out", "--only", "heidi"], "did you mean 'heidi_syntax'?"),
    (["grade-all", "{root}/empty_class", "--out", "{root}/out"], "{root}/empty_class: no submission in it"),
    (["export", "{root}/missing", "--to", "canvas"], "no such folder"),
    (["export", "{root}/klass", "--to", "gradescope"], "no graded submission in it"),
    (["rescore", "{root}/missing"], "no such folder"),
    (["rescore", "{root}/klass"], "no graded submission in it"),
]


@pytest.mark.parametrize("args,message", CASES, ids=[c[1].replace("{root}/", "") for c in CASES])
def test_bad_input_gets_one_line_and_status_2(place: Path, args: list[str], message: str) -> None:
    done = autograder(*(a.format(root=place) for a in args))
    assert done.returncode == 2, done.stdout + done.stderr
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr, done.stderr
    assert message.format(root=place) in done.stderr
    assert not (place / "out").exists()  # no results.json, no grades.csv: nothing that looks like a grade
