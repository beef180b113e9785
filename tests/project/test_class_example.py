"""The worked example of a task whose student code is a class (issue 26), kept here, in no assignment.

`data/class_task/`: the master (`KNearestNeighbor`, solution regions in its methods; `autograder
author` makes the template and the reference from it), the hidden tests (`student.new`, methods,
an attribute, `student.loops("Class.method")`, `student.race(..., on=obj)` against the trusted
matrix-product yardstick) and their rubric. Graded end to end through the sandbox:
- the reference gets full marks and the authored template 0;
- a submission whose no-loops method loops keeps its values' points and loses the no-loops and
  speed points, told the loop's line; its `predict_labels` raises (told with its own line), and an
  attribute named otherwise gets a did-you-mean;
- a misspelled class is named, with the student's spelling, in every test's message.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from autograder.grading.grade import grade_submission
from autograder.verbs.author import author_task
from tests.project.small_folders import by_id, forget_small_tasks, hidden_folder  # noqa: F401 (autouse)

DATA = Path(__file__).resolve().parent / "data" / "class_task"
TASK = "knn_class"


def graded(root: Path, name: str, source: str) -> dict[str, dict]:
    """Grade `source` as the student's knn_class.py against the worked example's tests."""
    if not (root / "hidden" / TASK).is_dir():
        tests_dir, _ = hidden_folder(root, TASK, (DATA / "hidden_knn_class.py").read_text(),
                                     (DATA / "knn_class_rubric.toml").read_text())
        template, reference = author_task(DATA / "knn_class_master.py", TASK, root=root / "authored")
        shutil.copy(template, root / "template" / TASK / f"{TASK}.py")
        shutil.copy(reference, root / "reference" / TASK / f"{TASK}.py")
    folder = root / "submissions" / name
    folder.mkdir(parents=True)
    (folder / f"{TASK}.py").write_text(source)
    document = grade_submission(folder, root / f"{name}.json", rubric_path=root / "rubric.toml",
                                tests_dir=root / "hidden", log=lambda line: None)
    return by_id(document)


def reference() -> str:
    return "".join(line + "\n" for line in (DATA / "knn_class_master.py").read_text().splitlines()
                   if "SOLUTION" not in line)


def test_reference_full_marks_template_zero(tmp_path: Path) -> None:
    results = graded(tmp_path, "reference", reference())
    assert {t: (r["score"], r["max_score"]) for t, r in results.items() if r["score"] < r["max_score"]} == {}
    assert sum(r["score"] for r in results.values()) == 12
    template = graded(tmp_path, "template", (tmp_path / "template" / TASK / f"{TASK}.py").read_text())
    assert sum(r["score"] for r in template.values()) == 0
    assert "`train` is not implemented yet" in template[f"{TASK}.two_loops"]["output"]


LOOPED = '''
    def compute_distances_no_loops(self, X):
        """Loops, though the name says otherwise."""
        return self.compute_distances_two_loops(X)
'''


def test_loops_speed_errors_and_attributes_on_methods(tmp_path: Path) -> None:
    source = reference()
    start = source.index("    def compute_distances_no_loops")
    end = source.index("    def predict_labels")
    source = source[:start] + LOOPED.lstrip("\n") + "\n" + source[end:]
    source = source.replace("        return np.array([np.bincount(row).argmax() for row in nearest])",
                            "        return nearest[:, 99]")
    source = source.replace("self.X_train", "self.Xtrain")
    results = graded(tmp_path, "looped", source)
    assert results[f"{TASK}.no_loops"]["score"] == 2 and results[f"{TASK}.two_loops"]["score"] == 2
    loop_line = source.splitlines().index("            for j in range(len(self.Xtrain)):") + 1
    message = results[f"{TASK}.no_loops_has_no_python_loop"]["output"]
    assert results[f"{TASK}.no_loops_has_no_python_loop"]["score"] == 0
    assert f"knn_class.py, line {loop_line}: for loop (in `compute_distances_two_loops`, which " \
           "`KNearestNeighbor.compute_distances_no_loops` runs)" in message, message
    speed = results[f"{TASK}.no_loops_speed"]
    assert speed["score"] == 0 and re.search(r"took \d+ times as long as one matrix product", speed["output"]), speed
    predict = results[f"{TASK}.predict"]["output"]
    predict_line = source.splitlines().index("        return nearest[:, 99]") + 1
    assert "`KNearestNeighbor.predict_labels()` raised `IndexError: index 99 is out of bounds" in predict, predict
    assert f"line {predict_line}, in `predict_labels`: `return nearest[:, 99]`" in predict, predict
    attribute = results[f"{TASK}.remembers_training_data"]["output"]
    assert "Your `KNearestNeighbor` object has no attribute `X_train` (did you mean `Xtrain`?)" in attribute, attribute


def test_a_misspelled_class_is_named_in_every_test(tmp_path: Path) -> None:
    results = graded(tmp_path, "british", reference().replace("class KNearestNeighbor:", "class KNearestNeighbour:"))
    assert sum(r["score"] for r in results.values()) == 0
    for result in results.values():
        assert "`KNearestNeighbor`" in result["output"] and "`KNearestNeighbour`" in result["output"], result["output"]
