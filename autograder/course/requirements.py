"""The packages a course needs, at the grader's pinned versions: the students' requirements.txt.

Why from pyproject.toml: the grader's own pins are the versions the hidden tests were checked
with, so the handout installs exactly those (the CPU build of torch), never a second list to keep
in sync. A task that needs more (another course's files `import past.builtins`, package `future`)
declares it in `tests/grading/<task>/requirements.txt`, one pinned `name==version` a line
(`# import: past` after it names the module when it is not the package's name): the handout's
requirements include it, setup.sh installs it on the grader (Gradescope's image too), and
`validate` imports it in the sandboxed worker.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from autograder.course.paths import PROJECT_ROOT, shown
from autograder.course.tasks import all_tasks

REQUIREMENTS_FILE = "requirements.txt"
# Grader-side tools of pyproject.toml that a student's machine does not need (the self-check runs
# without pytest; the rubric checks, the similarity check and the feedback pages are the instructor's).
GRADER_ONLY = {"pytest", "jsonschema", "tomli", "gradescope-utils", "pyyaml", "copydetect", "pygments",
               "markdown-it-py"}
CPU_INDEX = "https://download.pytorch.org/whl/cpu"


def _requirement_name(line: str) -> str:
    return re.split(r"[\s=<>!~;\[]", line.strip(), maxsplit=1)[0].lower()


def _dependencies(pyproject: Path) -> list[str]:
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10
        import tomli as tomllib  # type: ignore[no-redef]

    return list(tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]["dependencies"])


def pinned(package: str, pyproject: Path = PROJECT_ROOT / "pyproject.toml") -> str:
    """The version pyproject.toml pins for `package` (the first pin), e.g. "2.13.0"."""
    for line in _dependencies(pyproject):
        if _requirement_name(line) == package and "==" in line:
            return line.split("==", 1)[1].split(";", 1)[0].strip()
    raise KeyError(f"pyproject.toml pins no version of {package}")


@dataclass(frozen=True)
class TaskRequirement:
    """One line of a task's requirements.txt."""

    task: str
    where: str            # `tests/grading/<task>/requirements.txt:<line>`, for messages
    pin: str              # `future==1.0.0`
    modules: tuple[str, ...]  # what `# import: a, b` names; () when the package's name serves

    @property
    def name(self) -> str:
        return _requirement_name(self.pin)


PIN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*==[A-Za-z0-9.+!_-]+$")


def task_requirements(tasks: Iterable[str]) -> tuple[list[TaskRequirement], list[str]]:
    """(the pins of the given tasks' requirements.txt, one problem per line that is not a plain pin)."""
    found: list[TaskRequirement] = []
    problems: list[str] = []
    known = all_tasks()
    for task in tasks:
        path = known[task].requirements if task in known else None
        if path is None:
            continue
        for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            text, _, comment = raw.partition("#")
            where = f"{shown(path)}:{number}"
            if not text.strip():
                continue
            if not PIN.match(text.strip()):
                problems.append(f"{where}: `{text.strip()}` is not a pinned package (write `name==version`, "
                                "one a line; the grader and every student must install the same version)")
                continue
            modules = tuple(m.strip() for m in comment.split(":", 1)[1].split(",") if m.strip()) \
                if comment.strip().startswith("import:") else ()
            found.append(TaskRequirement(task, where, text.strip(), modules))
    return found, problems


def _applies(dependency: str) -> bool:
    """Whether a pyproject dependency holds for this Python (`; python_version >= '3.11'`; other
    markers are taken to hold)."""
    marker = re.fullmatch(r"\s*python_version\s*(>=|<=|==|!=|<|>)\s*['\"](\d+)\.(\d+)['\"]\s*",
                          dependency.partition(";")[2])
    if not marker:
        return True
    here, there = sys.version_info[:2], (int(marker[2]), int(marker[3]))
    return {">=": here >= there, "<=": here <= there, "==": here == there, "!=": here != there,
            "<": here < there, ">": here > there}[marker[1]]


def requirement_problems(tasks: Iterable[str], pyproject: Path = PROJECT_ROOT / "pyproject.toml") -> list[str]:
    """Lines that are not pins, and pins that disagree with the grader's own or with another task's."""
    found, problems = task_requirements(tasks)
    own = {_requirement_name(d): d.split(";", 1)[0].strip() for d in _dependencies(pyproject) if "==" in d and _applies(d)}
    first: dict[str, TaskRequirement] = {}
    for requirement in found:
        if requirement.name in own and own[requirement.name].split("==", 1)[1] != requirement.pin.split("==", 1)[1]:
            problems.append(f"{requirement.where}: {requirement.pin} disagrees with the grader's own "
                            f"{own[requirement.name]} (pyproject.toml): use that version")
        earlier = first.setdefault(requirement.name, requirement)
        if earlier.pin != requirement.pin:
            problems.append(f"{requirement.where}: {requirement.pin} disagrees with {earlier.pin} ({earlier.where})")
    return problems


def requirements_text(pyproject: Path = PROJECT_ROOT / "pyproject.toml", tasks: Iterable[str] = ()) -> str:
    """requirements.txt for the students: the grader's own pinned runtime packages (the CPU build of
    torch, at the grader's version), without the grader-only tools, then what the given tasks add."""
    pins = [d for d in _dependencies(pyproject) if _requirement_name(d) not in GRADER_ONLY]
    header = ["# The packages your homework and `python check.py` need, at the grader's versions.",
              "# `pip install -r requirements.txt` installs the CPU build of torch (about 1 GB installed,",
              "# not the 5 GB CUDA build); the grader runs on a CPU too, and a GPU is never needed.",
              f"--extra-index-url {CPU_INDEX}"]
    own = {_requirement_name(d) for d in pins}
    added: dict[str, str] = {}
    for requirement in task_requirements(tasks)[0]:
        if requirement.name not in own:
            added.setdefault(requirement.name, f"{requirement.pin}  # task {requirement.task}")
    return "\n".join(header + pins + list(added.values())) + "\n"

