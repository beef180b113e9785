"""The TA's view of a graded class: report.html, one feedback page per submission, and the CSVs.

report.html is one self-contained file (charts as base64 PNGs, a few lines of inline script to sort
and filter the table of all students, no server, nothing fetched). Each submission gets
feedback/<name>.html with what the student reads on Gradescope (the summary, every test's score
and message, its visibility) and the figures their code drew, so "why did I lose points?" is
answered without running anything.
"""

from __future__ import annotations

import base64
import html
import io
from collections import Counter
from pathlib import Path
from typing import Any
from urllib.parse import quote

from autograder.classroom.gradebook import Row, column_title, load_rows, test_columns, write_grades_csv, write_uploads
from autograder.course.rubric import Rubric, load_rubric
from autograder.grading.figures import render

COMMON_FAILURES = 3
FEEDBACK = "feedback"
STYLE = ("body{font-family:sans-serif;max-width:72em;margin:2em auto;padding:0 1em}table{border-collapse:collapse}"
         "td,th{border:1px solid #ccc;padding:2px 8px;text-align:left;vertical-align:top}th{cursor:pointer}"
         ".skipped{color:#777}pre{white-space:pre-wrap;background:#f6f6f6;padding:.5em}")
SCRIPT = """
const table = document.getElementById('students'), filter = document.getElementById('filter');
function applyFilter() {
  const words = filter.value.toLowerCase();
  for (const row of table.tBodies[0].rows) row.hidden = !row.textContent.toLowerCase().includes(words);
}
function sortBy(th) {
  const column = th.cellIndex, up = th.dataset.order !== 'asc';
  for (const other of table.tHead.rows[0].cells) delete other.dataset.order;
  th.dataset.order = up ? 'asc' : 'desc';
  const key = r => { const t = r.cells[column].dataset.sort ?? r.cells[column].textContent;
                     const n = parseFloat(t); return isNaN(n) ? t.toLowerCase() : n; };
  const rows = [...table.tBodies[0].rows].sort((a, b) => (key(a) > key(b) ? 1 : key(a) < key(b) ? -1 : 0)
                                                          * (up ? 1 : -1));
  rows.forEach(r => table.tBodies[0].appendChild(r));
}
filter.addEventListener('input', applyFilter);
table.tHead.addEventListener('click', e => { const th = e.target.closest('th'); if (th) sortBy(th); });
// a view can be shared as a link: report.html#filter=alice&sort=total
const state = new URLSearchParams(location.hash.slice(1));
if (state.get('filter')) { filter.value = state.get('filter'); applyFilter(); }
const wanted = [...table.tHead.rows[0].cells].find(th => th.textContent === state.get('sort'));
if (wanted) sortBy(wanted);
"""


def _page(title: str, body: str, script: str = "") -> str:
    return (f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{html.escape(title)}</title>"
            f"<style>{STYLE}</style></head><body>{body}"
            + (f"<script>{script}</script>" if script else "") + "</body></html>")


def _png(fig: Any) -> str:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=90, bbox_inches="tight")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def is_skipped(test: dict[str, Any]) -> bool:
    """A test that did not apply (the GPU one without a GPU): marked by the plugin in extra_data,
    never read from the output, whose text a submission can shape ("Skipped: ...")."""
    return test.get("extra_data", {}).get("skipped") is True


def pass_rates(rows: list[Row], ids: list[str]) -> dict[str, float | None]:
    """Share of submissions passing each test, among those where it ran; None when it ran nowhere."""
    rates: dict[str, float | None] = {}
    for tid in ids:
        ran = [r.tests()[tid] for r in rows if tid in r.tests() and not is_skipped(r.tests()[tid])]
        rates[tid] = sum(t.get("status") == "passed" for t in ran) / len(ran) if ran else None
    return rates


def _charts(rows: list[Row], ids: list[str], rubric: Rubric) -> tuple[str, str]:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure  # not pyplot: no global state, nothing to close
    from matplotlib.ticker import MaxNLocator

    hist = Figure(figsize=(7, 3.5))
    ax = hist.add_subplot()
    top = max(rubric.total_points, 1)
    ax.hist([r.total for r in rows], bins=min(20, max(1, int(top))), range=(0, top), color="#4a78b0",
            edgecolor="white")
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))  # whole students, never 0.5 of one
    ax.set_xlabel("total score")
    ax.set_ylabel("submissions")
    ax.set_title(f"Scores of {len(rows)} submissions")
    rates = pass_rates(rows, ids)
    bars = Figure(figsize=(8, 0.3 * len(ids) + 1.2))
    ax = bars.add_subplot()
    ax.barh(range(len(ids)), [100 * (rates[i] or 0.0) for i in ids], color="#5a9a5a")
    labels = [column_title(i, rubric)[:60] + (" (skipped)" if rates[i] is None else "") for i in ids]
    ax.set_yticks(range(len(ids)), labels, fontsize=7)
    ax.invert_yaxis()
    ax.set_xlim(0, 100)
    ax.set_xlabel("% of submissions passing")
    ax.set_title("Pass rate per test")
    return _png(hist), _png(bars)


def common_failures(rows: list[Row], limit: int = COMMON_FAILURES) -> dict[str, list[tuple[str, int]]]:
    """Per test id, the most frequent first lines of the output of failing (not skipped) results."""
    counts: dict[str, Counter] = {}
    for row in rows:
        for tid, test in row.tests().items():
            if test.get("status") == "passed" or is_skipped(test):
                continue
            first = next((line.strip() for line in str(test.get("output", "")).splitlines() if line.strip()), "")
            counts.setdefault(tid, Counter())[first] += 1
    return {tid: c.most_common(limit) for tid, c in counts.items()}


def _cell(value: Any, sort: Any = None) -> str:
    extra = f' data-sort="{html.escape(str(sort))}"' if sort is not None else ""
    return f"<td{extra}>{value}</td>"


def _students_table(rows: list[Row], ids: list[str], rubric: Rubric) -> str:
    head = ["submission", "name", "email", "status", "total", "seconds",
            *(f"{rubric.entries[i].number if i in rubric.entries else i}" for i in ids)]
    titles = ["", "", "", "", f"out of {rubric.total_points:g}", "", *(column_title(i, rubric) for i in ids)]
    header = "".join(f'<th title="{html.escape(t)}">{html.escape(h)}</th>' for h, t in zip(head, titles))
    body = []
    for row in rows:
        tests = row.tests()
        link = f'<a href="{FEEDBACK}/{quote(row.name)}.html">{html.escape(row.name)}</a>'
        cells = [_cell(link, row.name), _cell(html.escape(row.joined("name"))), _cell(html.escape(row.joined("email"))),
                 _cell(html.escape(row.status)), _cell(f"{row.total:g}"), _cell(f"{row.seconds:.1f}")]
        for tid in ids:
            test = tests.get(tid)
            text = "" if test is None else "skipped" if is_skipped(test) else f"{float(test['score']):g}"
            cells.append(_cell(text, -1 if test is None or is_skipped(test) else test["score"]))
        body.append(f"<tr>{''.join(cells)}</tr>")
    return (f'<p><input id="filter" placeholder="filter: name, email, status..." size="40"></p>'
            f'<table id="students"><thead><tr>{header}</tr></thead><tbody>{"".join(body)}</tbody></table>')


def render_html(rows: list[Row], rubric: Rubric) -> str:
    ids = test_columns(rows, rubric)
    statuses = Counter(r.status for r in rows)
    parts = [f"<h1>{html.escape(rubric.title)}: class report</h1>",
             f"<p>{len(rows)} submissions; "
             + ", ".join(f"{html.escape(s)}: {n}" for s, n in sorted(statuses.items())) + "</p>"]
    if rows:
        hist, bars = _charts(rows, ids, rubric)
        parts += [f'<h2>Scores</h2><img alt="score histogram" src="{hist}">',
                  f'<h2>Pass rate per test</h2><img alt="pass rate per test" src="{bars}">']
    parts += ["<h2>All submissions</h2><p>Click a column to sort; a name opens what that student was told.</p>",
              _students_table(rows, ids, rubric), "<h2>Most common failure messages</h2>"]
    failures = common_failures(rows)
    for tid in ids:
        if failures.get(tid):
            lines = "".join(f"<tr><td>{n}</td><td>{html.escape(msg)}</td></tr>" for msg, n in failures[tid])
            parts += [f"<h3>{html.escape(column_title(tid, rubric))}</h3>",
                      f"<table><tr><th>count</th><th>first line of the message</th></tr>{lines}</table>"]
    return _page("Class report", "".join(parts), SCRIPT)


def feedback_page(row: Row) -> str:
    """What the student reads on Gradescope, in its order, with the figures their code drew."""
    document = row.document
    max_total = sum(float(t.get("max_score", 0)) for t in document.get("tests", []))
    parts = [f"<h1>{html.escape(row.name)}: {row.total:g}/{max_total:g}</h1>",
             "<p>" + html.escape(" ".join(filter(None, [row.joined("name"), row.joined("email")])) or "(no name)")
             + f"; status: {html.escape(row.status)}</p>", f"<pre>{html.escape(str(document.get('output', '')))}</pre>"]
    for test in document.get("tests", []):
        seen = test.get("visibility", "visible")
        score = "skipped" if is_skipped(test) else f"{float(test['score']):g}/{float(test['max_score']):g}"
        parts.append(f"<section class='test{' skipped' if is_skipped(test) else ''}'>"
                     f"<h3>{html.escape(str(test.get('number', '')))} {html.escape(str(test['name']))}: {score}</h3>"
                     + (f"<p><em>visibility: {html.escape(seen)}</em></p>" if seen != "visible" else "")
                     + f"<pre>{html.escape(str(test.get('output', '')))}</pre>")
        for figure in test.get("extra_data", {}).get("figures", []):
            drawn = render(figure) if isinstance(figure, dict) else None
            parts.append(f'<img class="figure" alt="figure drawn by the submission" src="{drawn}">' if drawn
                         else "<p><em>(a figure was recorded but cannot be drawn)</em></p>")
        parts.append("</section>")
    return _page(f"Feedback: {row.name}", '<p><a href="../report.html">back to the class</a></p>' + "".join(parts))


def write_class_report(out: Path, names: list[str] | None = None, rubric: Rubric | None = None) -> tuple[Path, Path]:
    """Write grades.csv, the upload CSVs, report.html and feedback/*.html from the results in OUT."""
    from autograder.classroom.batch import private

    out = Path(out)
    rubric = rubric or load_rubric()
    rows = load_rows(out, names)
    csv_path = write_grades_csv(rows, out, rubric)
    write_uploads(rows, out, rubric)
    pages = out / FEEDBACK
    pages.mkdir(exist_ok=True)
    private(pages)
    for row in rows:
        page = pages / f"{row.name}.html"
        page.write_text(feedback_page(row), encoding="utf-8")
        private(page)
    html_path = out / "report.html"
    html_path.write_text(render_html(rows, rubric), encoding="utf-8")
    private(html_path)
    return csv_path, html_path
