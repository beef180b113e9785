"""Worker side: which lines of the submission's own code ran again and again during one call.

Why: the loop finder reads names in the source, so a loop reached through a default argument, a
dict of functions, `getattr` with a computed name or an alias of `np.vectorize` escapes it. This
watches what runs instead: during one traced call, every line of the submission's code (its files,
and code it made with exec or compile) is counted, and so is every call of its functions. A line
that runs more than `repeats` times, or a function called more than `repeats` times (map,
vectorize, apply_along_axis calling it per element), is a Python-level loop however it was reached.
Library code (numpy, torch, the standard library) is not counted: only where the submission loops.
Copied into the worker's folder like wire.py: standard library only.
"""

from __future__ import annotations

import os
import sys
import threading
import types
from typing import Any, Callable

SHOWN = 5  # the busiest lines and functions reported back


class LoopTrace:
    """Counts lines and calls of the submission's code while installed (sys.settrace)."""

    def __init__(self, student_files: set[str], library_roots: tuple[str, ...]) -> None:
        self.student_files = student_files
        self.library_roots = library_roots
        self.lines: dict[tuple[str, int], int] = {}
        self.calls: dict[types.CodeType, int] = {}
        self._verdicts: dict[types.CodeType, bool] = {}
        self.switched_off = False  # the submission replaced or removed the tracer during the call

    def is_student(self, code: types.CodeType) -> bool:
        """The submission's files, and anything not read from an installed library's file (code
        made by exec or compile has a name such as `<string>`)."""
        verdict = self._verdicts.get(code)
        if verdict is None:
            name = code.co_filename
            verdict = name in self.student_files or not (
                name.startswith(self.library_roots) and os.path.isfile(name))
            self._verdicts[code] = verdict
        return verdict

    def _on_call(self, frame: types.FrameType, event: str, arg: Any) -> Callable[..., Any] | None:
        code = frame.f_code
        if not self.is_student(code):
            return None
        self.calls[code] = self.calls.get(code, 0) + 1
        return self._on_line

    def _on_line(self, frame: types.FrameType, event: str, arg: Any) -> Callable[..., Any] | None:
        if event == "line":
            key = (frame.f_code.co_filename, frame.f_lineno)
            self.lines[key] = self.lines.get(key, 0) + 1
        return self._on_line

    def run(self, function: Callable[..., Any], args: list[Any], kwargs: dict[str, Any]) -> Any:
        threading.settrace(self._on_call)
        sys.settrace(self._on_call)
        try:
            return function(*args, **kwargs)
        finally:
            still_ours = sys.gettrace() == self._on_call
            sys.settrace(None)
            threading.settrace(None)  # type: ignore[arg-type]
            self.switched_off = not still_ours

    def report(self, repeats: int) -> dict[str, Any]:
        """The lines and functions that ran more than `repeats` times (busiest first)."""
        lines = sorted(((n, f, line) for (f, line), n in self.lines.items() if n > repeats), reverse=True)
        calls = sorted(((n, c.co_filename, c.co_firstlineno, c.co_name) for c, n in self.calls.items()
                        if n > repeats), reverse=True)
        return {"lines": [{"file": f, "line": line, "count": n} for n, f, line in lines[:SHOWN]],
                "calls": [{"file": f, "line": line, "name": name, "count": n} for n, f, line, name in calls[:SHOWN]],
                "switched_off": self.switched_off}


def library_roots(code_dir: str) -> tuple[str, ...]:
    """Folders of installed code: the interpreter's prefixes and every import folder but the
    submission's own code folder."""
    roots = {sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix}
    roots |= {p for p in sys.path if p and os.path.isabs(p) and p != code_dir}
    return tuple(sorted({os.path.join(form(r), "") for r in roots for form in (os.path.abspath, os.path.realpath)}))
