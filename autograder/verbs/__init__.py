"""Layer 6, the instructor's and the student's verbs: validate, build, handout and the self-check.

Owns what each command does beyond grading: checking the rubric against the reference, the
Gradescope zip, the handout zip, the student's self-check with its public checks and the zip to
hand in, and the checks of the command line's inputs.
May use: every layer below (the class, grading, the sandbox, intake, the course model).
"""
