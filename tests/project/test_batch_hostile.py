"""A class folder that targets the TA's machine and the batch (issue 22, items 1, 2 and 8), graded
end to end by the real `grade-all` (the console script, as a TA runs it), real sandbox users.

Each test asserts the honest score of every submission, that planted code never ran outside the
sandbox (it would leave a marker in a folder only root can write in), that nothing is left behind,
that grades.csv and report.html are written, and, where the attack is on the TA's process, its
memory (the largest resident size of grade-all and everything it started, under 768 MB).
"""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from autograder.course.rubric import load_rubric
from tests.project.corpus.build import reference_submission, replace_function
from tests.project.hostile.case import RIGHT_ANSWER
from tests.project.test_escape import shared_folder  # noqa: F401 (a world-traversable folder, as a TA's)
from tests.project.test_hostile import leftovers

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="sandbox users and root-owned folders need root")

AUTOGRADER = Path(sys.executable).parent / "autograder"  # the console script a TA runs
PATTERN = "broadcasting.*"
FULL = sum(e.points for e in load_rubric().entries.values() if e.task == "broadcasting")
MEMORY_MB = 768
# Runs the command, then says the largest resident size (kB) among it and everything it waited for.
MEASURED = ("import resource, subprocess, sys; code = subprocess.run(sys.argv[1:]).returncode; "
            "print('maxrss', resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr); sys.exit(code)")

PLANTED = '''
import sys
with open({marker!r}, "w") as fh:  # only root can write there: the grader's user, outside the sandbox
    fh.write(" ".join(sys.argv))
if "--out" in sys.argv:  # and what such code would do: write any score
    with open(sys.argv[sys.argv.index("--out") + 1], "w") as fh:
        fh.write('{{"score": 999, "tests": [], "output": "planted"}}')
'''


def grade_all(klass: Path, *args: str, env: dict[str, str] | None = None) -> tuple[subprocess.CompletedProcess, float]:
    """`autograder grade-all . --out graded ...` run from inside the class folder; (the run, peak MB)."""
    done = subprocess.run([sys.executable, "-c", MEASURED, str(AUTOGRADER), "grade-all", ".", "--out", "graded",
                           "--tests", PATTERN, *args], cwd=klass, capture_output=True, timeout=900,
                          env={**os.environ, **(env or {})})
    assert done.returncode == 0, (done.stdout[-3000:] + done.stderr[-3000:]).decode(errors="replace")
    peak = int(done.stderr.rsplit(b"maxrss", 1)[1].split()[0]) / 1024
    return done, peak


def totals(out: Path) -> dict[str, float]:
    """Each submission's total from grades.csv (the file a TA uploads), beside report.html."""
    assert (out / "report.html").is_file() and (out / "grades.csv").is_file()
    with open(out / "grades.csv", newline="", encoding="utf-8-sig") as fh:  # Excel's BOM
        return {row["submission"]: float(row["total"]) for row in csv.DictReader(fh) if row["submission"] != "(max points)"}


def said(out: Path) -> str:
    """Every test's output of every submission: what explains a score in an assertion's message."""
    parts = []
    for path in sorted(out.glob("*/results.json")):
        document, log = json.loads(path.read_text()), path.parent / "output.txt"
        parts.append(f"{path.parent.name}: {document['output'][:300]}\n{log.read_text(errors='replace')[-1500:] if log.exists() else ''}")
        parts += [f"  {t['score']}/{t['max_score']}: {t['output'][:300]}" for t in document["tests"]]
    return "\n".join(parts)


# ---------------------------------------------------------------- item 1: nothing imported from the class

@pytest.mark.parametrize("route", [("--jobs", "2"), ("--cluster", "local:2")], ids=["jobs", "cluster"])
def test_planted_autograder_and_numpy_never_run_outside_the_sandbox(route, shared_folder, tmp_path):
    if route[0] == "--cluster":
        pytest.importorskip("distributed")
    markers = tmp_path / "markers"  # tmp_path is root's alone: no sandbox user can write there
    markers.mkdir()
    klass = shared_folder / "class"
    reference_submission(klass / "alice")
    (klass / "autograder.py").write_text(PLANTED.format(marker=str(markers / "autograder")))
    (klass / "numpy").mkdir()
    (klass / "numpy" / "__init__.py").write_text(PLANTED.format(marker=str(markers / "numpy")))
    (klass / "multiprocessing").mkdir()  # what a local Dask cluster's freshly spawned worker imports first
    (klass / "multiprocessing" / "__init__.py").write_text(PLANTED.format(marker=str(markers / "multiprocessing")))
    (klass / "matplotlibrc").write_text("backend: module://numpy\n")  # read from the working folder
    done, _ = grade_all(klass, *route)
    assert sorted(p.name for p in markers.iterdir()) == [], "planted code ran as the grader's user"
    assert totals(klass / "graded") == {"alice": FULL, "autograder.py": 0.0, "multiprocessing": 0.0, "numpy": 0.0}, \
        said(klass / "graded")
    assert leftovers() == []


def test_python_m_from_a_class_folder_imports_nothing_from_it(shared_folder, tmp_path):
    """A TA's `python -m autograder ...` from inside the class folder: the folder leaves the path first."""
    markers = tmp_path / "markers"
    markers.mkdir()
    (shared_folder / "numpy").mkdir()
    (shared_folder / "numpy" / "__init__.py").write_text(PLANTED.format(marker=str(markers / "numpy")))
    done = subprocess.run([sys.executable, "-m", "autograder", "grade", "numpy", "--out", str(tmp_path / "r.json"),
                           "--tests", PATTERN], cwd=shared_folder, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    assert list(markers.iterdir()) == []
    assert json.loads((tmp_path / "r.json").read_text())["score"] == 0
    assert leftovers() == []


# ---------------------------------------------------------------- item 2: runs side by side, basic mode

PEEKER = '''
def broadcast_shape(a, b):
    """Looks, once, for another run's sandbox folder (in the batch's temp folder) for up to 40 s:
    the right answer only when it saw one and could read nothing in it (so full marks prove both)."""
    import glob, os, time
    global _verdict
    if "_verdict" not in globals():
        own = os.path.dirname(os.getcwd())
        seen, read, deadline = 0, [], time.monotonic() + 40
        while time.monotonic() < deadline and not seen:
            # a run's sandbox folder, or the worker template's folder that holds a run's (sandbox/zygote.py)
            for folder in glob.glob("{TMP}/ag-sandbox-*") + glob.glob("{TMP}/ag-zygote-*"):
                if folder == own or own.startswith(folder + "/"):
                    continue
                seen += 1
                for path in (folder + "/runtime/manifest.json", folder + "/code", folder):
                    try:
                        read.append(open(path).read(20) if path.endswith(".json") else os.listdir(path))
                    except OSError:
                        pass
            time.sleep(0.2)
        _verdict = bool(seen) and not read
        if not _verdict:
            raise RuntimeError(f"saw {seen} other sandbox folders, read {read!r}"[:300])
    return _right(a, b)
'''


def test_two_basic_mode_runs_cannot_read_each_others_sandbox(shared_folder):
    klass, tmp = shared_folder / "class", shared_folder / "tmp"  # this batch's sandbox folders go to tmp
    tmp.mkdir(mode=0o755)
    for name in ("ann", "bob"):
        folder = reference_submission(klass / name)
        replace_function(folder, "broadcasting", textwrap.dedent(RIGHT_ANSWER) + PEEKER.replace("{TMP}", str(tmp)))
    grade_all(klass, "--jobs", "2", env={"AUTOGRADER_SANDBOX": "basic", "TMPDIR": str(tmp)})
    assert totals(klass / "graded") == {"ann": FULL, "bob": FULL}, said(klass / "graded")
    assert leftovers() == []


# ---------------------------------------------------------------- item 8: any name, size, count

ESCAPES = "\x1b[2J\x1b[1;1H\x1b]0;owned\x07\r"  # clear the screen, home the cursor, retitle, back to column 0
SHOUTS = f'print("{ESCAPES.encode("unicode_escape").decode()}all tests passed: 100/100")\n'


def hostile_class(klass: Path) -> dict[str, float]:
    """A class whose names, sizes and counts each broke the batch; {shown name: honest total}."""
    reference_submission(klass / "alice")
    odd = os.fsdecode(b"b\xffob")  # a folder name that is not UTF-8, holding a file name that is not either
    reference_submission(klass / odd)
    (klass / odd / os.fsdecode(b"notes\xfe.txt")).write_bytes(b"data")
    for name in ("grades.csv", "report.html"):  # the names of grade-all's own outputs
        reference_submission(klass / name)
    shouting = reference_submission(klass / f"{ESCAPES}mallory\x07")
    with open(shouting / "broadcasting.py", "a", encoding="utf-8") as fh:
        fh.write(SHOUTS)
    with open(reference_submission(klass / "big") / "weights.dat", "wb") as fh:
        fh.truncate(2 << 30)  # 2 GiB (sparse: no disk used, but every byte is read to hash it)
    images = reference_submission(klass / "images")
    for i in range(2500):  # sorted before the code: more files than the cap on entries
        (images / f"{i:04d}.png").write_bytes(b"\x89PNG")
    return {"alice": FULL, "b\\xffob": FULL, "grades.csv (2)": FULL, "report.html (2)": FULL, "mallory": FULL,
            "big": FULL, "images": FULL}


@pytest.mark.parametrize("route", [("--jobs", "2"), ("--cluster", "local:2")], ids=["jobs", "cluster"])
def test_any_name_size_and_count_is_graded_and_reported(route, shared_folder):
    if route[0] == "--cluster":
        pytest.importorskip("distributed")
    klass = shared_folder / "class"
    expected = hostile_class(klass)
    done, peak = grade_all(klass, *route)
    out = klass / "graded"
    assert totals(out) == expected, said(out)
    assert peak < MEMORY_MB, f"grade-all and its graders peaked at {peak:.0f} MB"
    for stream in (done.stdout, done.stderr):
        assert b"\x1b" not in stream and b"\x07" not in stream, stream[-2000:]
    assert b"\r" not in done.stdout
    assert {p.name for p in out.iterdir() if not p.is_dir()} == \
        {"canvas_upload.csv", "gradescope_upload.csv", "grades.csv", "report.html", "similarity.json"}
    assert (out / "feedback").is_dir() and not (out / "feedback" / "results.json").exists()
    told = {name: json.loads((out / name / "results.json").read_text())["output"] for name in ("images", "big")}
    assert "more than 2000 files; the rest were skipped (your code was read first)" in told["images"], told["images"]
    assert "`weights.dat` was skipped: too large" in told["big"], told["big"]  # on the cluster too (cap + 1 bytes)
    assert leftovers() == []
    print(f"peak resident size of grade-all and its graders: {peak:.0f} MB")


def test_grade_prints_no_control_code_of_the_students(shared_folder, tmp_path):
    folder = reference_submission(shared_folder / "sub")
    with open(folder / "broadcasting.py", "a", encoding="utf-8") as fh:
        fh.write(SHOUTS)
    (folder / f"{ESCAPES}helpers.py").write_text(SHOUTS)
    done = subprocess.run([str(AUTOGRADER), "grade", str(folder), "--out", str(tmp_path / "r.json"), "--tests",
                           PATTERN, "-v"], capture_output=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    assert b"all tests passed: 100/100" in done.stdout  # the student's output is shown, without its codes
    for code in (b"\x1b", b"\x07", b"\r"):
        assert code not in done.stdout + done.stderr
    assert json.loads((tmp_path / "r.json").read_text())["score"] == FULL
    assert leftovers() == []


@pytest.mark.parametrize("mode", ["auto", "basic"])
def test_data_files_are_not_charged_to_the_students_workspace(mode, shared_folder, tmp_path):
    """Two 5 MB data files beside the reference, a workspace of 8 MB: the grader's copies of them do
    not count, so nothing is stopped for filling the disk."""
    folder = reference_submission(shared_folder / "sub")
    for name in ("train.npy", "test.npy"):
        (folder / name).write_bytes(os.urandom(5 << 20))
    assignment = tmp_path / "assignment.toml"
    source = Path(__file__).resolve().parents[2] / "assignments" / "full.toml"
    assignment.write_text(source.read_text().replace("[limits]\n", "[limits]\nworkspace_mb = 8\n", 1))
    done = subprocess.run([str(AUTOGRADER), "grade", str(folder), "--out", str(tmp_path / "r.json"), "--tests",
                           PATTERN, "--rubric", str(assignment)], capture_output=True, text=True, timeout=600,
                          env={**os.environ, "AUTOGRADER_SANDBOX": mode})
    assert done.returncode == 0, done.stderr[-3000:]
    document = json.loads((tmp_path / "r.json").read_text())
    assert document["score"] == FULL, document["output"] + "".join(t["output"] for t in document["tests"])
    assert leftovers() == []


def test_printable_text_keeps_the_words_and_drops_every_control_code():
    from autograder.intake.printable import printable, printable_name
    from autograder.classroom.entry_names import safe_names

    assert printable("score\x1b[2J\x1b[1;1H 100\r\x1b]0;title\x07/100\x9b31m\u202e!\n\tok") == "score 100/100!\n\tok"
    assert printable("déjà vu, 日本") == "déjà vu, 日本"
    assert printable_name(os.fsdecode(b"b\xffob\nx")) == "b\\xffob x"
    assert safe_names(["alice", "GRADES.CSV", "grades.csv (2)", "\x1b[1m.hidden", "feedback"]) == \
        ["alice", "GRADES.CSV (3)", "grades.csv (2)", "hidden", "feedback (2)"]
    long = safe_names(["\x07" + "a" * 250, "b" * 250, "\x07" + "b" * 250, "\u202e", "\u202e\u202e"])
    assert all(len(n) <= 200 for n in long) and len(set(long)) == 5 and long[3:] == ["submission", "submission (2)"]
