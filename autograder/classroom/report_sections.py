"""The sections of report.html: score histograms, one section per task, the causes of failures.

Why per task: a TA reads a class task by task ("who got k-means wrong, and why"), with each test's
full name, its pass rate among the submissions it ran on (a test skipped everywhere, such as the
GPU one without a GPU, says "skipped", never 0 %), and the task's score histogram. Only graded
submissions count: an empty or unreadable one says nothing about a test. Charts are plain HTML
and CSS (no image to decode, crisp at any zoom, a tooltip with each bar's count).
"""

from __future__ import annotations

import html
from typing import Any

import numpy as np

from autograder.classroom.failure_causes import group
from autograder.classroom.feedback_page import is_skipped
from autograder.classroom.gradebook import Row, column_title
from autograder.classroom.html_page import markdown, markdown_inline
from autograder.course.rubric import Rubric

OTHER = "other"  # tests a stored result holds but the rubric no longer has
MAX_CAUSES = 40
SHOWN_TESTS = 3  # per cause; the others on demand
STYLE = (".hist{margin:.5em 0 1em}.bars{display:flex;align-items:flex-end;height:110px;gap:1px;max-width:40em;"
         "border-bottom:1px solid #888}.bars span{flex:1;background:#4a78b0;min-height:1px}"
         ".axis{display:flex;justify-content:space-between;max-width:40em;font-size:80%;color:#555}"
         ".rate{display:inline-block;height:.8em;background:#5a9a5a;vertical-align:middle}"
         ".ratebox{display:inline-block;width:10em;background:#eee;margin-right:.5em}")


def graded(rows: list[Row]) -> list[Row]:
    return [r for r in rows if r.graded]


def task_groups(ids: list[str], rubric: Rubric) -> list[tuple[str, list[str]]]:
    """(task, its test ids) in the assignment's order; ids of no known task last, as "other"."""
    order = list(rubric.tasks) or list(dict.fromkeys(rubric.entries[i].task for i in ids if i in rubric.entries))
    groups: dict[str, list[str]] = {task: [] for task in order}
    for tid in ids:
        entry = rubric.entry(tid)
        groups.setdefault(entry.task if entry is not None and entry.task in groups else OTHER, []).append(tid)
    return [(task, tests) for task, tests in groups.items() if tests]


def task_title(task: str, rubric: Rubric) -> str:
    return f"Task {rubric.tasks.index(task) + 1}: {task}" if task in rubric.tasks else task


def max_points(ids: list[str], rubric: Rubric) -> float:
    return sum(rubric.entries[i].points for i in ids if i in rubric.entries)


def earned(row: Row, ids: list[str]) -> float:
    tests = row.tests()
    return sum(float(tests[i].get("score", 0) or 0) for i in ids if i in tests)


def histogram(values: list[float], top: float, what: str) -> str:
    """Bars of how many submissions scored in each band of 0..top (at most 20 bands)."""
    top = max(float(top), 1.0)
    bands = min(20, max(1, int(round(top))))
    counts, edges = np.histogram(np.clip(values, 0, top), bins=bands, range=(0, top))
    tallest = max(int(counts.max()) if len(values) else 0, 1)
    bars = "".join(f'<span style="height:{100 * n / tallest:.1f}%" data-count="{n}" '
                   f'title="{edges[i]:g} to {edges[i + 1]:g}: {n} submission{"s" * (n != 1)}"></span>'
                   for i, n in enumerate(counts.tolist()))
    return (f'<figure class="hist" aria-label="{html.escape(what)}"><div class="bars">{bars}</div>'
            f'<div class="axis"><span>0</span><span>{html.escape(what)}; tallest bar {tallest}</span>'
            f"<span>{top:g}</span></div></figure>")


def pass_rate(tables: list[dict[str, dict[str, Any]]], tid: str) -> tuple[float | None, int, int]:
    """(share passing among the submissions, given by their tests, where the test ran; how many it
    ran on; how many it was skipped on)."""
    found = [t[tid] for t in tables if tid in t]
    ran = [t for t in found if not is_skipped(t)]
    share = sum(t.get("status") == "passed" for t in ran) / len(ran) if ran else None
    return share, len(ran), len(found) - len(ran)


def _rate_cell(share: float | None, ran: int, skipped: int) -> str:
    if share is None and not skipped:
        return "<td data-sort='-2'>not graded yet</td>"
    if share is None:
        return "<td class='skipped' data-sort='-1'>skipped" + (f" ({skipped})" if skipped else "") + "</td>"
    note = f", skipped in {skipped}" if skipped else ""
    return (f"<td data-sort='{share:.4f}'><span class='ratebox'><span class='rate' style='width:{100 * share:.1f}%'>"
            f"</span></span>{100 * share:.0f}% of {ran}{note}</td>")


def task_section(task: str, ids: list[str], rows: list[Row], rubric: Rubric) -> str:
    """One task: its score histogram, then each test with its full name, points and pass rate."""
    counted = graded(rows)
    top = max_points(ids, rubric)
    scores = [earned(r, ids) for r in counted]
    mean = f"; mean {np.mean(scores):.1f}" if scores else ""
    tables = [r.tests() for r in counted]
    body = []
    for tid in ids:
        entry = rubric.entry(tid)
        name = column_title(tid, rubric) if entry else f"{tid} (not in the rubric)"
        body.append(f"<tr><td>{html.escape(name)}</td><td>{f'{entry.points:g}' if entry else ''}</td>"
                    f"{_rate_cell(*pass_rate(tables, tid))}</tr>")
    return (f"<section class='task' id='task-{html.escape(task)}'><h3>{html.escape(task_title(task, rubric))}"
            f" ({top:g} points{mean})</h3>"
            + histogram(scores, top, f"{task} scores of {len(counted)} graded submissions")
            + "<table class='tests'><thead><tr><th>test</th><th>points</th><th>passed</th></tr></thead>"
            + "<tbody>" + "".join(body) + "</tbody></table></section>")


def causes_section(rows: list[Row], rubric: Rubric) -> str:
    """The causes of failures across every test, widest-reaching first, each with an example."""
    failures = [(r.name, column_title(tid, rubric), str(t.get("output", ""))) for r in graded(rows)
                for tid, t in r.tests().items() if t.get("status") != "passed" and not is_skipped(t)]
    causes = group(failures)
    if not causes:
        return "<h2>Causes of failures</h2><p>No test failed in a graded submission.</p>"
    items = []
    for found in causes[:MAX_CAUSES]:
        tests = [f"{html.escape(t)} ({n})" for t, n in found.tests.most_common()]
        shown = "<br>".join(tests[:SHOWN_TESTS]) + (f"<details><summary>{len(tests) - SHOWN_TESTS} more tests</summary>"
                                                     + "<br>".join(tests[SHOWN_TESTS:]) + "</details>"
                                                     if len(tests) > SHOWN_TESTS else "")
        items.append(f"<tr><td>{markdown_inline(found.text)}</td><td>{len(found.submissions)}</td><td>{found.failures}</td>"
                     f"<td>{shown}</td><td><details><summary>example</summary>{markdown(found.example)}</details></td></tr>")
    more = f"<p>{len(causes) - MAX_CAUSES} rarer causes not shown.</p>" if len(causes) > MAX_CAUSES else ""
    return ("<h2>Causes of failures</h2><p>Each failing test's first line, with numbers, values and code masked "
            "(…, N), grouped across tests.</p><table id='causes'><thead><tr><th>cause</th><th>submissions</th>"
            f"<th>failures</th><th>tests</th><th>message</th></tr></thead><tbody>{''.join(items)}</tbody></table>{more}")
