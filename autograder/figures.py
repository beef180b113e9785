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


def _points(values: Any) -> list:
    array = np.asarray(values, dtype=np.float64)
    if len(array) > MAX_POINTS:
        array = array[np.linspace(0, len(array) - 1, MAX_POINTS).astype(int)]
    return np.where(np.isfinite(array), array, 0.0).round(6).tolist()


def compact(figure: dict[str, Any]) -> dict[str, Any]:
    """A figure description as plain JSON (arrays to lists, long ones thinned)."""
    axes = []
    for ax in figure.get("axes", []):
        axes.append({**{k: str(ax.get(k, "")) for k in ("title", "xlabel", "ylabel")},
                     "legend": [str(t) for t in ax.get("legend", [])],
                     "lines": [{"label": str(line.get("label", "")), "x": _points(line.get("x", [])),
                                "y": _points(line.get("y", [])), "marker": str(line.get("marker", "")),
                                "linestyle": str(line.get("linestyle", "-")), "color": str(line.get("color", ""))}
                               for line in ax.get("lines", [])],
                     "collections": [{"label": str(c.get("label", "")), "offsets": _points(c.get("offsets", []))}
                                     for c in ax.get("collections", [])]})
    return {"suptitle": str(figure.get("suptitle", "")), "axes": axes}


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
            except (TypeError, ValueError):  # a malformed description: the test says so itself
                pass
        return value

    def __getattr__(self, name: str) -> Any:
        return getattr(self._student, name)


def _colour(text: str) -> str | None:
    from matplotlib.colors import is_color_like

    return text if text and is_color_like(text) else None


def render(figure: dict[str, Any]) -> str:
    """The figure drawn again, as a data: URI of a PNG."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    axes = figure.get("axes", []) or [{}]
    fig = Figure(figsize=(4.5 * len(axes), 3.6))
    for index, desc in enumerate(axes, start=1):
        ax = fig.add_subplot(1, len(axes), index)
        for line in desc.get("lines", []):
            marker = line.get("marker") if line.get("marker") not in ("", "None", "none") else None
            style = line.get("linestyle") if line.get("linestyle") not in ("", "None", "none") else ""
            ax.plot(line.get("x", []), line.get("y", []), marker=marker, linestyle=style or "none",
                    color=_colour(line.get("color", "")), label=line.get("label", ""))
        for coll in desc.get("collections", []):
            offsets = np.asarray(coll.get("offsets", []), dtype=float).reshape(-1, 2)
            ax.scatter(offsets[:, 0], offsets[:, 1], s=8, label=coll.get("label", ""))
        ax.set_title(desc.get("title", ""))
        ax.set_xlabel(desc.get("xlabel", ""))
        ax.set_ylabel(desc.get("ylabel", ""))
        if desc.get("legend"):
            ax.legend(fontsize=7)
    if figure.get("suptitle"):
        fig.suptitle(figure["suptitle"])
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=80, bbox_inches="tight")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")
