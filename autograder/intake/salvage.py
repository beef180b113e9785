"""Keep what a syntax error would throw away: one broken function must not cost the whole file.

Python refuses a file with one syntax error entirely. The grader instead cuts the file into its
top-level parts (a part starts at an unindented `def`, `class`, decorator, import or assignment),
blanks out the parts that do not parse (line numbers stay as the student wrote them) and keeps the
rest, telling the student which lines were skipped and why. If the remaining text still does not
parse (a string spanning parts, say), the file is left as it was and fails as a whole.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass

from autograder.course.markdown import code_span

PART_START = re.compile(r"^(?:async\s+def\s|def\s|class\s|@|import\s|from\s|if\s+__name__\b|[A-Za-z_]\w*\s*(?::[^=]*)?=[^=])")
DEFINES = re.compile(r"^(?:async\s+def|def|class)\s+([A-Za-z_]\w*)", re.MULTILINE)


@dataclass(frozen=True)
class SkippedPart:
    first_line: int
    last_line: int
    error_line: int
    message: str
    code: str
    names: tuple[str, ...]  # functions or classes defined in the skipped lines

    def describe(self, label: str) -> str:
        what = ", ".join(f"{code_span(n)}" for n in self.names) or "top-level code"
        return (f"{code_span(label)} has a syntax error, so Python cannot compile it: line {self.error_line}: {self.message}"
                + (f" ({code_span(self.code)})" if self.code else "")
                + f". Lines {self.first_line}-{self.last_line} ({what}) were skipped so that the rest could still "
                "be checked.")


def compile_error(source: str) -> str:
    """Python's own verdict on a whole file, as it would print it ("line 14: expected an indented
    block ..."); "" when the file compiles."""
    error = _parses(source)
    if error is None:
        return ""
    return (f"line {error.lineno}: " if error.lineno else "") + (error.msg or "invalid syntax")


def parser_limit(exc: BaseException) -> str:
    """Why Python's parser gave up on a file, in words: a MemoryError from the parser (deeply nested
    expressions) has no message of its own."""
    detail = str(exc) or type(exc).__name__
    if isinstance(exc, (MemoryError, RecursionError)):
        return f"its expressions are nested too deeply for Python's parser ({detail})"
    return detail


def _parts(lines: list[str]) -> list[tuple[int, int]]:
    """(start, end) line indexes (0-based, end exclusive) of the top-level parts."""
    starts = [0]
    for i, line in enumerate(lines):
        if i and PART_START.match(line) and not lines[i - 1].rstrip().endswith(("\\", ",", "(", "[", "{")):
            if not lines[i - 1].startswith("@"):  # a decorator belongs to the def below it
                starts.append(i)
    ends = starts[1:] + [len(lines)]
    return list(zip(starts, ends))


def _parses(text: str) -> SyntaxError | None:
    try:
        ast.parse(text)
    except SyntaxError as exc:
        return exc
    except (ValueError, RecursionError, MemoryError) as exc:  # MemoryError: nesting too deep for the parser
        return SyntaxError("cannot be read as Python: " + parser_limit(exc))
    return None


def salvage(source: str) -> tuple[str, list[SkippedPart]]:
    """(source with unparsable top-level parts blanked, what was skipped); the source unchanged
    when it parses, or when blanking parts does not make it parse."""
    whole = _parses(source)
    if whole is None:
        return source, []
    lines = source.splitlines()
    kept = list(lines)
    skipped: list[SkippedPart] = []
    for start, end in _parts(lines):
        text = "\n".join(lines[start:end])
        error = _parses("\n" * start + text)  # padded: Python's line numbers are the file's own
        if error is None:
            continue
        if not skipped and whole.lineno:  # the first error as Python reports it for the whole file
            error = whole
        error_line = error.lineno or start + 1
        code = lines[error_line - 1].strip() if 0 < error_line <= len(lines) else ""
        skipped.append(SkippedPart(start + 1, end, error_line, error.msg or "invalid syntax", code[:120],
                                   tuple(DEFINES.findall(text))))
        kept[start:end] = [""] * (end - start)
    result = "\n".join(kept) + ("\n" if source.endswith("\n") else "")
    if not skipped or _parses(result) is not None:
        return source, []
    return result, skipped
