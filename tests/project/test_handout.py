"""The student handout: the generated notebook, the self-check run from the unzipped handout alone,
notebook and .py submissions grading alike, and a zip that leaks nothing of the grader's secrets."""

from __future__ import annotations

import ast
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import nbformat
import pytest

from autograder.grading.grade import grade_submission
from autograder.intake.handout_contents import NOTEBOOK_NAME, build_notebook, task_files, write_notebook
from autograder.verbs.handout import build_handout_zip
from autograder.course.paths import GRADING_TESTS, REFERENCE_DIR
from autograder.verbs.public_checks import load_checks
from autograder.course.tasks import all_tasks
from autograder.course.rubric import load_rubric
from tests.project.corpus.build import reference_submission
from tests.project.leaks import function_body, normalised, rubric_parameter_lines

# reference helpers whose body is, on purpose, the same one-liner as shipped engine code: mnist.to_batch
# turns uint8 images into the model's input exactly as the worker's probe does (not a task answer)
SHARED_WITH_ENGINE = {"to_batch"}
ASSIGNMENT = load_rubric()  # the default (full) assignment: every task, in the course's order
TASKS = list(ASSIGNMENT.tasks)
TASK_FILES = task_files(None, TASKS)
CHECKS = load_checks(TASKS)


@pytest.fixture(scope="module")
def handout(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The zip, built once and unpacked into a folder that shares nothing with the project."""
    folder = tmp_path_factory.mktemp("handout")
    archive = build_handout_zip(folder / "handout.zip", TASKS, ASSIGNMENT.title)
    with zipfile.ZipFile(archive) as zf:
        zf.extractall(folder / "unpacked")
    return folder


def top_level_defs(source: str) -> list[str]:
    return [n.name for n in ast.parse(source).body if isinstance(n, (ast.FunctionDef, ast.ClassDef))]


def run_check(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "check.py", *args], cwd=root, capture_output=True, text=True, timeout=300)


# ---------------------------------------------------------------- the notebook
def test_notebook_has_task_text_and_one_cell_per_function() -> None:
    nb = build_notebook(TASK_FILES, ASSIGNMENT.title)
    markdown = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    assert markdown.startswith(f"# {ASSIGNMENT.title}\n")
    titles = [ast.get_docstring(ast.parse(p.read_text(encoding="utf-8"))).splitlines()[0].strip() for p in TASK_FILES]
    assert [markdown.index(t) for t in titles] == sorted(markdown.index(t) for t in titles)  # the assignment's order
    code_cells = [c.source for c in nb.cells if c.cell_type == "code"]
    cell_defs = [top_level_defs(c) for c in code_cells if not c.lstrip().startswith("# Try it")]
    for path in TASK_FILES:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        doc_first_line = ast.get_docstring(tree).splitlines()[0].strip()
        assert doc_first_line in markdown, path.name
        for name in top_level_defs(path.read_text(encoding="utf-8")):
            assert [name] in cell_defs, f"{name} should have a code cell of its own"
    for source in code_cells:
        assert "__main__" not in source
        if source.lstrip().startswith("# Try it"):  # the optional cell is commented out entirely
            assert all(line.startswith("#") for line in source.splitlines())


def test_notebook_code_defines_what_the_files_define() -> None:
    """The code cells of the notebook, run in one namespace, define every public name of the files."""
    nb = build_notebook(TASK_FILES)
    namespace: dict[str, object] = {"__name__": "homework"}
    for cell in nb.cells:
        if cell.cell_type == "code":
            exec(compile(cell.source, "cell", "exec"), namespace)  # the template: definitions only
    for path in TASK_FILES:
        module = ast.parse(path.read_text(encoding="utf-8"))
        names = top_level_defs(path.read_text(encoding="utf-8")) + [
            t.id for n in module.body if isinstance(n, ast.Assign) for t in n.targets if isinstance(t, ast.Name)]
        assert names and all(n in namespace for n in names), path.name


def test_filled_in_notebook_grades_like_the_py_files(tmp_path: Path) -> None:
    py_folder = reference_submission(tmp_path / "py")
    nb_folder = tmp_path / "nb"
    write_notebook(py_folder, nb_folder / NOTEBOOK_NAME, TASKS)
    for extra in py_folder.glob("*.pt"):
        shutil.copy(extra, nb_folder / extra.name)
    as_py = grade_submission(py_folder, tmp_path / "py.json", log=lambda line: None)
    as_nb = grade_submission(nb_folder, tmp_path / "nb.json", log=lambda line: None)
    assert as_py["score"] > 0
    assert as_nb["score"] == pytest.approx(as_py["score"])
    passed = {t["extra_data"]["id"] for t in as_py["tests"] if t["status"] == "passed"}
    assert {t["extra_data"]["id"] for t in as_nb["tests"] if t["status"] == "passed"} == passed


# ---------------------------------------------------------------- the self-check, from the handout alone
def test_template_check_finds_every_name_and_says_not_implemented(handout: Path) -> None:
    result = run_check(handout / "unpacked")
    assert result.returncode == 1, result.stderr
    out = result.stdout
    assert "ok   imports and has every name" in out
    assert "Traceback" not in out + result.stderr
    for check in CHECKS:
        block = out.split(f"FAIL {check.title}\n", 1)
        assert len(block) == 2, f"{check.title} should fail on the template"
        assert "not implemented yet" in block[1].split("\n", 1)[0]
    assert f"1 of {len(CHECKS) + 1} checks passed." in out


def test_template_notebook_loads_in_the_check(handout: Path) -> None:
    result = run_check(handout / "unpacked", NOTEBOOK_NAME)
    assert "Code read: `homework.ipynb`" in result.stdout
    assert "ok   imports and has every name" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr


def test_check_from_the_handout_root_reads_the_homework_not_the_grader(handout: Path) -> None:
    """`python -m autograder check` with no path, from the handout root: the grader is not homework
    (the handout's own files are left out, as the grader leaves them out)."""
    result = subprocess.run([sys.executable, "-m", "autograder", "check"], cwd=handout / "unpacked",
                            capture_output=True, text=True, timeout=300)
    code_read = next(line for line in result.stdout.splitlines() if line.startswith("Code read:"))
    assert "`homework/distances.py`" in code_read and "check.py" not in code_read and "selfcheck" not in code_read


def test_reference_bodies_pass_every_public_check(handout: Path, tmp_path: Path) -> None:
    root = tmp_path / "copy"
    shutil.copytree(handout / "unpacked", root)
    for task in all_tasks().values():  # the solution and what it hands in besides (the weights)
        for path in task.reference_files():
            shutil.copy(path, root / "homework" / path.name)
    result = run_check(root)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"{len(CHECKS) + 1} of {len(CHECKS) + 1} checks passed." in result.stdout


def test_public_checks_do_not_import_the_grader_secrets() -> None:
    engine = Path(__file__).resolve().parents[2] / "autograder"
    shipped = [engine / name for name in ("verbs/public_checks.py", "verbs/selfcheck.py", "verbs/handout.py",
                                           "intake/handout_contents.py")]
    shipped += [p for task in all_tasks().values() for p in (task.public_checks, task.probes) if p is not None]
    for name in shipped:
        tree = ast.parse(name.read_text(encoding="utf-8"))
        imported = [a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names]
        imported += [n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)]
        assert not [m for m in imported if m.split(".")[0] in ("reference", "tests")], name


# ---------------------------------------------------------------- what the zip holds, and what it must not
def test_handout_contents(handout: Path) -> None:
    with zipfile.ZipFile(handout / "handout.zip") as zf:
        names = set(zf.namelist())
        for path in TASK_FILES:
            assert zf.read(f"homework/{path.name}") == path.read_bytes()
        nbformat.validate(nbformat.reads(zf.read(NOTEBOOK_NAME).decode(), as_version=4))
    assert {"qn2_data.csv", "homework/qn2_data.csv", "check.py", "README_students.md",
            "autograder/verbs/public_checks.py", "autograder/sandbox/worker_main.py", "checks/kmeans/public_checks.py",
            "checks/mnist/probes.py", "homework/mnist_data.py",
            "autograder/grading/results_schema.json"} <= names
    assert not [n for n in names if n.split("/")[0] in ("reference", "tests", "benchmarks", "assignments")]
    readme = (handout / "unpacked" / "README_students.md").read_text(encoding="utf-8")
    assert "check.py" in readme and 'torch.save(model.state_dict(), "mnist_weights.pt")' in readme


def reference_secrets() -> list[str]:
    """Each reference function body (no def line, no docstring) and each reference constant, unless
    the template holds it verbatim (given code such as make_blobs): INIT_INDICES, the answers, ..."""
    secrets = []
    for path in sorted(REFERENCE_DIR.glob("*/*.py")):
        source = path.read_text(encoding="utf-8")
        template = all_tasks()[path.stem].template if path.stem in all_tasks() else path
        template_text = normalised(template.read_text(encoding="utf-8")) if template.exists() else ""
        for node in ast.parse(source).body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name not in SHARED_WITH_ENGINE:
                body_text = function_body(source, node)
                if body_text and body_text not in template_text:
                    secrets.append(body_text)
            elif isinstance(node, (ast.Assign, ast.AnnAssign)):
                segment = normalised(ast.get_source_segment(source, node) or "")
                if segment and segment not in template_text:
                    secrets.append(segment)
    return secrets


def hidden_test_secrets() -> list[str]:
    secrets = []
    for path in sorted(GRADING_TESTS.glob("*/test_*.py")):
        secrets += [n.name for n in ast.parse(path.read_text(encoding="utf-8")).body
                    if isinstance(n, ast.FunctionDef) and n.name.startswith("test_")]
    for entry in load_rubric().entries.values():
        if entry.visibility != "visible":
            secrets += [entry.id, entry.name]
    return secrets


def test_handout_leaks_no_reference_hidden_test_or_rubric_parameter(handout: Path) -> None:
    parameters = rubric_parameter_lines()
    secrets = reference_secrets() + hidden_test_secrets() + [line for line, _ in parameters]
    assert len(secrets) > 40 and any("INIT_INDICES" in s for s in secrets)  # the oracle itself found them
    with zipfile.ZipFile(handout / "handout.zip") as zf:
        texts = {name: zf.read(name).decode("utf-8") for name in zf.namelist()}
    leaks = [(name, secret.splitlines()[0]) for name, text in texts.items()
             for secret in secrets if secret in normalised(text) or secret in text]
    # files written for the handout must not reuse a hidden tolerance even in code form (`atol=1e-6`);
    # the engine's own files may hold such generic literals for other reasons
    written_for_students = [n for n in texts if not n.startswith("autograder/") or n.endswith("public_checks.py")]
    leaks += [(name, code) for name in written_for_students for _, code in parameters
              if re.search(re.escape(code) + r"(?![\d.])", texts[name])]
    assert not leaks, leaks
    assert not re.search(r"\bfrom reference\b|\bimport reference\b", "\n".join(texts.values()))


def test_the_handout_ships_only_the_probes_its_checks_use(handout: Path) -> None:
    """No complete answer ships: a task's probes file only when its public checks call one of its
    probes. The distances yardstick (plain loops: a complete `forloopdists`) is needed by no check."""
    with zipfile.ZipFile(handout / "handout.zip") as zf:
        shipped = {n.split("/")[1]: zf.read(n).decode() for n in zf.namelist()
                   if n.startswith("checks/") and n.endswith("/probes.py")}
        checks = {n.split("/")[1]: zf.read(n).decode() for n in zf.namelist()
                  if n.startswith("checks/") and n.endswith("/public_checks.py")}
    assert "distances" in checks and "distances" not in shipped
    assert "mnist" in shipped  # its checks drive the student's model through probes
    for task, text in shipped.items():
        registered = {node.name.removeprefix("probe_") for node in ast.parse(text).body
                      if isinstance(node, ast.FunctionDef) and node.name.startswith("probe_")}
        assert registered & set(re.findall(r'\.probe\(\s*"(\w+)"', checks[task])), task
    everything = "\n".join(checks.values())
    assert "for i in range(len(feats))" not in everything and "np.subtract.outer" not in everything
