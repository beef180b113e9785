"""report.html and the feedback pages, read back as HTML: Markdown rendered and escaped, lost points
first, members one per line, tasks with full names, skipped tests as skipped, failures grouped by
cause, pages that survive any stored figure or result.

Oracles: the results each test writes itself (their scores, messages, members), and the rubric."""

from __future__ import annotations

import base64
import json
import re
from html.parser import HTMLParser
from pathlib import Path

from autograder.classroom import class_report
from autograder.classroom.class_report import write_class_report
from autograder.classroom.failure_causes import cause
from autograder.course.rubric import load_rubric
from tests.project.class_results import generated_class, png, graded_test, write


class Text(HTMLParser):
    """The visible text of a page, in order, and its tags."""

    def __init__(self, page: str) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.tags: list[tuple[str, dict[str, str]]] = []
        self._skip = 0
        self.feed(page)

    def handle_starttag(self, tag: str, attrs: list) -> None:
        self.tags.append((tag, {k: v or "" for k, v in attrs}))
        self._skip += tag in ("script", "style")

    def handle_endtag(self, tag: str) -> None:
        self._skip -= tag in ("script", "style")

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)

    @property
    def text(self) -> str:
        return " ".join(" ".join(self.parts).split())


def test_feedback_page_renders_markdown_safely_and_puts_lost_points_first(tmp_path: Path) -> None:
    rubric = load_rubric()
    hostile = "<script>alert(1)</script> ![tracker](http://evil.example/t.png) [x](javascript:alert(2))"
    tests = [graded_test(rubric, "kmeans.plot", 1 / 3, f"**The centres** are not drawn.\n\nMore: {hostile}"),
             graded_test(rubric, "kmeans.max_iter", 1.0, "Passed."),
             graded_test(rubric, "distances.gpu", 0.0, "Skipped, not graded: no GPU.", skipped=True),
             graded_test(rubric, "regression.predictions", 0.0, "`predict` returned None\nsecond line")]
    members = [{"name": "Zoë Müller", "email": "zoe@uni.example", "sid": "7"}, {"name": "Erin Evans", "email": "erin@uni.example"}]
    write(tmp_path, "group1", tests, submitters=members, summary="## Your submission\n\nCode read: **`kmeans.py`**")
    write_class_report(tmp_path, rubric=rubric)
    page = (tmp_path / "feedback" / "group1.html").read_text(encoding="utf-8")
    parsed = Text(page)
    assert "##" not in parsed.text and "**" not in parsed.text  # rendered, not raw
    assert ("h2", {}) in parsed.tags and "<strong>The centres</strong>" in page
    assert "<script>alert" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert not any(tag == "img" and "evil" in attrs.get("src", "") for tag, attrs in parsed.tags)
    assert "javascript:" not in " ".join(attrs.get("href", "") for _, attrs in parsed.tags)
    lost = re.search(r"<table class='lost' id='lost'>(.*?)</table>", page).group(1)
    assert page.index("id='lost'") < page.index("All tests")
    plot, predictions = rubric.entries["kmeans.plot"], rubric.entries["regression.predictions"]
    rows = [Text(r).text for r in re.findall(r"<tr>(.*?)</tr>", lost)[1:]]
    assert rows == [f"{plot.number} {plot.name} -{plot.points - round(plot.points / 3, 4):g} The centres are not drawn.",
                    f"{predictions.number} {predictions.name} -{predictions.points:g} predict returned None"]
    members_list = re.search(r"<ul class='members'>(.*?)</ul>", page).group(1)
    assert re.findall(r"<li>(.*?)</li>", members_list) == ["Zoë Müller &lt;zoe@uni.example&gt; (SID 7)",
                                                           "Erin Evans &lt;erin@uni.example&gt;"]


def test_feedback_page_embeds_the_stored_png_and_survives_broken_figures(tmp_path: Path) -> None:
    rubric = load_rubric()
    drawn = png()
    figures = [{"png": base64.b64encode(drawn).decode("ascii"), "bytes": len(drawn)},
               {"png": '"><script>alert(1)</script>'},  # not base64: never written into the page
               {"note": "not drawn: RuntimeError", "suptitle": "$" + "\\sum" * 2000 + "$",
                "axes": [{"title": "$\\sum$" * 500, "lines": [{"x": [0, 1e308], "y": [1, "x"]}]}]},
               {"axes": "not a list"}]
    write(tmp_path, "alice", [graded_test(rubric, "kmeans.plot", 1.0, "Passed.", figures=figures)])
    odd = [None, 5, {"png": 5}, {"axes": [None, {"lines": [None]}]}, {"axes": [{"collections": [{"offsets": "x"}]}]}]
    write(tmp_path, "broken", [graded_test(rubric, "kmeans.plot", 0.0, "x", figures=odd)])
    write_class_report(tmp_path, rubric=rubric)
    page = (tmp_path / "feedback" / "alice.html").read_text(encoding="utf-8")
    sources = [attrs["src"] for tag, attrs in Text(page).tags if tag == "img"]
    assert sources[0] == "data:image/png;base64," + base64.b64encode(drawn).decode("ascii")
    assert "<script>" not in page and "not drawn: RuntimeError" in page
    broken = (tmp_path / "feedback" / "broken.html").read_text(encoding="utf-8")
    assert broken.count("recorded but cannot be drawn") == 3 and (tmp_path / "report.html").is_file()


def test_class_report_has_tasks_with_full_names_skipped_tests_and_causes_across_tests(tmp_path: Path) -> None:
    rubric = load_rubric()
    missing = "Not found in your submission: `kmeans` (see the list of names found at the top)."
    for name in ("a", "b"):
        tests = [graded_test(rubric, tid, 0.0, missing) for tid in ("kmeans.max_iter", "kmeans.tol")]
        tests.append(graded_test(rubric, "distances.gpu", 0.0, "Skipped, not graded: no GPU.", skipped=True))
        tests.append(graded_test(rubric, "kmeans.plot", 1.0, "Passed."))
        write(tmp_path, name, tests)
    write(tmp_path, "empty", [graded_test(rubric, "kmeans.plot", 0.0, "Not graded.")], status="no files found")
    write_class_report(tmp_path, rubric=rubric)
    page = (tmp_path / "report.html").read_text(encoding="utf-8")
    for tid, entry in rubric.entries.items():
        assert f"<td>{entry.number} {entry.name}</td>" in page.replace("&#x27;", "'").replace("&quot;", '"'), tid
    for task in rubric.tasks:
        assert f"id='task-{task}'" in page
    gpu = rubric.entries["distances.gpu"]
    assert re.search(rf"<td>{gpu.number} {re.escape(gpu.name)}</td><td>{gpu.points:g}</td><td class='skipped'[^>]*>skipped",
                     page.replace("&#x27;", "'"))
    plot = rubric.entries["kmeans.plot"]
    assert "100% of 2</td>" in page.split(f"<td>{plot.number} {plot.name}</td>")[1].split("</tr>")[0]  # "empty" not counted
    causes = re.search(r"<table id='causes'>.*?<tbody>(.*?)</tbody>", page, re.S).group(1)
    first = re.findall(r"<td>(.*?)</td>", causes.split("</tr>")[0])
    p2, p5 = rubric.entries["kmeans.max_iter"], rubric.entries["kmeans.tol"]
    rendered = "Not found in your submission: <code>kmeans</code> (see the list of names found at the top)."
    assert first[:3] == [rendered, "2", "4"]  # nothing to mask: one cause, 2 submissions, 4 failures
    assert first[3] == f"{p2.number} {p2.name} (2)<br>{p5.number} {p5.name} (2)"


def test_causes_mask_what_varies_and_keep_names() -> None:
    assert cause("`kmeans(X, 5)` raised `ValueError: shapes (3,2) and (5,2)`\nmore") == "`kmeans(…)` raised `ValueError: …`"
    assert cause("The result has shape (50, 200) where (200, 50) was expected") == \
        "The result has shape (N, N) where (N, N) was expected"
    assert cause("`fit` returned 'abc' after 1.5e-3 s") == cause("`fit` returned 'xyz' after 2 s")
    assert cause("`fit` returned None") != cause("`predict` returned None")


def test_a_section_is_appended_with_one_line(tmp_path: Path, monkeypatch) -> None:
    generated_class(tmp_path, 3)
    monkeypatch.setattr(class_report, "SECTIONS", [*class_report.SECTIONS, lambda rows, rubric: f"<h2 id='x'>{len(rows)} rows</h2>"])
    write_class_report(tmp_path)
    page = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert "<h2 id='x'>3 rows</h2>" in page and page.index("Causes of failures") < page.index("id='x'")


def test_generated_results_are_strict_json(tmp_path: Path) -> None:
    generated_class(tmp_path, 2)
    for path in tmp_path.glob("*/results.json"):
        json.loads(path.read_text(), parse_constant=lambda c: (_ for _ in ()).throw(ValueError(c)))


def test_a_cause_in_many_tests_lists_three_and_the_rest_on_demand(tmp_path: Path) -> None:
    rubric = load_rubric()
    kmeans = [tid for tid in rubric.entries if tid.startswith("kmeans.")]
    write(tmp_path, "a", [graded_test(rubric, tid, 0.0, "`kmeans` returned None: did you forget `return`?") for tid in kmeans])
    write_class_report(tmp_path, rubric=rubric)
    row = re.search(r"<table id='causes'>.*?<tbody><tr>(.*?)</tr>", (tmp_path / "report.html").read_text(), re.S).group(1)
    tests = re.findall(r"<td>(.*?)</td>", row, re.S)[3]
    shown, hidden = tests.split("<details>")
    assert shown.count("(1)") == 3 and f"{len(kmeans) - 3} more tests" in hidden and hidden.count("(1)") == len(kmeans) - 3
