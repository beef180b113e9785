"""The student's install, measured as the handout's README tells it: a fresh venv, then
`pip install -r requirements.txt` from the handout, timed, and the size it takes on disk.

Run where pip reaches the package indexes the students use (or this machine's local index and wheel
store, as configured for pip); `--keep-pytorch-index` keeps the requirements' PyTorch index line (on
a machine that cannot reach it, pip retries it before using the local wheels). Not run by CI.
Usage: .venv/bin/python benchmarks/install_benchmark.py [--keep-pytorch-index]
Writes docs/benchmarks_install.txt.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from autograder.course.requirements import CPU_INDEX, REQUIREMENTS_FILE, requirements_text  # noqa: E402
from benchmarks.measure import ROOT, machine  # noqa: E402


def folder_mb(path: Path) -> float:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink()) / 1e6


def measure(keep_index: bool) -> list[str]:
    with tempfile.TemporaryDirectory(prefix="ag-install-") as tmp:
        text = requirements_text()
        if not keep_index:
            text = "\n".join(line for line in text.splitlines() if CPU_INDEX not in line) + "\n"
        (Path(tmp) / REQUIREMENTS_FILE).write_text(text, encoding="utf-8")
        venv = Path(tmp) / "venv"
        start = time.monotonic()
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        made = time.monotonic()
        subprocess.run([str(venv / "bin" / "pip"), "install", "-q", "--disable-pip-version-check", "--no-cache-dir",
                        "-r", str(Path(tmp) / REQUIREMENTS_FILE)], check=True, env={**os.environ, "PIP_NO_CACHE_DIR": "1"})
        done = time.monotonic()
        site = next((venv / "lib").glob("python3*/site-packages"))
        torch = site / "torch"
        return [f"requirements: {REQUIREMENTS_FILE} of the handout" + ("" if keep_index else " (PyTorch index line left out)"),
                f"venv: {made - start:.1f} s; pip install: {done - made:.1f} s; total {done - start:.1f} s",
                f"installed: {folder_mb(venv):.0f} MB (torch {folder_mb(torch):.0f} MB)"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--keep-pytorch-index", action="store_true")
    lines = [machine(), *measure(parser.parse_args().keep_pytorch_index)]
    print("\n".join(lines))
    (ROOT / "docs" / "benchmarks_install.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
