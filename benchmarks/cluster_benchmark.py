"""grade-all on Dask against the local pool: `--cluster local:2` vs `--jobs 2` on the same class.

The class is batch_benchmark.py's (16 mixed submissions: every form of the reference, the
template, broken ones and corpus cases). The Dask overhead per submission is (wall of local:2 - wall of --jobs 2) / count,
cluster start-up included; both runs must give the same total to every submission. Not run by CI;
needs the extra (bash setup.sh --cluster). Usage:
    .venv/bin/python benchmarks/cluster_benchmark.py [--tests 'broadcasting.*'] [--repeat 2]
Writes docs/benchmarks_cluster.txt.
"""

from __future__ import annotations

import argparse
import csv
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from benchmarks.batch_benchmark import make_class  # noqa: E402
from benchmarks.measure import PYTHON, ROOT, machine, run  # noqa: E402

def totals(out: Path) -> dict[str, str]:
    """Each submission's total, as grades.csv gives it."""
    with open(out / "grades.csv", newline="", encoding="utf-8-sig") as fh:
        rows = list(csv.DictReader(fh))
    key = next(k for k in rows[0] if k.lower().startswith("total"))
    return {row[next(iter(row))]: row[key] for row in rows}


ROUTES = {"--jobs 2": ["--jobs", "2"], "--cluster local:2": ["--cluster", "local:2"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tests", help="a --tests pattern (default: every test, ~12 s per submission)")
    parser.add_argument("--repeat", type=int, default=1, help="runs of each route, alternated; the best is kept")
    args = parser.parse_args()
    lines = [f"# grade-all on Dask vs the local pool: {machine()}; tests: {args.tests or 'all'}"]
    with tempfile.TemporaryDirectory() as tmp:
        count = make_class(Path(tmp) / "class")
        best: dict[str, float] = {}
        seen: dict[str, dict[str, str]] = {}
        for attempt in range(args.repeat):
            for route, options in ROUTES.items():
                out = Path(tmp) / f"out_{attempt}_{len(best)}_{route.split()[-1]}"
                argv = [PYTHON, "-m", "autograder", "grade-all", str(Path(tmp) / "class"), "--out", str(out), *options]
                result = run(argv + (["--tests", args.tests] if args.tests else []))
                if result.returncode != 0:
                    raise SystemExit(f"{route} failed:\n{result.stdout[-3000:]}")
                best[route] = min(best.get(route, float("inf")), result.wall)
                seen[route] = totals(out)
                lines.append(f"{route} (run {attempt + 1}): {count} submissions in {result.wall:.1f} s = "
                             f"{60 * count / result.wall:.1f} per minute, {result.wall / count:.2f} s each")
                print(lines[-1], flush=True)
        local, dask = best["--jobs 2"], best["--cluster local:2"]
        lines.append(f"best of {args.repeat}: Dask overhead {dask - local:+.1f} s in all, "
                     f"{(dask - local) / count:+.3f} s per submission (cluster start-up included); "
                     f"throughput local:2 / --jobs 2 = {local / dask:.2f}")
        lines.append(f"totals identical on both routes: {'yes' if seen['--jobs 2'] == seen['--cluster local:2'] else 'NO'}")
    print("\n".join(lines[-2:]))
    (ROOT / "docs" / "benchmarks_cluster.txt").write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
