"""The name a submission goes by in OUT, the CSVs, the report and the TA's terminal.

Why: a submission's name is its folder or file name, chosen by whoever filled the class folder
(often from what the students uploaded). It may hold bytes that are not UTF-8, control characters
or terminal escape sequences, or be the name of one of grade-all's own outputs: a submission folder
`grades.csv` would get OUT/grades.csv as its folder, where the class's grades.csv must be written.
Such a name is shown as printable text and, if taken, gets a suffix; the submission itself is read
from where it is. Names that need nothing keep themselves, so OUT of earlier runs still matches.
"""

from __future__ import annotations

from autograder.classroom.gradebook import CANVAS_UPLOAD, GRADES, GRADESCOPE_UPLOAD
from autograder.intake.printable import printable_name

# What grade-all and the verbs put at the top of OUT besides the submissions' folders: the report
# (class_report.py), the similar submissions (similarity_pages.py: importing it here would make a
# cycle through batch.py) and `autograder export`'s files (verbs/export.py).
EXPORTS = {f"export_{platform}{suffix}" for platform in ("gradescope", "canvas", "csv") for suffix in (".csv", ".report.txt")}
OUTPUTS = frozenset({GRADES, GRADESCOPE_UPLOAD, CANVAS_UPLOAD, "report.html", "feedback", "similarity.json",
                     "similarity", *EXPORTS})
LONGEST = 200  # characters of a shown name (a name of 255 bytes can grow to 4 characters a byte)


def _fine(name: str) -> bool:
    return (name == printable_name(name) and not name.startswith(".") and 0 < len(name) <= LONGEST
            and name.casefold() not in OUTPUTS)  # folded: some file systems fold case


def safe_names(names: list[str]) -> list[str]:
    """The names to use for these submissions, in order: each printable, one line, not hidden
    (`.`), not one of OUT's own files, all different (a new one even in folded case). A fine name
    is kept as it is."""
    taken = {n.casefold() for n in names if _fine(n)}
    chosen = []
    for name in names:
        if _fine(name):
            chosen.append(name)
            continue
        base = printable_name(name).lstrip(".").strip()[:LONGEST - 12].strip() or "submission"  # room for " (n)"
        new, n = base, 1
        while new.casefold() in taken or not _fine(new):
            n += 1
            new = f"{base} ({n})"
        taken.add(new.casefold())
        chosen.append(new)
    return chosen
