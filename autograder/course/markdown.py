"""Student text inside the Markdown that Gradescope and the feedback pages render.

Why: an exception message, a file name or a returned string is written by the student; put raw
into Markdown it could close a code span and add links or images to the grader's own words. Every
piece of student text goes through one of these two, never raw.
"""

from __future__ import annotations

import re

_SPECIAL = re.compile(r"([\\`\[\]<>])")  # what can open a code span, link, image or tag
_LINE_BREAKS = re.compile(r"[\r\n\u2028\u2029\x0b\x0c\x85]+")
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")


def _one_line(text: object, limit: int) -> str:
    flat = _CONTROL.sub("", _LINE_BREAKS.sub(" ", str(text)))
    return flat if len(flat) <= limit else flat[:limit] + "..."


def code_span(text: object, limit: int = 2000) -> str:
    """`text` as one inline code span that nothing in it can close: the fence is one backtick
    longer than the longest run inside (CommonMark), so links and images stay literal.
    Example: `fail(f"{code_span(finding.label)}, line {finding.line}: a loop")`."""
    flat = _one_line(text, limit)
    longest = max((len(run) for run in re.findall(r"`+", flat)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if flat.startswith("`") or flat.endswith("`") or not flat.strip() else ""
    return f"{fence}{pad}{flat}{pad}{fence}"


def plain(text: object, limit: int = 2000) -> str:
    """`text` as literal prose: every Markdown punctuation character backslash-escaped."""
    return _SPECIAL.sub(r"\\\1", _one_line(text, limit))
