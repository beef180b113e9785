"""The TA's view of a graded class: grades.csv (one row per submission) and a one-file report.html.

The HTML embeds its charts as base64 PNGs so it can be mailed or archived as a single file.
"""

from __future__ import annotations

import base64
import csv
import html
import io
import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from autograder.batch import RESULTS, Entry, Outcome
from autograder.rubric import Rubric, load_rubric

SLOWEST = 10
COMMON_FAILURES = 3


@dataclass
class Row:
    """One submission as the class report sees it."""

    entry: Entry
    outcome: Outcome
    document: dict[str, Any]

    def scores(self) -> dict[str, float]:
        return {t.get("extra_data", {}).get("id", t["name"]): float(t["score"]) for t in self.document.get("tests", [])}


def load_rows(entries: list[Entry], outcomes: list[Outcome], out: Path) -> list[Row]:
    by_name = {o.name: o for o in outcomes}
    rows = []
    for entry in entries:
        if entry.name not in by_name:
            continue
        try:
            document = json.loads((out / entry.name / RESULTS).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            document = {"score": 0.0, "tests": []}
        rows.append(Row(entry, by_name[entry.name], document))
    return rows


def _test_ids(rows: list[Row], rubric: Rubric) -> list[str]:
    """Rubric order, restricted to tests some submission has (a --tests run has only a few)."""
    present = {tid for r in rows for tid in r.scores()}
    ordered = [tid for tid in rubric.entries if tid in present]
    return ordered + sorted(present - set(ordered))


def write_grades_csv(rows: list[Row], path: Path, rubric: Rubric) -> Path:
    ids = _test_ids(rows, rubric)
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["submission", "names", "emails", "status", "total", *ids, "seconds"])
        for row in rows:
            scores = row.scores()
            writer.writerow([row.entry.name, "; ".join(s.name for s in row.entry.submitters),
                             "; ".join(s.email for s in row.entry.submitters), row.outcome.status,
                             f"{float(row.document.get('score', 0.0)):g}",
                             *(f"{scores[i]:g}" if i in scores else "" for i in ids),
                             f"{row.outcome.seconds:.1f}"])
    return path


# ---------------------------------------------------------------- charts

def _png(fig: Any) -> str:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=90, bbox_inches="tight")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def _charts(rows: list[Row], ids: list[str], max_total: float) -> tuple[str, str]:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure  # not pyplot: no global state, nothing to close

    hist = Figure(figsize=(7, 3.5))
    ax = hist.add_subplot()
    ax.hist([float(r.document.get("score", 0.0)) for r in rows], bins=20, range=(0, max(max_total, 1)),
            color="#4a78b0", edgecolor="white")
    ax.set_xlabel("total score")
    ax.set_ylabel("submissions")
    ax.set_title(f"Scores of {len(rows)} submissions")
    rates = pass_rates(rows, ids)
    bars = Figure(figsize=(7, 0.3 * len(ids) + 1.2))
    ax = bars.add_subplot()
    ax.barh(range(len(ids)), [100 * rates[i] for i in ids], color="#5a9a5a")
    ax.set_yticks(range(len(ids)), ids, fontsize=8)
    ax.invert_yaxis()
    ax.set_xlim(0, 100)
    ax.set_xlabel("% of submissions passing")
    ax.set_title("Pass rate per test")
    return _png(hist), _png(bars)


def pass_rates(rows: list[Row], ids: list[str]) -> dict[str, float]:
    """Share of submissions with a test's status "passed", among those that have the test."""
    rates = {}
    for tid in ids:
        statuses = [t.get("status") for r in rows for t in r.document.get("tests", [])
                    if t.get("extra_data", {}).get("id") == tid]
        rates[tid] = sum(s == "passed" for s in statuses) / len(statuses) if statuses else 0.0
    return rates


def common_failures(rows: list[Row], limit: int = COMMON_FAILURES) -> dict[str, list[tuple[str, int]]]:
    """Per test id, the most frequent first lines of the output of failing results."""
    counts: dict[str, Counter] = {}
    for row in rows:
        for test in row.document.get("tests", []):
            if test.get("status") == "passed":
                continue
            first = next((line.strip() for line in str(test.get("output", "")).splitlines() if line.strip()), "")
            tid = test.get("extra_data", {}).get("id", test.get("name", "?"))
            counts.setdefault(tid, Counter())[first] += 1
    return {tid: c.most_common(limit) for tid, c in counts.items()}


# ---------------------------------------------------------------- html

def _table(header: list[str], body: list[list[Any]]) -> str:
    head = "".join(f"<th>{html.escape(str(h))}</th>" for h in header)
    lines = ["<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in row) + "</tr>" for row in body]
    return f"<table><tr>{head}</tr>{''.join(lines)}</table>"


def render_html(rows: list[Row], rubric: Rubric) -> str:
    ids = _test_ids(rows, rubric)
    max_total = sum(rubric.entries[i].points if i in rubric.entries else 0 for i in ids)
    hist, bars = _charts(rows, ids, max_total) if rows else ("", "")
    statuses = Counter(r.outcome.status for r in rows)
    slow = sorted(rows, key=lambda r: r.outcome.seconds, reverse=True)[:SLOWEST]
    failures = common_failures(rows)
    parts = [f"<h1>{html.escape(rubric.title)}: class report</h1>",
             f"<p>{len(rows)} submissions; "
             + ", ".join(f"{html.escape(s)}: {n}" for s, n in sorted(statuses.items())) + "</p>"]
    if rows:
        parts += [f'<h2>Scores</h2><img alt="score histogram" src="{hist}">',
                  f'<h2>Pass rate per test</h2><img alt="pass rate per test" src="{bars}">']
    parts += ["<h2>Slowest submissions</h2>",
              _table(["submission", "status", "total", "seconds"],
                     [[r.entry.name, r.outcome.status, f"{float(r.document.get('score', 0)):g}",
                       f"{r.outcome.seconds:.1f}"] for r in slow]),
              "<h2>Most common failure messages</h2>"]
    for tid in ids:
        if failures.get(tid):
            parts += [f"<h3>{html.escape(tid)}</h3>", _table(["count", "first line of the message"],
                                                              [[n, msg] for msg, n in failures[tid]])]
    style = ("body{font-family:sans-serif;max-width:60em;margin:2em auto}table{border-collapse:collapse}"
             "td,th{border:1px solid #ccc;padding:2px 8px;text-align:left}")
    return (f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>Class report</title>"
            f"<style>{style}</style></head><body>{''.join(parts)}</body></html>")


def write_class_report(entries: list[Entry], outcomes: list[Outcome], out: Path,
                       rubric: Rubric | None = None) -> tuple[Path, Path]:
    """Write OUT/grades.csv and OUT/report.html from the results on disk; return their paths."""
    rubric = rubric or load_rubric()
    rows = load_rows(entries, outcomes, Path(out))
    csv_path = write_grades_csv(rows, Path(out) / "grades.csv", rubric)
    html_path = Path(out) / "report.html"
    html_path.write_text(render_html(rows, rubric), encoding="utf-8")
    return csv_path, html_path
