"""The arguments of a call that raised, as the student's function saw them: each parameter's name,
type, dtype and shape. A hard-coded size (`D = 300`) then meets the shapes the test really passed
("feats: a numpy array (float64, shape (7, 3))") instead of only "cannot reshape array of size 21".
"""

from __future__ import annotations

import ast
from typing import Any

from autograder.grading.feedback import describe_value
from autograder.intake.source_index import SourceIndex
from autograder.sandbox.replies import StudentCodeError, WorkerError
from autograder.sandbox.wire import DeviceSpec

SILENT = ("NotImplementedError", "SubmissionProblem")  # already said in the student's own words


def _parameter_names(index: SourceIndex, name: str, contract: dict[str, str]) -> list[str]:
    hit = index.function_node(name, contract.get(name))
    if hit is None or not isinstance(hit[1], (ast.FunctionDef, ast.AsyncFunctionDef)):
        return []
    return [a.arg for a in (*hit[1].args.posonlyargs, *hit[1].args.args)]


def _describe(value: Any) -> str:
    return f"torch.device({value.name!r})" if isinstance(value, DeviceSpec) else describe_value(value)


def describe_arguments(index: SourceIndex, name: str, contract: dict[str, str], args: list[Any],
                       kwargs: dict[str, Any]) -> str:
    """`feats` = a numpy array (float64, shape (7, 3)); ... under the student's own parameter names."""
    names = _parameter_names(index, name, contract)
    parts = [f"`{names[i] if i < len(names) else f'argument {i + 1}'}` = {_describe(v)}" for i, v in enumerate(args)]
    parts += [f"`{key}` = {_describe(v)}" for key, v in kwargs.items()]
    return "; ".join(parts)


def note_arguments(exc: WorkerError, index: SourceIndex, message: dict[str, Any], contract: dict[str, str]) -> None:
    """Attach the call's arguments to the student's error, for format_student_error to show."""
    if message.get("op") != "call" or not isinstance(exc, StudentCodeError) or exc.error.get("type") in SILENT:
        return
    described = describe_arguments(index, message["name"], contract, message.get("args", []), message.get("kwargs", {}))
    if described:
        exc.error = {**exc.error, "arguments": described}
