"""Reference for T2: numpy's broadcasting rule, written out (contract: student_template/broadcasting.py).

Rule: align the shapes on the right, pad the shorter one with 1s; each pair of sizes must be equal
or contain a 1, and the result takes the size that is not 1 (0 broadcasts against 1 like any size).
"""

from __future__ import annotations


def broadcast_shape(a, b):
    """The shape of `a (op) b`, or None when the shapes are not compatible."""
    a, b = tuple(a), tuple(b)
    n = max(len(a), len(b))
    a = (1,) * (n - len(a)) + a
    b = (1,) * (n - len(b)) + b
    result = []
    for x, y in zip(a, b):
        if x != y and x != 1 and y != 1:
            return None
        result.append(y if x == 1 else x)
    return tuple(result)


BROADCAST_ANSWERS = [None, (3, 1, 4, 5), None, (7, 4), (6, 3, 2, 7), None, (8, 2, 3, 2, 6), None]
