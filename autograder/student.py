"""What hidden tests see of the submission: a proxy that calls into the sandboxed worker.

Tests write `student.call("numpydists", X, T)` as if the function were local; the value comes back
as plain data, failures come back as exceptions that carry the function's name, and timings are
measured here, in the grading process, where the student's code cannot touch the clock.
"""

from __future__ import annotations

import ast
from typing import Any

from autograder.sandbox.client import LoadReport, Reply, Worker, WorkerError
from autograder.source_index import LoopFinding, SourceIndex, find_python_loops, mentions


class StudentProxy:
    def __init__(self, worker: Worker, index: SourceIndex, contract: dict[str, str]) -> None:
        self.worker = worker
        self.index = index
        self.contract = contract

    @property
    def load_report(self) -> LoadReport:
        return self.worker.report or self.worker.start()

    def has(self, name: str) -> bool:
        return name in self.load_report.found

    def _send(self, message: dict[str, Any], what: str, timeout: float | None) -> Reply:
        try:
            return self.worker.request(message, timeout=timeout)
        except WorkerError as exc:
            exc.what = what  # type: ignore[attr-defined]
            raise

    def call_reply(self, name: str, *args: Any, timeout: float | None = None, **kwargs: Any) -> Reply:
        return self._send({"op": "call", "name": name, "args": list(args), "kwargs": kwargs}, f"{name}()", timeout)

    def call(self, name: str, *args: Any, timeout: float | None = None, **kwargs: Any) -> Any:
        """Call the student's function; returns its (plain-data) result."""
        return self.call_reply(name, *args, timeout=timeout, **kwargs).value

    def get(self, name: str, timeout: float | None = None) -> Any:
        """The value of a module-level constant of the submission."""
        return self._send({"op": "get", "name": name}, name, timeout).value

    def probe(self, probe: str, *args: Any, what: str = "", timeout: float | None = None, **kwargs: Any) -> Any:
        return self._send({"op": "probe", "probe": probe, "args": list(args), "kwargs": kwargs},
                          what or probe, timeout).value

    def best_time(self, name: str, *args: Any, repeats: int = 3, timeout: float | None = None) -> float:
        """Best wall time of several calls, measured by the grader (seconds)."""
        return min(self.call_reply(name, *args, timeout=timeout).wall for _ in range(repeats))

    def best_probe_time(self, probe: str, *args: Any, repeats: int = 3, timeout: float | None = None) -> float:
        """Best wall time of a trusted probe with the same arguments: a yardstick measured alike."""
        message = {"op": "probe", "probe": probe, "args": list(args), "kwargs": {}}
        return min(self._send(message, probe, timeout).wall for _ in range(repeats))

    def loops(self, name: str) -> list[LoopFinding]:
        return find_python_loops(self.index, name, preferred_module=self.contract.get(name))

    def function_source(self, name: str) -> str | None:
        """The source text of the definition of `name` that Python would use, or None."""
        hit = self.index.function_node(name, self.contract.get(name))
        if hit is None:
            return None
        location, node = hit
        for unit, _tree in self.index.trees:
            if unit.label == location.label:
                return ast.get_source_segment(unit.source, node)
        return None

    def mentions(self, name: str, identifier: str) -> bool:
        return mentions(self.index, name, identifier)
