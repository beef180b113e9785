"""Hints for a missing name offer a thing of the same kind (issue 25): real source read by the real
reader, the handout's own templates and reference for what each name is."""

from __future__ import annotations

import tempfile
from pathlib import Path

from autograder.course.contract import required_names
from autograder.course.handout_names import handout_names
from autograder.grading.diagnosis import missing_message
from autograder.intake.submission import load_submission


def message(tmp_path: Path, filename: str, source: str, name: str) -> str:
    """What the student reads for `name` missing from `filename` holding `source` (a fresh folder per call)."""
    folder = Path(tempfile.mkdtemp(dir=tmp_path))
    (folder / "sub").mkdir()
    (folder / "sub" / filename).write_text(source, encoding="utf-8")
    index = load_submission(folder / "sub", folder / "staging",
                            ["broadcasting", "regression", "kmeans", "distances"]).index
    return missing_message(index, name, required_names())


def test_the_handout_says_what_each_name_is():
    names = handout_names()
    assert names["BROADCAST_ANSWERS"].kind == "value" and names["BROADCAST_ANSWERS"].value_shape == "list of 8"
    assert names["plot_kmeans"].kind == "function" and names["plot_kmeans"].required == 4
    assert names["kmeans"].required == 2 and "plot" in names["plot_kmeans"].words


def test_a_missing_constant_is_offered_a_constant_of_its_shape_never_a_function(tmp_path):
    source = ("def broadcasting(a, b):\n    return a\n\n\nNOTES = [1, 2]\n"
              "answers = {1: None, 2: (3, 1, 4, 5), 3: None, 4: (7, 4), 5: (6, 3, 2, 7), 6: None, 7: (8, 2), 8: None}\n")
    said = message(tmp_path, "broadcasting.py", source, "BROADCAST_ANSWERS")
    assert "did you mean `answers` (broadcasting.py, line 6: a dict of 8)?" in said
    assert "`broadcasting`" not in said and "`NOTES`" not in said


def test_a_missing_function_is_never_offered_a_variable_holding_an_object(tmp_path):
    source = ("import torch\nsgd = torch.optim.SGD([torch.zeros(1)], lr=0.1)\npredictions = torch.zeros(3)\n\n\n"
              "def fit_sgd(X, y, lr=0.1):\n    return X, y\n\n\ndef predict_values(X, w, b):\n    return X\n")
    said = message(tmp_path, "regression.py", source, "sgd_fit")
    assert "did you mean `fit_sgd` (regression.py, line 6)" in said and "`sgd`" not in said
    said = message(tmp_path, "regression.py", source, "predict")
    assert "`predict_values`" in said and "`predictions`" not in said


def test_functions_are_ranked_by_the_arguments_the_grader_passes_and_the_handouts_words(tmp_path):
    source = ("def get_mean_and_std(X):\n    return X.mean(), X.std()\n\n\n"
              "def clusters_plot(X, start, centres, labels):\n    return None\n\n\n"
              "def run():\n    pass\n\n\ndef human_torch(a, b, device):\n    return a\n")
    said = message(tmp_path, "kmeans.py", source, "plot_kmeans")
    assert "did you mean `clusters_plot` (kmeans.py, line 5)?" in said and "get_mean_and_std" not in said
    said = message(tmp_path, "distances.py", source, "pytorchdists")
    assert "`human_torch` (distances.py, line 13)" in said and "`run`" not in said
