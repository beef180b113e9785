"""Broken submissions: what a tired student hands in at 2 a.m. Each costs only what it breaks."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from tests.project.corpus import build
from tests.project.hostile.case import (NUMPYDISTS, Context, Hostile, files, prepending,
                                     reference_entries, replacing, zipped)

EVERYTHING = ("*",)
DISTANCES = ("distances.forloop_agrees", "distances.numpy_agrees", "distances.torch_agrees",
             "distances.numpy_float32_input", "distances.torch_float32_input", "distances.numpy_no_loops",
             "distances.torch_no_loops",
             "distances.numpy_faster_than_loops", "distances.torch_faster_than_loops",
             "distances.torch_speed_vs_reference")
KMEANS_CALLS = ("kmeans.matches_reference[2]", "kmeans.matches_reference[5]", "kmeans.matches_reference[8]",
                "kmeans.max_iter", "kmeans.tol")


def renamed(reference: Path, dest: Path, ctx: Context) -> Path:
    """Every task file under a name of the student's own choosing."""
    dest.mkdir(parents=True)
    for number, path in enumerate(sorted(reference.glob("*.py")), start=1):
        shutil.copy(path, dest / f"Task {number} - {path.stem} (final).py")
    shutil.copy(reference / build.WEIGHTS, dest / build.WEIGHTS)
    return dest


def syntax_error_in_numpydists(reference: Path, dest: Path, ctx: Context) -> Path:
    shutil.copytree(reference, dest)
    path = dest / "distances.py"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("def numpydists(feats, protos):", "def numpydists(feats, protos):\n    x = (1 +* 2)", 1),
                    encoding="utf-8")
    return dest


def binary_distances(reference: Path, dest: Path, ctx: Context) -> Path:
    shutil.copytree(reference, dest)
    (dest / "distances.py").write_bytes(bytes(range(256)) * 64)
    return dest


def latin1_kmeans(reference: Path, dest: Path, ctx: Context) -> Path:
    shutil.copytree(reference, dest)
    path = dest / "kmeans.py"
    text = "# Écrit par José, relu à Genève\n" + path.read_text(encoding="utf-8")
    path.write_bytes(text.encode("latin-1"))
    return dest


def as_failing_notebook(reference: Path, dest: Path, ctx: Context) -> Path:
    return build.as_notebook(reference, dest, failing_cell=True)


def symlinks_out(reference: Path, dest: Path, ctx: Context) -> Path:
    shutil.copytree(reference, dest)
    os.symlink(ctx.project_root / "reference" / "broadcasting.py", dest / "stolen.py")
    os.symlink("/etc/shadow", dest / "shadow.csv")
    os.symlink(ctx.project_root / "tests", dest / "hidden_tests")
    return dest


def bomb_then_code(reference: Path) -> list[tuple[str, bytes]]:
    return [("bomb.csv", bytes(150 * 1024 * 1024))] + reference_entries(reference)


def escaping_entries(reference: Path) -> list[tuple[str, bytes]]:
    return ([("../../escaped.py", b"ESCAPED = 1\n"), ("/tmp/ag_absolute_escape.py", b"ESCAPED = 2\n")]
            + reference_entries(reference))


CASES = [
    Hostile("empty submission", files({}), "broadcasting.", loses=EVERYTHING, says=("No Python code was found",)),
    Hostile("task files under other names", renamed, None, says=("was loaded as",)),
    Hostile("syntax error in one function", syntax_error_in_numpydists, "distances.", loses=DISTANCES,
            says=("line", "syntax error", "`numpydists`", "1 +* 2")),
    Hostile("import of a package that is not installed, at the top", prepending("kmeans", "import sklearn\n"),
            "kmeans.", says=("No module named 'sklearn'", "`sklearn` is not installed on the grader")),
    Hostile("package that is not installed, used in a function", replacing("kmeans", '''
        def kmeans(X, init_indices, max_iter=100, tol=1e-6):
            from sklearn.cluster import KMeans
            return KMeans(len(init_indices)).fit(X)
        '''), "kmeans.", loses=KMEANS_CALLS, says=("No module named 'sklearn'", "`sklearn` is not installed on the grader")),
    Hostile("notebook whose cells raise", as_failing_notebook, "broadcasting.", says=("NameError",)),
    Hostile("broken notebook beside good files", files({"homework.ipynb": b"{not json at all"}, with_reference=True),
            "broadcasting.", says=("`homework.ipynb` is not a valid notebook",)),
    Hostile("only a broken notebook", files({"homework.ipynb": b"\x00\x01garbage"}), "broadcasting.",
            loses=EVERYTHING, says=("`homework.ipynb` is not a valid notebook",)),
    Hostile("binary file named .py", binary_distances, "distances.", loses=DISTANCES,
            says=("`distances.py` is not a text file",)),
    Hostile("non-UTF-8 source", latin1_kmeans, "kmeans.", says=("Latin-1",)),
    Hostile("zip with nested folders", zipped(lambda ref: reference_entries(ref, "a/b/c/")), "broadcasting."),
    Hostile("zip bomb before the code", zipped(bomb_then_code), "broadcasting.", says=("too large",)),
    Hostile("zip entries with .. and absolute paths", zipped(escaping_entries), "broadcasting.",
            says=("points outside the submission",), absent=("/tmp/ag_absolute_escape.py",)),
    Hostile("symlinks pointing outside", symlinks_out, "broadcasting.", says=("symbolic link",)),
]
