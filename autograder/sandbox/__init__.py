"""Layer 3, the sandbox: the only place student code runs.

Owns the worker process and its runtime files (worker_main, wire, convert, probes, identity: run
by the worker's interpreter, importing nothing of the engine), the protections (bubblewrap or the
basic sandbox, an unprivileged user, rlimits) and the grader-side client that talks to the worker.
May use: intake and the course model.
"""
