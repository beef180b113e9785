"""The TA's HTML pages: one page shell, and the students' Markdown rendered safely.

Why one module: report.html and every feedback page share the shell and its style; the Markdown
students read on Gradescope (the summary, each test's message) is rendered here by markdown-it-py
with raw HTML escaped and images switched off, as every message may carry student text (their
exception's message, their file names): nothing in it may become markup or fetch anything.
"""

from __future__ import annotations

import html
from functools import lru_cache
from typing import Any

STYLE = ("body{font-family:sans-serif;max-width:72em;margin:2em auto;padding:0 1em}table{border-collapse:collapse}"
         "td,th{border:1px solid #ccc;padding:2px 8px;text-align:left;vertical-align:top}th{cursor:pointer}"
         ".skipped{color:#777}pre{white-space:pre-wrap;background:#f6f6f6;padding:.5em}"
         ".message{border-left:3px solid #ddd;padding-left:.8em}.members{list-style:none;padding:0}"
         ".lost td.points{color:#a33;font-weight:bold}img.figure{display:block;margin:.5em 0;max-width:100%}")


def page(title: str, body: str, script: str = "", style: str = "") -> str:
    """A whole self-contained page: nothing fetched, everything inline."""
    return (f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{html.escape(title)}</title>"
            f"<style>{STYLE}{style}</style></head><body>{body}"
            + (f"<script>{script}</script>" if script else "") + "</body></html>")


@lru_cache(maxsize=1)
def _parser() -> Any:
    from markdown_it import MarkdownIt

    # CommonMark with raw HTML off (it is shown as text); no images (they would fetch a URL);
    # markdown-it's own link check already refuses javascript: and data: links.
    return MarkdownIt("commonmark", {"html": False}).disable("image")


def markdown(text: Any) -> str:
    """Markdown (as Gradescope shows it) to safe HTML."""
    return _parser().render(str(text))


def markdown_inline(text: Any) -> str:
    """One line of Markdown (a message's first line) to safe inline HTML."""
    return _parser().renderInline(str(text))


def first_line(text: Any) -> str:
    """The first non-empty line of a message: its cause, as the student reads it first."""
    return next((line.strip() for line in str(text).splitlines() if line.strip()), "")
