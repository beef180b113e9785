"""Layer 5, the class: grading many submissions and what a TA reads about them.

Owns the discovery of submissions in a class folder, the batch (local pool) and the Dask cluster
paths, the gradebook and its uploads, the class report and rescoring stored results.
May use: grading, the sandbox, intake and the course model (never the test author's API).
"""
