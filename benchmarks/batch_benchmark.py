"""A TA's batch: submissions per minute of `autograder grade-all` with --jobs 1 and --jobs 2.

The class: the reference in four forms (folder, one .py, notebook, zip), the untouched template, an
empty folder, a broken zip, a binary .py, every seeded mistake and every correct variant of the
corpus (tests/project/corpus/), 40 or more submissions in all. Each run starts from an empty output
folder; both must give the same total to every submission. Peak memory is the PSS summed over the
whole batch's processes. Not run by CI. Usage: .venv/bin/python benchmarks/batch_benchmark.py
Writes docs/benchmarks_batch.txt.
"""

from __future__ import annotations

import csv
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from benchmarks.measure import PYTHON, ROOT, machine, run  # noqa: E402
from tests.project.corpus import build  # noqa: E402
from tests.project.test_corpus import MISTAKES, VARIANTS  # noqa: E402


def make_class(folder: Path) -> int:
    """Write the class into `folder`; returns the number of submissions."""
    reference = build.reference_submission(folder / "_reference_source")
    shutil.copytree(reference, folder / "reference_folder")
    build.as_single_file(reference, folder / "reference_single_file")
    build.as_notebook(reference, folder / "reference_notebook", failing_cell=True)
    build.as_zip(reference, folder / "reference.zip")
    build.template_submission(folder / "template")
    (folder / "empty").mkdir()
    (folder / "broken.zip").write_bytes(b"PK\x03\x04 not really a zip")
    (folder / "binary").mkdir()
    (folder / "binary" / "distances.py").write_bytes(bytes(range(256)) * 16)
    for number, case in enumerate(MISTAKES + VARIANTS):
        target = folder / f"case_{number:02d}"
        shutil.copytree(reference, target)
        build.replace_function(target, case.module, case.source)
    shutil.rmtree(folder / "_reference_source")
    return len(list(folder.iterdir()))


def totals(out: Path) -> dict[str, str]:
    with open(out / "grades.csv", newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    key = next(k for k in rows[0] if k.lower().startswith("total"))
    return {row[next(iter(row))]: row[key] for row in rows}


def main() -> None:
    lines = [f"# batch grading: {machine()}"]
    with tempfile.TemporaryDirectory() as tmp:
        count = make_class(Path(tmp) / "class")
        results = {}
        for jobs in (1, 2):
            out = Path(tmp) / f"graded_{jobs}"
            result = run([PYTHON, "-m", "autograder", "grade-all", str(Path(tmp) / "class"), "--out", str(out),
                          "--jobs", str(jobs)])
            results[jobs] = (result, totals(out))
            lines.append(f"--jobs {jobs}: {count} submissions in {result.wall:.1f} s = "
                         f"{60 * count / result.wall:.1f} per minute, {result.wall / count:.2f} s each; "
                         f"peak {result.peak_pss_mb:.0f} MB PSS for the whole batch")
            print(lines[-1], flush=True)
        speedup = results[1][0].wall / results[2][0].wall
        same = results[1][1] == results[2][1]
        lines.append(f"--jobs 2 throughput: {speedup:.2f}x that of --jobs 1; "
                     f"totals identical in both runs: {'yes' if same else 'NO'}")
        if not same:
            lines += [f"  differs: {name}: {results[1][1][name]} vs {results[2][1].get(name)}"
                      for name in results[1][1] if results[1][1][name] != results[2][1].get(name)]
    print("\n".join(lines[-1:]))
    (ROOT / "docs" / "benchmarks_batch.txt").write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
