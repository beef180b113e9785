"""Worker side: turn whatever the student returned into plain data for the wire.

Tensors become numpy arrays with their dtype and device recorded; matplotlib figures become a
description of what is drawn (lines, scatter points, labels, legend) plus a size-capped PNG of the
figure as the student's own code drew it (for the TA's feedback page); anything else without a
plain form becomes an Opaque with its type name. Runs inside the worker, so it must never trust
the values it converts (a hostile __array__ or __eq__ is never called).
"""

from __future__ import annotations

import io
import math
import sys
from typing import Any

import numpy as np
from wire import ALLOWED_DTYPES, Opaque, TensorData

MAX_DEPTH = 6
MAX_ITEMS = 100_000
# The PNG of a figure: the grader refuses anything larger (autograder/grading/figures.py holds the
# same caps and checks them again, as this process is the student's).
MAX_PNG_PIXELS = 1_200_000  # 1280x937, or 1000x1200
MAX_PNG_BYTES = 250_000
PNG_DPI = 100  # matplotlib's default, as on the student's own screen
MAX_RENDER_POINTS = 1_000_000  # a figure holding more is described but not drawn: drawing it takes seconds
MAX_DESCRIBED_POINTS = 500_000  # a figure holding more is described thinned (8 MB of coordinates)
MAX_MATH_TEXT = 120  # mathtext longer than this, or larger than MAX_MATH_POINTS, is drawn as plain
MAX_MATH_POINTS = 100  # text: it could ask the renderer for a huge box


def _tensor_to_plain(value: Any) -> Any:
    """The tensor's own data, read without running the student's code: a subclass's
    __torch_function__ is switched off, and one with __torch_dispatch__ (whose every operation is
    student code) is not read at all."""
    torch = sys.modules["torch"]
    kind = type(value)
    if getattr(kind, "__torch_dispatch__", None) is not getattr(torch.Tensor, "__torch_dispatch__", None):
        return Opaque(f"{kind.__module__}.{kind.__qualname__}", "a tensor subclass with __torch_dispatch__")
    with torch._C.DisableTorchFunctionSubclass():
        detached = torch.Tensor.detach(value)
        if type(detached) is not torch.Tensor:
            return Opaque(f"{kind.__module__}.{kind.__qualname__}", "a tensor subclass that could not be read")
        dtype, device = str(detached.dtype), str(detached.device)
        requires_grad = bool(torch.Tensor.requires_grad.__get__(value))
        cpu = detached.to("cpu")
        if cpu.dtype == torch.bfloat16:
            cpu = cpu.float()
        try:
            array = np.array(cpu.numpy(), copy=True)
        except (TypeError, RuntimeError) as exc:
            return Opaque(f"torch.Tensor[{dtype}]", str(exc)[:200])
    return TensorData(array, dtype, device, requires_grad)


def _is_exact(value: Any, *types: type) -> bool:
    return type(value) in types


def to_plain(value: Any, depth: int = 0) -> Any:
    """Convert a returned value; never calls methods the student may have overridden."""
    if depth > MAX_DEPTH:
        return Opaque("nested", "too deeply nested")
    if value is None or _is_exact(value, bool, int, float, str):
        return value
    if isinstance(value, np.generic) and type(value).__module__ == "numpy":
        return value if value.dtype.name in ALLOWED_DTYPES else Opaque(type(value).__name__, "")
    if isinstance(value, np.ndarray):
        # A subclass may lie in __eq__ or __array__; its raw bytes cannot.
        base = np.ndarray.view(value, np.ndarray)
        if base.dtype.name in ALLOWED_DTYPES:
            return np.array(base, copy=True)
        if base.dtype == object and base.size <= MAX_ITEMS:
            try:
                return np.array(base.tolist(), dtype=np.float64)
            except (TypeError, ValueError):
                pass
        return Opaque(f"numpy.ndarray[{base.dtype}]", f"shape {base.shape}")
    torch = sys.modules.get("torch")
    if torch is not None and isinstance(value, torch.Tensor):
        return _tensor_to_plain(value)
    if torch is not None and isinstance(value, torch.device):
        return Opaque("torch.device", str(value))
    if _is_exact(value, list, tuple):
        if len(value) > MAX_ITEMS:
            return Opaque(type(value).__name__, f"{len(value)} items")
        items = [to_plain(v, depth + 1) for v in value]
        return tuple(items) if isinstance(value, tuple) else items
    if _is_exact(value, dict) and all(_is_exact(k, str) for k in value):
        return {k: to_plain(v, depth + 1) for k, v in value.items()}
    figure = _figure_module()
    if figure is not None and isinstance(value, figure.Figure):
        return describe_figure(value)
    name = type(value).__module__ + "." + type(value).__qualname__
    return Opaque(name, _safe_repr(value))


def _safe_repr(value: Any) -> str:
    try:
        text = object.__repr__(value)
    except Exception:
        text = "<object>"
    return text[:200]


def _figure_module() -> Any:
    return sys.modules.get("matplotlib.figure")


def _colour(artist_colour: Any) -> str:
    try:
        from matplotlib.colors import to_hex
        return to_hex(artist_colour)
    except Exception:
        return "?"


def _thinned(axes: list[dict[str, Any]]) -> None:
    """Every drawn set cut to an even share of MAX_DESCRIBED_POINTS (first and last points kept) when
    the figure holds more: an honest plot holds far fewer, and a 2000x3000 one must not cost the
    grader gigabytes or overflow the wire."""
    sets = [(line, ("x", "y")) for ax in axes for line in ax["lines"]] + \
           [(coll, ("offsets",)) for ax in axes for coll in ax["collections"]]
    if sum(len(item[keys[0]]) for item, keys in sets) <= MAX_DESCRIBED_POINTS:
        return
    share = max(2, MAX_DESCRIBED_POINTS // len(sets))
    for item, keys in sets:
        if len(item[keys[0]]) > share:
            keep = np.linspace(0, len(item[keys[0]]) - 1, share).astype(int)
            for key in keys:
                item[key] = item[key][keep]


def describe_figure(fig: Any) -> dict[str, Any]:
    """What a grader needs to judge a plot: per axes, its lines, scatter sets, labels and legend."""
    axes = []
    for ax in fig.get_axes():
        legend = ax.get_legend()
        lines = [{"label": str(line.get_label()),
                  "x": np.asarray(line.get_xdata(), dtype=np.float64),
                  "y": np.asarray(line.get_ydata(), dtype=np.float64),
                  "marker": str(line.get_marker()), "linestyle": str(line.get_linestyle()),
                  "color": _colour(line.get_color())} for line in ax.get_lines()]
        collections = []
        for coll in ax.collections:
            try:
                offsets = np.asarray(coll.get_offsets(), dtype=np.float64).reshape(-1, 2)
            except Exception:
                offsets = np.zeros((0, 2))
            collections.append({"label": str(coll.get_label()), "offsets": offsets,
                                "type": type(coll).__name__})
        axes.append({"title": ax.get_title(), "xlabel": ax.get_xlabel(), "ylabel": ax.get_ylabel(),
                     "legend": [t.get_text() for t in legend.get_texts()] if legend else [],
                     "lines": lines, "collections": collections})
    drawn = sum(len(line["x"]) for ax in axes for line in ax["lines"]) + \
        sum(len(c["offsets"]) for ax in axes for c in ax["collections"])
    _thinned(axes)
    return {"__kind__": "figure", "suptitle": fig._suptitle.get_text() if fig._suptitle else "",
            "axes": axes, "png": figure_png(fig, drawn)}


def _tame_texts(fig: Any) -> None:
    """Long mathtext (`$\\sum\\sum...$`) drawn as plain text, so a title cannot make the renderer
    allocate gigabytes; short formulas (`$\\mu_k$`) stay as the student wrote them."""
    from matplotlib.text import Text

    for text in fig.findobj(Text):
        if "$" in text.get_text() and (len(text.get_text()) > MAX_MATH_TEXT or text.get_fontsize() > MAX_MATH_POINTS):
            text.set_parse_math(False)


def figure_png(fig: Any, points: int) -> Any:
    """The figure as PNG bytes (a uint8 array) at the student's figure size, or a string saying why
    not. Pixels are capped by lowering the resolution, bytes by lowering it again; never
    `bbox_inches="tight"`, which grows the canvas to fit whatever the student's text asks for."""
    if points > MAX_RENDER_POINTS:
        return f"not drawn: {points} points is more than {MAX_RENDER_POINTS}"
    try:
        width, height = (float(v) for v in fig.get_size_inches())
        if not (math.isfinite(width * height) and width * height > 0):
            return "not drawn: the figure has no size"
        dpi = min(PNG_DPI, math.sqrt(MAX_PNG_PIXELS / (width * height)))
        _tame_texts(fig)
        from matplotlib import rc_context

        for _ in range(4):
            buffer = io.BytesIO()
            with rc_context({"savefig.bbox": "standard"}):  # the student's rcParams may ask for "tight"
                fig.savefig(buffer, format="png", dpi=dpi)
            data = buffer.getvalue()
            if len(data) <= MAX_PNG_BYTES:
                return np.frombuffer(data, dtype=np.uint8).copy()
            dpi *= 0.7
        return f"not drawn: the PNG stays above {MAX_PNG_BYTES} bytes"
    except (Exception, MemoryError) as exc:  # the student's figure: anything may fail, grading goes on
        return f"not drawn: {type(exc).__name__}: {str(exc)[:100]}"
