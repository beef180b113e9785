"""The TA's verbs on a whole class: grade-all (locally or on a Dask cluster), rescore, export and
similarity, each a thin layer over autograder/classroom/. Kept apart from cli.py, which only parses.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import sys
from collections import Counter
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from autograder.verbs import inputs


def stop_on_sigterm() -> None:
    """SIGTERM (grade-all being stopped) acts as Ctrl-C: pytest stops between tests and grading
    ends through its normal clean-up (worker closed, temporary folders removed)."""
    from autograder.classroom.batch import raise_interrupt

    signal.signal(signal.SIGTERM, raise_interrupt)


def _check_rubric(args: argparse.Namespace, path: Path) -> None:
    """Check the assignment once for the class (grade_all hands its name to every grader)."""
    from autograder.verbs.validate import assignment_problems

    problems, ids = assignment_problems(path)
    inputs.rubric_problems(problems)
    inputs.tests_pattern(args.tests, inputs.selector(args.tests), ids or [])


def _start_cluster(args: argparse.Namespace, stack: ExitStack, assignment: str) -> Any:
    """Reach the scheduler now (a local cluster's workers start in the background) and have every
    worker start its grading services as it joins: both overlap the checks that follow (issue 27)."""
    from autograder.classroom import cluster
    from autograder.classroom.batch import Interrupted

    try:
        client = stack.enter_context(cluster.connect(args.scheduler, cluster.parse_local(args.cluster)
                                                     if args.cluster else None))
    except (cluster.MissingExtra, Interrupted, ValueError) as exc:
        raise inputs.UsageError(str(exc)) from None
    from autograder.classroom.cluster_warmup import cool_down, warm_up  # Dask is there: connect checked

    stack.callback(cool_down, client, warm_up(client, args.unprotected, assignment))  # however the batch ends
    return client


def _grade_on_cluster(args: argparse.Namespace, client: Any, entries: list, out: Path, batch: dict) -> tuple[list, bool]:
    """grade_all through Dask (docs/cluster.md). A missing extra, an unreachable scheduler or a worker
    that refuses is one line and exit 2; a scheduler lost mid-batch stops it as Ctrl-C does."""
    from autograder.classroom import cluster
    from autograder.classroom.batch import Interrupted, Refused, grade_all

    try:
        cluster.ready(client, cluster.parse_local(args.cluster) if args.cluster else None)
        cluster.preflight(client, args.unprotected)
        runner = cluster.DaskRunner(client, unprotected=args.unprotected)
        outcomes, interrupted = grade_all(entries, out, runner=runner, **batch)
    except (Refused, Interrupted, ValueError) as exc:  # a missing extra: said by _start_cluster
        raise inputs.UsageError(str(exc)) from None
    if runner.lost:
        print(f"autograder grade-all: {runner.lost}", file=sys.stderr)
    if runner.counts:
        print("graded per worker: " + ", ".join(f"{w} {n}" for w, n in sorted(runner.counts.items())))
    return outcomes, interrupted


def cmd_grade_all(args: argparse.Namespace) -> int:
    """Grade every submission of a folder into OUT (resumable), then write grades.csv and report.html."""
    from autograder.classroom.batch import LocalPool, discover, grade_all, hide_from_submissions, private
    from autograder.course.assignment import exported
    from autograder.grading.session import UNPROTECTED_ENV

    stop_on_sigterm()  # the batch stops on SIGTERM as on Ctrl-C
    folder, out = inputs.class_folder(Path(args.dir)), inputs.out_folder(Path(args.out))
    inputs.positive(args.jobs, "--jobs")
    inputs.positive(args.timeout, "--timeout")
    on_cluster = inputs.route(args.scheduler, args.cluster, args.jobs)
    rubric_path = inputs.assignment(args)
    try:
        entries = discover(folder, exclude=out)
    except ValueError as exc:
        raise inputs.UsageError(str(exc)) from None
    inputs.some_submissions(entries, folder)
    inputs.only_name(args.only, entries)
    made, grading = not out.exists(), False
    out.mkdir(parents=True, exist_ok=True)  # now: the graders started below hide it from every submission
    private(out)
    pool, readers, started = None if on_cluster else LocalPool(args.jobs), None, ExitStack()
    try:
        client = _start_cluster(args, started, rubric_path.stem) if on_cluster else None
        if pool is not None:  # the graders start now, while the checks below run (issue 27)
            hide_from_submissions(sorted({e.path.parent for e in entries}) + [out])
            if args.unprotected:
                os.environ[UNPROTECTED_ENV] = "1"  # inherited by the graders
            with exported(rubric_path.stem):
                pool.prestart(1 if args.only else len(entries))
        from autograder.classroom.similarity import batch_similarity, readers_ahead

        readers = readers_ahead(rubric_path, len(entries), args.jobs)  # their imports overlap the grading too
        from autograder.classroom.refresh import gradebook_rubric, write_gradebook
        from autograder.classroom.rescore import change_line
        from autograder.classroom.summary import graded_now, tests_without_force
        from autograder.course.rubric import load_rubric
        from autograder.grading.results import read_json
        from autograder.grading.session import refusal

        _check_rubric(args, rubric_path)
        gradebook = gradebook_rubric(rubric_path)  # now, not after a Ctrl-C: it collects the decorated tests
        if not on_cluster:  # on a cluster, each worker checks its own sandbox instead
            problem = refusal(load_rubric(rubric_path).limits, args.unprotected)  # refuse before grading anyone
            if problem:
                print(problem, file=sys.stderr)
                return 2
        if args.unprotected:
            os.environ[UNPROTECTED_ENV] = "1"  # inherited by the per-submission graders
        batch = dict(force=args.force, only=args.only, tests=args.tests, timeout=args.timeout)
        grading = True
        with exported(rubric_path.stem):  # every grader (subprocess, Dask task) grades this assignment
            if on_cluster:
                outcomes, interrupted = _grade_on_cluster(args, client, entries, out, batch)
            else:
                outcomes, interrupted = grade_all(entries, out, jobs=args.jobs, runner=pool, **batch)
        changes = [line for o in outcomes if o.previous is not None and not o.skipped
                   for line in [change_line(o.name, o.previous, read_json(out / o.name / "results.json") or {})] if line]
        for line in changes:
            print(f"changed {line}")
        if not interrupted:  # similar submissions (docs: README "Similar submissions"), unless switched off
            print(batch_similarity(out, rubric_path, args.jobs, readers))
    finally:
        started.close()  # the cluster's connection
        if pool is not None:
            pool.close()
        if readers is not None:
            readers.close()
        if made and not grading:  # refused, or a usage error: nothing that looks like a gradebook
            shutil.rmtree(out, ignore_errors=True)
    csv_path, html_path = write_gradebook(out, [e.name for e in entries if e.name in {o.name for o in outcomes}],
                                          gradebook)
    fresh = sum(not o.skipped for o in outcomes)
    counts = ", ".join(f"{s}: {n}" for s, n in sorted(Counter(o.status for o in outcomes).items()))
    regraded = sum(o.previous is not None and not o.skipped for o in outcomes)
    print(f"{len(entries)} submissions found, {fresh} graded now, {len(outcomes) - fresh} already done ({counts})"
          + (f"; {len(changes)} of the {regraded} regraded changed score" if regraded else ""))
    if graded_now(outcomes, out):
        print(graded_now(outcomes, out))
    if args.tests and not args.force and args.only is None:
        print(tests_without_force(args.tests, fresh, len(outcomes) - fresh))
    print(f"wrote {csv_path} and {html_path}")
    if interrupted:
        print(f"interrupted: {len(entries) - len(outcomes)} submission(s) not graded; run the same command "
              "again to grade them (finished ones are kept)", file=sys.stderr)
        return 130
    return 0


def _graded_class(args: argparse.Namespace) -> tuple:
    """(OUT of an earlier grade-all, its graded submissions, the rubric with decorators) after checks."""
    from autograder.classroom.gradebook import load_rows
    from autograder.classroom.refresh import gradebook_rubric
    from autograder.course.rubric_schema import check_rubric

    out = inputs.out_folder(Path(args.out), must_exist=True)
    rubric_path = inputs.assignment(args)
    inputs.rubric_problems(check_rubric(rubric_path))
    names = [r.name for r in load_rows(out)]
    if not names:
        raise inputs.UsageError(f"{out}: no graded submission in it (no */results.json)")
    return out, names, gradebook_rubric(rubric_path)  # a decorated test keeps its points


def cmd_rescore(args: argparse.Namespace) -> int:
    """Apply the rubric's points, visibility, names and numbering to stored outcomes; run nothing."""
    from autograder.classroom.class_report import write_class_report
    from autograder.classroom.rescore import change_line, regrade_hint, rescore_folder

    out, names, rubric = _graded_class(args)
    rescored = rescore_folder(out, names, rubric, dry_run=args.dry_run)
    changes = [line for r in rescored for line in [change_line(r.name, r.old, r.new)] if line]
    for line in changes:
        print(f"changed {line}")
    print(f"{len(rescored)} submissions rescored, {len(changes)} changed score"
          + (" (dry run: nothing written)" if args.dry_run else ""))
    changed = sorted({tid for r in rescored for tid in r.params_changed})
    if changed:
        print(regrade_hint(changed, out))
    missing = sum(bool(r.missing) for r in rescored)
    if missing:
        print(f"{missing} submission(s) have no stored outcome for some tests (never graded with them): "
              "grade those tests to score them")
    if not args.dry_run:
        csv_path, html_path = write_class_report(out, names, rubric)
        print(f"wrote {csv_path} and {html_path}")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    """The graded class in the columns a platform imports, joined to a roster (docs/exports.md)."""
    from autograder.classroom.gradebook import load_rows
    from autograder.classroom.refresh import gradebook_rubric
    from autograder.classroom.roster import RosterError
    from autograder.verbs.export import export

    out = inputs.out_folder(Path(args.out), must_exist=True)
    if not load_rows(out):
        raise inputs.UsageError(f"{out}: no graded submission in it (no */results.json)")
    try:
        export(out, args.to, gradebook_rubric(inputs.assignment(args)), Path(args.roster) if args.roster else None,
               Path(args.file) if args.file else None)
    except RosterError as exc:
        raise inputs.UsageError(str(exc)) from None
    return 0


def cmd_similarity(args: argparse.Namespace) -> int:
    """Similar submissions of a class graded by grade-all (its files, never run): listed in its report."""
    from autograder.classroom.refresh import write_gradebook
    from autograder.classroom.similarity import similarity_for, summary

    out, names, rubric = _graded_class(args)
    inputs.fraction(args.threshold, "--threshold")
    inputs.positive(args.jobs, "--jobs")
    print(summary(similarity_for(out, rubric.path, args.jobs, args.threshold, respect_switch=False)))
    print(f"wrote {' and '.join(map(str, write_gradebook(out, names, rubric)))}")
    return 0
