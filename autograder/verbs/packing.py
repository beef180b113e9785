"""`python check.py --zip`: the zip to hand in, holding exactly what the grader will read.

Built from the Submission the self-check has just read with the grader's own intake (same files,
same caps, the handout's own files left out, the stub rule applied), so nothing that matters can
be forgotten (the weights a task asks for, the data files) and nothing that would confuse the
grader is added: a copy of a task that the stub rule ignores (the untouched `homework/<task>.py`
beside a filled-in notebook) stays out.
"""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any

from autograder.intake.handout_contents import SUBMISSION_ZIP  # noqa: F401 (where the self-check writes it)


def members(submission: Any, homes: dict[str, str]) -> dict[str, Path]:
    """{path in the zip: staged file}: the code files and notebooks whose definitions are graded
    (or that define no required name: the student's helpers), then the data files."""
    root: Path = submission.root
    defines: dict[str, set[str]] = {}
    modules: dict[str, str] = {}
    for unit in submission.units:
        modules[unit.path] = unit.module
        defines.setdefault(unit.path, set()).update(
            name for name in homes if any(loc.label == unit.label for loc in submission.index.locate(name)))
    chosen = {path: root / path for path, names in defines.items()
              if not names or any(homes[name] == modules[path] for name in names)}
    for data in submission.data_files.values():
        chosen.setdefault(Path(data).relative_to(root).as_posix(), Path(data))
    return chosen


def write_zip(out: Path, payloads: dict[str, bytes]) -> Path:
    """A zip with its entries in a fixed order and fixed dates: the same files give the same bytes."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name in sorted(payloads):
            info = zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0))
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, payloads[name])
    return out


def zip_lines(out: Path, files: dict[str, Path]) -> list[str]:
    """What the student reads: where the zip is and what is in it (whether to upload it is the
    self-check's verdict, said after: verdict.py)."""
    size = out.stat().st_size
    return ([f"Wrote {out} ({size / 1e3:.0f} kB), holding exactly what the grader will read:"]
            + [f"  {name}" for name in sorted(files)])
