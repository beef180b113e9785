"""report.html and the feedback pages in a real headless browser (Debian's chromium, installed by
.ci/run): screenshots taken, and the DOM queried after the page's own script has run.

Oracles: the rubric file (names, points) and what the two submissions are (the reference earns
every point, the template none; the reference draws the k-means plot and the loss curves).
"""

from __future__ import annotations

import base64
import io
import os
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest

from tests.project.clirun import autograder, rubric_tests
from tests.project.corpus import build

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
if CHROMIUM is None and os.environ.get("AG_REQUIRE_BROWSER") != "1":
    pytest.skip("chromium is not installed (.ci/run installs it as root)", allow_module_level=True)


class Dom(HTMLParser):
    """The parts of a dumped DOM these tests read: table rows, headings, images."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.rows: list[tuple[bool, list[str]]] = []  # (hidden, cell texts) of table#students' body
        self.headings: list[str] = []
        self.images: list[dict[str, str]] = []
        self._in_students = self._in_body = False
        self._cell: list[str] | None = None
        self._heading: list[str] | None = None
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "table":
            self._in_students = found.get("id") == "students"
        elif tag == "tbody" and self._in_students:
            self._in_body = True
        elif tag == "tr" and self._in_body:
            self.rows.append(("hidden" in found, []))
        elif tag == "td" and self._in_body:
            self._cell = []
        elif tag == "h3":
            self._heading = []
        elif tag == "img":
            self.images.append({k: v or "" for k, v in found.items()})

    def handle_endtag(self, tag: str) -> None:
        if tag == "td" and self._cell is not None:
            self.rows[-1][1].append("".join(self._cell).strip())
            self._cell = None
        elif tag == "h3" and self._heading is not None:
            self.headings.append("".join(self._heading).strip())
            self._heading = None
        elif tag == "table":
            self._in_students = self._in_body = False

    def handle_data(self, data: str) -> None:
        for buffer in (self._cell, self._heading):
            if buffer is not None:
                buffer.append(data)


def chromium(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", *args],
                          capture_output=True, text=True, timeout=120)


def dom(url: str) -> Dom:
    done = chromium("--dump-dom", url)
    assert done.returncode == 0 and "</html>" in done.stdout, done.stderr[-2000:]
    return Dom(done.stdout)


def screenshot_colours(url: str, path: Path, size: tuple[int, int]) -> int:
    """Take a screenshot; return how many distinct colours it has (a blank page has one)."""
    from PIL import Image

    done = chromium(f"--screenshot={path}", f"--window-size={size[0]},{size[1]}", url)
    assert path.is_file(), done.stderr[-2000:]
    with Image.open(path) as image:
        assert image.size == size
        return len(image.convert("RGB").getcolors(maxcolors=1 << 20) or [])


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    klass = tmp_path_factory.mktemp("klass")
    build.reference_submission(klass / "ref")
    build.template_submission(klass / "tpl")
    out = tmp_path_factory.mktemp("graded") / "out"
    done = autograder("grade-all", str(klass), "--out", str(out), "--jobs", "2")
    assert done.returncode == 0, done.stderr[-3000:]
    return out


def test_report_table_sorts_filters_and_links(out: Path, tmp_path: Path) -> None:
    url = (out / "report.html").as_uri()
    page = dom(url)
    assert [cells[0] for _, cells in page.rows] == ["ref", "tpl"] and not any(h for h, _ in page.rows)
    filtered = dom(url + "#filter=tpl")
    assert [(hidden, cells[0]) for hidden, cells in filtered.rows] == [(True, "ref"), (False, "tpl")]
    by_total = dom(url + "#sort=total")
    assert [cells[0] for _, cells in by_total.rows] == ["tpl", "ref"]  # ascending: 0 before 100
    totals = {cells[0]: float(cells[4]) for _, cells in page.rows}
    assert totals == {"ref": sum(raw["points"] for raw in rubric_tests().values()), "tpl": 0}
    gpu_column = 6 + list(rubric_tests()).index("distances.gpu")
    assert {cells[gpu_column] for _, cells in page.rows} == {"skipped"}  # no GPU here: not a pass
    assert screenshot_colours(url, tmp_path / "report.png", (1280, 1600)) > 50


def test_feedback_page_shows_what_the_student_read_and_drew(out: Path, tmp_path: Path) -> None:
    url = (out / "feedback" / "ref.html").as_uri()
    page = dom(url)
    tests = rubric_tests()
    for raw in tests.values():
        expected = f"{raw['number']} {raw['name']}: "
        assert any(h.startswith(expected) for h in page.headings), expected
    plot = tests["kmeans.plot"]
    assert f"{plot['number']} {plot['name']}: {plot['points']:g}/{plot['points']:g}" in page.headings
    figures = [i for i in page.images if i.get("class") == "figure"]
    assert len(figures) >= 2  # the k-means plot and the loss curves
    from PIL import Image

    for figure in figures:
        with Image.open(io.BytesIO(base64.b64decode(figure["src"].split(",", 1)[1]))) as image:
            assert image.size[0] > 200 and len(image.convert("RGB").getcolors(maxcolors=1 << 20) or []) > 5
    assert screenshot_colours(url, tmp_path / "feedback.png", (1000, 3000)) > 20
