"""A syntax error costs only the broken top-level part: the rest of the file is still graded."""

from __future__ import annotations

import ast
import textwrap

from autograder.intake.salvage import salvage
from autograder.intake.submission import load_submission

BROKEN = textwrap.dedent('''\
    import numpy as np

    LIMIT = 3


    def good(x):
        """Fine."""
        return x + 1


    @staticmethod
    def broken(x):
        return x +* 2


    class Fine:
        value = 1


    def also_good(values):
        return [v for v in values
                if v > 0]
''')


def test_broken_function_is_blanked_and_the_rest_kept():
    kept, skipped = salvage(BROKEN)
    assert len(skipped) == 1
    part = skipped[0]
    assert part.names == ("broken",) and part.error_line == 13
    assert BROKEN.splitlines()[part.first_line - 1] == "@staticmethod"  # the decorator goes with its def
    tree = ast.parse(kept)
    names = [n.name for n in tree.body if isinstance(n, (ast.FunctionDef, ast.ClassDef))]
    assert names == ["good", "Fine", "also_good"]
    assert len(kept.splitlines()) == len(BROKEN.splitlines())  # line numbers unchanged
    assert [n.lineno for n in tree.body if isinstance(n, ast.FunctionDef)] == [6, 20]


def test_valid_source_is_untouched():
    source = BROKEN.replace("x +* 2", "x * 2")
    assert salvage(source) == (source, [])


def test_a_file_of_many_broken_parts_gets_a_short_summary(tmp_path):
    folder = tmp_path / "sub"
    folder.mkdir()
    (folder / "kmeans.py").write_text("\n\n".join(f"def f{i}(:\n    pass" for i in range(9)) + "\n\ndef ok():\n    return 1\n")
    sub = load_submission(folder, tmp_path / "staging", ["kmeans"])
    notes = [n for n in sub.notes if "kmeans.py" in n]
    assert len(notes) == 4 and "6 more broken parts" in notes[-1]
    assert "def ok" in sub.units[0].source


def test_the_reader_reports_the_skipped_lines(tmp_path):
    folder = tmp_path / "sub"
    folder.mkdir()
    (folder / "distances.py").write_text(BROKEN)
    sub = load_submission(folder, tmp_path / "staging", ["distances"])
    note = next(n for n in sub.notes if "syntax error" in n)
    assert "`distances.py` has a syntax error, so Python cannot compile it: line 13:" in note and "`broken`" in note and "x +* 2" in note
    assert "def good" in sub.units[0].source and "x +* 2" not in sub.units[0].source


def test_line_numbers_and_message_are_pythons_own_for_the_file():
    """An IndentationError deep in a function: the file's line, not one counted from the function."""
    source = BROKEN.replace("x +* 2", "x * 2").replace("    value = 1\n", "    if value:\n    value = 1\n")
    try:
        compile(source, "distances.py", "exec")
    except SyntaxError as exc:
        python_says = (exc.lineno, exc.msg)
    part = salvage(source)[1][0]
    assert (part.error_line, part.message) == python_says
    assert python_says[0] > 14 and f"line {python_says[0]}: {python_says[1]}" in part.describe("distances.py")
