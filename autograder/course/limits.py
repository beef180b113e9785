"""The limits of one worker process, as an assignment's `[limits]` table states them.

Why here, in the course model, and not in the sandbox that enforces them: the rubric and its schema
read and check them (every field is a key of `[limits]`, with its type), and the course model must
not depend on the sandbox above it.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Limits:
    """Per-worker resource limits (set from the rubric's [limits] table)."""

    cpu_seconds: int = 600
    address_space_mb: int = 4096
    file_size_mb: int = 64
    workspace_mb: int = 100
    processes: int = 64
    open_files: int = 256
    output_kb: int = 64
    load_timeout: float = 120.0
    call_timeout: float = 60.0
    grading_budget: float = 480.0  # seconds for a whole grading run: well inside Gradescope's 10 minutes
