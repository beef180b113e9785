"""A hostile or broken submission, how to build it, and what grading it must give.

Each case is built from the reference (so every test it does not attack keeps full marks) or from
nothing. `loses` are the rubric ids that must score 0;
every other selected test must keep full marks: that is the honest score. `says` are phrases the
student-visible output must contain (the cause, in the student's words).
"""

from __future__ import annotations

import shutil
import textwrap
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from tests.project.corpus import build

Builder = Callable[[Path, Path, "Context"], Path]  # (reference folder, empty dest folder, context) -> submission


# A correct broadcast_shape as a helper `_right(a, b)`, for cases that misbehave and still answer right.
BOTH_MODES = ("auto", "basic")  # bubblewrap where available, and the basic sandbox Gradescope may give us
# Every test of one distances function: what a submission whose function is wrong (or stolen) loses.
NUMPYDISTS = ("distances.numpy_agrees", "distances.numpy_float32_input", "distances.numpy_no_loops",
              "distances.numpy_faster_than_loops")
TORCHDISTS = ("distances.torch_agrees", "distances.torch_float32_input", "distances.torch_no_loops",
              "distances.torch_faster_than_loops", "distances.torch_speed_vs_reference")

RIGHT_ANSWER = '''
        def _right(a, b):
            a, b = tuple(a), tuple(b)
            n = max(len(a), len(b))
            a, b = (1,) * (n - len(a)) + a, (1,) * (n - len(b)) + b
            if any(x != y and 1 not in (x, y) for x, y in zip(a, b)):
                return None
            return tuple(y if x == 1 else x for x, y in zip(a, b))
        '''


@dataclass(frozen=True)
class Context:
    """Facts a hostile submission may be given at build time: the strongest possible guesses."""

    project_root: Path
    results_dir: Path  # where results.json is written for this run
    listener_port: int = 0  # a TCP port the test listens on, to see if anything connects


@dataclass(frozen=True)
class Hostile:
    name: str
    build: Builder
    tests: str | None          # the rubric ids graded: a task prefix such as "distances.", or None for all
    loses: tuple[str, ...] = ()
    says: tuple[str, ...] = ()
    gradescope: bool = False   # also graded through run_autograder in a Gradescope-shaped root
    modes: tuple[str, ...] = ("auto",)  # sandbox modes to grade it in (AUTOGRADER_SANDBOX)
    absent: tuple[str, ...] = ()  # paths that must not exist after grading (escapes from a zip)


def fill(source: str, ctx: Context) -> str:
    """Put the context's paths into a case's source (`{PROJECT}`, `{RESULTS}`, `{PORT}`)."""
    return (textwrap.dedent(source).replace("{PROJECT}", str(ctx.project_root))
            .replace("{RESULTS}", str(ctx.results_dir)).replace("{PORT}", str(ctx.listener_port)))


def replacing(module: str, source: str) -> Builder:
    """The reference with some top-level definitions of `module` replaced (or added)."""
    def make(reference: Path, dest: Path, ctx: Context) -> Path:
        shutil.copytree(reference, dest, dirs_exist_ok=True)
        build.replace_function(dest, module, fill(source, ctx))
        return dest
    return make


def prepending(module: str, source: str, then: str | None = None) -> Builder:
    """The reference with code run at the very top of `module` (before anything it defines), and
    then, optionally, some of its definitions replaced (no imports there: put them in the bodies)."""
    def make(reference: Path, dest: Path, ctx: Context) -> Path:
        shutil.copytree(reference, dest, dirs_exist_ok=True)
        path = dest / f"{module}.py"
        original = path.read_text(encoding="utf-8").replace("from __future__ import annotations\n", "")
        path.write_text(fill(source, ctx) + "\n" + original, encoding="utf-8")
        if then is not None:
            build.replace_function(dest, module, fill(then, ctx))
        return dest
    return make


def files(contents: dict[str, bytes | str], with_reference: bool = False) -> Builder:
    """A folder holding exactly these files (plus the reference's, if asked)."""
    def make(reference: Path, dest: Path, ctx: Context) -> Path:
        if with_reference:
            shutil.copytree(reference, dest, dirs_exist_ok=True)
        dest.mkdir(parents=True, exist_ok=True)
        for name, payload in contents.items():
            target = dest / name
            target.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(payload, str):
                target.write_text(fill(payload, ctx), encoding="utf-8")
            else:
                target.write_bytes(payload)
        return dest
    return make


def zipped(entries: Callable[[Path], list[tuple[str, bytes]]]) -> Builder:
    """A .zip whose entries (name, bytes) are made from the reference folder."""
    def make(reference: Path, dest: Path, ctx: Context) -> Path:
        dest.mkdir(parents=True, exist_ok=True)
        archive = dest / "submission.zip"
        with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
            for name, payload in entries(reference):
                zf.writestr(zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0)), payload,
                            compress_type=zipfile.ZIP_DEFLATED)
        return archive
    return make


def reference_entries(reference: Path, prefix: str = "") -> list[tuple[str, bytes]]:
    return [(prefix + p.name, p.read_bytes()) for p in sorted(reference.iterdir()) if p.is_file()]
