"""`autograder export`: the grades of a graded class as Gradescope or Canvas import them, joined to a
roster or to Gradescope's metadata, through the real command line.

Grading is not what is tested here, so OUT holds generated results (each test of the rubric at a
chosen fraction of its points, in the files grade-all writes); who handed in what comes from a real
Gradescope-shaped export read by `discover`. Oracles: the roster and metadata texts written here by
hand, and the totals from each student's fraction times the rubric's total points.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import asdict
from pathlib import Path

import pytest
import yaml

from autograder.classroom.discovery import discover
from autograder.classroom.gradebook import safe_cell, write_csv
from autograder.classroom.refresh import gradebook_rubric
from autograder.classroom.roster import parse_metadata
from autograder.course.assignment import default_assignment
from autograder.course.rubric_hash import HASH_KEY, rubric_hash
from tests.project.clirun import autograder

BOM = "\ufeff".encode("utf-8")
RUBRIC = gradebook_rubric(default_assignment())
TOTAL = RUBRIC.total_points


def graded_folder(out: Path, name: str, fraction: float, submitters: list[dict[str, str]] | None = None) -> None:
    """OUT/<name>/results.json and batch.json as grade-all leaves them, every test at `fraction`."""
    tests = [{"name": e.name, "score": e.points * fraction, "max_score": e.points, "number": e.number,
              "visibility": e.visibility, "status": "passed" if fraction == 1 else "failed", "output": "",
              "extra_data": {"id": tid, "fraction": fraction, "params": e.params}}
             for tid, e in RUBRIC.entries.items()]
    document = {"score": sum(t["score"] for t in tests), "output": "## Your submission", "tests": tests,
                "extra_data": {HASH_KEY: rubric_hash(RUBRIC)}}
    (out / name).mkdir(parents=True)
    (out / name / "results.json").write_text(json.dumps(document), encoding="utf-8")
    (out / name / "batch.json").write_text(json.dumps({"status": "graded", "seconds": 1.0,
                                                       "submitters": submitters or []}), encoding="utf-8")


def read_export(path: Path) -> list[list[str]]:
    raw = path.read_bytes()
    assert raw.startswith(BOM)  # Excel reads UTF-8 only with it
    return list(csv.reader(io.StringIO(raw[len(BOM):].decode("utf-8"))))


def test_plain_folder_joined_to_a_roster_for_canvas(tmp_path: Path) -> None:
    out = tmp_path / "out"
    graded_folder(out, "1001.zip", 1.0)  # by SID
    graded_folder(out, "erin.evans", 0.5)  # by the part of the e-mail before the @
    graded_folder(out, "Zoë Müller", 0.25)  # by the full name
    graded_folder(out, "stranger", 0.75)  # nobody of that name
    roster = tmp_path / "roster.csv"
    roster.write_text("sid,email,name\n1001,ada@example.edu,Ada Lovelace\n1002,erin.evans@example.edu,Erin Evans\n"
                      "1003,zoe@example.edu,Zoë Müller\n1004,kurt@example.edu,Kurt Gödel\n", encoding="utf-8")
    done = autograder("export", str(out), "--to", "canvas", "--roster", str(roster))
    assert done.returncode == 0, done.stderr
    rows = read_export(out / "export_canvas.csv")
    assert rows[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", RUBRIC.title]
    assert rows[1] == ["Points Possible", "", "", "", "", f"{TOTAL}"]
    assert sorted(rows[2:]) == sorted([
        ["Ada Lovelace", "", "1001", "ada@example.edu", "", f"{TOTAL}"],
        ["Erin Evans", "", "1002", "erin.evans@example.edu", "", f"{TOTAL * 0.5}"],
        ["Zoë Müller", "", "1003", "zoe@example.edu", "", f"{TOTAL * 0.25}"]])
    assert "WARNING: 1 submission(s) matched no student" in done.stdout
    assert "stranger: matches no roster student" in done.stdout
    assert "WARNING: 1 roster student(s) have no submission" in done.stdout and "Kurt Gödel" in done.stdout
    report = (out / "export_canvas.report.txt").read_text(encoding="utf-8")
    assert "3 student(s) exported for canvas" in report and "stranger" in report and "Kurt Gödel" in report


def test_canvas_gradebook_export_as_roster_fills_id_and_section(tmp_path: Path) -> None:
    out = tmp_path / "out"
    graded_folder(out, "S1", 1.0)
    roster = tmp_path / "canvas.csv"
    roster.write_bytes(BOM + ("Student,ID,SIS User ID,SIS Login ID,Section,Homework 1 (123)\n"
                              "    Points Possible,,,,,10\n"
                              "\"Lovelace, Ada\",4711,S1,ada,Section A,\n"
                              "\"Student, Test\",9999,,,Section A,\n").encode("utf-8"))
    done = autograder("export", str(out), "--to", "canvas", "--roster", str(roster))
    assert done.returncode == 0, done.stderr
    rows = read_export(out / "export_canvas.csv")
    assert rows[2:] == [["Lovelace, Ada", "4711", "S1", "ada", "Section A", f"{TOTAL}"]]
    assert "matched no student" not in done.stdout and "have no submission" not in done.stdout


METADATA = """---
:submission_1:
  :submitters:
  - :name: Zoë Müller
    :sid: '2001'
    :email: zoe@example.edu
  - :name: Erin Evans
    :sid: '2002'
    :email: erin@example.edu
  :created_at: 2026-10-01 12:00:00.000000000 -07:00
:submission_2:
  :submitters:
  - :name: Ada Lovelace
    :sid: '2003'
    :email: ada@example.edu
"""


def test_gradescope_export_with_a_missing_metadata_entry(tmp_path: Path) -> None:
    export = tmp_path / "export"
    for name in ("submission_1", "submission_2", "submission_3"):  # submission_3 has no metadata entry
        (export / name).mkdir(parents=True)
        (export / name / "homework.py").write_text("x = 1\n", encoding="utf-8")
    (export / "submission_metadata.yml").write_text(METADATA, encoding="utf-8")
    out = tmp_path / "out"
    for fraction, entry in zip((0.5, 1.0, 0.25), discover(export)):
        graded_folder(out, entry.name, fraction, [asdict(s) for s in entry.submitters])
    done = autograder("export", str(out), "--to", "gradescope")
    assert done.returncode == 0, done.stderr
    rows = read_export(out / "export_gradescope.csv")
    assert rows == [["Name", "SID", "Email", "Score"],
                    ["Zoë Müller", "2001", "zoe@example.edu", f"{TOTAL * 0.5}"],
                    ["Erin Evans", "2002", "erin@example.edu", f"{TOTAL * 0.5}"],
                    ["Ada Lovelace", "2003", "ada@example.edu", f"{TOTAL}"]]
    assert "WARNING: 1 submission(s) matched no student" in done.stdout
    assert "submission_3: no student named" in done.stdout
    assert "submission_3" in (out / "export_gradescope.report.txt").read_text(encoding="utf-8")


def test_a_folded_long_name_forges_no_submitter() -> None:
    """Issue 22 item 7: a YAML writer folds a long plain name at column 80; the continuation must not
    read as a new submitter taking the group's score."""
    name = "Mallory " + "x" * 61 + " - :name: Victim :email: victim@example.edu"  # folded before "- :name:"
    text = yaml.safe_dump({":submission_9": {":submitters": [{":name": name, ":email": "m@example.edu"}]}},
                          width=80, allow_unicode=True)
    assert any(line.lstrip().startswith("- :name: Victim") for line in text.splitlines())  # the trap is there
    people = parse_metadata(text)["submission_9"]
    assert [(p.name, p.email) for p in people] == [(name, "m@example.edu")]
    plain = parse_metadata(":s:\n  :submitters:\n  - :name: No\n    :sid: 007\n    :email:\n")["s"]
    assert [(p.name, p.sid, p.email) for p in plain] == [("No", "007", "")]  # text as written, never a bool or int


def test_bad_metadata_and_roster_are_one_clear_line(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="not valid YAML"):
        parse_metadata(":a: [unclosed\n")
    out = tmp_path / "out"
    graded_folder(out, "alice", 1.0)
    roster = tmp_path / "roster.csv"
    roster.write_text("first,last\nA,B\n", encoding="utf-8")
    done = autograder("export", str(out), "--to", "csv", "--roster", str(roster))
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert "no sid or email column" in done.stderr and len(done.stderr.strip().splitlines()) == 1


FORMULAS = ["=1+1", "+SUM(A1)", "-2+3", "@cmd", "\tx", "\rx"]


@pytest.mark.parametrize("separator", [",", ";"])
def test_no_cell_starts_a_formula_whichever_separator_splits_it(tmp_path: Path, separator: str) -> None:
    """OWASP's CSV-injection rule: no cell may start with =, +, -, @, tab or CR, including the cells a
    spreadsheet makes by splitting on `;` (European Excel) instead of `,`."""
    evil = [f"Smith{sep}{f}" for sep in (",", ";", "; ", ';"') for f in FORMULAS] + FORMULAS
    path = write_csv(tmp_path / "x.csv", ["name", "score"], [[e, 1.5] for e in evil])
    text = path.read_bytes()[len(BOM):].decode("utf-8")
    for line in text.splitlines():
        for cell in line.split(separator):
            shown = cell.strip(' "')
            assert not shown.startswith(("=", "+", "-", "@", "\t", "\r")), (separator, line)
    assert safe_cell(-2.5) == "-2.5"  # numbers stay numbers
    assert safe_cell("O'Brien; Grace") == "O'Brien; Grace"  # ordinary text is untouched
