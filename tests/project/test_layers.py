"""The engine's architecture as written down (issue 21): layer packages, no import cycle.

The layers contract itself is import-linter's (pyproject.toml [tool.importlinter], run by CI as
`lint-imports`); these tests read the same import graph with grimp and check what a contract of
layers cannot say: no cycle among modules anywhere, and a top folder that holds only the layers.
"""

from __future__ import annotations

import ast
import os
import shutil
import subprocess
import sys
from pathlib import Path

import grimp

ROOT = Path(__file__).resolve().parents[2]
ENGINE = ROOT / "autograder"
LAYERS = {"course", "intake", "sandbox", "grading", "api", "classroom", "verbs"}


def test_no_import_cycle_among_the_engine_modules() -> None:
    graph = grimp.build_graph("autograder", cache_dir=None)
    cycles = []
    for module in sorted(graph.modules):
        if not module.startswith("autograder"):
            continue
        on_a_cycle = graph.find_upstream_modules(module) & graph.find_downstream_modules(module)
        if on_a_cycle:
            chain = graph.find_shortest_chain(importer=module, imported=sorted(on_a_cycle)[0])
            cycles.append(f"{module}: {' -> '.join(chain or ())} -> ... -> {module}")
    assert cycles == []


def test_the_top_folder_holds_only_the_layers_and_the_command_line() -> None:
    entries = {p.name for p in ENGINE.iterdir() if p.name != "__pycache__"}
    assert entries == LAYERS | {"__init__.py", "__main__.py", "cli.py"}
    for layer in LAYERS:
        init = ENGINE / layer / "__init__.py"
        doc = ast.get_docstring(ast.parse(init.read_text(encoding="utf-8")))
        assert doc and ("May use" in doc or layer == "api"), f"{init}: say what the layer owns and may use"


def test_the_layers_contract_holds_and_breaks(tmp_path: Path) -> None:
    """`lint-imports` passes on the engine, and fails on a copy with one import against the grain."""
    lint = str(Path(sys.executable).with_name("lint-imports"))
    kept = subprocess.run([lint], cwd=ROOT, capture_output=True, text=True)
    assert kept.returncode == 0, kept.stdout + kept.stderr
    assert "2 kept, 0 broken" in kept.stdout
    shutil.copytree(ENGINE, tmp_path / "autograder", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    with open(tmp_path / "autograder" / "course" / "paths.py", "a", encoding="utf-8") as f:
        f.write("\nfrom autograder.grading import results  # against the grain\n")
    broken = subprocess.run([lint, "--no-cache"], cwd=tmp_path, capture_output=True, text=True,
                            env={**os.environ, "PYTHONPATH": str(tmp_path)})
    assert broken.returncode != 0
    assert "autograder.course.paths -> autograder.grading.results" in broken.stdout
