"""Each Dask worker starts its grading services as it joins a batch's cluster (issue 27).

Why a plugin: the client registers it as soon as it reaches the scheduler, before its own checks of
the assignment; a worker present then, or started later (a local cluster's workers start in the
background, a remote cluster may grow), sets its services going at once, so their imports, sandbox
probes and worker template overlap the client's checks instead of waiting for the first task. Kept
apart from cluster.py because it imports Dask at module level (a plugin must subclass Dask's class),
and only a cluster route imports it.
"""

from __future__ import annotations

from typing import Any

from distributed.diagnostics.plugin import WorkerPlugin


class WarmServices(WorkerPlugin):
    """On each worker: one grading service per thread, in the environment its tasks will give them."""

    name = "autograder-warm-services"

    def __init__(self, unprotected: bool, assignment: str | None) -> None:
        self.unprotected, self.assignment = unprotected, assignment

    def setup(self, worker: Any) -> None:
        from autograder.classroom.cluster import prestart_services

        prestart_services(worker.state.nthreads, self.unprotected, self.assignment)


def warm_up(client: Any, unprotected: bool, assignment: str | None) -> None:
    """Every worker, present or joining later, starts its grading services as it joins."""
    client.register_plugin(WarmServices(unprotected, assignment))


def cool_down(client: Any) -> None:
    """The batch is over: workers that join the scheduler later start no services for it."""
    try:
        client.unregister_worker_plugin(WarmServices.name)
    except Exception:  # the scheduler is gone, or never had it
        pass
