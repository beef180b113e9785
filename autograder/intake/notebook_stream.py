"""A notebook's code cells, read from a stream with bounded memory, its outputs dropped unread.

Why: a notebook with many embedded plots weighs tens of MB, nearly all of it outputs that grading
never reads; refusing it ("clear its outputs") cost students whose code would grade, and parsing it
whole (nbformat builds every output) costs the grader several times its size in memory. So intake
streams it with ijson and stages only what grading reads: the format version and each code cell's
source (as an nbformat 4.4 notebook, whatever the version read). Memory is bounded by the largest single JSON string (one output's data; the notebook is at
most MAX_NOTEBOOK_BYTES, the largest upload Gradescope takes), never by the number of outputs.
"""

from __future__ import annotations

import json
from typing import Any, BinaryIO

import ijson

from autograder.intake.source_limits import MAX_NOTEBOOK_BYTES, MAX_SOURCE_FILE_BYTES, size_text

CODE_CAP = 8 * MAX_SOURCE_FILE_BYTES  # code-cell text kept while streaming; the source caps judge it after
CELLS = ("cells.item", "worksheets.item.cells.item")  # nbformat 4, and 3 (whose code is under "input")
SOURCES = {f"{cell}.{key}{item}" for cell in CELLS for key in ("source", "input") for item in ("", ".item")}


class TooLarge(Exception):
    """The stream passed the notebook cap (a zip member that lied about its size)."""


class _Capped:
    """A binary reader that refuses to read past `cap` bytes."""

    def __init__(self, raw: BinaryIO, cap: int) -> None:
        self.raw, self.cap, self.read_bytes = raw, cap, 0

    def read(self, size: int = -1) -> bytes:
        chunk = self.raw.read(size if size is not None and size >= 0 else self.cap + 1)
        self.read_bytes += len(chunk)
        if self.read_bytes > self.cap:
            raise TooLarge()
        return chunk


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def slim_notebook(raw: BinaryIO, label: str, cap: int = MAX_NOTEBOOK_BYTES) -> tuple[bytes | None, str | None, int]:
    """(the notebook with its code cells only and no outputs, as JSON bytes, or None; why not, for the
    student; bytes read). Markdown and raw cells, outputs, attachments and metadata are dropped."""
    stream = _Capped(raw, cap)
    cells: list[dict[str, Any]] = []
    cell: dict[str, Any] | None = None
    kept = 0  # characters of cell text held, over all cells: what bounds the memory besides one string
    has_cells = False
    try:
        for prefix, event, value in ijson.parse(stream, use_float=True):
            if prefix == "" and event == "map_key" and value in ("cells", "worksheets"):
                has_cells = True
            elif prefix in CELLS and event == "start_map":
                cell = {"cell_type": "", "source": []}
            elif prefix in CELLS and event == "end_map" and cell is not None:
                if cell["cell_type"] == "code":
                    cells.append({"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [],
                                  "source": "".join(cell["source"])})
                else:
                    kept -= sum(len(part) for part in cell["source"])
                cell = None
            elif cell is not None and prefix.endswith(".cell_type") and prefix[:-10] in CELLS and event == "string":
                cell["cell_type"] = value
                if value != "code":
                    kept -= sum(len(part) for part in cell["source"])
                    cell["source"] = []
            elif cell is not None and prefix in SOURCES and event == "string" and cell["cell_type"] in ("code", ""):
                cell["source"].append(_text(value))
                kept += len(_text(value))
                if kept > CODE_CAP:
                    return None, (f"`{label}` holds more than {size_text(CODE_CAP)} of code; the limit is "
                                  f"{size_text(MAX_SOURCE_FILE_BYTES)} per notebook; it was not loaded."), stream.read_bytes
    except TooLarge:
        return None, (f"`{label}` is over {size_text(cap)}, the largest notebook the grader reads (the largest "
                      "upload Gradescope takes); it was not loaded."), stream.read_bytes
    except (ijson.JSONError, ijson.IncompleteJSONError, ValueError, UnicodeDecodeError) as exc:
        return None, (f"`{label}` is not a valid notebook ({type(exc).__name__}: {str(exc)[:160]}); open it in "
                      "Jupyter, save it again and resubmit."), stream.read_bytes
    if not has_cells:
        return None, (f"`{label}` is not a valid notebook (it holds no cells); open it in Jupyter, save it again "
                      "and resubmit."), stream.read_bytes
    notebook = {"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 4}  # 4.4: cells need no id
    return json.dumps(notebook).encode("utf-8"), None, stream.read_bytes
