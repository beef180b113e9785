"""Command line: one verb per job (`grade`, `run`, `prepare`), each a thin layer over a function."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from autograder.course.paths import gradescope_root
from autograder.verbs import inputs
from autograder.verbs.class_commands import (cmd_export, cmd_grade_all, cmd_rescore, cmd_similarity,
                                             stop_on_sigterm)


def cmd_grade(args: argparse.Namespace) -> int:
    from autograder.course.gradescope_tests import rubric_with_decorators
    from autograder.course.rubric_schema import check_rubric
    from autograder.grading.grade import grade_submission
    from autograder.grading.report import score_table
    from autograder.grading.session import UNPROTECTED

    submission = inputs.existing_submission(Path(args.submission))
    out = inputs.out_file(Path(args.out))
    rubric_path = inputs.assignment(args)
    inputs.rubric_problems(check_rubric(rubric_path))
    inputs.tests_pattern(args.tests, inputs.selector(args.tests), list(rubric_with_decorators(rubric_path).entries))
    stop_on_sigterm()
    log = print if args.verbose else (lambda line: None)
    document = grade_submission(submission, out, select=inputs.selector(args.tests), log=log,
                                pytest_output=args.verbose, allow_unprotected=args.unprotected,
                                rubric_path=rubric_path)
    if document["output"] == UNPROTECTED:
        print(UNPROTECTED, file=sys.stderr)
        return 2
    print(document["output"])
    print()
    print(score_table(document))
    print(f"\nresults written to {out}")
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    """Gradescope's entry point: grade ROOT/submission into ROOT/results/results.json."""
    from autograder.grading.grade import grade_submission
    from autograder.grading.report import score_table

    root = gradescope_root()
    results = root / "results" / "results.json"
    results.parent.mkdir(parents=True, exist_ok=True)
    results.parent.chmod(0o700)  # the sandboxed worker may neither read nor write the results
    document = grade_submission(root / "submission", results)
    print(score_table(document))  # stdout is visible to instructors only
    return 0


def cmd_prepare(args: argparse.Namespace) -> int:
    """Run once at image build time: sandbox user, then each task's own set-up (`prepare.py`)."""
    from autograder.course.tasks import all_tasks
    from autograder.sandbox.policy import ensure_sandbox_user

    user = ensure_sandbox_user()
    print(f"sandbox user: {user.pw_name if user else 'not available (not root?)'}")
    for name, task in all_tasks().items():
        if task.prepare is None:
            continue
        try:
            print(f"{name}: {task.module('prepare.py').prepare()}")
        except Exception as exc:  # the task's tests will say so at grading time
            print(f"{name}: set-up failed: {type(exc).__name__}: {exc}")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    """The grading service of grade-all (autograder/verbs/serve.py): jobs on stdin, each graded by
    this very `main`, as `autograder grade` would be. Not for people: started by the batch."""
    from autograder.verbs.serve import serve

    return serve(args.reply_fd, main)


def cmd_validate(args: argparse.Namespace) -> int:
    from autograder.verbs.validate import validate

    return 0 if validate(print, inputs.assignment(args)) else 1


def cmd_build(args: argparse.Namespace) -> int:
    """Refuse to write a zip whose rubric is broken or whose reference does not get full marks:
    uploaded, it would grade every student wrongly."""
    from autograder.verbs.build import build_gradescope_zip
    from autograder.verbs.validate import validate

    out = inputs.out_file(Path(args.out))
    assignment = inputs.assignment(args)
    if not validate(print, assignment):
        print(f"build refused: {out} was not written; fix the problems above (`autograder validate` "
              "checks again)", file=sys.stderr)
        return 2
    out = build_gradescope_zip(out, assignment)
    print(f"wrote {out} ({out.stat().st_size / 1e6:.1f} MB): upload it as the autograder of the assignment")
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    """The student's self-check: 0 when every public check passed, 1 otherwise."""
    from autograder.course.rubric import load_rubric
    from autograder.course.public_split import shipped_split, split_of
    from autograder.verbs.packing import SUBMISSION_ZIP
    from autograder.verbs.selfcheck import CONTRACT_JSON, self_check

    rubric = None if CONTRACT_JSON.is_file() else load_rubric(inputs.assignment(args))  # a handout is one assignment
    path = Path(args.path)
    zip_to = ((path if path.is_dir() else path.parent) / SUBMISSION_ZIP) if args.zip else None
    split = shipped_split() if rubric is None else split_of(rubric)
    outcomes = self_check(path, tasks=rubric.tasks if rubric else None, zip_to=zip_to, split=split)
    return 0 if all(o.passed for o in outcomes) else 1


def cmd_handout(args: argparse.Namespace) -> int:
    from autograder.course.rubric import load_rubric
    from autograder.verbs.handout import build_handout_zip

    rubric = load_rubric(inputs.assignment(args))
    out = build_handout_zip(Path(args.out), list(rubric.tasks), rubric.title)
    print(f"wrote {out} ({out.stat().st_size / 1e3:.0f} kB): give it to the students")
    return 0


def cmd_author(args: argparse.Namespace) -> int:
    """A task's template and reference from one master file (autograder/verbs/author.py)."""
    from autograder.verbs.author import AuthoringError, author_task

    try:
        written = author_task(Path(args.master), args.task, force=args.force)
    except AuthoringError as exc:
        raise inputs.UsageError(str(exc)) from None
    print("wrote " + " and ".join(str(p) for p in written) + f"; the hidden tests go in tests/grading/{args.task}/")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="autograder", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")  # `serve` is the batch's, unlisted
    grade = sub.add_parser("grade", help="grade one submission (folder, .py, .ipynb or .zip) locally")
    grade.add_argument("submission")
    grade.add_argument("--out", default="results.json", help="where to write results.json")
    grade.add_argument("--tests", help="only tests whose id matches this pattern (e.g. '<task>.*')")
    grade.add_argument("-v", "--verbose", action="store_true", help="show the instructor log")
    grade.add_argument("--rubric", help="grade with this assignment file (e.g. a changed copy) instead of the default")
    grade.add_argument("--unprotected", action="store_true",
                       help="grade even where the submission's code could read the hidden tests (at your own risk)")
    grade.set_defaults(func=cmd_grade)
    batch = sub.add_parser("grade-all", help="grade every submission of a folder (resumable), with a class report")
    batch.add_argument("dir", help="Gradescope export, or a folder of submission folders/.zip/.ipynb/.py files")
    batch.add_argument("--out", required=True, help="folder for the per-submission results, grades.csv, report.html")
    batch.add_argument("--jobs", type=int, default=None, help="parallel graders (default: the number of CPUs)")
    batch.add_argument("--force", action="store_true", help="regrade submissions that already have results")
    batch.add_argument("--only", metavar="NAME", help="(re)grade only this submission")
    batch.add_argument("--tests", help="only tests whose id matches this pattern (e.g. '<task>.*')")
    batch.add_argument("--scheduler", metavar="ADDRESS",
                       help="grade on the Dask cluster of this scheduler, e.g. tcp://host:8786 (docs/cluster.md)")
    batch.add_argument("--cluster", metavar="local:N", help="grade on a local Dask cluster of N worker processes")
    batch.add_argument("--timeout", type=float, default=900, help="seconds per submission (default 900)")
    batch.add_argument("--unprotected", action="store_true",
                       help="grade even where the submissions' code could read the hidden tests (at your own risk)")
    batch.set_defaults(func=cmd_grade_all)
    run = sub.add_parser("run", help="Gradescope entry point (uses $AUTOGRADER_ROOT, default /autograder)")
    run.set_defaults(func=cmd_run)
    serve = sub.add_parser("serve")  # grade-all's grading service (no help: not a command for people)
    serve.add_argument("--reply-fd", type=int, required=True)
    serve.set_defaults(func=cmd_serve)
    prepare = sub.add_parser("prepare", help="one-time preparation on the grading machine")
    prepare.set_defaults(func=cmd_prepare)
    validate = sub.add_parser("validate", help="check the rubric, the reference (full marks) and the template (0)")
    validate.set_defaults(func=cmd_validate)
    build = sub.add_parser("build", help="write the zip to upload to Gradescope")
    build.add_argument("--out", default="autograder.zip")
    build.set_defaults(func=cmd_build)
    rescore = sub.add_parser("rescore", help="apply rubric changes of points, visibility, names or numbering to "
                                             "a graded class (OUT of grade-all) without running student code")
    rescore.add_argument("out", help="the --out folder of an earlier grade-all")
    rescore.add_argument("--dry-run", action="store_true", help="say who would change; write nothing")
    rescore.add_argument("--rubric", help="rescore with this assignment file (e.g. a changed copy) instead of the default")
    rescore.set_defaults(func=cmd_rescore)
    export = sub.add_parser("export", help="write the grades of a graded class (OUT of grade-all) in the columns "
                                           "Gradescope or Canvas imports, or a plain CSV, joined to a roster")
    export.add_argument("out", help="the --out folder of an earlier grade-all")
    export.add_argument("--to", required=True, choices=("gradescope", "canvas", "csv"), help="the platform")
    export.add_argument("--roster", metavar="FILE", help="Canvas' gradebook export, or a CSV with columns sid, email, name")
    export.add_argument("--file", metavar="PATH", help="where to write (default: OUT/export_<platform>.csv)")
    export.set_defaults(func=cmd_export)
    similar = sub.add_parser("similarity", help="list similar submissions per task of a graded class (OUT of "
                                                "grade-all) in its report.html, with side-by-side pages")
    similar.add_argument("out", help="the --out folder of an earlier grade-all")
    similar.add_argument("--threshold", type=float, help="list pairs from this similarity on, 0 to 1 (default: the "
                                                         "assignment's [similarity] threshold)")
    similar.add_argument("--jobs", type=int, default=None, help="processes reading the code (default: the CPUs)")
    similar.set_defaults(func=cmd_similarity)
    check = sub.add_parser("check", help="student self-check: loads the homework like the grader, runs public checks")
    check.add_argument("path", nargs="?", default=".", help="folder, .py, .ipynb or .zip (default: this folder)")
    check.add_argument("--zip", action="store_true",
                       help="also write submission.zip beside it: exactly what the grader will read, to hand in")
    check.set_defaults(func=cmd_check)
    handout = sub.add_parser("handout", help="write the student handout zip (template, notebook, data, self-check)")
    handout.add_argument("--out", default="handout.zip")
    handout.set_defaults(func=cmd_handout)
    author = sub.add_parser("author", help="write a task's template and reference from a master file with "
                                           "### BEGIN SOLUTION / ### END SOLUTION regions (.py or .ipynb)")
    author.add_argument("master", help="the master: the solution, its solution code between the markers")
    author.add_argument("--task", required=True, help="the task's name (student_template/NAME/NAME.py)")
    author.add_argument("--force", action="store_true", help="overwrite files edited since the last authoring")
    author.set_defaults(func=cmd_author)
    for command in (grade, batch, validate, build, rescore, export, similar, check, handout):
        command.add_argument("--assignment", metavar="NAME", help="the assignment (assignments/NAME.toml); default: the "
                             "only one, else the one marked `default = true`")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Bad input ends with one line and status 2; Ctrl-C with status 130, never a traceback."""
    from autograder.course.launch import isolate_spawned_pythons
    from autograder.course.rubric import RubricError
    from autograder.intake.printable import printable_streams

    args = build_parser().parse_args(argv)
    isolate_spawned_pythons()  # every Python a command starts (Dask's workers, similarity's readers) skips the cwd
    restore = printable_streams()  # student text never reaches the terminal with its control codes
    try:
        return int(args.func(args))
    except (inputs.UsageError, RubricError) as exc:
        print(f"autograder {args.command}: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"autograder {args.command}: interrupted", file=sys.stderr)
        return 130
    finally:
        restore()


if __name__ == "__main__":
    sys.exit(main())
