"""Failure messages of a whole class grouped by their cause, across tests.

Why: 37 tables of "most common first lines" per test hide that one cause (a missing `fit`, a
`return` forgotten, a time limit) fails five tests in forty submissions. A message's cause is its
first line with what varies between submissions masked: numbers, quoted values and code snippets
become placeholders, while names (`fit`) and exception types (`ValueError`) are kept, as they
are the cause. Plain regular expressions: the grader's messages are few templates, written here.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Iterable

from autograder.classroom.html_page import first_line

NUMBER = re.compile(r"(?<![\w.])[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?(?![\w])", re.IGNORECASE)
QUOTED = re.compile(r"'[^']*'|\"[^\"]*\"")
CODE = re.compile(r"`([^`]*)`")
NAME = re.compile(r"[A-Za-z_][\w.]*")
CALL = re.compile(r"([A-Za-z_][\w.]*)\(.*\)")
RAISED = re.compile(r"([A-Za-z_]\w*(Error|Exception|Warning|Exit|Interrupt)):.*")
MAX_CAUSE = 300


def _code(match: re.Match) -> str:
    inner = match.group(1)
    if NAME.fullmatch(inner):
        return f"`{inner}`"
    for pattern, kept in ((CALL, "{}(…)"), (RAISED, "{}: …")):
        found = pattern.fullmatch(inner)
        if found:
            return "`" + kept.format(found.group(1)) + "`"
    return "`…`"


def cause(message: str) -> str:
    """The first line of a message with the varying parts masked (see the module's docstring)."""
    line = CODE.sub(_code, first_line(message)[:2000])
    line = QUOTED.sub("'…'", line)
    return " ".join(NUMBER.sub("N", line).split())[:MAX_CAUSE]


@dataclass
class Cause:
    """One cause: how many failures and submissions it accounts for, in which tests, one example."""

    text: str
    failures: int = 0
    submissions: set[str] = field(default_factory=set)
    tests: Counter = field(default_factory=Counter)
    example: str = ""


def group(failures: Iterable[tuple[str, str, str]]) -> list[Cause]:
    """(submission, test title, message) triples grouped by cause, the widest-reaching first."""
    causes: dict[str, Cause] = {}
    for submission, test, message in failures:
        key = cause(message)
        found = causes.setdefault(key, Cause(key, example=str(message)[:4000]))
        found.failures += 1
        found.submissions.add(submission)
        found.tests[test] += 1
    return sorted(causes.values(), key=lambda c: (-len(c.submissions), -c.failures, c.text))
