"""Layer 1, the course model: what is graded and how it is scored, read from the course's files.

Owns the tasks (found by folder), assignments and their merged rubric (with its schema check), the
contract of required names, the worker limits, the layered call timeouts, the hidden tests' ids and
gradescope-utils decorators, the pinned requirements, and the two things every layer shares: where
the project's files are (`paths`) and the instructor's timing log (`timing`).
May use: the standard library and third-party packages only; no other layer of the engine.
"""
