"""`autograder author` (issue 26): a task's template and reference from one master file.

- From a master `.py` the template and reference are exactly what an instructor would write by hand
  (the expected template is a file written by hand, `data/authoring/knn_template.py`).
- A master notebook works the same; magics are left out.
- Markers out of place, a master that does not compile, and edits made since the last authoring
  are refused with one line naming the file (and line); --force overwrites.
- End to end in a copy of the project: two tasks authored (a .py and a notebook master), their hidden
  tests (one task's suite in two files) and an assignment added, then `validate` (reference full
  marks, template 0), `handout` and `grade` pick them up with autograder/ untouched.
"""

from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path

import nbformat
import pytest

from autograder.verbs.author import AuthoringError, author_task
from tests.project.clirun import autograder, fresh_copy
from tests.project.test_assignments import tree

DATA = Path(__file__).resolve().parent / "data" / "authoring"
MASTER = DATA / "knn_master.py"


def vote_notebook(path: Path) -> Path:
    """A master notebook: a markdown title, a magic, the task's code with one solution region."""
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_markdown_cell("# Task 9: majority vote"),
        nbformat.v4.new_code_cell('"""Task 9: majority vote."""\n%matplotlib inline\nfrom collections import Counter'),
        nbformat.v4.new_code_cell('def majority(labels):\n    """The most common label."""\n'
                                  "    ### BEGIN SOLUTION\n    return Counter(labels).most_common(1)[0][0]\n"
                                  "    ### END SOLUTION"),
    ]
    nbformat.write(nb, str(path))
    return path


def test_template_and_reference_from_a_master_py(tmp_path: Path) -> None:
    template, reference = author_task(MASTER, "knn", root=tmp_path)
    assert template == tmp_path / "student_template" / "knn" / "knn.py"
    assert template.read_text() == (DATA / "knn_template.py").read_text()
    master_lines = MASTER.read_text().splitlines()
    assert reference.read_text().splitlines() == [line for line in master_lines if "SOLUTION" not in line]
    record = json.loads((tmp_path / "tests" / "grading" / "knn" / "authored.json").read_text())
    assert record["regions"] == 2 and set(record["files"]) == {"student_template/knn/knn.py", "reference/knn/knn.py"}


def test_a_master_notebook(tmp_path: Path) -> None:
    template, reference = author_task(vote_notebook(tmp_path / "vote.ipynb"), "vote", root=tmp_path)
    assert reference.read_text() == ('"""Task 9: majority vote."""\nfrom collections import Counter\n\n\n'
                                     'def majority(labels):\n    """The most common label."""\n'
                                     "    return Counter(labels).most_common(1)[0][0]\n")
    assert template.read_text().endswith('    """The most common label."""\n    # YOUR CODE HERE\n'
                                         "    raise NotImplementedError('majority is not implemented yet')\n")


def test_methods_and_a_whole_class_keep_their_signatures(tmp_path: Path) -> None:
    master = tmp_path / "model.py"
    master.write_text('class Model:\n    """A model."""\n\n    def __init__(self, k=1):\n        self.k = k\n\n'
                      "    ### BEGIN SOLUTION\n    def fit(self, X):\n        \"\"\"Remember X.\"\"\"\n"
                      "        self.X = X\n        return self\n    ### END SOLUTION\n\n\n"
                      "### BEGIN SOLUTION\n@dataclass\nclass Point:\n    \"\"\"A point.\"\"\"\n    x: int = 0\n\n"
                      "    def norm(self): return abs(self.x)\n### END SOLUTION\n")
    template, _ = author_task(master, "model", root=tmp_path)
    assert template.read_text() == (
        'class Model:\n    """A model."""\n\n    def __init__(self, k=1):\n        self.k = k\n\n'
        '    def fit(self, X):\n        """Remember X."""\n        # YOUR CODE HERE\n'
        "        raise NotImplementedError('fit is not implemented yet')\n\n\n"
        '@dataclass\nclass Point:\n    """A point."""\n    x: int = 0\n\n    def norm(self):\n        # YOUR CODE HERE\n'
        "        raise NotImplementedError('norm is not implemented yet')\n")


@pytest.mark.parametrize("text, words", [
    ("def f():\n    ### END SOLUTION\n", "m.py:2: END SOLUTION with no BEGIN SOLUTION"),
    ("def f():\n    ### BEGIN SOLUTION\n    return 1\n", "m.py:2: BEGIN SOLUTION is never closed"),
    ("### BEGIN SOLUTION\n### BEGIN SOLUTION\n", "m.py:2: BEGIN SOLUTION inside the region opened at line 1"),
    ("def f():\n    return 1\n", "m.py: no ### BEGIN SOLUTION"),
    ("def f(:\n    ### BEGIN SOLUTION\n    return 1\n    ### END SOLUTION\n", "m.py:1: the reference"),
    ("def f():\n    ### BEGIN SOLUTION\n    return 1\n    ### END SOLUTION\n\n\nx = (\n",
     "m.py:7: the reference"),  # the master's line, though the reference has two lines fewer
])
def test_master_problems_name_the_line_and_write_nothing(tmp_path: Path, text: str, words: str) -> None:
    (tmp_path / "m.py").write_text(text)
    with pytest.raises(AuthoringError, match=words.replace("(", r"\(")):
        author_task(tmp_path / "m.py", "f", root=tmp_path)
    assert not (tmp_path / "student_template").exists() and not (tmp_path / "reference").exists()


def test_edits_since_the_last_authoring_are_kept_unless_forced(tmp_path: Path) -> None:
    template, reference = author_task(MASTER, "knn", root=tmp_path)
    author_task(MASTER, "knn", root=tmp_path)  # unchanged since: rewritten without a word
    template.write_text(template.read_text() + "# a hint for the students\n")
    with pytest.raises(AuthoringError, match=r"student_template/knn/knn.py changed since `autograder author`"):
        author_task(MASTER, "knn", root=tmp_path)
    assert template.read_text().endswith("# a hint for the students\n")
    author_task(MASTER, "knn", force=True, root=tmp_path)
    assert template.read_text() == (DATA / "knn_template.py").read_text()
    other = tmp_path / "reference" / "hand" / "hand.py"  # a task written by hand, never authored
    other.parent.mkdir(parents=True)
    other.write_text("def f():\n    return 1\n")
    with pytest.raises(AuthoringError, match="reference/hand/hand.py changed"):
        author_task(MASTER, "hand", root=tmp_path)


def test_authored_tasks_validate_hand_out_and_grade(tmp_path: Path) -> None:
    project = fresh_copy(tmp_path / "clone")
    engine = tree(project / "autograder")
    shutil.copy(MASTER, project / "knn_master.py")
    done = autograder("author", "knn_master.py", "--task", "knn", cwd=project)
    assert done.returncode == 0 and "student_template/knn/knn.py" in done.stdout, done.stderr
    done = autograder("author", str(vote_notebook(tmp_path / "vote.ipynb")), "--task", "vote", cwd=project)
    assert done.returncode == 0, done.stderr
    again = autograder("author", "knn_master.py", "--task", "knn", cwd=project)
    assert again.returncode == 0, again.stderr
    (project / "student_template" / "knn" / "knn.py").write_text("# edited by hand\n")
    refused = autograder("author", "knn_master.py", "--task", "knn", cwd=project)
    assert refused.returncode == 2 and "--force" in refused.stderr and len(refused.stderr.splitlines()) == 1
    assert autograder("author", "knn_master.py", "--task", "knn", "--force", cwd=project).returncode == 0
    hidden = {"knn/test_knn.py": "hidden_knn.py", "knn/test_knn_votes.py": "hidden_knn_votes.py",
              "knn/rubric.toml": "knn_rubric.toml", "vote/test_vote.py": "hidden_vote.py",
              "vote/rubric.toml": "vote_rubric.toml"}
    for target, source in hidden.items():
        shutil.copy(DATA / source, project / "tests" / "grading" / target)
    (project / "assignments" / "knn_week.toml").write_text(
        '[assignment]\ntitle = "kNN week"\ntasks = ["knn", "vote"]\ntotal_points = 10\n')

    validated = autograder("validate", "--assignment", "knn_week", cwd=project)
    assert validated.returncode == 0, validated.stdout[-3000:] + validated.stderr[-2000:]
    assert "ok   reference: 10/10" in validated.stdout and "ok   template: 0/10" in validated.stdout
    assert "4 hidden tests" in validated.stdout

    made = autograder("handout", "--assignment", "knn_week", "--out", str(tmp_path / "h.zip"), cwd=project)
    assert made.returncode == 0, made.stderr
    with zipfile.ZipFile(tmp_path / "h.zip") as zf:
        assert zf.read("homework/knn.py") == (DATA / "knn_template.py").read_bytes()
        assert b"raise NotImplementedError('majority is not implemented yet')" in zf.read("homework/vote.py")
        assert not [n for n in zf.namelist() if "authored" in n or "master" in n]

    submission = tmp_path / "submission"
    submission.mkdir()
    for task in ("knn", "vote"):
        shutil.copy(project / "reference" / task / f"{task}.py", submission)
    (submission / "knn.py").write_text((submission / "knn.py").read_text().replace("BEST_K = 3", "BEST_K = 4"))
    graded = autograder("grade", str(submission), "--assignment", "knn_week", "--out", str(tmp_path / "r.json"),
                        cwd=project)
    assert graded.returncode == 0 and "TOTAL 9/10" in graded.stdout, graded.stdout[-3000:] + graded.stderr[-2000:]
    tests = {t["extra_data"]["id"]: t for t in json.loads((tmp_path / "r.json").read_text())["tests"]}
    assert tests["knn.best_k"]["score"] == 0 and "`BEST_K` should be 3." in tests["knn.best_k"]["output"]
    assert tests["knn.predict"]["number"] == "1.2" and tests["vote.majority"]["number"] == "2.1"
    assert tree(project / "autograder") == engine
