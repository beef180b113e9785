"""What the student handout holds: a notebook generated from the task files, and every member of
the zip a student downloads (written by autograder/verbs/handout.py).

The template's .py files are the one source of truth: the notebook is cut from them (task text as
markdown, one code cell per function), so the .py and notebook forms can never drift apart, and
a filled-in notebook grades exactly like the filled-in files. The zip holds only what the student
may see of the given tasks: each task's files (template, data, helpers), the notebook, each task's
public checks and probes, and the grader parts that the self-check needs. Task text (what to run,
what to hand in) comes from each task's own `student_template/<task>/README.md`; the tasks, their
order and the title are the assignment's (`autograder handout --assignment NAME`).
"""

from __future__ import annotations

import ast
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Mapping

import nbformat

from autograder.course.contract import required_names
from autograder.course.paths import PROJECT_ROOT
from autograder.course.public_split import PUBLIC_SPLIT_FILE, PublicSplit, split_for
from autograder.course.requirements import REQUIREMENTS_FILE, pinned, requirements_text
from autograder.course.tasks import all_tasks, check_files, probes_for_checks
from autograder.intake.choice import TEMPLATES_FILE, template_fingerprints
from autograder.intake.notebook import SELF_CHECK_IMPORT

INDEX_FILE = "autograder/handout_files.json"  # the index of the handout's own files (intake/handout_index.py)
NOTEBOOK_NAME = "homework.ipynb"
SUBMISSION_ZIP = "submission.zip"  # what `python check.py --zip` writes into the folder it checks
WORK_FOLDER = "homework"  # the student's .py files live here, apart from the notebook and the grader
CONTRACT_FILE = "contract.json"  # required names, for the self-check (the handout has no student_template/)
ENGINE_PARTS = ("autograder/*.py", "autograder/*/*.py", "autograder/*/*.json")  # the layers, schema included
DEFAULT_TITLE = "Homework"
NOTEBOOK_INTRO = """# {title}

Fill in every function below (keep the names and signatures), then check your work locally:
the `check("<task>")` cell after each task, or `python check.py` from the handout folder (it reads
this notebook and the .py files alike, and grades the copy you filled in). To submit, `python check.py --zip` writes `submission.zip` with this
notebook and the files your tasks ask for (the weights a "try it" cell writes next to this notebook):
upload that. Keep long-running code (training, timing runs) inside functions or in the commented-out
"try it" cells: top-level training slows the grader down."""


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass(frozen=True)
class HandoutIndex:
    files: Mapping[str, str]      # handout path -> sha256 of what it shipped
    kept: frozenset[str]          # handout paths that stay part of a submission (task data files)

    def recognises(self, rel: str, read: Callable[[], bytes]) -> bool:
        """`rel` (relative to the submission's root) is a file the handout shipped, unchanged and
        not kept: at its handout path, or at the tail of it (the homework folder zipped alone).
        The content is read only for a path the handout has."""
        sha = None
        for path, expected in self.files.items():
            if path in self.kept or not (path == rel or path.endswith("/" + rel)):
                continue
            sha = sha or digest(read())
            if sha == expected:
                return True
        return False


def index_json(members: Mapping[str, bytes], kept: Iterable[str]) -> bytes:
    """The index of a handout's members, as written into its zip."""
    files = {name: digest(data) for name, data in sorted(members.items())}
    return json.dumps({"files": files, "kept": sorted(kept)}, indent=0).encode("utf-8")


def parse_index(raw: bytes) -> HandoutIndex | None:
    try:
        data = json.loads(raw.decode("utf-8"))
        files = {str(k): str(v) for k, v in dict(data["files"]).items()}
        return HandoutIndex(files, frozenset(str(k) for k in data.get("kept", [])))
    except (ValueError, KeyError, TypeError, AttributeError):
        return None


def _is_main_block(node: ast.stmt) -> bool:
    """`if __name__ == "__main__":`, the part a notebook must not run on import."""
    test = getattr(node, "test", None)
    return (isinstance(node, ast.If) and isinstance(test, ast.Compare) and isinstance(test.left, ast.Name)
            and test.left.id == "__name__")


def _segments(source: str) -> tuple[str | None, list[tuple[str, str]], str | None]:
    """(module docstring, [(kind, code)] with kind "setup" or "def", body of the __main__ block).

    Each statement keeps the comment lines written right above it (they explain constants), and a
    "setup" piece starts with a blank line when the source had one there (so spacing survives)."""
    tree = ast.parse(source)
    lines = source.splitlines()
    body = list(tree.body)
    docstring = ast.get_docstring(tree)
    previous_end = 0
    if docstring is not None:
        previous_end = body.pop(0).end_lineno or 0
    parts: list[tuple[str, str]] = []
    main: str | None = None
    for node in body:
        start = min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", [])])
        first = start - 1
        while first > previous_end and lines[first - 1].lstrip().startswith("#"):
            first -= 1
        gap = "\n" if first > 0 and not lines[first - 1].strip() else ""
        text = "\n".join(lines[first:node.end_lineno])
        previous_end = node.end_lineno or start
        if _is_main_block(node):
            main = "\n".join(lines[node.body[0].lineno - 1:node.end_lineno])
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            parts.append(("def", text))
        else:
            parts.append(("setup", gap + text))
    return docstring, parts, main


def _commented(block: str) -> str:
    """The __main__ body, dedented and commented out: an optional cell the student may run."""
    rows = block.splitlines()
    indent = min((len(r) - len(r.lstrip()) for r in rows if r.strip()), default=0)
    body = "\n".join(("# " + r[indent:]) if r.strip() else "#" for r in rows)
    return "# Try it (optional): uncomment to run. Do not leave training here when you submit.\n" + body


def task_cells(path: Path) -> list[nbformat.NotebookNode]:
    """The cells of one task file: task text, imports and constants, one cell per function, try-it."""
    docstring, parts, main = _segments(path.read_text(encoding="utf-8"))
    title, _, rest = (docstring or path.stem).partition("\n")
    text = [f"## {title.strip()}", rest.strip(), f"(`{path.name}` in the .py version of this handout)"]
    cells = [nbformat.v4.new_markdown_cell("\n\n".join(t for t in text if t))]
    setup = "\n".join(code for kind, code in parts if kind == "setup").strip("\n")
    if setup:
        cells.append(nbformat.v4.new_code_cell(setup))
    cells += [nbformat.v4.new_code_cell(code) for kind, code in parts if kind == "def"]
    if main is not None:
        cells.append(nbformat.v4.new_code_cell(_commented(main)))
    return cells


def task_files(folder: Path | None, tasks: list[str]) -> list[Path]:
    """The task files in the assignment's order: the templates, or `<task>.py` of a filled-in flat folder."""
    if folder is None:
        return [all_tasks()[name].template for name in tasks]
    return [Path(folder) / f"{name}.py" for name in tasks if (Path(folder) / f"{name}.py").is_file()]


def build_notebook(files: list[Path], title: str = DEFAULT_TITLE, check_cells: bool = False) -> nbformat.NotebookNode:
    """One notebook from task files, in their order (an assignment's). With `check_cells` (the
    handout's), a `check("<task>")` cell after each task and a last cell that checks everything and
    writes the zip (autograder/verbs/notebook_check.py); the grader reads them as blank lines."""
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells.append(nbformat.v4.new_markdown_cell(NOTEBOOK_INTRO.replace("{title}", title)))
    if check_cells:
        nb.cells.append(nbformat.v4.new_code_cell(CHECK_IMPORT_CELL))
    for path in files:
        nb.cells += task_cells(path)
        if check_cells:
            nb.cells.append(nbformat.v4.new_code_cell(f'check("{path.stem}")'))
    if check_cells:
        nb.cells += [nbformat.v4.new_markdown_cell(FINAL_CHECK_TEXT), nbformat.v4.new_code_cell("check(zip=True)")]
    return nb


def write_notebook(task_dir: Path, out: Path, tasks: list[str], title: str = DEFAULT_TITLE) -> Path:
    """The notebook form of a filled-in flat folder of task files."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(build_notebook(task_files(task_dir, tasks), title), str(out))
    return out


CHECK_IMPORT_CELL = (SELF_CHECK_IMPORT + "  # check(\"<task>\") runs that task's public checks on the code this "
                     "notebook has run, as `python check.py` does")
FINAL_CHECK_TEXT = """## Check everything and write the zip

Save the notebook first: this cell reads the handout folder as saved, exactly as `python check.py --zip`,
and writes `submission.zip` (it says "ready to upload" only when every check passed)."""

CHECK_SCRIPT = '''"""Check your homework before you submit, from this folder: `python check.py` (your .py files in
homework/ and the notebook alike: the grader's rule picks what you filled in), then
`python check.py --zip` writes submission.zip, exactly what the grader will read: hand that in."""

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from autograder.cli import main  # noqa: E402
from autograder.verbs.notebook_check import check  # noqa: E402,F401  (the notebook's `from check import check`)

if __name__ == "__main__":
    args = sys.argv[1:]
    if not [a for a in args if not a.startswith("-")]:
        args.append(str(HERE))  # default: the whole handout folder (its own files are left out)
    sys.exit(main(["check"] + args))
'''

README = """# {title}: handout

## What is here
- `homework/`: one .py file per task, with the data and helper files of its task. Fill in every
  function (keep names and signatures); helper functions are welcome.
- `homework.ipynb`: the same tasks as one notebook, if you prefer Jupyter. Use one or the other.
- `check.py`, `checks/` and `autograder/`: the self-check (the same loader and sandbox as the real
  grader, and a few public checks per task). `requirements.txt`: what to install.

## Requirements
Python 3.10 or newer. One command installs the packages at the grader's versions, with the CPU
build of torch (in a virtual environment: `python -m venv .venv`, then its `pip`):

    pip install -r requirements.txt

Measured into a fresh venv on 2 shared cores, with the wheels already on disk: 47 s, 1.06 GB installed
(torch is 751 MB of it); the download (about 250 MB, torch's wheel 192 MB) comes on top. A task that
needs more (a data package) says so in its own section below. A plain `pip install torch` brings the
newest CUDA build instead, about 5.6 GB, and a version the grader does not run.
Have an NVIDIA GPU and want to train on it? Not needed: the grader runs on a CPU, and every task
runs on a CPU in minutes. To use it anyway, first install the CUDA build of the same torch version
with the command pytorch.org gives for your CUDA version (`torch=={torch}`), then run the line
above: it keeps that torch and adds the rest.

## Your tasks
Each file's `if __name__ == "__main__":` block runs its task, from this folder.

{tasks}

## Check your work
From this folder:

    python check.py

It reads this folder as the grader will (your .py files in `homework/` and the notebook alike: for
each task it grades the copy you filled in, and says so), says whether every required name was
found, then runs a few PUBLIC example checks per task, the trained weights included, with the points
of the test each one stands for. Passing them does not mean full marks: the grader runs more tests,
and the summary says how many points those decide. A check that needs a file Python cannot compile
fails, as the grader gives such a file nothing.

In the notebook, the cell after each task, `check("<task>")`, runs the same checks on the code the
notebook has run, and prints the same words.

## What to submit (Gradescope)
One command, from this folder:

    python check.py --zip

It checks as above, then writes `submission.zip` holding exactly what the grader will read (your
code or your notebook, the files your tasks ask for, such as the weights, and the data files) and
prints what it put in. Upload `submission.zip` when it says "Ready to upload" (every check passed);
otherwise it lists what will lose points. The notebook's last cell, `check(zip=True)`, does the same
(save the notebook first).
"""


def task_title(path: Path) -> str:
    """The first line of a task file's docstring ("Task 3: k-means ..."), else its name."""
    return (ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or path.stem).splitlines()[0].strip()


def students_readme(tasks: list[str], title: str = DEFAULT_TITLE) -> str:
    known = all_tasks()
    sections = [f"### {task_title(known[name].template)} (`homework/{name}.py`)\n\n{known[name].handout_text()}".rstrip()
                for name in tasks]
    return README.replace("{title}", title).replace("{tasks}", "\n\n".join(sections)).replace("{torch}", pinned("torch"))


def _engine_files(root: Path) -> list[Path]:
    found: list[Path] = []
    for pattern in ENGINE_PARTS:
        found += sorted(p for p in root.glob(pattern) if p.is_file())
    return found


def handout_members(tasks: list[str], title: str = DEFAULT_TITLE, root: Path = PROJECT_ROOT,
                    split: PublicSplit | None = None) -> tuple[dict[str, bytes], set[str]]:
    """({zip path: content} of the student's handout of the given tasks (an assignment's), the task
    data paths among them); everything in it is listed here, nothing is copied by folder. `split`:
    the points the public checks stand for (course/public_split.py; default: the assignment of these tasks)."""
    tasks = list(tasks)
    members: dict[str, bytes] = {}
    data: set[str] = set()
    for name in tasks:
        for path in all_tasks()[name].handout_files():
            members[f"{WORK_FOLDER}/{path.name}"] = path.read_bytes()
            if path.suffix != ".py":
                members[path.name] = path.read_bytes()  # data next to the notebook too
                data |= {path.name, f"{WORK_FOLDER}/{path.name}"}
    members[NOTEBOOK_NAME] = nbformat.writes(build_notebook(task_files(None, tasks), title, check_cells=True)).encode("utf-8")
    for path in _engine_files(root):
        members[path.relative_to(root).as_posix()] = path.read_bytes()
    for name, path in check_files(tasks).items():
        members[f"checks/{name}/public_checks.py"] = path.read_bytes()
    for name, path in probes_for_checks(tasks).items():
        members[f"checks/{name}/probes.py"] = path.read_bytes()
    members[f"autograder/{CONTRACT_FILE}"] = json.dumps(required_names(tuple(tasks)), indent=1).encode()
    members[f"autograder/{TEMPLATES_FILE}"] = json.dumps(template_fingerprints(tuple(tasks)), indent=0).encode()
    members[f"autograder/{PUBLIC_SPLIT_FILE}"] = (split or split_for(tasks)).to_json()
    members["check.py"] = CHECK_SCRIPT.encode()
    members["README_students.md"] = students_readme(tasks, title).encode()
    members[REQUIREMENTS_FILE] = requirements_text(tasks=tasks).encode()
    return members, data


def own_files_index(members: dict[str, bytes], data: set[str], tasks: list[str]) -> bytes:
    """The index of the handout's own files: all members but the student's work (the templates and
    the notebook, judged by the stub rule of choice.py instead)."""
    work = {f"{WORK_FOLDER}/{name}.py" for name in tasks} | {NOTEBOOK_NAME}
    return index_json({k: v for k, v in members.items() if k not in work}, data)
