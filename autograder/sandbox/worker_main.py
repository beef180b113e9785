"""The sandboxed worker: loads the student's code and answers the grader's calls.

Runs as its own process (as an unprivileged user when the grader is root) with the files of this
folder copied beside it; it imports nothing from the grader's package. Everything it returns
crosses as plain data (see wire.py). Usage: worker_main.py MANIFEST REQUEST_FD RESPONSE_FD [MODE].
It writes no code: with MODE `definitions-only` it loads the trimmed form that the manifest
(autograder/intake/manifest.py) already staged beside the code as submitted.
"""

from __future__ import annotations

import ast
import builtins
import importlib
import inspect
import json
import linecache
import os
import re
import sys
import traceback
import types
from typing import Any, NamedTuple

import numpy as np

RUNTIME = os.path.dirname(os.path.abspath(__file__))
STUDENT_FILES: set[str] = set()


def student_frames(tb: Any) -> list[dict[str, Any]]:
    """The traceback frames that are in the student's own code, innermost last."""
    frames = []
    for frame in traceback.extract_tb(tb):
        if frame.filename in STUDENT_FILES:
            frames.append({"file": frame.filename, "line": frame.lineno, "function": frame.name,
                           "code": (frame.line or "").strip()})
    return frames


def describe_exception(exc: BaseException) -> dict[str, Any]:
    try:
        message = str(exc)
    except Exception:
        message = "<unprintable message>"
    return {"type": type(exc).__name__, "message": message[:2000],
            "frames": student_frames(exc.__traceback__)[-5:]}


CALL_MISMATCH = re.compile(r"\s*[\w.]+\(\) (takes|missing|got)")  # a call with arguments the callee does not take


def probe_own_fault(exc: BaseException) -> bool:
    """Whether a probe's exception is the grader's own bug: raised in the probe's code (the runtime
    folder), with no frame of the student's code, and not a call into the student's code with the
    handout's arguments (`train_step() takes 3 positional arguments`: the student's signature).
    Anything raised inside a library on the student's objects (torch, on a model whose layers do
    not fit) stays the student's."""
    frames = traceback.extract_tb(exc.__traceback__)
    if not frames or student_frames(exc.__traceback__) or not frames[-1].filename.startswith(RUNTIME):
        return False
    return not (isinstance(exc, TypeError) and CALL_MISMATCH.match(str(exc)))


MORE_ERRORS = 4  # failed top-level statements of one unit described after the first; the rest counted


def grader_fault(message: str) -> dict[str, Any]:
    """An error of the grader's own probe code, never shown to the student as theirs. The flag marks
    it, not the type's name: a student's exception class may be called GraderFault too."""
    return {"type": "GraderFault", "message": message[:2000], "frames": [], "grader_fault": True}


def run_unit(unit: dict[str, str], modules: dict[str, types.ModuleType], identity: Any,
             form: str = "source") -> dict[str, Any]:
    """Execute one code unit (its `form`: "source" or "definitions_only") in its module, one top-level
    statement at a time: a statement that raises (a missing package, sys.exit(), a crashing call) is
    reported and the rest still runs."""
    name = unit["module"]
    module = modules.get(name)
    if module is None:
        module = types.ModuleType(name)
        module.__file__ = unit["label"]
        modules[name] = module
        sys.modules[name] = module
    source = unit[form]
    label = unit["label"]
    STUDENT_FILES.add(label)
    linecache.cache[label] = (len(source), None, source.splitlines(True), label)
    try:
        tree = ast.parse(source, label)
    except SyntaxError as exc:
        return {"label": label, "ok": False, "error": {
            "type": "SyntaxError", "message": exc.msg or "invalid syntax",
            "frames": [{"file": label, "line": exc.lineno, "function": "<module>",
                        "code": (exc.text or "").strip()}]}}
    except (ValueError, RecursionError, MemoryError) as exc:  # MemoryError: nesting too deep for the parser
        return {"label": label, "ok": False, "error": {"type": type(exc).__name__, "message": str(exc)[:500]
                                                        or "too deeply nested for Python's parser", "frames": []}}
    flags, errors = identity.future_flags(tree), []
    for node in tree.body:
        try:
            exec(identity.compile_statement(node, label, flags), module.__dict__)
        except BaseException as exc:  # SystemExit and KeyboardInterrupt included: keep loading
            error = describe_exception(exc)
            if not error["frames"]:
                error["frames"] = [{"file": label, "line": node.lineno, "function": "<module>",
                                    "code": (linecache.getline(label, node.lineno) or "").strip()}]
            errors.append(error)
    if errors:
        return {"label": label, "ok": False, "error": errors[0], "failed_statements": len(errors),
                "more_errors": errors[1:MORE_ERRORS + 1]}
    return {"label": label, "ok": True}


def resolve(name: str, preferred: str | None, modules: dict[str, types.ModuleType]) -> tuple[str, Any] | None:
    """Find a required name: in its task's module first, else in any module of the submission.
    `Class.method` is the class's attribute (what the loop check identifies for a method)."""
    head, _, attribute = name.partition(".")
    order = ([preferred] if preferred in modules else []) + [m for m in modules if m != preferred]
    for module_name in order:
        namespace = modules[module_name].__dict__
        if head in namespace:
            if not attribute:
                return module_name, namespace[head]
            found = inspect.getattr_static(namespace[head], attribute, None)
            return (module_name, found) if found is not None else None
    return None


def stage_data_files(files: dict[str, str]) -> None:
    """The student's data files in the working folder, as beside their code on their own machine,
    so that `pd.read_csv("qn2_data.csv")` at the top level finds them. Copies: the originals stay
    as staged, and the working folder is this worker's own (a fresh one at every start)."""
    for name, path in files.items():
        target = os.path.join(os.getcwd(), os.path.basename(name))
        if not os.path.lexists(target):
            try:
                with open(path, "rb") as src, open(target, "wb") as dst:
                    dst.write(src.read())
            except OSError:
                pass  # a full workspace: the student's own read then fails with its usual message


def install_notebook_stubs() -> None:
    """Notebook code calls IPython's display(); give it a harmless stand-in."""
    if not hasattr(builtins, "display"):
        builtins.display = lambda *args, **kwargs: None  # type: ignore[attr-defined]


class Helpers(NamedTuple):
    wire: Any
    to_plain: Any
    probes: Any
    identity: Any
    looptrace: Any


def load_helpers() -> Helpers:
    """The grader's helpers (wire.py, convert.py, probes.py beside this file), loaded before any
    student code and then taken out of its reach: not importable, not in sys.modules, not globals
    of this module, so `import probes; probes.probe_x = fake` patches nothing the worker uses."""
    sys.path.insert(0, RUNTIME)
    task_probes = sorted(p[:-3] for p in os.listdir(RUNTIME) if p.startswith("task_probes_") and p.endswith(".py"))
    try:
        import convert
        import identity
        import looptrace
        import probes
        import wire
        for name in task_probes:  # each registers its probes with probes.REGISTRY
            importlib.import_module(name)
    finally:
        sys.path.remove(RUNTIME)
        for name in ("wire", "convert", "probes", "identity", "looptrace", *task_probes):
            sys.modules.pop(name, None)
    return Helpers(wire, convert.to_plain, probes, identity, looptrace)


def only_the_worker_answers(own_pid: int) -> None:
    """A copy made by the student's os.fork() returns into this loop: it must not answer too."""
    if os.getpid() != own_pid:
        os._exit(0)


def serve(manifest: dict[str, Any], requests: Any, responses: Any, helpers: Helpers,
          definitions_only: bool = False) -> None:
    own_pid = os.getpid()
    answer, check_pid = handle, only_the_worker_answers  # bound before student code can rebind them
    modules: dict[str, types.ModuleType] = {}
    code_dir = manifest["definitions_dir" if definitions_only else "code_dir"]
    if code_dir not in sys.path:
        sys.path.append(code_dir)
    install_notebook_stubs()
    stage_data_files(manifest.get("files", {}))
    form = "definitions_only" if definitions_only else "source"
    units = [run_unit(unit, modules, helpers.identity, form) for unit in manifest["units"]]
    found: dict[str, Any] = {}
    for name, preferred in manifest["names"].items():
        hit = resolve(name, preferred, modules)
        if hit is not None:
            found[name] = {"module": hit[0], "callable": callable(hit[1])}
    only_the_worker_answers(own_pid)
    sys.stdout.flush()
    helpers.wire.write_message(responses, {"op": "ready", "units": units, "found": found})
    while True:
        try:
            request = helpers.wire.read_message(requests)
        except EOFError:
            return
        response = answer(request, manifest, modules, helpers)
        check_pid(own_pid)
        response["id"] = request.get("id")
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        except Exception:
            pass
        helpers.wire.write_message(responses, response)


def handle(request: dict[str, Any], manifest: dict[str, Any], modules: dict[str, types.ModuleType],
           helpers: Helpers) -> dict[str, Any]:
    op, probes = request.get("op"), helpers.probes
    try:
        args = [probes.from_plain(a) for a in request.get("args", [])]
        kwargs = {k: probes.from_plain(v) for k, v in request.get("kwargs", {}).items()}
        if op == "ping":
            return {"ok": True, "value": "pong"}
        if op in ("call", "get", "identify"):
            name = request["name"]
            hit = resolve(name, manifest["names"].get(name.partition(".")[0]), modules)
            if hit is None:
                return {"ok": False, "missing": name}
            if op == "identify":  # what the name is bound to, described without calling it
                return {"ok": True, "value": helpers.identity.describe(hit[1], list(modules.values()), STUDENT_FILES)}
            if op == "call" and isinstance(request.get("trace"), int):  # which of its lines loop, seen as they run
                tracer = helpers.looptrace.LoopTrace(STUDENT_FILES, helpers.looptrace.library_roots(manifest["code_dir"]))
                value = tracer.run(hit[1], args, kwargs)
                return {"ok": True, "value": helpers.to_plain(value), "trace": tracer.report(request["trace"])}
            value = hit[1](*args, **kwargs) if op == "call" else hit[1]
        elif op == "probe":
            lookup = lambda n: (resolve(n, manifest["names"].get(n), modules) or (None, None))[1]  # noqa: E731
            function = probes.REGISTRY.get(request["probe"])
            if function is None:
                return {"ok": False, "error": grader_fault(f"no probe is registered as {request['probe']!r}")}
            try:
                value = function(lookup, manifest, *args, **kwargs)
            except probes.SubmissionProblem as exc:  # the probe's own words for the student: marked, not named
                return {"ok": False, "error": {**describe_exception(exc), "submission_problem": True}}
            except BaseException as exc:
                if probe_own_fault(exc):
                    return {"ok": False, "error": grader_fault(f"probe {request['probe']!r}: {describe_exception(exc)}")}
                raise
        else:
            return {"ok": False, "error": {"type": "ProtocolError", "message": f"unknown op {op!r}", "frames": []}}
        return {"ok": True, "value": helpers.to_plain(value)}
    except BaseException as exc:  # the student's exception, SystemExit included
        return {"ok": False, "error": describe_exception(exc)}


def main() -> None:
    manifest_path, request_fd, response_fd = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    definitions_only = sys.argv[4:] == ["definitions-only"]
    with open(manifest_path, encoding="utf-8") as fh:
        manifest = json.load(fh)
    requests = os.fdopen(request_fd, "rb", buffering=1 << 16)
    responses = os.fdopen(response_fd, "wb", buffering=1 << 16)
    np.seterr(all="ignore")
    serve(manifest, requests, responses, load_helpers(), definitions_only)


if __name__ == "__main__":
    main()
