"""Figures kept with the results (issue 24) and figures as a weapon (issue 22 item 6): the worker's
PNG is checked and budgeted, descriptions are bounded, results.json stays strict JSON, and hostile
plots (a huge mathtext box, 2000x600 points, a point at 1.7e308) cost neither the grade, nor the
report, nor the TA's memory.

Oracles: PNGs drawn here with matplotlib or written byte by byte, the caps' own numbers, Python's
strict JSON parser, and the kernel's count of a process's peak memory."""

from __future__ import annotations

import json
import struct
import subprocess
import sys
import textwrap
import zlib
from pathlib import Path

import numpy as np
import pytest

from autograder.grading import figures
from autograder.grading.figures import FigureBudget, compact, keep, render
from autograder.grading.results import ResultsWriter, TestResult
from tests.project.class_results import png
from tests.project.clirun import autograder
from tests.project.corpus.build import replace_function

TA_MEMORY_MB = 768


def strict(text: str) -> dict:
    def refuse(constant: str) -> None:
        raise ValueError(f"not JSON: {constant}")
    return json.loads(text, parse_constant=refuse)


def chunk(kind: bytes, body: bytes, crc_ok: bool = True) -> bytes:
    crc = zlib.crc32(kind + body) ^ (0 if crc_ok else 1)
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)


def fake_png(width: int, height: int, crc_ok: bool = True) -> bytes:
    """A PNG claiming width x height, with no pixel data (a decompression bomb's first bytes)."""
    header = chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
    return figures.PNG_SIGNATURE + header + chunk(b"IDAT", zlib.compress(b""), crc_ok) + chunk(b"IEND", b"")


def sent(data: bytes) -> dict:
    return {"__kind__": "figure", "suptitle": "s", "axes": [], "png": np.frombuffer(data, np.uint8)}


def test_a_real_png_is_kept_and_counted_against_the_budgets() -> None:
    data, budget = png(), FigureBudget()
    kept = keep(sent(data), budget, 0)
    assert kept == {"png": __import__("base64").b64encode(data).decode("ascii"), "bytes": len(data)}
    assert budget.left == figures.MAX_SUBMISSION_FIGURE_BYTES - len(data)
    over_test = keep(sent(data), FigureBudget(), figures.MAX_TEST_FIGURE_BYTES - len(data) + 1)
    over_submission = keep(sent(data), FigureBudget(left=len(data) - 1), 0)
    for refused in (over_test, over_submission):
        assert refused == {"note": "not kept: this submission's figures are over their size budget", "bytes": 0}


def test_descriptions_count_against_the_budgets_too() -> None:
    """Figures that cannot be drawn are kept as descriptions, bounded the same way, and so is their number."""
    lines = [{"x": np.arange(2000.0), "y": np.arange(2000.0)} for _ in range(5)]
    budget, kept = FigureBudget(), []

    class Student:
        def call(self, name: str) -> dict:
            return {"__kind__": "figure", "axes": [{"lines": lines}], "png": "not drawn: too many points"}

    recorder = figures.FigureRecorder(Student(), kept, budget)
    for _ in range(3 * figures.MAX_TEST_FIGURES):
        recorder.call("plot")
    sizes = [f["bytes"] for f in kept]
    assert len(kept) == figures.MAX_TEST_FIGURES and sum(sizes) <= figures.MAX_TEST_FIGURE_BYTES
    assert sizes[0] == len(json.dumps({k: v for k, v in kept[0].items() if k not in ("note", "bytes")})) > 100_000
    assert kept[-1]["note"].endswith("over their size budget")
    assert budget.left == figures.MAX_SUBMISSION_FIGURE_BYTES - sum(sizes)


@pytest.mark.parametrize("data, why", [(fake_png(100_000, 100_000), "pixels"), (b"GIF89a" + b"\0" * 100, "PNG"),
                                       (fake_png(10, 10) + b"\0" * figures.MAX_PNG_BYTES, "bytes"),
                                       (fake_png(10, 10, crc_ok=False), "malformed")])
def test_what_is_not_a_small_png_is_refused(data: bytes, why: str) -> None:
    kept = keep(sent(data), FigureBudget(), 0)
    assert "png" not in kept and why in kept["note"]


def test_a_description_is_bounded_and_finite() -> None:
    lines = [{"x": np.arange(2000.0), "y": np.full(2000, 1.7e308), "label": "$\\sum$" * 1000} for _ in range(3000)]
    kept = compact({"axes": [{"lines": lines}] * 60})
    text = json.dumps(kept, allow_nan=False)  # raises on NaN or Infinity
    numbers = sum(len(line["x"]) + len(line["y"]) for ax in kept["axes"] for line in ax["lines"])
    assert numbers <= 2 * figures.MAX_FIGURE_POINTS + 4 * figures.MAX_SETS ** 2 and len(text) < 2_000_000


def test_results_json_is_strict_json(tmp_path: Path) -> None:
    writer = ResultsWriter(tmp_path / "results.json")
    writer.leaderboard.append({"name": "error", "value": float("nan"), "order": "asc"})
    writer.add(TestResult(name="t", score=1.0, max_score=1.0, status="passed", output="ok", visibility="visible",
                          number="1", extra_data={"params": {"rtol": float("inf")}, "seen": [float("-inf"), 2.0]}))
    document = strict((tmp_path / "results.json").read_text())
    assert document["leaderboard"][0]["value"] is None and document["tests"][0]["extra_data"]["seen"] == [None, 2.0]
    assert document["score"] == 1.0


def test_a_hostile_description_is_redrawn_in_bounded_memory() -> None:
    """render() in a process limited to 1 GB of address space: mathtext that asks for a huge box
    (the 11 GB of issue 22) is drawn as plain text."""
    script = textwrap.dedent("""
        import resource, sys
        resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))
        from autograder.grading.figures import render
        big = "$" + "\\\\sum" * 3000 + "$"
        figure = {"suptitle": big, "axes": [{"title": r"$\\sum\\sum\\sum\\sum\\sum\\sum\\sum\\sum$", "xlabel": big,
                  "legend": [big], "lines": [{"x": [0, 1], "y": [0, 1e300], "label": big, "marker": "$x$"}]}]}
        uri = render(figure)
        print("drawn" if uri and uri.startswith("data:image/png;base64,") else "not drawn", flush=True)
    """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0 and done.stdout.strip() == "drawn", done.stderr[-2000:]


HOSTILE_PLOTS = {
    "many_points": """
        def plot_kmeans(X, init_centres, centres, labels):
            import matplotlib
            matplotlib.use("Agg")
            import matplotlib.pyplot as plt
            fig, ax = plt.subplots()
            ax.plot(np.random.default_rng(0).normal(size=(2000, 600)))  # 1.2M points: above every cap
            ax.plot([0, 1], [0, 1.7e308], "r*")
            return fig
        """,
    "huge_text": """
        def plot_kmeans(X, init_centres, centres, labels):
            import matplotlib
            matplotlib.use("Agg")
            import matplotlib.pyplot as plt
            fig, ax = plt.subplots()
            ax.scatter(X[:, 0], X[:, 1], c=labels)
            ax.set_title(r"$\\sum\\sum\\sum\\sum\\sum\\sum\\sum\\sum\\sum\\sum$", fontsize=5000)  # mathtext asked for a huge box
            ax.set_xlabel("$" + r"\\sum" * 3000 + "$")
            ax.set_ylabel(r"$\\mu_k$")
            return fig
        """,
}


@pytest.fixture(scope="module")
def hostile_class(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Each hostile plot graded for real (sandboxed worker), into a grade-all-shaped folder."""
    out = tmp_path_factory.mktemp("graded")
    for name, source in HOSTILE_PLOTS.items():
        folder = tmp_path_factory.mktemp(name)
        (folder / "kmeans.py").write_text((Path("reference/kmeans/kmeans.py")).read_text(encoding="utf-8"))
        replace_function(folder, "kmeans", textwrap.dedent(source))
        done = autograder("grade", str(folder), "--out", str(out / name / "results.json"), "--tests", "kmeans.plot")
        assert done.returncode == 0, done.stderr[-3000:]
    return out


def test_hostile_plots_are_graded_into_small_strict_results(hostile_class: Path) -> None:
    for name in HOSTILE_PLOTS:
        path = hostile_class / name / "results.json"
        document = strict(path.read_text(encoding="utf-8"))
        assert path.stat().st_size < 1_000_000, (name, path.stat().st_size)
        (test,) = document["tests"]
        (figure,) = test["extra_data"]["figures"]
        if name == "many_points":  # too many points to draw: described (bounded), and said so
            assert "not drawn" in figure["note"] and figure["axes"]
        else:  # drawn, the huge texts as plain text
            assert figure["bytes"] <= figures.MAX_PNG_BYTES and "png" in figure


def test_the_report_of_hostile_figures_stays_within_the_tas_memory(hostile_class: Path) -> None:
    script = ("import resource, sys\nfrom autograder.classroom.class_report import write_class_report\n"
              "write_class_report(sys.argv[1])\n"
              "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024)")
    done = subprocess.run([sys.executable, "-c", script, str(hostile_class)], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    peak_mb = int(done.stdout.split()[-1])
    print(f"report of the hostile figures: peak {peak_mb} MB")
    assert peak_mb < TA_MEMORY_MB
    for name in HOSTILE_PLOTS:
        assert "<img class=\"figure\"" in (hostile_class / "feedback" / f"{name}.html").read_text(encoding="utf-8")


def test_rescore_survives_the_hostile_figures(hostile_class: Path) -> None:
    done = autograder("rescore", str(hostile_class))
    assert done.returncode == 0, done.stderr[-3000:]
    assert "2 submissions rescored" in done.stdout
    for name in HOSTILE_PLOTS:
        strict((hostile_class / name / "results.json").read_text(encoding="utf-8"))
        assert (hostile_class / "feedback" / f"{name}.html").is_file()
