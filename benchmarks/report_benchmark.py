"""The class report for 500 submissions: time to write it, the TA process's peak memory, and the
page's load and filter time in headless chromium (playwright on Debian's chromium).

Two classes, generated (tests/project/class_results.py), not graded: a plain one (a small PNG per
plot test) and a worst case where every submission's figures fill its whole budget
(autograder/grading/figures.py: MAX_SUBMISSION_FIGURE_BYTES of incompressible PNGs). Not run by CI.
Usage: .venv/bin/python benchmarks/report_benchmark.py [COUNT]
"""

from __future__ import annotations

import base64
import io
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from benchmarks.measure import PYTHON, ROOT  # noqa: E402
from autograder.grading import figures  # noqa: E402
from tests.project.class_results import generated_class  # noqa: E402

WRITE = ("import resource, sys, time\nfrom autograder.classroom.class_report import write_class_report\n"
         "start = time.perf_counter(); write_class_report(sys.argv[1])\n"
         "print(time.perf_counter() - start, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024)")


def noise_png(limit: int) -> str:
    """An incompressible PNG just under `limit` bytes, base64."""
    import numpy as np
    from PIL import Image

    side = int((limit / 3.2) ** 0.5)
    buffer = io.BytesIO()
    Image.fromarray(np.random.default_rng(0).integers(0, 255, (side, side, 3), dtype=np.uint8)).save(buffer, "PNG")
    assert len(buffer.getvalue()) <= limit
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def fill_budgets(out: Path) -> None:
    """Every submission's plot tests get PNGs up to the submission's figure budget."""
    picture = noise_png(figures.MAX_PNG_BYTES)
    size = len(base64.b64decode(picture))
    per_submission = figures.MAX_SUBMISSION_FIGURE_BYTES // size
    for path in out.glob("*/results.json"):
        document = json.loads(path.read_text())
        plots = [t for t in document["tests"] if t["extra_data"]["id"].endswith("plot")] or document["tests"][:1]
        for test in plots:
            test["extra_data"]["figures"] = []
        for i in range(per_submission):
            plots[i % len(plots)]["extra_data"]["figures"].append({"png": picture, "bytes": size})
        path.write_text(json.dumps(document))


def browser_times(report: Path) -> tuple[float, float, float]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
        page = browser.new_page()
        start = time.perf_counter()
        page.goto(report.as_uri() + "#filter=student%2042&sort=total", wait_until="load")
        loaded = time.perf_counter() - start
        ready = float(page.evaluate("document.body.dataset.readyMs")) / 1000
        start = time.perf_counter()
        page.fill("#filter", "zoë")
        typed = time.perf_counter() - start
        browser.close()
    return loaded, ready, typed


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 500
    for case in ("plain", "every figure budget full"):
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / "graded"
            generated_class(out, count)
            if case != "plain":
                fill_budgets(out)
            stored = sum(p.stat().st_size for p in out.glob("*/results.json")) / 1e6
            done = subprocess.run([PYTHON, "-c", WRITE, str(out)], capture_output=True, text=True, cwd=ROOT, check=True)
            seconds, peak = done.stdout.split()
            loaded, ready, typed = browser_times(out / "report.html")
            print(f"{case}: {count} results ({stored:.0f} MB of results.json): report written in {float(seconds):.1f} s, "
                  f"TA process peak {peak} MB; report.html {(out / 'report.html').stat().st_size / 1e6:.1f} MB loads in "
                  f"{loaded:.2f} s (ready, filtered and sorted at {ready:.2f} s), a typed filter {typed:.3f} s", flush=True)


if __name__ == "__main__":
    main()
