"""A notebook of the reference whose saved outputs weigh 90 MB, graded in full by a grader held to
Gradescope's 768 MB: its score, seconds, and the grading process's peak memory (issue 23: outputs
never count against a limit, and the notebook is streamed, never held whole).
Not run by CI. Usage: .venv/bin/python benchmarks/notebook_outputs_benchmark.py
Writes docs/benchmarks_notebook_outputs.txt.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from autograder.course.rubric import load_rubric  # noqa: E402
from autograder.intake.handout_contents import NOTEBOOK_NAME, build_notebook, task_files  # noqa: E402
from benchmarks.measure import ROOT, machine  # noqa: E402
from tests.project.corpus.build import reference_submission  # noqa: E402
from tests.project.corpus.worst_case import grade_command, read_report  # noqa: E402
from tests.project.test_notebook_checks import GRADESCOPE_MB, OUTPUT_MB, WEIGHTS, with_outputs  # noqa: E402


def main() -> None:
    assignment = load_rubric()
    with tempfile.TemporaryDirectory(prefix="ag-nb-outputs-") as tmp:
        answers = reference_submission(Path(tmp) / "answers")
        folder = Path(tmp) / "submission"
        folder.mkdir()
        notebook = with_outputs(build_notebook(task_files(answers, list(assignment.tasks))), OUTPUT_MB)
        nbformat.write(notebook, str(folder / NOTEBOOK_NAME))
        shutil.copy(answers / WEIGHTS, folder / WEIGHTS)
        size = (folder / NOTEBOOK_NAME).stat().st_size / 1e6
        report, out = Path(tmp) / "memory", Path(tmp) / "results.json"
        start = time.monotonic()
        subprocess.run(grade_command(report, GRADESCOPE_MB, folder, out), check=True, capture_output=True, cwd=ROOT)
        seconds = time.monotonic() - start
        score = json.loads(out.read_text())["score"]
        memory = read_report(report)
    lines = [machine(), f"notebook: {size:.1f} MB ({OUTPUT_MB} MB of embedded images), the reference's code",
             f"score {score:g}/{assignment.total_points:g} in {seconds:.1f} s, grader held to {GRADESCOPE_MB} MB",
             f"grading process peak: {memory['VmHWM']:.0f} MB resident, {memory['VmPeak']:.0f} MB address space"]
    print("\n".join(lines))
    (ROOT / "docs" / "benchmarks_notebook_outputs.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
