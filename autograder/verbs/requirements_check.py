"""`validate`'s check of the tasks' own packages (tests/grading/<task>/requirements.txt): each pin
is installed on the grader at its version, and its modules import inside the sandboxed worker,
where the student's code will import them (the sandbox's view of the machine is not the grader's).

Why a separate worker with no student code: the check is about the grader's machine, and the
trusted worker is sandboxed exactly like the student's (same interpreter, same view, same limits).
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from importlib import metadata
from pathlib import Path

from autograder.course.limits import Limits
from autograder.course.requirements import TaskRequirement, requirement_problems, task_requirements
from autograder.sandbox.client import WorkerError, trusted_worker
from autograder.sandbox.policy import SandboxPolicy

SETUP_HINT = "run `bash setup.sh` (it installs every task's requirements.txt, on Gradescope too)"


def _normal(name: str) -> str:
    return name.lower().replace("-", "_").replace(".", "_")


def modules_of(requirement: TaskRequirement) -> tuple[str, ...]:
    """The modules to import: `# import:` when given, else the installed package's own top-level
    module of its name (PyYAML -> yaml: its only one), else the package's name."""
    if requirement.modules:
        return requirement.modules
    provided = sorted(m for m, dists in metadata.packages_distributions().items()
                      if any(_normal(d) == _normal(requirement.name) for d in dists) and not m.startswith("_"))
    if _normal(requirement.name) in provided or len(provided) != 1:
        return (_normal(requirement.name),)
    return (provided[0],)


def _installed(requirement: TaskRequirement) -> str | None:
    """Why the grader's own environment does not hold the pinned version, or None."""
    wanted = requirement.pin.split("==", 1)[1]
    try:
        version = metadata.version(requirement.name)
    except metadata.PackageNotFoundError:
        return f"{requirement.where}: {requirement.pin} is not installed on the grader: {SETUP_HINT}"
    if version.split("+", 1)[0] != wanted.split("+", 1)[0]:
        return f"{requirement.where}: the grader has {requirement.name} {version}, not {wanted}: {SETUP_HINT}"
    return None


def _sandboxed_imports(modules: list[str], limits: Limits) -> dict[str, str | None]:
    policy = SandboxPolicy(limits, python=sys.executable)
    try:
        with tempfile.TemporaryDirectory(prefix="ag-imports-") as run_dir:
            worker = trusted_worker(policy, Path(run_dir))
            try:
                worker.start()
                message = {"op": "probe", "probe": "imports", "args": [modules], "kwargs": {}}
                return worker.request(message, timeout=limits.load_timeout).value
            finally:
                worker.close()
                shutil.rmtree(worker.sandbox_dir, ignore_errors=True)
    finally:
        policy.close()


def requirement_failures(tasks: tuple[str, ...], limits: Limits) -> list[str]:
    """Every problem of the tasks' requirements.txt, one `file:line: ...` line each; [] when sound."""
    problems = requirement_problems(tasks)
    found, _ = task_requirements(tasks)
    problems += [p for p in map(_installed, found) if p]
    if not found:
        return problems
    wanted = {requirement: modules_of(requirement) for requirement in found}
    try:
        imported = _sandboxed_imports(sorted({m for ms in wanted.values() for m in ms}), limits)
    except WorkerError as exc:
        return problems + [f"the sandboxed worker could not check the tasks' requirements: {exc}"]
    for requirement, modules in wanted.items():
        problems += [f"{requirement.where}: {requirement.pin}: `import {m}` fails in the sandboxed worker "
                     f"({imported[m]})" + ("" if _installed(requirement) else "; name the module with "
                                           f"`{requirement.pin}  # import: <module>` if it is not `{m}`")
                     for m in modules if imported.get(m)]
    return problems
