"""Layer 4, grading one submission: the hidden tests run against the sandboxed worker.

Owns the grading session (policy, workers, clean-up), the pytest plugin and its fixtures, the
student proxy and the loop finder, feedback and diagnosis (the words the student reads), figures,
results.json and the student-facing summary; `grade.grade_submission` ties them together.
May use: the sandbox, intake and the course model.
"""
