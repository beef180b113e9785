"""The figures a submission drew, kept with its results and drawn again for the TA.

Why: "why did I lose the plot points?" is answered by looking at the plot. The worker sends a
figure as a description (convert.describe_figure: lines, scatter sets, labels, legend); the grader
keeps a compact JSON copy in the test's extra_data and the class report redraws it with
matplotlib, without running the student's code again.
"""

from __future__ import annotations

import base64
import io
from typing import Any

import numpy as np

MAX_POINTS = 2000  # per drawn set: enough to see the plot, small enough for results.json
MAX_SETS = 50  # axes per figure, lines or scatter sets per axes: a hostile figure stays small
MAX_TEXT = 200
LINESTYLES = ("-", "--", "-.", ":")


def _points(values: Any) -> list:
    array = np.asarray(values, dtype=np.float64)
    if len(array) > MAX_POINTS:
        array = array[np.linspace(0, len(array) - 1, MAX_POINTS).astype(int)]
    return np.where(np.isfinite(array), array, 0.0).round(6).tolist()


def _text(value: Any) -> str:
    return str(value)[:MAX_TEXT]


def compact(figure: dict[str, Any]) -> dict[str, Any]:
    """A figure description as plain JSON (arrays to lists, long ones thinned, text and counts
    capped: the description comes from the student's worker and may be hostile)."""
    axes = []
    for ax in list(figure.get("axes", []))[:MAX_SETS]:
        axes.append({**{k: _text(ax.get(k, "")) for k in ("title", "xlabel", "ylabel")},
                     "legend": [_text(t) for t in list(ax.get("legend", []))[:MAX_SETS]],
                     "lines": [{"label": _text(line.get("label", "")), "x": _points(line.get("x", [])),
                                "y": _points(line.get("y", [])), "marker": _text(line.get("marker", "")),
                                "linestyle": _text(line.get("linestyle", "-")), "color": _text(line.get("color", ""))}
                               for line in list(ax.get("lines", []))[:MAX_SETS]],
                     "collections": [{"label": _text(c.get("label", "")), "offsets": _points(c.get("offsets", []))}
                                     for c in list(ax.get("collections", []))[:MAX_SETS]]})
    return {"suptitle": _text(figure.get("suptitle", "")), "axes": axes}


class FigureRecorder:
    """The `student` a hidden test sees: the StudentProxy itself, except that every figure one of
    its calls returns is also kept (compact) in `figures`."""

    def __init__(self, student: Any, figures: list[dict[str, Any]]) -> None:
        self._student = student
        self._figures = figures

    def call(self, name: str, *args: Any, **kwargs: Any) -> Any:
        value = self._student.call(name, *args, **kwargs)
        if isinstance(value, dict) and value.get("__kind__") == "figure":
            try:
                self._figures.append(compact(value))
            except Exception:  # a malformed (or hostile) description: the test judges it, not the recorder
                pass
        return value

    def __getattr__(self, name: str) -> Any:
        return getattr(self._student, name)


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
                color=_colour(str(line.get("color", ""))), label=str(line.get("label", "")))
    for coll in desc.get("collections", []):
        offsets = np.asarray(coll.get("offsets", []), dtype=float).reshape(-1, 2)
        ax.scatter(offsets[:, 0], offsets[:, 1], s=8, label=str(coll.get("label", "")))
    ax.set_title(str(desc.get("title", "")))
    ax.set_xlabel(str(desc.get("xlabel", "")))
    ax.set_ylabel(str(desc.get("ylabel", "")))
    if desc.get("legend"):
        ax.legend(fontsize=7)


def render(figure: dict[str, Any]) -> str | None:
    """The figure drawn again, as a data: URI of a PNG; None when the stored description cannot be
    drawn (the report then says so instead of failing)."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    axes = figure.get("axes", []) or [{}]
    fig = Figure(figsize=(4.5 * min(len(axes), 4), 3.6))
    try:
        for index, desc in enumerate(axes[:4], start=1):
            _draw(fig.add_subplot(1, min(len(axes), 4), index), desc)
        if figure.get("suptitle"):
            fig.suptitle(str(figure["suptitle"]))
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", dpi=80, bbox_inches="tight")
    except (TypeError, ValueError, KeyError, AttributeError, RuntimeError):
        return None
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")
