"""The similar-submissions findings as HTML: the class report's section and one side-by-side page per pair.

Why apart from similarity.py: the report (class_report.py, rescore) only reads what grade-all or
`autograder similarity` stored in OUT/similarity.json; it never fingerprints anything. Everything a
student wrote (code, file names, names in the metadata) is hostile text: it is escaped, and code is
shown in <pre> with only our own <mark> around the matching regions.
"""

from __future__ import annotations

import html
import json
import shutil
from pathlib import Path
from typing import Any
from urllib.parse import quote

import numpy as np

from autograder.classroom.batch import private

RESULT_FILE = "similarity.json"
PAGES = "similarity"  # OUT/similarity/<task>-<rank>.html
SECTION_ID = "similar"
STYLE = ("body{font-family:sans-serif;margin:2em;}pre{white-space:pre-wrap;background:#f6f6f6;padding:.5em;"
         "font-size:85%}mark{background:#ffd27a}.side{display:grid;grid-template-columns:1fr 1fr;gap:1em}"
         "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:2px 8px;text-align:left}")
NOT_A_VERDICT = ("A list for a human to review, not a finding of copying: two submissions can be alike through a "
                 "shared idea, a common idiom, the lecture's own code or a permitted group.")


def load(out: Path) -> dict[str, Any] | None:
    """The stored findings (similarity.py's save), or None when there are none or they cannot be read."""
    try:
        data = json.loads((Path(out) / RESULT_FILE).read_text(encoding="utf-8"))
        return data if isinstance(data, dict) else None
    except (OSError, ValueError):
        return None


def _e(value: Any) -> str:
    return html.escape(str(value))


def _percent(value: float) -> str:
    return f"{100 * float(value):.0f}%"


def _who(data: dict[str, Any], name: str) -> str:
    people = data.get("members", {}).get(name, {}).get("who", [])
    return "; ".join(str(p) for p in people)


def page_name(task: str, rank: int) -> str:
    return f"{task}-{rank}.html"


def _threshold_line(data: dict[str, Any]) -> str:
    settings = data.get("settings", {})
    return (f"Listed: pairs at or above {_percent(settings.get('threshold', 0))} similarity "
            f"({_e(data.get('threshold_from', ''))}).")


def _task_table(data: dict[str, Any], task: str, found: dict[str, Any]) -> str:
    pairs = found.get("pairs", [])
    head = (f"<h3>{_e(task)}: {len(pairs) + found.get('more', 0)} pair(s) among {found.get('compared', 0)} "
            "submissions with code of their own</h3>")
    if not pairs:
        return head + "<p>No pair reaches the threshold.</p>"
    rows = []
    for rank, pair in enumerate(pairs, start=1):
        link = f'<a class="side-by-side" href="{PAGES}/{quote(page_name(task, rank))}">side by side</a>'
        rows.append(f"<tr><td>{_percent(max(pair['share_a'], pair['share_b']))}</td><td>{_e(pair['a'])}</td>"
                    f"<td>{_e(_who(data, pair['a']))}</td><td>{_e(pair['b'])}</td><td>{_e(_who(data, pair['b']))}</td>"
                    f"<td>{_percent(pair['share_a'])}</td><td>{_percent(pair['share_b'])}</td><td>{link}</td></tr>")
    more = f"<p>{found['more']} more pair(s) at or above the threshold are not listed.</p>" if found.get("more") else ""
    return (head + f'<table class="similar-pairs" data-task="{_e(task)}"><thead><tr><th>similarity</th>'
            "<th>submission</th><th>handed in by</th><th>submission</th><th>handed in by</th>"
            "<th>first found in second</th><th>second found in first</th><th></th></tr></thead>"
            f"<tbody>{''.join(rows)}</tbody></table>{more}")


def similarity_section(out: Path) -> str:
    """The report's "Similar submissions" section from OUT/similarity.json ("" when there is none)."""
    data = load(out)
    if data is None:
        return ""
    parts = [f'<section id="{SECTION_ID}"><h2>Similar submissions</h2>']
    if not data.get("settings", {}).get("enabled", True):
        return parts[0] + ("<p>Switched off in the assignment file (<code>[similarity] enabled = false</code>); "
                           "<code>autograder similarity OUT</code> lists them anyway.</p></section>")
    parts += [f"<p>{NOT_A_VERDICT} {_threshold_line(data)} Each pair opens a side-by-side view with the "
              "matching regions highlighted.</p>", f"<p><small>Method: {_e(data.get('method', ''))}</small></p>"]
    for task, found in data.get("tasks", {}).items():
        parts.append(_task_table(data, task, found))
    if data.get("notes"):
        parts.append("<p>Not compared:</p><ul>" + "".join(f"<li>{_e(n)}</li>" for n in data["notes"]) + "</ul>")
    return "".join(parts) + "</section>"


def _highlighted(text: str, slices: list[list[int]]) -> str:
    """The text escaped, each matching region in <mark> (copydetect's own highlighter)."""
    from copydetect.utils import highlight_overlap  # here: importing copydetect takes a second

    array = np.array(slices, dtype=np.int64).reshape(2, -1)
    if array.shape[1] == 0:
        return html.escape(text)
    marked, _ = highlight_overlap(text, array, "<mark>", "</mark>", escape_html=True)
    return marked


def pair_page(data: dict[str, Any], task: str, pair: dict[str, Any]) -> str:
    texts = data["tasks"][task]["texts"]
    sides = []
    for side, other in (("a", "b"), ("b", "a")):
        name = pair[side]
        who = _who(data, name)
        sides.append(f'<div class="code" data-submission="{_e(name)}"><h2>{_e(name)}'
                     + (f" ({_e(who)})" if who else "") + "</h2>"
                     f"<p>{_percent(pair['share_' + side])} of its own code for {_e(task)} is found in "
                     f"{_e(pair[other])}.</p>"
                     f"<pre>{_highlighted(texts.get(name, ''), pair['slices_' + side])}</pre></div>")
    title = f"{task}: {pair['a']} and {pair['b']}, {_percent(max(pair['share_a'], pair['share_b']))} similar"
    body = (f'<p><a href="../report.html#{SECTION_ID}">back to the class report</a></p><h1>{_e(title)}</h1>'
            f"<p>{NOT_A_VERDICT} {_threshold_line(data)} Highlighted: the regions found in both.</p>"
            f"<p><small>Method: {_e(data.get('method', ''))}</small></p><div class='side'>{''.join(sides)}</div>")
    return (f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{_e(title)}</title><style>{STYLE}</style>"
            f"</head><body>{body}</body></html>")


def write_pair_pages(out: Path, data: dict[str, Any]) -> int:
    """OUT/similarity/<task>-<rank>.html for every listed pair (old pages removed first); how many."""
    folder = Path(out) / PAGES
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir()
    private(folder)
    written = 0
    for task, found in data.get("tasks", {}).items():
        for rank, pair in enumerate(found.get("pairs", []), start=1):
            page = folder / page_name(task, rank)
            page.write_text(pair_page(data, task, pair), encoding="utf-8")
            private(page)
            written += 1
    return written


def insert_section(page: Path, section: str) -> None:
    """Put `section` at the end of the body of the HTML file `page` (the class report)."""
    if section:
        text = page.read_text(encoding="utf-8")
        cut = text.rfind("</body>")
        page.write_text(text[:cut] + section + text[cut:] if cut >= 0 else text + section, encoding="utf-8")
