"""results.json: valid against the schema from the first moment, after each test, and when cut."""

from __future__ import annotations

import json

import jsonschema
import pytest

from autograder.grading.results import ResultsWriter, TestResult, schema


def validate(path):
    document = json.loads(path.read_text())
    jsonschema.validate(document, schema())
    return document


def result(**overrides):
    fields = dict(name="t", score=1.0, max_score=2.0, status="failed", output="half", visibility="visible", number="1.1")
    fields.update(overrides)
    return TestResult(**fields)


def test_fallback_is_valid_before_any_test(tmp_path):
    path = tmp_path / "results" / "results.json"
    ResultsWriter(path)
    document = validate(path)
    assert document["score"] == 0 and document["tests"] == [] and "did not finish" in document["output"]
    assert document["stdout_visibility"] == "hidden"


def test_each_test_is_saved_as_it_ends(tmp_path):
    path = tmp_path / "results.json"
    writer = ResultsWriter(path)
    writer.add(result())
    writer.add(result(name="u", score=2.0, status="passed", output="x" * 200_000))
    document = validate(path)
    assert document["score"] == 3.0 and [t["name"] for t in document["tests"]] == ["t", "u"]
    assert len(document["tests"][1]["output"]) < 100_000


def test_schema_rejects_what_gradescope_rejects():
    bad = {"score": 1, "execution_time": 1, "output": "", "tests": [{"name": "t", "score": 1, "max_score": 1,
                                                                    "status": "ok", "output": "", "visibility": "visible"}]}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, schema())
