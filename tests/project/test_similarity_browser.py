"""The class report's similar-submissions section and its side-by-side view, in a real headless browser,
after a real `grade-all` (its similarity step on by default).

Oracles: how the class was made (bob handed in alice's k-means as a notebook with the comments
rewritten; carol wrote her own; dan only the template) and the students' own files (every
highlighted region of a side is text of that student's file).
"""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

import pytest

from tests.project import similar_class as sc
from tests.project.clirun import autograder
from tests.project.test_report_browser import chromium, screenshot_colours


class Section(HTMLParser):
    """What a TA sees of the section (or a pair page): the pairs' rows, links, code sides and marks."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.rows: list[list[str]] = []
        self.links: list[str] = []
        self.sides: list[dict[str, object]] = []  # {"name": ..., "marks": [...], "text": ...}
        self._cell: list[str] | None = None
        self._in_pairs = self._in_body = self._in_mark = self._in_pre = False
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "table":
            self._in_pairs = "similar-pairs" in (found.get("class") or "")
        elif tag == "tbody" and self._in_pairs:
            self._in_body = True
        elif tag == "tr" and self._in_body:
            self.rows.append([])
        elif tag == "td" and self._in_body:
            self._cell = []
        elif tag == "a" and "side-by-side" in (found.get("class") or ""):
            self.links.append(found.get("href") or "")
        elif tag == "div" and "code" in (found.get("class") or "").split():
            self.sides.append({"name": found.get("data-submission"), "marks": [], "text": []})
        elif tag == "pre" and self.sides:
            self._in_pre = True
        elif tag == "mark" and self._in_pre:
            self._in_mark = True
            self.sides[-1]["marks"].append([])  # type: ignore[union-attr]

    def handle_endtag(self, tag: str) -> None:
        if tag == "td" and self._cell is not None:
            self.rows[-1].append("".join(self._cell).strip())
            self._cell = None
        elif tag == "table":
            self._in_pairs = self._in_body = False
        elif tag == "mark":
            self._in_mark = False
        elif tag == "pre":
            self._in_pre = False

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)
        if self._in_pre:
            self.sides[-1]["text"].append(data)  # type: ignore[union-attr]
            if self._in_mark:
                self.sides[-1]["marks"][-1].append(data)  # type: ignore[index]


def rendered(url: str) -> Section:
    done = chromium("--dump-dom", url)
    assert done.returncode == 0 and "</html>" in done.stdout, done.stderr[-2000:]
    return Section(done.stdout)


@pytest.fixture(scope="module")
def graded(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, str]:
    klass = tmp_path_factory.mktemp("klass")
    alice = sc.with_template("kmeans", sc.KMEANS_SOLUTIONS["loops"])
    sc.write(klass, "alice", {"kmeans.py": alice})
    sc.write(klass, "bob", {"hw.ipynb": sc.notebook(sc.recommented(alice))})
    sc.write(klass, "carol", {"kmeans.py": sc.with_template("kmeans", sc.KMEANS_SOLUTIONS["class"])})
    sc.write(klass, "dan", {"kmeans.py": sc.template_source("kmeans")})
    out = tmp_path_factory.mktemp("graded") / "out"
    done = autograder("grade-all", str(klass), "--out", str(out), "--assignment", "week2", "--tests", "kmeans.*",
                      "--jobs", "2")
    assert done.returncode == 0, done.stderr[-3000:]
    return klass, out, done.stdout


def test_grade_all_lists_the_copy_in_the_report(graded: tuple[Path, Path, str], tmp_path: Path) -> None:
    _, out, stdout = graded
    assert "similar submissions (>= 60%" in stdout and "kmeans 1" in stdout
    page = rendered((out / "report.html").as_uri())
    assert len(page.rows) == 1 and page.rows[0][1] == "alice" and page.rows[0][3] == "bob"
    assert int(page.rows[0][0].rstrip("%")) >= 60
    assert page.links == ["similarity/kmeans-1.html"]


def test_side_by_side_view_highlights_the_students_own_code(graded: tuple[Path, Path, str], tmp_path: Path) -> None:
    klass, out, _ = graded
    url = (out / "similarity" / "kmeans-1.html").as_uri()
    page = rendered(url)
    assert [side["name"] for side in page.sides] == ["alice", "bob"]
    sources = {"alice": (klass / "alice" / "kmeans.py").read_text(encoding="utf-8"),
               "bob": (klass / "bob" / "hw.ipynb").read_text(encoding="utf-8")}
    for side in page.sides:
        marks = ["".join(m) for m in side["marks"]]  # type: ignore[union-attr]
        assert marks and sum(map(len, marks)) > 200
        for mark in marks:
            for line in mark.splitlines():
                assert line.strip() in sources[str(side["name"])].replace('\\"', '"').replace("\\n", "\n"), line
    assert "def kmeans" in "".join(page.sides[0]["text"])  # type: ignore[arg-type]
    assert screenshot_colours(url, tmp_path / "pair.png", (1400, 1400)) > 20
