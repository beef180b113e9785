"""Task 2: broadcasting.

Under numpy's (and pytorch's) broadcasting rule, two shapes are aligned on the RIGHT; the shorter
one is padded with 1s on the left; two sizes are compatible when they are equal or one of them is 1;
the result takes the size that is not 1. Write the rule yourself (do not call numpy's helpers).
"""


def broadcast_shape(a, b):
    """The shape of the result of `x (op) y` for x of shape `a` and y of shape `b`.

    Args:
        a, b: tuples of ints, e.g. (4, 1) and (3, 1, 1, 5).
    Returns:
        a tuple of ints, e.g. (3, 1, 4, 5), or None when the shapes are not compatible.
    """
    raise NotImplementedError("broadcast_shape is not implemented yet")


# Your answers for the eight pairs of the handout, in order: a tuple, or None if not compatible.
#   1: (3,1,3) and (2,3,3)      2: (4,1) and (3,1,1,5)        3: (3,) and (3,1,1,5)
#   4: (1,4) and (7,1)          5: (6,3,1,7) and (2,7)        6: (6,3,1,7) and (2,1,7)
#   7: (1,2,3,1,6) and (8,1,3,2,6)                            8: (2,5,1,7) and (9,2,3,2,1)
BROADCAST_ANSWERS = None


if __name__ == "__main__":
    print(broadcast_shape((4, 1), (3, 1, 1, 5)))
