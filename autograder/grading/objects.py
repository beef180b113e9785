"""Objects of the submission's classes, for hidden tests: built, called and read in the worker.

Why: a course that hands out a class (`KNearestNeighbor` with `train` and
`compute_distances_no_loops`) grades its methods as others grade functions. The object stays in
the sandboxed worker (it may hold anything, a model, open files); the test holds a handle, and
every method call goes through the same path as `student.call` (values as plain data, the
student's exceptions with their own lines, time limits, a missing class with did-you-mean), by the
engine's probes `new`, `method` and `attribute` (sandbox/probes.py).
"""

from __future__ import annotations

from typing import Any, Protocol

from autograder.sandbox.client import Reply, Worker, WorkerError


class Sender(Protocol):
    """What an object needs of the StudentProxy (student.py): its worker and its one way of sending."""

    worker: Worker

    def _send(self, message: dict[str, Any], what: str, timeout: float | None) -> Reply: ...


class StudentObject:
    """`knn = student.new("KNearestNeighbor", k=3)`: one object of the student's class, in the worker.
    Example: `knn.call("train", X, y)`, `knn.call("compute_distances_no_loops", X_test)`,
    `knn.get("X_train")`; `student.race("compute_distances_no_loops", rounds, "matmul", on=knn)`."""

    def __init__(self, student: Sender, class_name: str, handle: int) -> None:
        self.student, self.class_name, self.handle = student, class_name, handle
        self._starts = student.worker.starts  # a fresh worker holds no object of the old one

    def _probe(self, probe: str, args: list[Any], what: str, timeout: float | None) -> Reply:
        if self.student.worker.starts != self._starts:
            raise WorkerError(f"`{what}` could not be called: the `{self.class_name}` object was lost when an earlier "
                              "call ended the process that held it (see the test where that happened).")
        message = {"op": "probe", "probe": probe, "name": self.class_name, "args": args, "kwargs": {}}
        return self.student._send(message, what, timeout)

    def call_reply(self, method: str, *args: Any, timeout: float | None = None, **kwargs: Any) -> Reply:
        """Example: `knn.call_reply("train", X, y).wall` (seconds)."""
        return self._probe("method", [self.handle, method, list(args), kwargs], f"{self.class_name}.{method}()", timeout)

    def call(self, method: str, *args: Any, timeout: float | None = None, **kwargs: Any) -> Any:
        """The value `obj.method(*args, **kwargs)` returned, as plain data (as `student.call`).
        Example: `dists = knn.call("compute_distances_no_loops", X_test)`."""
        return self.call_reply(method, *args, timeout=timeout, **kwargs).value

    def get(self, attribute: str, timeout: float | None = None) -> Any:
        """The value of `obj.attribute`, as plain data.
        Example: `knn.get("X_train")`."""
        return self._probe("attribute", [self.handle, attribute], f"{self.class_name}.{attribute}", timeout).value


def new_object(student: Sender, class_name: str, args: tuple[Any, ...], kwargs: dict[str, Any],
               timeout: float | None) -> StudentObject:
    """Build `class_name(*args, **kwargs)` in the worker (a missing class: did-you-mean, as a function)."""
    message = {"op": "probe", "probe": "new", "name": class_name, "args": [class_name, list(args), kwargs], "kwargs": {}}
    return StudentObject(student, class_name, student._send(message, f"{class_name}()", timeout).value)
