"""Hidden inputs never reach a visible test: tests run visible first, and a worker that served a less
visible test is replaced before a more visible one (a real worker, a real grading run)."""

from __future__ import annotations

import shutil
import sys
import textwrap

import pytest

from autograder.course.limits import Limits
from autograder.grading.grade import grade_submission
from autograder.grading.student import StudentProxy
from autograder.grading.visibility import by_visibility
from autograder.intake.submission import Submission
from autograder.sandbox.client import Worker, new_sandbox_dir
from autograder.sandbox.policy import SandboxPolicy
from tests.project.corpus.build import reference_submission

SOURCE = textwrap.dedent('''
    SEEN = []

    def remember(x):
        SEEN.append(x)
        return len(SEEN)

    def recall():
        return list(SEEN)
''')


def test_visible_first_hidden_last_order_kept_within_a_level():
    items = [("a", "hidden"), ("b", "visible"), ("c", "after_due_date"), ("d", None), ("e", "visible"),
             ("f", "after_published")]
    assert [i[0] for i in by_visibility(items, lambda item: item[1])] == ["b", "e", "c", "f", "a", "d"]


@pytest.fixture
def proxy(tmp_path):
    sandbox = new_sandbox_dir()
    manifest = {"units": [{"module": "hw", "label": "hw.py", "source": SOURCE}],
                "names": {"remember": "hw", "recall": "hw"}, "files": {}, "code_dir": str(sandbox / "code")}
    worker = Worker(manifest, tmp_path, SandboxPolicy(Limits(call_timeout=20, load_timeout=60), sys.executable), sandbox)
    yield StudentProxy(worker, Submission(), {"remember": "hw", "recall": "hw"})
    worker.close()
    shutil.rmtree(sandbox)


def test_a_worker_that_saw_hidden_inputs_never_serves_a_visible_test(proxy):
    proxy.enter_visibility("visible")
    proxy.call("remember", "shown")
    proxy.enter_visibility("after_due_date")
    proxy.call("remember", "after the due date")
    proxy.enter_visibility("hidden")  # less visible still: the same worker may serve it
    assert proxy.call("recall") == ["shown", "after the due date"]
    proxy.enter_visibility("visible")
    assert proxy.call("recall") == []  # a fresh worker: nothing of the hidden tests' inputs
    assert proxy.fresh_for_visibility == 1 and proxy.worker.starts == 2


def test_a_grading_run_runs_the_visible_tests_first(tmp_path):
    reference = reference_submission(tmp_path / "reference")
    lines: list[str] = []
    document = grade_submission(reference, tmp_path / "results.json", select=lambda t: t.startswith("broadcasting."),
                                log=lines.append)
    ran = [line.split()[1].rstrip(":") for line in lines if line.startswith("[grader] broadcasting.")]
    assert ran == ["broadcasting.answers", "broadcasting.given_pairs", "broadcasting.random_pairs"]
    assert document["score"] == 12  # the order of the results is the rubric's, whatever the order of running
    assert [t["number"] for t in document["tests"]] == ["2.1", "2.2", "2.3"]
