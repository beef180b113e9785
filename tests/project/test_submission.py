"""Reading submissions safely: every accepted form, hostile archives, odd files, notebooks, AST facts."""

from __future__ import annotations

import os
import zipfile

import nbformat
import pytest

from autograder.intake import safe_unpack
from autograder.intake.notebook import neutralise
from autograder.grading.loops import find_python_loops, mentions
from autograder.intake.source_index import index_definitions
from autograder.intake.submission import load_submission

EXPECTED = ["distances", "kmeans"]


def write(path, text: str | bytes):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    return path


def labels(sub):
    return [u.label for u in sub.units]


def test_folder_with_template_names_helpers_and_weights(tmp_path):
    write(tmp_path / "s" / "utils.py", "X = 1\n")
    write(tmp_path / "s" / "kmeans.py", "def kmeans(): pass\n")
    write(tmp_path / "s" / "distances.py", "def numpydists(): pass\n")
    write(tmp_path / "s" / "mnist_weights.pt", b"\x80weights")
    write(tmp_path / "s" / "__MACOSX" / "._kmeans.py", b"\0\0junk")
    sub = load_submission(tmp_path / "s", tmp_path / "stage", EXPECTED)
    assert labels(sub) == ["distances.py", "kmeans.py", "utils.py"]
    assert set(sub.data_files) == {"mnist_weights.pt"}
    assert not any("__MACOSX" in n for n in sub.notes)


def test_zip_with_one_extra_top_folder_and_a_notebook(tmp_path):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# hi"), nbformat.v4.new_code_cell("%matplotlib inline\ndef f():\n    return 1"),
                nbformat.v4.new_code_cell("%%bash\nls"), nbformat.v4.new_code_cell("x = f()")]
    with zipfile.ZipFile(tmp_path / "hw.zip", "w") as zf:
        zf.writestr("hw1/homework.ipynb", nbformat.writes(nb))
    sub = load_submission(tmp_path / "hw.zip", tmp_path / "stage", EXPECTED)
    assert labels(sub) == ["homework.ipynb, code cell 1 (%matplotlib inline)", "homework.ipynb, code cell 3 (x = f())"]
    assert sub.units[0].source.splitlines()[0].strip().startswith("pass")
    assert any("code cell 2" in n and "skipped" in n for n in sub.notes)


def test_hostile_zip_entries_are_skipped_with_notes(tmp_path):
    archive = tmp_path / "evil.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("../escape.py", "x = 1")
        zf.writestr("/abs.py", "x = 1")
        link = zipfile.ZipInfo("link.py")
        link.external_attr = (0o120777 << 16)
        zf.writestr(link, "/etc/passwd")
        zf.writestr("inner.zip", b"PK")
        zf.writestr("ok.py", "y = 2")
    sub = load_submission(archive, tmp_path / "stage", EXPECTED)
    assert labels(sub) == ["ok.py"]
    assert not (tmp_path / "escape.py").exists()
    text = " ".join(sub.notes)
    assert "points outside" in text and "symbolic link" in text and "nested zips" in text


def test_zip_bomb_is_stopped_by_bytes_read(tmp_path, monkeypatch):
    monkeypatch.setattr(safe_unpack, "MAX_TOTAL_BYTES", 5 * 1024 * 1024)
    archive = tmp_path / "bomb.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        with zf.open("big.csv", "w", force_zip64=True) as fh:
            for _ in range(64):
                fh.write(b"\0" * (1 << 20))
        zf.writestr("a.py", "z = 3")
    assert archive.stat().st_size < 200_000
    sub = load_submission(archive, tmp_path / "stage", EXPECTED)
    staged = sum(f.stat().st_size for f in (tmp_path / "stage").rglob("*") if f.is_file())
    assert staged <= 5 * 1024 * 1024
    assert any("too large" in n for n in sub.notes)


def test_symlink_out_of_a_folder_is_not_followed(tmp_path):
    secret = write(tmp_path / "secret.py", "SECRET = 'hidden'")
    write(tmp_path / "s" / "distances.py", "a = 1")
    os.symlink(secret, tmp_path / "s" / "kmeans.py")
    sub = load_submission(tmp_path / "s", tmp_path / "stage", EXPECTED)
    assert labels(sub) == ["distances.py"]
    assert any("symbolic link" in n for n in sub.notes)


def test_encodings_binary_and_invalid_notebook(tmp_path):
    write(tmp_path / "s" / "distances.py", "# caf\xe9\nA = 1\n".encode("latin-1"))
    write(tmp_path / "s" / "kmeans.py", b"# -*- coding: cp1252 -*-\nB = '\x80'\n")
    write(tmp_path / "s" / "blob.py", bytes(range(256)) * 4)
    write(tmp_path / "s" / "broken.ipynb", "{not json")
    sub = load_submission(tmp_path / "s", tmp_path / "stage", EXPECTED)
    assert labels(sub) == ["distances.py", "kmeans.py"]
    assert sub.units[1].source.endswith("B = '\u20ac'\n")
    text = " ".join(sub.notes)
    assert "not valid UTF-8" in text and "blob.py` is not a text file" in text and "not a valid notebook" in text


def test_empty_submission_and_shadowing_names(tmp_path):
    (tmp_path / "empty").mkdir()
    assert "No Python code was found" in " ".join(load_submission(tmp_path / "empty", tmp_path / "st1").notes)
    write(tmp_path / "s" / "numpy.py", "x = 1")
    sub = load_submission(tmp_path / "s", tmp_path / "st2", EXPECTED)
    assert sub.units[0].module == "student_numpy"


@pytest.mark.parametrize("line,dropped", [("%timeit f()", True), ("!ls", True), ("x = !ls", True),
                                          ("f?", True), ("y = 5 % 3", False), ("s = '%d' % 3", False)])
def test_ipython_lines(line, dropped):
    out = neutralise(f"if True:\n    {line}\n")
    assert ("pass  # dropped" in out) is dropped
    compile(out, "cell", "exec")


class Unit:
    def __init__(self, module, label, source):
        self.module, self.label, self.source = module, label, source


def test_index_loops_and_mentions():
    units = [Unit("a", "a.py", "def helper(x):\n    return [v for v in x]\n\n"
                  "def fast(X):\n    return X @ X.T\n\n"
                  "def slow(X):\n    return helper(X)\n\n"
                  "def chunked(X):\n    for s in range(0, len(X), 1024):\n        X[s:s+1024] += 1\n\n"
                  "def stepped(X):\n    for s in range(0, len(X), 1):\n        pass\n\n"
                  "def vec(X):\n    import numpy as np\n    return np.vectorize(abs)(X)\n"),
             Unit("b", "b.py", "def broken(:\n"),
             Unit("b", "c.py", "import torch\ndef fit():\n    opt = torch.optim.SGD([], lr=1)\n")]
    index = index_definitions(units)
    assert index.problems and "b.py, line 1" in index.problems[0]
    assert find_python_loops(index, "fast") == []
    assert find_python_loops(index, "chunked") == []
    assert [f.what.split(" (")[0] for f in find_python_loops(index, "slow")] == ["list comprehension"]
    assert find_python_loops(index, "stepped")[0].what == "for loop"
    assert "vectorize" in find_python_loops(index, "vec")[0].what
    assert mentions(index, "fit", "SGD") and not mentions(index, "fit", "Adam")
    assert index.locate("fast")[0].line == 4


def test_no_submitted_file_can_take_the_name_of_a_worker_runtime_module() -> None:
    """A student's `looptrace.py` or `identity.py` must not replace the worker's own (the loop tracer
    would then count nothing): every runtime file's name is renamed on intake."""
    from autograder.intake.submission import SHADOWED, module_name
    from autograder.sandbox.client import RUNTIME_FILES

    for runtime in RUNTIME_FILES:
        notes: list[str] = []
        assert runtime[:-3] in SHADOWED and module_name(runtime[:-3], notes, []) == "student_" + runtime[:-3]
