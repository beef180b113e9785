"""Generated graded classes for the report's tests: results.json and batch.json as grade-all writes
them, built from the rubric (names, numbers, points), with statuses, skipped tests, failure messages
and figures (real PNGs drawn by matplotlib), without grading anything."""

from __future__ import annotations

import base64
import io
import json
import random
from pathlib import Path
from typing import Any

from autograder.course.rubric import Rubric, load_rubric

MESSAGES = ["Not found in your submission: `{fn}` (see the list of names found at the top).",
            "`{fn}` returned None: did you forget `return`?",
            "`{fn}(X, {n})` raised `ValueError: shapes ({n},2) and (3,{n}) not aligned`",
            "The result has shape ({n}, 2) where (2, {n}) was expected: transposed?"]


def png(colour: str = "tab:red", size: tuple[float, float] = (3, 2)) -> bytes:
    """A small real figure, as the worker would save it."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=size)
    fig.add_subplot().scatter([0, 1, 2], [2, 0, 1], color=colour, marker="*", s=200)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=50)
    return buffer.getvalue()


def graded_test(rubric: Rubric, tid: str, fraction: float, output: str, skipped: bool = False,
                figures: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    entry = rubric.entries[tid]
    extra: dict[str, Any] = {"id": tid, "fraction": fraction, **({"skipped": True} if skipped else {}),
                             **({"figures": figures} if figures else {})}
    return {"name": entry.name, "score": round(entry.points * fraction, 4), "max_score": entry.points,
            "status": "passed" if fraction >= 1 else "failed", "output": output, "visibility": entry.visibility,
            "number": entry.number, "tags": [entry.task], "extra_data": extra, "output_format": "md"}


def write(out: Path, name: str, tests: list[dict[str, Any]], status: str = "graded",
          submitters: list[dict[str, str]] | None = None, summary: str = "## Your submission\n\n**ok**") -> None:
    folder = out / name
    folder.mkdir(parents=True, exist_ok=True)
    document = {"score": round(sum(t["score"] for t in tests), 4), "execution_time": 1.0, "output": summary,
                "output_format": "md", "tests": tests, "leaderboard": [], "extra_data": {}}
    (folder / "results.json").write_text(json.dumps(document, allow_nan=False), encoding="utf-8")
    (folder / "batch.json").write_text(json.dumps({"status": status, "seconds": 1.0,
                                                   "submitters": submitters or []}), encoding="utf-8")


def generated_class(out: Path, count: int, seed: int = 0, rubric: Rubric | None = None) -> Rubric:
    """`count` submissions: most graded with random outcomes (the GPU test skipped, messages from
    the grader's templates with varying numbers), some "no files found" or "timed out"."""
    rubric = rubric or load_rubric()
    rng = random.Random(seed)
    figure = {"png": base64.b64encode(png()).decode("ascii"), "bytes": 0}
    for index in range(count):
        status = "no files found" if index % 50 == 7 else "timed out" if index % 50 == 13 else "graded"
        tests = []
        for tid, entry in rubric.entries.items():
            if status != "graded":
                tests.append(graded_test(rubric, tid, 0.0, "Not graded."))
                continue
            if tid.endswith(".gpu"):
                tests.append(graded_test(rubric, tid, 0.0, "Skipped, not graded: no GPU here.", skipped=True))
                continue
            passed = rng.random() < 0.7
            fn = tid.split(".")[0]
            message = "Passed." if passed else rng.choice(MESSAGES).format(fn=fn, n=rng.randint(2, 500))
            tests.append(graded_test(rubric, tid, 1.0 if passed else 0.0, message,
                                     figures=[figure] if tid.endswith("plot") else None))
        write(out, f"student_{index:04d}", tests, status,
              [{"name": f"Student {index} Zoë", "email": f"s{index}@uni.example", "sid": str(10_000 + index)}])
    return rubric
