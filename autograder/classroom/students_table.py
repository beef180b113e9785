"""report.html's table of all submissions, grouped by task: per-task totals, each task's tests on demand.

Why grouped: 44 columns of bare test numbers cannot be read; a TA scans the totals per task and
opens the one task they care about (its tests' columns, titled with number and full name). The
script sorts, filters, and reads a shared view from the link (`#filter=alice&sort=total&open=kmeans`);
it precomputes each row's text once, so 500 rows filter at typing speed.
"""

from __future__ import annotations

import html
from urllib.parse import quote

from autograder.classroom.feedback_page import is_skipped
from autograder.classroom.gradebook import Row, column_title
from autograder.classroom.report_sections import earned, max_points
from autograder.course.rubric import Rubric

FEEDBACK = "feedback"
SCRIPT = """
const table = document.getElementById('students'), filter = document.getElementById('filter');
const body = table.tBodies[0], rows = [...body.rows];
const texts = rows.map(r => r.textContent.toLowerCase());
function applyFilter() {
  const words = filter.value.toLowerCase();
  rows.forEach((r, i) => { r.hidden = !texts[i].includes(words); });
}
function sortBy(th) {
  const column = th.cellIndex, up = th.dataset.order !== 'asc';
  for (const other of table.tHead.rows[0].cells) delete other.dataset.order;
  th.dataset.order = up ? 'asc' : 'desc';
  const key = r => { const t = r.cells[column].dataset.sort ?? r.cells[column].textContent;
                     const n = parseFloat(t); return isNaN(n) ? t.toLowerCase() : n; };
  const keyed = [...body.rows].map(r => [key(r), r]);
  keyed.sort((a, b) => (a[0] > b[0] ? 1 : a[0] < b[0] ? -1 : 0) * (up ? 1 : -1));
  keyed.forEach(([, r]) => body.appendChild(r));
}
function toggle(button) {
  const shown = table.classList.toggle('show-' + button.dataset.task);
  button.textContent = shown ? 'hide tests' : 'show tests';
}
filter.addEventListener('input', applyFilter);
table.tHead.addEventListener('click', e => {
  const button = e.target.closest('button');
  if (button) { toggle(button); return; }
  const th = e.target.closest('th'); if (th) sortBy(th);
});
// a view can be shared as a link: report.html#filter=alice&sort=total&open=kmeans
const state = new URLSearchParams(location.hash.slice(1));
if (state.get('filter')) { filter.value = state.get('filter'); applyFilter(); }
for (const task of (state.get('open') || '').split(',')) {
  const button = table.tHead.querySelector(`button[data-name="${CSS.escape(task)}"]`);
  if (button) toggle(button);
}
const wanted = [...table.tHead.rows[0].cells].find(th => (th.dataset.key ?? th.textContent) === state.get('sort'));
if (wanted) sortBy(wanted);
document.body.dataset.readyMs = performance.now().toFixed(0);  // loaded and filtered: read by the browser test
"""


def _cell(value: str, sort: object = None, css: str = "") -> str:
    extra = (f' data-sort="{html.escape(str(sort))}"' if sort is not None else "") + (f' class="{css}"' if css else "")
    return f"<td{extra}>{value}</td>"


def _people(row: Row, key: str) -> str:
    return "<br>".join(html.escape(str(s.get(key, ""))) for s in row.submitters)


def style(groups: list[tuple[str, list[str]]]) -> str:
    """Each task's test columns hidden until its button shows them."""
    return ".d{display:none}" + "".join(f"table.show-{i} .d-{i}{{display:table-cell}}" for i in range(len(groups)))


def students_table(rows: list[Row], groups: list[tuple[str, list[str]]], rubric: Rubric) -> str:
    head = [f'<th data-key="{key}">{key}</th>' for key in ("submission", "name", "email", "status")]
    head += [f'<th data-key="total" title="out of {rubric.total_points:g}">total</th>', '<th data-key="seconds">seconds</th>']
    for i, (task, ids) in enumerate(groups):
        name = html.escape(task)
        head.append(f'<th class="task" data-key="{name}" title="{name}: out of {max_points(ids, rubric):g}">{name} '
                    f'<button type="button" data-task="{i}" data-name="{name}">show tests</button></th>')
        head += [f'<th class="d d-{i}" data-key="{html.escape(tid)}">{html.escape(column_title(tid, rubric))}</th>'
                 for tid in ids]
    body = []
    for row in rows:
        tests = row.tests()
        link = f'<a href="{FEEDBACK}/{quote(row.name)}.html">{html.escape(row.name)}</a>'
        cells = [_cell(link, row.name), _cell(_people(row, "name")), _cell(_people(row, "email")),
                 _cell(html.escape(row.status)), _cell(f"{row.total:g}"), _cell(f"{row.seconds:.1f}")]
        for i, (_, ids) in enumerate(groups):
            cells.append(_cell(f"{earned(row, ids):g}"))
            for tid in ids:
                test = tests.get(tid)
                text = "" if test is None else "skipped" if is_skipped(test) else f"{float(test['score']):g}"
                cells.append(_cell(text, -1 if test is None or is_skipped(test) else test["score"], f"d d-{i}"))
        body.append(f"<tr>{''.join(cells)}</tr>")
    return (f'<p><input id="filter" placeholder="filter: name, email, status..." size="40"></p>'
            f'<table id="students"><thead><tr>{"".join(head)}</tr></thead><tbody>{"".join(body)}</tbody></table>')
