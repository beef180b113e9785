"""Each Dask worker starts its grading services as it joins a batch's cluster (issue 27).

Why a plugin: the client registers it as soon as it reaches the scheduler, before its own checks of
the assignment; a worker present then, or started later (a local cluster's workers start in the
background, a remote cluster may grow), sets its services going at once, so their imports, sandbox
probes and worker template overlap the client's checks instead of waiting for the first task. Kept
apart from cluster.py because it imports Dask at module level (a plugin must subclass Dask's class),
and only a cluster route imports it.
"""

from __future__ import annotations

import threading
import uuid
from typing import Any

from distributed.diagnostics.plugin import WorkerPlugin


class WarmServices(WorkerPlugin):
    """On each worker: one grading service per thread, in the environment its tasks will give them.
    Named per batch: two batches on one scheduler each keep their own (Dask replaces a plugin of the
    same name, tearing the first down)."""

    def __init__(self, unprotected: bool, assignment: str | None) -> None:
        self.unprotected, self.assignment = unprotected, assignment
        self.name = f"autograder-warm-services-{uuid.uuid4().hex[:12]}"

    def setup(self, worker: Any) -> None:
        """Never fails: a worker that cannot start a service now starts one at its first task, as
        without the plugin (a failing setup would make the client's registration raise)."""
        from autograder.classroom.cluster import prestart_services

        try:
            prestart_services(worker.state.nthreads, self.unprotected, self.assignment)
        except Exception:
            pass

    def teardown(self, worker: Any) -> None:
        """The batch is over (`cool_down`) or the worker closes: the services no task took end, in a
        thread of their own (each may take a few seconds; the worker's event loop must not wait)."""
        from autograder.classroom.cluster import end_spare_services

        threading.Thread(target=end_spare_services, args=(self.unprotected, self.assignment), daemon=True).start()


def warm_up(client: Any, unprotected: bool, assignment: str | None) -> str:
    """Every worker, present or joining later, starts its grading services as it joins; the plugin's
    name, for `cool_down`. Only a speed-up: a worker that cannot take the plugin (another project
    version, without this module) is named by the preflight that follows, not here."""
    plugin = WarmServices(unprotected, assignment)
    try:
        client.register_plugin(plugin)
    except Exception:
        pass
    return plugin.name


def cool_down(client: Any, name: str) -> None:
    """The batch is over (graded, refused, or stopped before grading): each worker ends the services
    it started ahead for it that no task took, and workers that join later start none."""
    if client.status != "running":  # the scheduler is gone: nothing to tell, and no wait for it
        return
    try:
        client.unregister_worker_plugin(name)
    except Exception:  # the scheduler is gone, or never had it
        pass
