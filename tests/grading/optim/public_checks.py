"""Public example checks of the optim task, shipped with the handout for the student's self-check.

Every expected value comes from the task text (the optimiser each name asks for, the definition of
the classification error, "numbers, not strings"); nothing comes from the reference or the hidden
tests, and passing does not promise full marks. `CHECKS` lists (title, check, rubric test ids); a check gets the
student proxy and the data files by name, and raises on failure through the grader's own helpers.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Mapping

import numpy as np

from autograder.api import TensorData, check_scalar, fail

NAMED = {"sgd": "SGD", "adagrad": "Adagrad", "lbfgs": "LBFGS"}


def _percent_misclassified(student: Any, files: Mapping[str, Path]) -> None:
    labels = np.array([0, 1, 2, 3, 4, 5, 6, 7])
    scores = np.eye(10)[[0, 1, 2, 3, 4, 5, 6, 9]]  # the last of eight is wrong: 12.5 %
    got = student.call("percent_misclassified", TensorData(scores.astype(np.float32), "torch.float32", "cpu"),
                       TensorData(labels, "torch.int64", "cpu"))
    if isinstance(got, TensorData) and got.array.size == 1:
        got = got.array.item()
    check_scalar(got, 12.5, "percent_misclassified on 8 samples with 1 wrong (tensors)", rtol=0, atol=5e-4)


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _numbers_as_strings(configs: Any) -> None:
    """Fail on a setting written as a string ("0.01"): torch's own error for it says little."""
    for name, config in (configs.items() if isinstance(configs, dict) else []):
        for key, value in (config.items() if isinstance(config, dict) else []):
            if isinstance(value, str) and _is_number(value):
                fail(f"CONFIGS[{name!r}][{key!r}] is the string {value!r}: write the number without quotes.")


def _optimizers_as_named(student: Any, files: Mapping[str, Path]) -> None:
    configs = student.get("CONFIGS")
    if not isinstance(configs, dict) or sorted(configs) != sorted(NAMED):
        fail(f"CONFIGS must be a dict with exactly the keys {', '.join(map(repr, NAMED))}.")
    for name, cls in NAMED.items():
        try:
            made = student.probe("optim_made", name, what=f"build_optimizer({name!r}, ...)")
        except Exception:
            _numbers_as_strings(configs)
            raise
        if not made["class"].endswith(f".{cls}"):
            fail(f"build_optimizer({name!r}, ...) built {made['class']}; torch.optim.{cls} was expected.")


CHECKS = [
    ("percent_misclassified on a tiny crafted case", _percent_misclassified, "optim.percent_misclassified"),
    ("build_optimizer builds torch.optim.SGD, Adagrad and LBFGS from CONFIGS", _optimizers_as_named,
     ("optim.optimizer_named[sgd]", "optim.optimizer_named[adagrad]", "optim.optimizer_named[lbfgs]")),
]
