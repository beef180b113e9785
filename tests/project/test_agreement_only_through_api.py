"""Hidden tests compare a student's values only through the test author's API (check_array,
check_scalar, agrees), so the float32 allowance, the worst-index report and the named causes apply
in every task. A hand-rolled comparison (np.allclose, math.isclose, `abs(a - b) < tol`) once cost a
correct float32 least-squares fit 2 points (issue 25); this test finds any that comes back.
"""

from __future__ import annotations

import ast
from pathlib import Path

import numpy as np
import pytest

from autograder.api import agrees, check_array
from autograder.course.paths import PROJECT_ROOT

COMPARERS = {"allclose", "isclose", "array_equal", "array_equiv", "assert_allclose", "assert_array_equal",
             "assert_almost_equal", "assert_array_almost_equal", "assert_equal"}
HIDDEN = sorted((PROJECT_ROOT / "tests" / "grading").glob("*/test_*.py"))


def _is_abs_of_difference(node: ast.AST) -> bool:
    """abs(a - b), np.abs(a - b), and either with .max()/.all()/... after it."""
    while isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and not node.args:
        node = node.func.value  # np.abs(a - b).max()
    if not isinstance(node, ast.Call) or not node.args or not isinstance(node.args[0], ast.BinOp):
        return False
    name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", "")
    return name in ("abs", "absolute", "fabs") and isinstance(node.args[0].op, ast.Sub)


def hand_rolled_comparisons(source: str) -> list[str]:
    """`line: code` of each comparison that bypasses the API."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call):
            name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", "")
            if name in COMPARERS:
                found.append(f"{node.lineno}: {ast.unparse(node)}")
        elif isinstance(node, ast.Compare) and any(_is_abs_of_difference(side)
                                                    for side in [node.left, *node.comparators]):
            found.append(f"{node.lineno}: {ast.unparse(node)}")
    return found


def test_the_detector_finds_each_way_of_comparing_by_hand():
    source = ("np.allclose(a, b)\nmath.isclose(x, y)\nnp.testing.assert_allclose(a, b)\nnp.array_equal(a, b)\n"
              "abs(x - y) < 1e-9\nnp.abs(a - b).max() <= t\ntol > np.abs(a - b)\nagrees(a, b, atol=1e-6)\n"
              "abs(x) < 1\nlen(a) == len(b)\n")
    assert [line.split(":")[0] for line in hand_rolled_comparisons(source)] == ["1", "2", "3", "4", "5", "6", "7"]


@pytest.mark.parametrize("path", HIDDEN, ids=[p.parent.name for p in HIDDEN])
def test_hidden_tests_compare_only_through_the_api(path: Path):
    assert HIDDEN, "no hidden tests found"
    assert hand_rolled_comparisons(path.read_text(encoding="utf-8")) == [], (
        f"{path.relative_to(PROJECT_ROOT)} compares student values by hand: use check_array, check_scalar or agrees")


def test_agrees_gives_float32_the_same_allowance_as_check_array():
    expected = np.array([1.0, 2.0, 3.0]) / 3
    float32 = expected.astype(np.float32) + np.float32(2e-7)  # a few float32 rounding steps off
    assert not np.allclose(float32, expected, rtol=1e-9, atol=0)
    assert agrees(float32, expected, rtol=1e-9) and check_array(float32, expected, "f", rtol=1e-9) is not None
    assert not agrees(float32.astype(np.float64), expected, rtol=1e-9)  # float64 is held to the tolerance
    assert not agrees(expected * 1.01, expected, rtol=1e-3)
    assert not agrees(expected[:2], expected) and not agrees("text", expected)


def test_amplification_widens_the_float32_allowance_for_ill_conditioned_solves():
    expected = np.array([10.0, -3.0])
    off = expected.astype(np.float32) * np.float32(1 + 2e-4)  # ~1700 rounding steps: beyond 256
    assert not agrees(off, expected, rtol=1e-6)
    assert agrees(off, expected, rtol=1e-6, amplification=1e4)
    assert not agrees(off.astype(np.float64), expected, rtol=1e-6, amplification=1e4)
