"""The time limit of each student call a hidden test makes, from layered settings (as pytest-timeout
layers its own): the first that speaks wins, and a timeout message names it.

1. an explicit `timeout=` argument of `student.call` / `probe` / `get` / `race`;
2. the rubric entry's `timeout` parameter (`timeout = <seconds>` under `[tests."<id>"]`);
3. a `@pytest.mark.timeout(seconds)` marker on the test (or its class or module);
4. `[limits] call_timeout`.

Why: a test author states a slow test's limit once (in the rubric or beside the test) instead of
passing `timeout=entry["timeout"]` to every call, and a student whose code timed out reads which
limit it was.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

ENTRY_KEY = "timeout"
MARKER = "timeout"
MARKER_HELP = (f"{MARKER}(seconds): time limit of each student call the test makes, unless the test passes "
               "timeout= or its rubric entry has a timeout (autograder/course/timeouts.py)")
PLUGIN_PARAMETERS = frozenset({ENTRY_KEY})  # rubric parameters the plugin reads for every test
EXPLICIT = "the test's `timeout=` argument"


def marker_seconds(item: Any) -> float | None:
    """The seconds of the closest `@pytest.mark.timeout(...)` on a test item, or None."""
    marker = item.get_closest_marker(MARKER)
    if marker is None:
        return None
    seconds = marker.args[0] if marker.args else marker.kwargs.get("seconds", marker.kwargs.get("timeout"))
    if isinstance(seconds, bool) or not isinstance(seconds, (int, float)) or seconds <= 0:
        raise ValueError(f"@pytest.mark.timeout on {item.nodeid} needs a number of seconds > 0, not {seconds!r}")
    return float(seconds)


def call_timeout(item: Any, entry: Any, rubric: Any) -> tuple[float, str]:
    """(seconds, where they come from) for the student calls of one test, below an explicit argument."""
    if entry is not None and entry.get(ENTRY_KEY) is not None:
        origin = getattr(rubric, "origins", {}).get(entry.id, {}).get(ENTRY_KEY, rubric.path)  # the file that set it
        return float(entry[ENTRY_KEY]), f'{Path(origin).name} [tests."{entry.id}"] {ENTRY_KEY}'
    seconds = marker_seconds(item)
    if seconds is not None:
        return seconds, f"@pytest.mark.{MARKER} on the test"
    return float(rubric.limits.call_timeout), "[limits] call_timeout"
