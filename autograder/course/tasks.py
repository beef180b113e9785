"""The tasks of this repository, found from the folders alone: the engine knows none by name.

A task `<name>` is whatever lives in its three folders, one under each fixed top-level folder:

- `student_template/<name>/`: what the student receives. `<name>.py` is the template (its public
  names are the contract); every other file there (data, helper modules) ships beside it in the
  handout and may be handed back; `README.md` is the task's part of the students' README.
- `reference/<name>/`: the instructor's solution `<name>.py` and whatever a correct submission
  hands in besides the code (trained weights): validate grades exactly this folder.
- `tests/grading/<name>/`: the hidden tests (`test_*.py`), the public checks that ship with the
  handout's self-check (`public_checks.py`), the worker-side probes (`probes.py`), the task's
  default rubric entries (`rubric.toml`), a set-up hook (`prepare.py`), the packages it needs
  beyond the grader's own (`requirements.txt`, pinned: autograder/course/requirements.py) and the
  project's corpus of seeded mistakes (`corpus.py`, never shipped).
"""

from __future__ import annotations

import ast
import importlib.util
import sys
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from types import ModuleType

from autograder.course.paths import GRADING_TESTS, PROJECT_ROOT, REFERENCE_DIR, TEMPLATE_DIR

HANDOUT_TEXT = "README.md"
NOT_SHIPPED = {HANDOUT_TEXT, "__pycache__", ".ipynb_checkpoints"}
HANDOUT_CHECKS = PROJECT_ROOT / "checks"  # in a student's handout: checks/<task>/{public_checks,probes}.py
HANDOUT_WORK = PROJECT_ROOT / "homework"  # in a student's handout: the task files and their helpers
ENGINE_PROBES = Path(__file__).resolve().parents[1] / "sandbox" / "probes.py"


@dataclass(frozen=True)
class Task:
    name: str
    handout_dir: Path     # student_template/<name>/
    reference_dir: Path   # reference/<name>/
    tests_dir: Path       # tests/grading/<name>/

    @property
    def template(self) -> Path:
        return self.handout_dir / f"{self.name}.py"

    @property
    def solution(self) -> Path:
        return self.reference_dir / f"{self.name}.py"

    public_checks = property(lambda self: self._own("public_checks.py"), doc="shipped in the handout's self-check")
    probes = property(lambda self: self._own("probes.py"), doc="worker-side, registered with @probe")
    rubric = property(lambda self: self._own("rubric.toml"), doc="the task's default rubric entries")
    prepare = property(lambda self: self._own("prepare.py"), doc="set-up hook of `autograder prepare`")
    corpus = property(lambda self: self._own("corpus.py"), doc="seeded mistakes, for the project's tests")
    requirements = property(lambda self: self._own("requirements.txt"), doc="pinned packages the task needs")

    def _own(self, filename: str) -> Path | None:
        """A file of the task's tests folder, or None when the task has none (they are optional)."""
        path = self.tests_dir / filename
        return path if path.is_file() else None

    def handout_files(self) -> list[Path]:
        """What ships to the student for this task: the template first, then its data and helpers."""
        extras = sorted(p for p in self.handout_dir.iterdir()
                        if p.is_file() and p.name not in NOT_SHIPPED and p != self.template)
        return [self.template] + extras

    def handout_text(self) -> str:
        path = self.handout_dir / HANDOUT_TEXT
        return path.read_text(encoding="utf-8").strip() if path.is_file() else ""

    def reference_files(self) -> list[Path]:
        """What the reference hands in: the solution and anything beside it (weights)."""
        return sorted(p for p in self.reference_dir.iterdir()
                      if p.is_file() and not p.name.startswith("__") and p.suffix != ".pyc")

    def file(self, filename: str) -> Path:
        """A file of this task's folders (hidden-test side first, then handout, then reference): tests
        name a data file by task and name, never by where the folders happen to be."""
        for folder in (self.tests_dir, self.handout_dir, self.reference_dir):
            if (folder / filename).is_file():
                return folder / filename
        raise FileNotFoundError(f"task `{self.name}` has no file {filename}")

    def module(self, filename: str) -> ModuleType:
        """A Python file of this task's folders (`probes.py`, a data reader...), imported once by path
        under a name of its own, so two tasks' `public_checks.py` never shadow each other."""
        return load_module(self.file(filename), f"autograder_task_{self.name}_{Path(filename).stem}")


def load_module(path: Path, module_name: str) -> ModuleType:
    if module_name in sys.modules:
        return sys.modules[module_name]
    spec = importlib.util.spec_from_file_location(module_name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        del sys.modules[module_name]
        raise
    return module


@lru_cache(maxsize=None)
def all_tasks(template_dir: Path = TEMPLATE_DIR, reference_dir: Path = REFERENCE_DIR,
              tests_dir: Path = GRADING_TESTS) -> dict[str, Task]:
    """{name: Task} for every `student_template/<name>/<name>.py`, sorted by name."""
    found: dict[str, Task] = {}
    if not Path(template_dir).is_dir():  # a student's handout holds no task folders
        return found
    for folder in sorted(Path(template_dir).iterdir()):
        if folder.is_dir() and (folder / f"{folder.name}.py").is_file():
            found[folder.name] = Task(folder.name, folder, Path(reference_dir) / folder.name,
                                      Path(tests_dir) / folder.name)
    return found


def task(name: str) -> Task:
    tasks = all_tasks()
    if name not in tasks:
        raise KeyError(f"no task `{name}`: student_template/{name}/{name}.py does not exist "
                       f"(tasks: {', '.join(tasks) or 'none'})")
    return tasks[name]


def shipped_module(name: str, filename: str) -> ModuleType:
    """A Python file of task `name`'s folders (see Task.module), or in a student's handout, which has
    no task folders, the helper shipped in `homework/` (a data reader); FileNotFoundError if none."""
    if name in all_tasks():
        return task(name).module(filename)
    path = HANDOUT_WORK / filename
    if not path.is_file():
        raise FileNotFoundError(f"task `{name}` has no file {filename} here")
    return load_module(path, f"autograder_task_{name}_{Path(filename).stem}")


def own_files(filename: str, tasks: list[str] | None = None) -> dict[str, Path]:
    """{task: its tests-folder file `filename`} (`public_checks.py`, `probes.py`) for the given tasks
    (default: all): from the project's tasks, or, in a student's handout (which has no tests/
    folder), from the copies shipped in `checks/<task>/`."""
    known = all_tasks()
    folders = {name: task.tests_dir for name, task in known.items()} if known else \
        {p.name: p for p in sorted(HANDOUT_CHECKS.iterdir()) if p.is_dir()} if HANDOUT_CHECKS.is_dir() else {}
    names = list(folders) if tasks is None else [name for name in tasks if name in folders]
    return {name: folders[name] / filename for name in names if (folders[name] / filename).is_file()}


def check_files(tasks: list[str]) -> dict[str, Path]:
    """{task: its public_checks.py}, from the project's task folders or, in a handout, `checks/`."""
    return own_files("public_checks.py", tasks)


def probe_files() -> dict[str, Path]:
    """{task: its worker-side probes file}, for every task the worker may be asked about."""
    return own_files("probes.py")


def _registered(path: Path) -> dict[str, tuple[str, ...]]:
    """{probe name: names it uses} from the `@probe(...)` decorators of one file, read, not run."""
    found: dict[str, tuple[str, ...]] = {}
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if not isinstance(node, ast.FunctionDef) or not node.name.startswith("probe_"):
            continue
        for decorator in node.decorator_list:
            if isinstance(decorator, ast.Call) and getattr(decorator.func, "id", None) == "probe":
                found[node.name.removeprefix("probe_")] = tuple(
                    a.value for a in decorator.args if isinstance(a, ast.Constant) and isinstance(a.value, str))
    return found


def probes_called(path: Path) -> set[str]:
    """The probe names a file asks for (`student.probe("name", ...)`), read, not run."""
    return {node.args[0].value for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "probe"
            and node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)}


def probes_for_checks(tasks: list[str]) -> dict[str, Path]:
    """{task: its probes file} for the tasks whose public checks use one of its probes: what the
    handout's self-check needs, and nothing more (a probes file may hold a yardstick that is a
    complete answer, such as a plain-loop version of a graded function)."""
    checks = check_files(tasks)
    return {name: path for name, path in own_files("probes.py", tasks).items()
            if name in checks and probes_called(checks[name]) & set(_registered(path))}


@lru_cache(maxsize=None)
def registered_probes() -> dict[str, tuple[str, ...]]:
    """{probe name: the submission's names it calls} for every probe the worker will know."""
    found = _registered(ENGINE_PROBES)
    for path in probe_files().values():
        found.update(_registered(path))
    return found
