"""Seeded mistakes and correct variants for T2, broadcasting."""

from tests.project.corpus.cases import Mistake, Variant

MISTAKES = [
    Mistake("broadcasting: shapes aligned on the left", "broadcasting", '''
def broadcast_shape(a, b):
    out = []
    for i in range(max(len(a), len(b))):
        x = a[i] if i < len(a) else 1
        y = b[i] if i < len(b) else 1
        if x != y and 1 not in (x, y):
            return None
        out.append(max(x, y))
    return tuple(out)
''', loses=("broadcasting.given_pairs", "broadcasting.random_pairs"), says="expected"),
    Mistake("broadcasting: never says incompatible", "broadcasting", '''
def broadcast_shape(a, b):
    n = max(len(a), len(b))
    a = (1,) * (n - len(a)) + tuple(a)
    b = (1,) * (n - len(b)) + tuple(b)
    return tuple(max(x, y) for x, y in zip(a, b))
''', loses=("broadcasting.given_pairs", "broadcasting.random_pairs"), says="expected None"),
    Mistake("broadcasting: one written answer wrong", "broadcasting", '''
BROADCAST_ANSWERS = [None, (3, 1, 4, 5), None, (7, 4), (6, 3, 2, 7), (6, 3, 2, 7), (8, 2, 3, 2, 6), None]
''', loses=("broadcasting.answers",), says="pair 6"),
]

VARIANTS = [
    Variant("broadcasting: lists instead of tuples", "broadcasting", '''
def broadcast_shape(a, b):
    a, b = list(a)[::-1], list(b)[::-1]
    out = []
    for i in range(max(len(a), len(b))):
        x = a[i] if i < len(a) else 1
        y = b[i] if i < len(b) else 1
        if x != y and x != 1 and y != 1:
            return None
        out.append(y if x == 1 else x)
    return out[::-1]
'''),
]
