"""Layer 2, intake: reading a submission safely, without running any of it.

Owns files, zips and notebooks under size and count limits, the salvage of files Python cannot
compile, the static index of definitions, the choice between a task's forms (files or notebook),
the handout's own files (what the handout holds, recognised and left out) and the manifest the
worker is started with.
May use: the course model.
"""
