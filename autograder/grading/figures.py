"""The figures a submission drew, kept with its results for the TA's feedback page.

Why: "why did I lose the plot points?" is answered by looking at the plot as the student's own code
drew it. The worker saves each figure a test receives as a PNG (autograder/sandbox/convert.py,
size-capped); the grader checks it again (that process is the student's), keeps it base64 in the
test's extra_data within a budget per test and per submission, and the feedback page embeds it.
When there is no PNG (it could not be drawn, or results written before PNGs) a compact description
is kept and redrawn, with every student string drawn as plain text (no mathtext).
"""

from __future__ import annotations

import base64
import io
import json
import re
from dataclasses import dataclass
from typing import Any

import numpy as np

MAX_POINTS = 2000  # per drawn set of a description: enough to see the plot
MAX_FIGURE_POINTS = 10_000  # per description, all sets together: results.json stays small
MAX_SETS = 50  # axes per figure, lines or scatter sets per axes: a hostile figure stays small
MAX_TEXT = 200
LINESTYLES = ("-", "--", "-.", ":")
# The same caps as the worker's (autograder/sandbox/convert.py), checked again here.
MAX_PNG_PIXELS = 1_200_000
MAX_PNG_BYTES = 250_000
MAX_TEST_FIGURE_BYTES = 500_000  # PNG bytes kept per test ...
MAX_SUBMISSION_FIGURE_BYTES = 800_000  # ... and per submission: 500 results stay well under the TA's memory
MAX_TEST_FIGURES = 20  # figures kept per test, notes included
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
BASE64 = re.compile(r"[A-Za-z0-9+/]*={0,2}")


def _points(values: Any, limit: int) -> list:
    array = np.asarray(values, dtype=np.float64)
    if len(array) > limit:
        array = array[np.linspace(0, len(array) - 1, max(limit, 1)).astype(int)]
    with np.errstate(over="ignore"):
        rounded = array.round(6)  # before the finite check: 1.7e308 rounds to inf
    return np.where(np.isfinite(rounded), rounded, 0.0).tolist()


def _text(value: Any) -> str:
    return str(value)[:MAX_TEXT]


def compact(figure: dict[str, Any]) -> dict[str, Any]:
    """A figure description as plain JSON (arrays to lists, thinned to MAX_FIGURE_POINTS in all, text
    and counts capped: the description comes from the student's worker and may be hostile)."""
    axes_in = list(figure.get("axes", []))[:MAX_SETS]
    sets = sum(len(list(ax.get("lines", []))[:MAX_SETS]) + len(list(ax.get("collections", []))[:MAX_SETS])
               for ax in axes_in)
    limit = min(MAX_POINTS, MAX_FIGURE_POINTS // max(sets, 1))
    axes = []
    for ax in axes_in:
        axes.append({**{k: _text(ax.get(k, "")) for k in ("title", "xlabel", "ylabel")},
                     "legend": [_text(t) for t in list(ax.get("legend", []))[:MAX_SETS]],
                     "lines": [{"label": _text(line.get("label", "")), "x": _points(line.get("x", []), limit),
                                "y": _points(line.get("y", []), limit), "marker": _text(line.get("marker", "")),
                                "linestyle": _text(line.get("linestyle", "-")), "color": _text(line.get("color", ""))}
                               for line in list(ax.get("lines", []))[:MAX_SETS]],
                     "collections": [{"label": _text(c.get("label", "")), "offsets": _points(c.get("offsets", []), limit)}
                                     for c in list(ax.get("collections", []))[:MAX_SETS]]})
    return {"suptitle": _text(figure.get("suptitle", "")), "axes": axes}


def checked_png(value: Any) -> tuple[bytes | None, str]:
    """The worker's PNG if it is one within the caps (else None), and why not."""
    if isinstance(value, str):
        return None, _text(value)
    if not isinstance(value, np.ndarray) or value.dtype != np.uint8 or value.ndim != 1:
        return None, "no picture was sent"
    data = value.tobytes()
    if len(data) > MAX_PNG_BYTES or not data.startswith(PNG_SIGNATURE):
        return None, f"not kept: not a PNG of at most {MAX_PNG_BYTES} bytes"
    from PIL import Image

    too_big = f"not kept: more than {MAX_PNG_PIXELS} pixels"
    try:
        with Image.open(io.BytesIO(data)) as image:  # reads the header only
            width, height = image.size
            if image.format != "PNG" or width * height > MAX_PNG_PIXELS:
                return None, too_big
            image.verify()
    except Image.DecompressionBombError:
        return None, too_big
    except Exception:  # Pillow raises many kinds on a malformed file
        return None, "not kept: the PNG is malformed"
    return data, ""


@dataclass
class FigureBudget:
    """PNG bytes still allowed for one submission (one per grading run)."""

    left: int = MAX_SUBMISSION_FIGURE_BYTES


def keep(figure: dict[str, Any], budget: FigureBudget, test_bytes: int) -> dict[str, Any]:
    """What results.json keeps of one figure: its PNG (base64), or else a note and the compact
    description to redraw; either counts against the budgets of the test and of the submission
    (PNG bytes, or the description's JSON size), and what is over them is kept as a note only."""
    data, why = checked_png(figure.get("png"))
    if data is not None:
        kept: dict[str, Any] = {"png": base64.b64encode(data).decode("ascii"), "bytes": len(data)}
    else:
        description = compact(figure)
        kept = {"note": why, **description, "bytes": len(json.dumps(description))}
    if kept["bytes"] > budget.left or test_bytes + kept["bytes"] > MAX_TEST_FIGURE_BYTES:
        return {"note": "not kept: this submission's figures are over their size budget", "bytes": 0}
    budget.left -= kept["bytes"]
    return kept


class FigureRecorder:
    """The `student` a hidden test sees: the StudentProxy itself, except that every figure one of
    its calls returns is also kept in `figures` (see `keep`)."""

    def __init__(self, student: Any, figures: list[dict[str, Any]], budget: FigureBudget | None = None) -> None:
        self._student = student
        self._figures = figures
        self._budget = budget or FigureBudget()

    def call(self, name: str, *args: Any, **kwargs: Any) -> Any:
        value = self._student.call(name, *args, **kwargs)
        if isinstance(value, dict) and value.get("__kind__") == "figure" and len(self._figures) < MAX_TEST_FIGURES:
            try:
                self._figures.append(keep(value, self._budget, sum(f.get("bytes", 0) for f in self._figures)))
            except Exception:  # a malformed (or hostile) description: the test judges it, not the recorder
                pass
        return value

    def __getattr__(self, name: str) -> Any:
        return getattr(self._student, name)


def data_uri(figure: dict[str, Any]) -> str | None:
    """The stored PNG as a data: URI, if the stored text is plain base64 within the cap (an attribute
    value it cannot break out of)."""
    text = figure.get("png")
    if isinstance(text, str) and len(text) <= 2 * MAX_PNG_BYTES and BASE64.fullmatch(text):
        return "data:image/png;base64," + text
    return None


def _colour(text: str) -> str | None:
    from matplotlib.colors import is_color_like

    return text if text and is_color_like(text) else None


def _marker(text: str) -> str | None:
    """Only matplotlib's plain markers: a stored "$...$" would make the TA's matplotlib typeset it."""
    from matplotlib.lines import Line2D

    return text if text in Line2D.markers and text not in ("None", "none", "", " ") else None


def _draw(ax: Any, desc: dict[str, Any]) -> None:
    for line in desc.get("lines", []):
        style = line.get("linestyle") if line.get("linestyle") in LINESTYLES else "none"
        ax.plot(line.get("x", []), line.get("y", []), marker=_marker(str(line.get("marker", ""))), linestyle=style,
                color=_colour(str(line.get("color", ""))), label=_text(line.get("label", "")))
    for coll in desc.get("collections", []):
        offsets = np.asarray(coll.get("offsets", []), dtype=float).reshape(-1, 2)
        ax.scatter(offsets[:, 0], offsets[:, 1], s=8, label=_text(coll.get("label", "")))
    for setter, key in ((ax.set_title, "title"), (ax.set_xlabel, "xlabel"), (ax.set_ylabel, "ylabel")):
        setter(_text(desc.get(key, "")), parse_math=False)
    if desc.get("legend"):
        for text in ax.legend(fontsize=7).get_texts():
            text.set_parse_math(False)


def render(figure: dict[str, Any]) -> str | None:
    """A stored description drawn again, as a data: URI of a PNG; None when it cannot be drawn (the
    page then says so instead of failing). Student text is never parsed as mathtext, and the
    canvas keeps its size (no `bbox_inches="tight"`, which grows it to fit a huge text box)."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    axes = figure.get("axes", []) or [{}]
    try:
        fig = Figure(figsize=(4.5 * min(len(axes), 4), 3.6))
        for index, desc in enumerate(axes[:4], start=1):
            _draw(fig.add_subplot(1, min(len(axes), 4), index), desc)
        if figure.get("suptitle"):
            fig.suptitle(_text(figure["suptitle"]), parse_math=False)
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", dpi=80)
    except (Exception, MemoryError):  # stored data from a hostile worker: the page goes on without it
        return None
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")
