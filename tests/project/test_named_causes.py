"""Issue 25's corpus (corpus/named_causes.py): each submission gets the TA's verdict (exact points
lost per test, every other test of its task at full marks) and feedback that names the cause."""

from __future__ import annotations

import pytest

import tests.project.test_realworld as realworld
from tests.project.corpus.named_causes import CASES


def test_each_item_of_the_issue_has_a_case():
    assert len(CASES) >= 12 and len({c.name for c in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_the_feedback_names_the_cause(tmp_path, case):
    realworld.test_real_world_submission_gets_the_tas_verdict(tmp_path, case)
