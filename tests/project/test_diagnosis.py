"""Static diagnoses of a name a test could not use: suggestions, the handout's signature, the
salvage rule. Built on real code units read by the real reader (no grading run needed)."""

from __future__ import annotations

from pathlib import Path

from autograder.course.contract import required_names
from autograder.grading.diagnosis import missing_message, salvage_rule, signature_hint
from autograder.intake.submission import load_submission

KMEANS = "import numpy as np\n\n\ndef k_means(X, init_indices, max_iters=100):\n    return X\n"
BROKEN = "import numpy as np\n\n\ndef forloopdists(feats, protos):\n    # TODO\n\n\ndef numpydists(feats, protos):\n    return 0\n"


def index_of(tmp_path: Path, files: dict[str, str]):
    folder = tmp_path / "sub"
    folder.mkdir()
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return load_submission(folder, tmp_path / "staging", ["kmeans", "distances"]).index


def test_a_missing_name_suggests_the_closest_with_its_place(tmp_path):
    index = index_of(tmp_path, {"kmeans.py": KMEANS})
    assert missing_message(index, "kmeans", required_names()).startswith(
        "`kmeans` not found; did you mean `k_means` (kmeans.py, line 4)?")
    assert "is not defined in your submission" in missing_message(index, "numpydists", required_names())


def test_the_signature_is_shown_only_for_an_argument_error_of_that_function(tmp_path):
    index = index_of(tmp_path, {"kmeans.py": KMEANS.replace("k_means", "kmeans")})
    error = {"type": "TypeError", "message": "kmeans() got an unexpected keyword argument 'tol'"}
    hint = signature_hint(index, "kmeans", required_names(), error)
    assert "`kmeans(X, init_indices, max_iter=100, tol=1e-06)`" in hint
    assert "Yours is `kmeans(X, init_indices, max_iters=100)` (kmeans.py, line 4)" in hint
    inner = {"type": "TypeError", "message": "helper() missing 1 required positional argument: 'x'"}
    assert signature_hint(index, "kmeans", required_names(), inner) == ""


def test_the_salvage_rule_zeroes_tests_of_an_uncompilable_file_only(tmp_path):
    index = index_of(tmp_path, {"distances.py": BROKEN, "kmeans.py": KMEANS})
    assert "which Python cannot compile: line 8: expected an indented block" in missing_message(
        index, "forloopdists", required_names())
    fraction, said = salvage_rule(index, {"numpydists"}, required_names(), False, 1.0, 5)
    assert fraction == 0.0 and "would have scored 5/5" in said and "line 8" in said
    assert salvage_rule(index, {"numpydists"}, required_names(), True, 1.0, 5)[0] == 1.0
    assert salvage_rule(index, {"k_means"}, required_names(), False, 1.0, 5) == (1.0, "")
