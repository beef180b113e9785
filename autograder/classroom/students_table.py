"""report.html's table of all submissions, grouped by task: per-task totals, each task's tests on demand.

Why grouped: 44 columns of bare test numbers cannot be read; a TA scans the totals per task and
opens the one task they care about (its tests' columns, titled with number and full name). The
script sorts, filters, and reads a shared view from the link (`#filter=alice&sort=total&open=TASK`).
For 500 students the page stays small: a task's test cells are made in the browser when the task is
first opened (from its total cell's data-scores), and each row's text is read once for the filter.
"""

from __future__ import annotations

import html
import json
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
  const start = performance.now(), words = filter.value.toLowerCase();
  rows.forEach((r, i) => { r.hidden = !texts[i].includes(words); });
  document.body.offsetHeight;  // the layout it causes, counted
  document.body.dataset.filterMs = (performance.now() - start).toFixed(0);  // read by the browser test
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
function build(button) {  // a task's test columns, made on first demand (headers: data-tests; cells: data-scores)
  const task = button.dataset.task, heads = document.createDocumentFragment();
  for (const [key, title] of JSON.parse(button.dataset.tests)) {
    const th = document.createElement('th');
    th.className = `d d-${task}`; th.dataset.key = key; th.textContent = title;
    heads.appendChild(th);
  }
  button.closest('th').after(heads);
  for (const r of rows) {
    const total = r.querySelector(`td[data-task="${task}"]`), cells = document.createDocumentFragment();
    for (const score of total.dataset.scores.split('|')) {
      const td = document.createElement('td');
      td.className = `d d-${task}`; td.textContent = score;
      td.dataset.sort = isNaN(parseFloat(score)) ? -1 : score;
      cells.appendChild(td);
    }
    total.after(cells);
  }
}
function toggle(button) {
  if (!button.dataset.built) { build(button); button.dataset.built = '1'; }
  const shown = table.classList.toggle('show-' + button.dataset.task);
  button.textContent = shown ? 'hide tests' : 'show tests';
}
filter.addEventListener('input', applyFilter);
table.tHead.addEventListener('click', e => {
  const button = e.target.closest('button');
  if (button) { toggle(button); return; }
  const th = e.target.closest('th'); if (th) sortBy(th);
});
// a view can be shared as a link: report.html#filter=alice&sort=total&open=TASK
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


def _cell(value: str, sort: object = None) -> str:
    extra = f' data-sort="{html.escape(str(sort))}"' if sort is not None else ""
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
        tests = html.escape(json.dumps([[tid, column_title(tid, rubric)] for tid in ids]))
        head.append(f'<th class="task" data-key="{name}" title="{name}: out of {max_points(ids, rubric):g}">{name} '
                    f'<button type="button" data-task="{i}" data-name="{name}" data-tests="{tests}">show tests</button></th>')
    body = []
    for row in rows:
        tests = row.tests()
        link = f'<a href="{FEEDBACK}/{quote(row.name)}.html">{html.escape(row.name)}</a>'
        cells = [_cell(link, row.name), _cell(_people(row, "name")), _cell(_people(row, "email")),
                 _cell(html.escape(row.status)), _cell(f"{row.total:g}"), _cell(f"{row.seconds:.1f}")]
        for i, (_, ids) in enumerate(groups):
            scores = ("" if tid not in tests else "skipped" if is_skipped(tests[tid]) else f"{float(tests[tid]['score']):g}"
                      for tid in ids)
            cells.append(f'<td data-task="{i}" data-scores="{html.escape("|".join(scores))}">{earned(row, ids):g}</td>')
        body.append(f"<tr>{''.join(cells)}</tr>")
    return (f'<p><input id="filter" placeholder="filter: name, email, status..." size="40"></p>'
            f'<table id="students"><thead><tr>{"".join(head)}</tr></thead><tbody>{"".join(body)}</tbody></table>')
