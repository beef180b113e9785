"""Student-controlled text made safe for a terminal: no control character, no escape sequence.

Why: names of files and folders, and what a submission prints or raises, reach the TA's terminal
(grade's summary, grade-all's progress bar and change lines). Raw, an escape sequence could clear
the screen, move the cursor over the score table or retitle the window, and a carriage return
could overwrite a line with a forged one. Kept: printable text, newlines and tabs. Bytes that are
not UTF-8 (a file name) are shown as `\\xff` instead of ending the program with an encoding error.
"""

from __future__ import annotations

import os
import re
import sys
import unicodedata
from typing import Any, Callable, TextIO

# ESC sequences (CSI with its parameters, OSC up to its terminator, and two-character ones) go whole;
# any other control character, C1 included, and the bidirectional overrides that reorder a line.
_SEQUENCE = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]?|\][^\x07\x1b]*(?:\x07|\x1b\\)?|[@-Z\\-_]?)|\x9b[0-?]*[ -/]*[@-~]?")
_BIDI = {"\u061c", "\u200e", "\u200f", *map(chr, range(0x202A, 0x202F)), *map(chr, range(0x2066, 0x206A))}


def _kept(char: str) -> bool:
    return char in "\n\t" or (unicodedata.category(char) not in ("Cc", "Cs") and char not in _BIDI)


def printable(text: str) -> str:
    """`text` without escape sequences and control characters (newlines and tabs kept); a lone
    surrogate (an undecodable byte of a file name) as its escape."""
    text = _SEQUENCE.sub("", text)
    if text.isprintable():
        return text
    text = "".join(c if _kept(c) else c.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
                   if "\udc80" <= c <= "\udcff" else "" for c in text)
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def printable_name(name: str) -> str:
    """A file or folder name as one line: printable() with no newline or tab either (Python reads
    a name's undecodable bytes as surrogates: shown as `\\xff`)."""
    return printable(os.fsdecode(name)).replace("\n", " ").replace("\t", " ")


class PrintableStream:
    """A text stream that passes on printable() of what is written: the TA's stdout and stderr
    while a command runs. `raw` is the stream itself, for the progress bar's own control codes."""

    def __init__(self, raw: TextIO) -> None:
        self.raw = raw

    def write(self, text: str) -> int:
        self.raw.write(printable(text))
        return len(text)

    def __getattr__(self, name: str) -> Any:  # flush, fileno, isatty, encoding...
        return getattr(self.raw, name)


def printable_streams() -> Callable[[], None]:
    """From now on, everything printed to stdout and stderr is printable(): whatever student text
    reaches a message, the terminal gets no control code from it. Returns what puts them back."""
    saved = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = PrintableStream(sys.stdout), PrintableStream(sys.stderr)  # type: ignore[assignment]

    def restore() -> None:
        sys.stdout, sys.stderr = saved
    return restore
