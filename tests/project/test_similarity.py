"""Similar submissions across a class (issue 28), on generated classes graded as grade-all records them.

Oracles: how each submission was made. A copy (exact, renamed and reordered, comments rewritten,
handed in as a notebook) of another's code must be listed with it; independent solutions (written
separately, in different styles) and submissions that hold only the template must not; a group is
one entry, never paired with a submission of its own members. OUT is written by the batch's own
`plan`/`record` (what grade-all writes after each grading), so only the grader subprocess is left out;
one test runs the real `grade-all`.
"""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import numpy as np
import pytest
from copydetect import compare_files

from autograder.classroom import similarity
from autograder.classroom.batch import Graded, plan, record
from autograder.classroom.discovery import discover
from autograder.classroom.similarity_pages import RESULT_FILE, similarity_section
from autograder.course.assignment import DEFAULT_SIMILARITY_THRESHOLD
from autograder.course.paths import ASSIGNMENTS_DIR
from autograder.course.rubric_schema import check_rubric
from tests.project import similar_class as sc
from tests.project.clirun import autograder
from tests.project.test_batch import METADATA as BATCH_METADATA

FULL = ASSIGNMENTS_DIR / "full.toml"
REQUIRED = {"kmeans", "plot_kmeans", "make_blobs", "BLOB_CENTRES"}
EMPTY_RESULTS = {"score": 0.0, "execution_time": 1.0, "output": "", "tests": []}


def graded_out(klass: Path, out: Path) -> Path:
    """OUT as grade-all leaves it for the submissions of `klass` (batch.json: source and submitters)."""
    for entry in discover(klass, exclude=out):
        record(plan(entry, out, None), Graded(0, False, 1.0, dict(EMPTY_RESULTS)), 900)
    return out


def listed(findings: similarity.Findings, task: str = "kmeans") -> set[frozenset[str]]:
    return {frozenset((p.a, p.b)) for p in findings.tasks[task].pairs}


def within(*families: list[str]) -> set[frozenset[str]]:
    return {frozenset(pair) for family in families for pair in itertools.combinations(family, 2)}


@pytest.fixture(scope="module")
def klass(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Four independent solutions; three disguised copies of one and a notebook copy of another;
    two submissions holding only the template."""
    root = tmp_path_factory.mktemp("similar")
    solutions = sc.KMEANS_SOLUTIONS
    for style, solution in solutions.items():
        sc.write(root, style, {"kmeans.py": sc.with_template("kmeans", solution)})
    loops = solutions["loops"]
    sc.write(root, "loops-exact", {"kmeans.py": sc.with_template("kmeans", loops)})
    sc.write(root, "loops-renamed", {"kmeans.py": sc.with_template("kmeans", sc.disguised(loops, REQUIRED, 3))})
    sc.write(root, "loops-recommented", {"kmeans.py": sc.with_template("kmeans", sc.recommented(loops))})
    sc.write(root, "einsum-notebook", {"homework.ipynb": sc.notebook(sc.with_template("kmeans", solutions["einsum"]))})
    sc.write(root, "template-1", {"kmeans.py": sc.template_source("kmeans")})
    sc.write(root, "template-2", {"homework.ipynb": sc.notebook(sc.template_source("kmeans"))})
    return root


@pytest.fixture(scope="module")
def found(klass: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, similarity.Findings]:
    out = graded_out(klass, tmp_path_factory.mktemp("graded") / "out")
    return out, similarity.similarity_for(out, FULL, jobs=2)


def test_disguises_are_found_and_nothing_else(found: tuple[Path, similarity.Findings]) -> None:
    out, findings = found
    assert findings.settings.threshold == DEFAULT_SIMILARITY_THRESHOLD and not findings.notes
    expected = within(["loops", "loops-exact", "loops-renamed", "loops-recommented"], ["einsum", "einsum-notebook"])
    assert listed(findings) == expected
    for pair in findings.tasks["kmeans"].pairs:
        assert pair.similarity >= DEFAULT_SIMILARITY_THRESHOLD
    exact = next(p for p in findings.tasks["kmeans"].pairs if {p.a, p.b} == {"loops", "loops-exact"})
    assert (exact.share_a, exact.share_b) == (1.0, 1.0)
    # the template-only submissions have no code of their own for kmeans, and no other task has any
    assert findings.tasks["kmeans"].compared == len(sc.KMEANS_SOLUTIONS) + 4
    assert all(f.compared == 0 and not f.pairs for task, f in findings.tasks.items() if task != "kmeans")


def fingerprints(klass: Path, names: list[str]) -> dict[str, object]:
    """Each submission's kmeans fingerprints, read as the check reads them."""
    boilerplate = {"kmeans": similarity.template_hashes("kmeans")}
    return {n: similarity.read_member(str(klass / n), ("kmeans",), boilerplate)[0]["kmeans"][1] for n in names}


def test_independent_solutions_stay_well_below(klass: Path) -> None:
    prints = fingerprints(klass, list(sc.KMEANS_SOLUTIONS))
    for a, b in itertools.combinations(prints, 2):
        _, shares, _ = compare_files(prints[a], prints[b])
        assert max(shares) < DEFAULT_SIMILARITY_THRESHOLD / 2, (a, b, shares)


def test_share_matrix_is_copydetects_own_measure_for_every_pair(klass: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    names = sorted(p.name for p in klass.iterdir() if not p.name.startswith("template"))
    prints = list(fingerprints(klass, names).values())
    shares = similarity.share_matrix(prints)
    monkeypatch.setattr(similarity, "CELLS", 3000)  # a few submissions at a time, as for a huge one
    assert np.array_equal(similarity.share_matrix(prints), shares)
    for i, j in itertools.permutations(range(len(prints)), 2):
        _, (share_i, share_j), _ = compare_files(prints[i], prints[j])
        assert (shares[i, j], shares[j, i]) == pytest.approx((share_i, share_j), abs=1e-12), (names[i], names[j])
    others = shares[~np.eye(len(prints), dtype=bool)]
    assert others.max() == pytest.approx(1.0) and (others < 0.3).any()  # exact copies and independent pairs alike


def test_report_section_and_side_by_side_pages(found: tuple[Path, similarity.Findings]) -> None:
    out, findings = found
    section = similarity_section(out)
    assert section.count('class="side-by-side"') == len(findings.tasks["kmeans"].pairs)
    assert "60%" in section and "copydetect 0.5.0" in section and "not a finding of copying" in section
    pages = sorted((out / "similarity").glob("kmeans-*.html"))
    assert len(pages) == len(findings.tasks["kmeans"].pairs)
    first = findings.tasks["kmeans"].pairs[0]
    page = (out / "similarity" / "kmeans-1.html").read_text(encoding="utf-8")
    assert first.a in page and first.b in page and page.count("<mark>") >= 2
    assert oct((out / RESULT_FILE).stat().st_mode & 0o777) == "0o600"


# test_batch's export (submission_1002 is a group: Alan Turing and Grace O'Brien), plus Grace alone
METADATA = BATCH_METADATA + """:submission_1004:
  :submitters:
  - :name: Grace
    :email: GRACE@example.edu
"""


def test_a_group_is_one_entry_never_paired_with_its_members(tmp_path: Path) -> None:
    export = tmp_path / "export"
    export.mkdir()
    (export / "submission_metadata.yml").write_text(METADATA, encoding="utf-8")
    code = sc.with_template("kmeans", sc.KMEANS_SOLUTIONS["class"])
    names = ["submission_1001", "submission_1002", "submission_1003", "submission_1004"]
    for name in names:
        sc.write(export, name, {"kmeans.py": code})
    out = graded_out(export, tmp_path / "out")
    findings = similarity.similarity_for(out, FULL, jobs=1)
    # the group and Grace's own submission share Grace: not a pair; every other pair of the copies is
    assert listed(findings) == within(names) - {frozenset({"submission_1002", "submission_1004"})}
    assert findings.members["submission_1002"].who == ("Alan Turing", "O'Brien, Grace")
    section = similarity_section(out)
    assert "Alan Turing; O&#x27;Brien, Grace" in section and section.count("<tr><td>") == 5


def test_hostile_and_missing_submissions_cost_only_themselves(tmp_path: Path) -> None:
    klass = tmp_path / "klass"
    evil = "</pre><script>alert(1)</script>"
    code = sc.with_template("kmeans", sc.KMEANS_SOLUTIONS["norms"]).replace('"data"', repr(evil))
    sc.write(klass, "<img src=x onerror=alert(1)>", {"kmeans.py": code})
    sc.write(klass, "b", {"kmeans.py": code, "broken.ipynb": "{not json"})
    sc.write(klass, "gone", {"kmeans.py": code})
    (klass / "corrupt.zip").write_bytes(b"PK\x03\x04 this is not a zip")
    out = graded_out(klass, tmp_path / "out")
    for file in (klass / "gone").iterdir():
        file.unlink()
    (klass / "gone").rmdir()
    findings = similarity.similarity_for(out, FULL, jobs=1)
    assert listed(findings) == {frozenset({"<img src=x onerror=alert(1)>", "b"})}
    assert [n.split(":")[0] for n in findings.notes] == ["gone"]
    pages = list((out / "similarity").glob("*.html"))
    for text in [similarity_section(out)] + [p.read_text(encoding="utf-8") for p in pages]:
        assert "<script>" not in text and "<img src=x" not in text
    assert "&lt;/pre&gt;&lt;script&gt;" in pages[0].read_text(encoding="utf-8")


def test_switched_off_in_the_assignment_file(found: tuple[Path, similarity.Findings], tmp_path: Path) -> None:
    out, _ = found
    off = tmp_path / "off.toml"
    off.write_text(FULL.read_text(encoding="utf-8") + "\n[similarity]\nenabled = false\n", encoding="utf-8")
    assert check_rubric(off) == []
    findings = similarity.similarity_for(out, off)
    try:
        assert not findings.settings.enabled and not findings.tasks
        assert "Switched off" in similarity_section(out) and not list((out / "similarity").iterdir())
        assert similarity.similarity_for(out, off, respect_switch=False).tasks["kmeans"].pairs  # the verb lists anyway
    finally:
        similarity.similarity_for(out, FULL, jobs=1)  # the module's findings again, for the other tests
    wrong = tmp_path / "wrong.toml"
    wrong.write_text(FULL.read_text(encoding="utf-8") + "\n[similarity]\nthreshold = 60\nenabeld = true\n",
                     encoding="utf-8")
    problems = check_rubric(wrong)
    assert any("threshold" in p and "60" in p for p in problems), problems
    assert any("'enabeld'" in p and "did you mean 'enabled'" in p for p in problems), problems


def test_the_verb_rewrites_the_report_and_refuses_bad_input(found: tuple[Path, similarity.Findings], tmp_path: Path) -> None:
    out, findings = found
    done = autograder("similarity", str(out), "--assignment", "full", "--threshold", "0.95", "--jobs", "1")
    assert done.returncode == 0, done.stderr
    report = (out / "report.html").read_text(encoding="utf-8")
    assert 'id="similar"' in report and "95%" in report and "--threshold" in report
    stored = json.loads((out / RESULT_FILE).read_text(encoding="utf-8"))
    high = {frozenset((p["a"], p["b"])) for p in stored["tasks"]["kmeans"]["pairs"]}
    assert high and high < listed(findings)  # fewer pairs at 95%, all among those at 60%
    for args, said in ((["--threshold", "60"], "fraction"), (["--jobs", "0"], "at least 1")):
        refused = autograder("similarity", str(out), "--assignment", "full", *args)
        assert refused.returncode == 2 and said in refused.stderr and len(refused.stderr.strip().splitlines()) == 1
    again = autograder("similarity", str(out), "--assignment", "full", "--threshold", "0.95", "--jobs", "1")
    assert again.returncode == 0 and json.loads((out / RESULT_FILE).read_text(encoding="utf-8"))["tasks"] == \
        stored["tasks"]  # another interpreter (another hash salt), the same shares and regions
    missing = autograder("similarity", str(tmp_path / "nowhere"))
    assert missing.returncode == 2 and "no such folder" in missing.stderr
    similarity.similarity_for(out, FULL, jobs=1)


def test_each_task_gets_its_own_definitions_and_the_helpers_they_reach(tmp_path: Path) -> None:
    from autograder.intake.submission import load_submission
    from autograder.intake.task_code import task_code

    one_file = (sc.template_source("kmeans") + "\n\ndef unused_helper():\n    return 'never called'\n\n\n"
                "def centre_of(points):\n    return deeper(points).mean(axis=0)\n\n\n"
                "def deeper(points):\n    return points\n\n\n"
                "def kmeans(X, init_indices, max_iter=100, tol=1e-6):\n    return centre_of(X), None, 0\n\n\n"
                "def numpydists(feats, protos):\n    return ((feats[:, None] - protos[None]) ** 2).sum(-1)\n")
    sc.write(tmp_path, "hw", {"homework.py": one_file})
    submission = load_submission(tmp_path / "hw", tmp_path / "staging", ["distances", "kmeans"])
    code = task_code(submission.index, ("distances", "kmeans"))
    kmeans = [piece.source.split("(")[0] for piece in code["kmeans"].pieces]
    assert kmeans == ["def centre_of", "def deeper", "def kmeans"]  # reading order; stubs and make_blobs left out
    assert [piece.source.split("(")[0] for piece in code["distances"].pieces] == ["def numpydists"]
    assert "# homework.py, line" in code["kmeans"].text and "unused_helper" not in code["kmeans"].text
