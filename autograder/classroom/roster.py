"""Who is in the class: Gradescope's submission metadata and a roster file, read as data, never guessed.

Why: the metadata used to be read line by line, so a long display name that a YAML writer folds at
column 80 could start a line that looked like a new submitter and hand a classmate's score to
someone else. It is now read by a YAML parser (PyYAML's safe loader, pinned). A roster is a CSV:
Canvas' own gradebook export (Student, ID, SIS User ID, SIS Login ID, Section) or any CSV with
columns sid / email / name.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

class RosterError(ValueError):
    """A roster or metadata file that cannot be read: the message says which and why."""


@dataclass
class Submitter:
    """Who handed a submission in, as Gradescope's metadata names them."""

    name: str = ""
    email: str = ""
    sid: str = ""


@dataclass(frozen=True)
class Student:
    """One student of a roster; the Canvas fields are empty unless the roster is Canvas' export."""

    name: str = ""
    email: str = ""
    sid: str = ""
    canvas_id: str = ""
    login: str = ""
    section: str = ""


# ---------------------------------------------------------------- Gradescope's metadata

class _Loader(yaml.SafeLoader):
    """The safe loader, with every plain scalar kept as the text written (a student named No stays
    "No", not False; a SID 007 stays "007", not 7) and any tag (a Ruby object, say) read as plain
    data instead of refused."""

    yaml_implicit_resolvers: dict = {}


def _untagged(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> Any:
    if isinstance(node, yaml.MappingNode):
        return loader.construct_mapping(node, deep=True)
    if isinstance(node, yaml.SequenceNode):
        return loader.construct_sequence(node, deep=True)
    return loader.construct_scalar(node)


_Loader.add_multi_constructor("!", _untagged)
_Loader.add_multi_constructor("tag:", _untagged)


def _key(value: Any) -> str:
    """Gradescope writes Ruby symbols (`:name:`): the key is the text without its colon."""
    return str(value).lstrip(":")


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def parse_metadata(text: str) -> dict[str, list[Submitter]]:
    """Submitters per submission folder, from the text of submission_metadata.yml."""
    try:
        data = yaml.load(text, Loader=_Loader)  # noqa: S506 (a SafeLoader subclass)
    except yaml.YAMLError as exc:
        raise RosterError(f"submission_metadata.yml is not valid YAML ({str(exc).splitlines()[0]})") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise RosterError("submission_metadata.yml does not map submissions to their details")
    found: dict[str, list[Submitter]] = {}
    for folder, details in data.items():
        details = {_key(k): v for k, v in details.items()} if isinstance(details, dict) else {}
        people = details.get("submitters") or []
        submitters = []
        for person in people if isinstance(people, list) else []:
            fields = {_key(k): _text(v) for k, v in person.items()} if isinstance(person, dict) else {}
            submitters.append(Submitter(fields.get("name", ""), fields.get("email", ""), fields.get("sid", "")))
        found[_key(folder)] = submitters
    return found


# ---------------------------------------------------------------- roster files

CANVAS_COLUMNS = ("Student", "ID", "SIS User ID", "SIS Login ID", "Section")
_PLAIN = {"sid": ("sid", "student id", "student_id", "id"), "email": ("email", "e-mail", "mail"),
          "name": ("name", "full name", "student name")}


def _plain_columns(header: list[str]) -> dict[str, str]:
    """{field: the header's own spelling} for a CSV of sid / email / name, in any case and order."""
    lowered = {h.strip().lower(): h for h in header}
    return {field: lowered[alias] for field, aliases in _PLAIN.items() for alias in aliases if alias in lowered}


def read_roster(path: Path) -> list[Student]:
    """The students of a roster CSV (UTF-8, with or without a BOM)."""
    try:
        with open(path, newline="", encoding="utf-8-sig") as fh:
            rows = list(csv.reader(fh))
    except OSError as exc:
        raise RosterError(f"--roster {path}: cannot be read ({exc.strerror})") from None
    except UnicodeDecodeError:
        raise RosterError(f"--roster {path}: not UTF-8 text; save it from the spreadsheet as CSV UTF-8") from None
    except csv.Error as exc:
        raise RosterError(f"--roster {path}: not a CSV file ({exc})") from None
    if not rows:
        raise RosterError(f"--roster {path}: the file is empty")
    header, body = [h.strip() for h in rows[0]], rows[1:]
    if all(c in header for c in CANVAS_COLUMNS):
        at = {c: header.index(c) for c in CANVAS_COLUMNS}
        students = []
        for row in body:
            cell = {c: (row[i].strip() if i < len(row) else "") for c, i in at.items()}
            if not cell["Student"] or cell["Student"].strip().lower() in ("points possible", "student, test"):
                continue  # Canvas' own rows: the points, and the test student
            login = cell["SIS Login ID"]
            students.append(Student(cell["Student"], login if "@" in login else "", cell["SIS User ID"],
                                    cell["ID"], login, cell["Section"]))
        return students
    columns = _plain_columns(header)
    if "email" not in columns and "sid" not in columns:
        raise RosterError(f"--roster {path}: no sid or email column (the header is {', '.join(header) or 'empty'}); "
                          f"give Canvas' gradebook export or a CSV with columns sid, email, name")
    students = []
    for row in body:
        cell = {f: (row[header.index(h)].strip() if header.index(h) < len(row) else "") for f, h in columns.items()}
        if any(cell.values()):
            students.append(Student(cell.get("name", ""), cell.get("email", ""), cell.get("sid", "")))
    return students
