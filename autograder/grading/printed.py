"""What a hidden test prints, shown to the student under that test's result.

Why: gradescope-utils shows a test's stdout to the student, and instructors bringing their tests
write `print("checking k = 3")` for them; here it used to reach the instructor's log only. Only
the test's own prints are caught (the student's code prints in its sandbox, never here), and the
text is capped so that a test printing in a loop cannot flood the results.
"""

from __future__ import annotations

import contextlib
import io
from typing import Iterator

MAX_PRINTED = 10_000  # characters of a test's prints shown to the student


@contextlib.contextmanager
def capture_prints(into: list[str]) -> Iterator[None]:
    """Everything printed to stdout inside, appended to `into` once it ends (even on failure)."""
    buffer = io.StringIO()
    try:
        with contextlib.redirect_stdout(buffer):
            yield
    finally:
        if buffer.getvalue():
            into.append(buffer.getvalue())


def printed_block(printed: list[str]) -> str | None:
    """The test's prints as one block of the student's output, or None when it printed nothing."""
    text = "".join(printed).rstrip("\n")
    if not text:
        return None
    if len(text) > MAX_PRINTED:
        text = text[:MAX_PRINTED] + f"\n... ({len(text) - MAX_PRINTED} more characters not shown)"
    return "Printed by the test:\n```\n" + text.replace("```", "'''") + "\n```"
