"""One submission's feedback page (feedback/<name>.html): what the student reads on Gradescope.

Why: "why did I lose points?" is answered without running anything. First where points were lost
(test, points lost, the first line of why), then the summary and every test as Gradescope shows
them (Markdown rendered, not raw), with the figures as the student's own code drew them (the PNGs
the worker saved, see autograder/grading/figures.py). Every string on it may be the student's.
"""

from __future__ import annotations

import html
from typing import Any

from autograder.classroom.gradebook import Row
from autograder.classroom.html_page import first_line, markdown, markdown_inline, page
from autograder.grading.figures import data_uri, render


def is_skipped(test: dict[str, Any]) -> bool:
    """A test that did not apply (the GPU one without a GPU): marked by the plugin in extra_data,
    never read from the output, whose text a submission can shape ("Skipped: ...")."""
    extra = test.get("extra_data")
    return isinstance(extra, dict) and extra.get("skipped") is True


def _number(value: Any) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return 0.0


def points_lost(test: dict[str, Any]) -> float:
    """Points a test did not earn; 0 for a skipped one (not the student's loss)."""
    return 0.0 if is_skipped(test) else max(0.0, _number(test.get("max_score")) - _number(test.get("score")))


def _title(test: dict[str, Any]) -> str:
    return f"{test.get('number', '')} {test.get('name', '')}".strip()


def _anchor(index: int) -> str:
    return f"test-{index}"


def _lost_points(tests: list[dict[str, Any]]) -> str:
    lost = [(i, t) for i, t in enumerate(tests) if points_lost(t) > 0]
    if not lost:
        return "<h2>Where you lost points</h2><p>Nowhere: every graded test earned its points.</p>"
    rows = "".join(f'<tr><td><a href="#{_anchor(i)}">{html.escape(_title(t))}</a></td>'
                   f'<td class="points">-{points_lost(t):g}</td><td>{markdown_inline(first_line(t.get("output", "")))}</td></tr>'
                   for i, t in lost)
    return ("<h2>Where you lost points</h2><table class='lost' id='lost'><thead><tr><th>test</th><th>points lost</th>"
            f"<th>why (first line)</th></tr></thead><tbody>{rows}</tbody></table>")


def _members(row: Row) -> str:
    people = []
    for person in row.submitters:
        words = [html.escape(str(person.get("name", "")))]
        if person.get("email"):
            words.append(f"&lt;{html.escape(str(person['email']))}&gt;")
        if person.get("sid"):
            words.append(f"(SID {html.escape(str(person['sid']))})")
        people.append(f"<li>{' '.join(w for w in words if w)}</li>")
    return f"<ul class='members'>{''.join(people) or '<li>(no name)</li>'}</ul>"


def _figures(test: dict[str, Any]) -> str:
    parts = []
    for figure in test.get("extra_data", {}).get("figures", []):
        if not isinstance(figure, dict):
            continue
        uri = data_uri(figure) or (render(figure) if figure.get("axes") is not None else None)
        if uri:
            parts.append(f'<img class="figure" alt="figure drawn by the submission" src="{uri}">')
        note = figure.get("note")
        if note or not uri:
            parts.append(f"<p><em>(figure {html.escape(str(note or 'recorded but cannot be drawn'))}"
                         f"{'; redrawn from its data' if uri else ''})</em></p>")
    return "".join(parts)


def _test(index: int, test: dict[str, Any]) -> str:
    skipped = is_skipped(test)
    score = "skipped" if skipped else f"{_number(test.get('score')):g}/{_number(test.get('max_score')):g}"
    seen = str(test.get("visibility", "visible"))
    return (f"<section class='test{' skipped' if skipped else ''}' id='{_anchor(index)}'>"
            f"<h3>{html.escape(_title(test))}: {score}</h3>"
            + (f"<p><em>visibility: {html.escape(seen)}</em></p>" if seen != "visible" else "")
            + f"<div class='message'>{markdown(test.get('output', ''))}</div>{_figures(test)}</section>")


def feedback_page(row: Row) -> str:
    """The page: where points were lost, who handed it in, the summary, then every test."""
    document = row.document
    tests = [t for t in document.get("tests", []) if isinstance(t, dict)]
    max_total = sum(_number(t.get("max_score")) for t in tests)
    body = ['<p><a href="../report.html">back to the class</a></p>',
            f"<h1>{html.escape(row.name)}: {row.total:g}/{max_total:g}</h1>", _members(row),
            f"<p>Status: {html.escape(row.status)}</p>", _lost_points(tests),
            f"<h2>Summary</h2><div class='message summary'>{markdown(document.get('output', ''))}</div>",
            "<h2>All tests</h2>", *(_test(i, t) for i, t in enumerate(tests))]
    return page(f"Feedback: {row.name}", "".join(body))


def safe_feedback_page(row: Row) -> str:
    """The page, or, when a stored result is beyond reading, a page that says so: one broken
    result must not cost the class report."""
    try:
        return feedback_page(row)
    except (Exception, MemoryError) as exc:
        return page(f"Feedback: {row.name}", f"<h1>{html.escape(row.name)}</h1><p>This submission's stored results "
                    f"could not be shown ({html.escape(type(exc).__name__)}); its results.json is kept as it was.</p>")
