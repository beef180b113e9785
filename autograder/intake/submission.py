"""Read a submission in any accepted form into code units, without running any of it.

It is read once: the Submission made here (files, code units, their index of definitions, data
files, notes) flows one way to the worker's manifest, the tests and the report, which only read it.

Accepted: a folder of .py files named as in the template (helpers welcome), one .py holding
everything, a notebook, a .zip of any of these (one extra top folder is fine), or a folder that
holds such a zip (Gradescope's /autograder/submission). Whatever is odd becomes a plain note.
"""

from __future__ import annotations

import io
import keyword
import re
import shutil
import tokenize
from dataclasses import dataclass, field
from pathlib import Path
from typing import Collection, Sequence

from autograder.course.markdown import code_span
from autograder.intake.handout_contents import SUBMISSION_ZIP
from autograder.intake.handout_index import handout_copies, known_content, skipped_note
from autograder.intake.notebook import read_cells
from autograder.intake.safe_unpack import Budget, copy_file, copy_tree, unpack_zip
from autograder.intake.salvage import DEFINES, compile_error, salvage
from autograder.intake.source_index import SourceIndex, index_definitions

DATA_SUFFIXES = {".pt", ".pth", ".csv", ".tsv", ".txt", ".npy", ".npz", ".json", ".dat"}
MAX_DATA_BYTES = 50 * 1024 * 1024
SHOWN_SKIPPED = 3  # syntax errors described one by one; the rest in one line
SHADOWED = {"numpy", "torch", "matplotlib", "os", "sys", "random", "math", "time", "json", "pickle",
            "typing", "collections", "functools", "itertools", "copy", "pytest", "wire", "convert", "probes",
            "worker_main", "identity", "looptrace", "abc", "types", "re", "io", "string"}  # + the worker runtime (sandbox/client.RUNTIME_FILES)


@dataclass(frozen=True)
class CodeUnit:
    module: str  # module the unit executes in: file stem, or the notebook's name for all its cells
    label: str   # "task.py" or "hw1.ipynb, code cell 7 (def solve(X, ...)" (code cells counted, first line)
    source: str
    path: str    # relative to the submission root
    compile_error: str = ""  # Python's own verdict when the unit as submitted does not compile
    skipped_names: tuple[str, ...] = ()  # definitions lost to that error (salvage keeps the rest)


@dataclass
class Submission:
    """One submission as read at intake; its units are indexed once, here, and nowhere else."""

    units: list[CodeUnit] = field(default_factory=list)
    data_files: dict[str, Path] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    root: Path | None = None  # the staged folder the units' paths are relative to
    index: SourceIndex = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self.index = index_definitions(self.units)


def module_name(stem: str, notes: list[str], expected: Sequence[str]) -> str:
    """A valid, non-shadowing module name for a file stem (the template's names are kept)."""
    name = re.sub(r"\W", "_", stem)
    if not name or name[0].isdigit() or keyword.iskeyword(name):
        name = "student_" + name
    if name in SHADOWED and name not in expected:
        name = "student_" + name
    if name != stem:
        notes.append(f"{code_span(stem)} is not a usable module name; it was loaded as {code_span(name)}.")
    return name


def decode_source(raw: bytes, name: str, notes: list[str]) -> str | None:
    """Text of a .py file, honouring PEP 263; None (with a note) for a file that is not text."""
    if b"\0" in raw[:8192] or (raw and sum(b < 9 or 13 < b < 32 for b in raw[:8192]) > len(raw[:8192]) // 10):
        notes.append(f"{code_span(name)} is not a text file; it was skipped.")
        return None
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(raw).readline)
        return raw.decode(encoding)
    except (SyntaxError, LookupError, UnicodeDecodeError):
        notes.append(f"{code_span(name)} is not valid UTF-8; it was read as Latin-1 (save your files as UTF-8).")
        return raw.decode("latin-1")


def _unit(module: str, label: str, source: str, path: str, notes: list[str]) -> CodeUnit:
    """A code unit whose syntax errors cost only the broken top-level parts (see salvage.py)."""
    error = compile_error(source)
    kept, skipped = salvage(source) if error else (source, [])  # a unit that compiles has nothing to salvage
    notes += [part.describe(label) for part in skipped[:SHOWN_SKIPPED]]
    if len(skipped) > SHOWN_SKIPPED:
        lines = ", ".join(str(part.error_line) for part in skipped[SHOWN_SKIPPED:])
        notes.append(f"{code_span(label)}: {len(skipped) - SHOWN_SKIPPED} more broken parts were skipped (syntax errors "
                     f"on lines {lines}).")
    lost = tuple(n for part in skipped for n in part.names) if skipped else tuple(DEFINES.findall(source) if error else ())
    return CodeUnit(module, label, kept, path, error, lost)


def own_zip(folder: Path, leave_out: Collection[Path], notes: list[str]) -> set[Path]:
    """The `submission.zip` that `check.py --zip` wrote into a folder that also holds the code it was
    made from: a copy of that code, older or the same, so it is left out (reading both made every file
    clash with itself). A folder holding only a zip (Gradescope's) is read from the zip as before."""
    packed = folder / SUBMISSION_ZIP
    if packed in leave_out or not packed.is_file() or packed.is_symlink():
        return set()
    code = [p for p in folder.iterdir() if p.suffix in (".py", ".ipynb") or (p.is_dir() and not p.is_symlink())]
    if not code:
        return set()
    notes.append(f"`{SUBMISSION_ZIP}` (what `python check.py --zip` writes) lies beside the code it was made from; "
                 "the code itself was read, not the zip.")
    return {packed}


def _stage(path: Path, staging: Path, notes: list[str], budget: Budget, leave_out: Collection[Path] = ()) -> Path:
    files = staging / "files"
    if files.exists():
        shutil.rmtree(files)
    files.mkdir(parents=True)
    if path.is_symlink():
        notes.append(f"{code_span(path.name)} is a symbolic link; it was not followed.")
    elif path.is_dir():
        copy_tree(path, files, notes, budget, leave_out=set(leave_out) | own_zip(path, leave_out, notes))
    elif path.suffix.lower() == ".zip":
        unpack_zip(path, files, notes, budget)
    elif path.is_file():
        copy_file(path, files, notes, budget)
    else:
        notes.append(f"{code_span(path)} does not exist.")
    return files


def _code_root(files: Path) -> Path:
    """Skip wrapper folders (one extra top folder, or the folder a nested zip was unpacked into)."""
    root = files
    while True:
        children = [c for c in root.iterdir()]
        if len(children) == 1 and children[0].is_dir():
            root = children[0]
        else:
            return root


def load_submission(path: Path, staging: Path, expected_modules: Sequence[str] = (),
                    leave_out: Collection[Path] = ()) -> Submission:
    """The submission at `path`, staged under `staging` and read (and indexed) once; `leave_out`:
    files of a submitted folder that are not part of it."""
    units: list[CodeUnit] = []
    data_files: dict[str, Path] = {}
    notes: list[str] = []
    budget = Budget()  # source size caps (source_limits.py) hold across the files and the notebooks
    budget.exempt = known_content  # the handout's own files, zipped with the homework, are not its code
    files = _stage(Path(path), Path(staging), notes, budget, leave_out)
    root = _code_root(files)
    candidates = sorted(p for p in root.rglob("*") if p.is_file())
    own = handout_copies(root, candidates)  # check.py, autograder/, checks/, unchanged helpers
    if own:
        notes.append(skipped_note(root, own))
    candidates = [p for p in candidates if p not in own]
    py_files = [p for p in candidates if p.suffix == ".py"]
    notebooks = [p for p in candidates if p.suffix == ".ipynb"]
    order = {name: i for i, name in enumerate(expected_modules)}
    py_files.sort(key=lambda p: (order.get(p.stem, len(order)), len(p.relative_to(root).parts), p.name))
    seen: dict[str, str] = {}
    for py in py_files:
        rel = py.relative_to(root).as_posix()
        source = decode_source(py.read_bytes(), rel, notes)
        if source is None:
            continue
        name = module_name(py.stem, notes, expected_modules)
        if name in seen:
            notes.append(f"{code_span(seen[name])} was loaded; {code_span(rel)} has the same module name, so it was not.")
            continue
        seen[name] = rel
        units.append(_unit(name, rel, source, rel, notes))
    for nb in notebooks:
        rel = nb.relative_to(root).as_posix()
        name = module_name(nb.stem, notes, ())
        if name in seen:
            name = name + "_notebook"
        seen[name] = rel
        for cell in read_cells(nb, notes, budget.source):
            units.append(_unit(name, f"{rel}, {cell.label}", cell.source, rel, notes))
    for data in candidates:
        if data.suffix.lower() in DATA_SUFFIXES and data.name not in data_files:
            if data.stat().st_size <= MAX_DATA_BYTES:
                data_files[data.name] = data
            else:
                notes.append(f"{code_span(data.name)} is larger than {MAX_DATA_BYTES >> 20} MB; it was ignored.")
    if not units:
        notes.append("No Python code was found: submit your .py files or your notebook (.ipynb), "
                     "or a .zip of them.")
    elif py_files and not notebooks and len(py_files) > 1:
        missing = [m for m in expected_modules if m not in seen]
        if missing:
            notes.append("Not found among your files: " + ", ".join(f"`{m}.py`" for m in missing)
                         + " (the names are searched in every file anyway).")
    return Submission(units, data_files, notes, root)
