"""Plain-language reports: what was found in a submission (for the student) and a score table.

The summary says which files were read, what failed to load and where, and where each required
name was found, so a student whose function is "missing" learns it is misspelled or in a cell
that crashed, rather than seeing a zero with no explanation.
"""

from __future__ import annotations

from typing import Any, Collection

from autograder.course.markdown import code_span, plain
from autograder.grading.diagnosis import expected_place, missing_message, uncompilable_home
from autograder.grading.feedback import error_hint
from autograder.intake.source_index import SourceIndex
from autograder.intake.submission import Submission
from autograder.sandbox.client import LoadReport


SANDBOX_NOTE = ("These statements failed in the grader, not on your machine: there your code runs in a sandbox "
                "with no network, no display and only the files you handed in, so top-level code that downloads, "
                "trains or exits can fail there even when it works for you (nothing to install). The grader "
                "skipped each statement that failed and ran the rest: your definitions were kept. Code under "
                "`if __name__ == \"__main__\":` or inside a function is not run at loading.")


def _statement(error: dict[str, Any]) -> str:
    """Where a failed top-level statement is, and why: line 3 (`train(model)`) raised `SystemExit: ...`."""
    frames = error.get("frames") or []
    top = next((f for f in frames if f.get("function") == "<module>"), frames[0] if frames else {})
    where = f"line {top.get('line')}" if top.get("line") else "a statement"
    code = f" ({code_span(top.get('code'))})" if top.get("code") else ""
    message = str(error.get("message", "")).splitlines()[0][:160] if error.get("message") else ""
    hint = error_hint(str(error.get("type")), str(error.get("message", "")))  # a package the grader lacks...
    return (f"{where}{code} raised {code_span(str(error.get('type')) + (f': {message}' if message else ''))}"
            + (f" ({hint})" if hint else ""))


def _unit_lines(report: LoadReport) -> list[str]:
    lines: list[str] = []
    ran_and_failed = False
    for unit in report.units:
        if unit.get("ok"):
            continue
        error = unit.get("error", {})
        frames = error.get("frames") or []
        where = f", line {frames[-1].get('line')}" if frames else ""
        if error.get("type") == "SyntaxError":
            line = frames[-1].get("code") if frames else ""
            lines.append(f"- **{code_span(unit.get('label'))}{where}** has a syntax error ({plain(error.get('message'))})"
                         + (f": {code_span(line)}" if line else "") + ". Python could not run any of it: fix that line.")
            continue
        ran_and_failed = True
        failed = [error] + list(unit.get("more_errors") or [])
        more = unit.get("failed_statements", 1) - len(failed)
        lines.append(f"- **{code_span(unit.get('label'))}**, when the grader loaded it: " + "; ".join(_statement(e) for e in failed)
                     + (f"; and {more} more statement{'s' if more > 1 else ''}" if more > 0 else "") + ".")
    return lines + ([f"  {SANDBOX_NOTE}"] if ran_and_failed else [])


def submission_summary(submission: Submission, report: LoadReport, contract: dict[str, str],
                       tasks: Collection[str] | None = None, salvage_earns_points: bool = False,
                       used: Collection[str] | None = None) -> str:
    """The top of the feedback; `tasks` limits the names listed to those of the selected tests' tasks,
    `used` to the names those tests use (course/called_names.py): a helper no test calls is never
    claimed missing."""
    index = submission.index
    full_contract = contract
    if tasks is not None:
        contract = {name: task for name, task in contract.items() if task in tasks}
    if used is not None:
        contract = {name: task for name, task in contract.items() if name in used}
    labels = sorted({u.path for u in submission.units})
    out = ["## Your submission", "", "Code read: " + (", ".join(code_span(x) for x in labels) or "**no code found**")]
    if submission.notes:
        out += ["", "Notes:"] + [f"- {n}" for n in submission.notes]
    if any(getattr(u, "compile_error", "") for u in submission.units):
        out += ["", "**A file Python cannot compile earns "
                + ("points only for the parts that were kept" if salvage_earns_points else "nothing")
                + "** (the course's rule): every test that needs a name from it "
                + ("ran on the kept parts." if salvage_earns_points
                   else "scores 0, and says what the kept parts would have scored.")]
    problems = [f"- {p}" for p in index.problems]
    if report.fatal:
        out += ["", f"**Your code could not be loaded:** {report.fatal}. Every test needs it, so all scored 0."]
    elif report.degraded:
        out += ["", f"**Loading your code failed the first time:** {report.degraded}. It was loaded again with only "
                "its imports, function and class definitions and simple constants (top-level code such as training "
                "loops was skipped), and graded that way. Keep long-running code inside functions or under "
                "`if __name__ == \"__main__\":`."]
    unit_lines = _unit_lines(report)
    if problems or unit_lines:
        out += ["", "Problems while loading:"] + problems + unit_lines
    missing = [n for n in contract if n not in report.found]
    if missing:
        out += ["", "Not found in your submission (tests that need them score 0):"]
        for name in missing:
            seen = index.locate(name)
            if seen and uncompilable_home(index, name, contract[name]) is None:
                out.append(f"- `{name}`, expected in {expected_place(index, contract[name])} (defined at {seen[0].label}, line "
                           f"{seen[0].line}, but that code failed to run)")
            else:
                out.append(f"- {missing_message(index, name, full_contract)}")
    else:
        out += ["", f"All {len(contract)} required names were found."]
    out += _found_lines(index, report, contract)
    return "\n".join(out)


def _found_lines(index: SourceIndex, report: LoadReport, contract: dict[str, str]) -> list[str]:
    """Where each found name is defined (the definition graded: in the module the worker found it
    in), grouped by file or cell and sorted by file, then line: `- task.py: solve, plot_solution`."""
    units = {u.label: (getattr(u, "path", u.label), i) for i, u in enumerate(index.units)}
    places: dict[str, list[tuple[int, str]]] = {}
    for name in contract:
        if name in report.found:
            module = report.found[name]["module"]
            seen = [loc for loc in index.locate(name) if loc.module == module] or index.locate(name)
            label = seen[-1].label if seen else f"module {module}"
            places.setdefault(label, []).append((seen[-1].line if seen else 0, name))
    if not places:
        return []
    order = sorted(places, key=lambda label: (*units.get(label, (label, 0)), min(places[label])))
    return ["", "Where they were found:"] + [f"- {code_span(label)}: " + ", ".join(f"`{n}`" for _, n in sorted(places[label]))
                                             for label in order]


def score_table(document: dict[str, Any]) -> str:
    """A fixed-width table of the results for a terminal."""
    rows = [(t.get("number", ""), t["name"], f"{t['score']:g}/{t['max_score']:g}",
             "skipped" if t.get("extra_data", {}).get("skipped") else t["status"],
             t.get("visibility", "")) for t in document.get("tests", [])]
    header = ("#", "test", "score", "status", "visibility")
    widths = [max(len(str(r[i])) for r in rows + [header]) for i in range(5)]
    widths[1] = min(widths[1], 60)
    fmt = "  ".join(f"{{:<{w}}}" for w in widths)
    lines = [fmt.format(*header), fmt.format(*("-" * w for w in widths))]
    lines += [fmt.format(r[0], r[1][:60], *r[2:]) for r in rows]
    total = sum(t["max_score"] for t in document.get("tests", []))
    lines.append(f"TOTAL {document.get('score', 0):g}/{total:g}   ({document.get('execution_time', 0):.1f} s)")
    return "\n".join(lines)
