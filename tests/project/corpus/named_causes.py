"""Issue 25's cases: submissions whose feedback must name the cause, one per item of the issue,
written in our own words (the shapes of real students' mistakes, not their code). Graded like the
real-world corpus (tests/project/test_named_causes.py): exact points lost, and the student's words.
Cases about one function select only its tests: the speed tests of the others are not at stake.

Line numbers in the expected words are counted by hand from the parts (HEADER is 3 lines, then each
part starts with a blank line: forloopdists at line 5, numpydists at 12, pytorchdists at 15).
"""

from __future__ import annotations

from autograder.course.paths import REFERENCE_DIR
from tests.project.corpus.realworld import CELL, DISTANCES_ALL, NUMPY_ALL, TORCH_ALL, Submitted
from tests.project.corpus.realworld_parts import HEADER, KMEANS_OK, LOOP_OK, NUMPY_OK, PLOT_OK, REGRESSION_OK, TORCH_OK, distances

BROADCASTING = (REFERENCE_DIR / "broadcasting" / "broadcasting.py").read_text(encoding="utf-8")
ANSWERS_AS_DICT = ("answers = {1: None, 2: (3, 1, 4, 5), 3: None, 4: (7, 4), 5: (6, 3, 2, 7), 6: None, "
                   "7: (8, 2, 3, 2, 6), 8: None}")
TOP_LEVEL_SCRIPT = '''import numpy as np
feats = np.random.randn(5, 3)
protos = np.random.randn(4, 3)
out = np.zeros((5, 4))
for i in range(5):
    for j in range(4):
        out[i, j] = ((feats[i] - protos[j]) ** 2).sum()
print(out)
'''
OTHER_STARTER = '''import numpy as np


def compute_distances(X, Y):
    """Return the matrix of squared distances between the rows of X and the rows of Y."""
    # YOUR CODE HERE
    return dist


def nearest_neighbour(X, Y):
    # YOUR CODE HERE
    return idx
'''
PANDAS_LOADER = '''
import pandas as pd


def load_data(path=DATA_FILE):
    frame = pd.read_csv(path)
    return frame.iloc[:, :2].to_numpy(), frame.iloc[:, 2].to_numpy()
'''

CASES = [
    # ---- name hints by kind
    Submitted("answers as a dict of eight under another name, beside a function", {"broadcasting.py": BROADCASTING.replace(
        "BROADCAST_ANSWERS = [None, (3, 1, 4, 5), None, (7, 4), (6, 3, 2, 7), None, (8, 2, 3, 2, 6), None]",
        ANSWERS_AS_DICT) + "\n\ndef broadcasting(a, b):\n    return broadcast_shape(a, b)\n"},
              "broadcasting.", lost={"broadcasting.answers": 4},
              says={"broadcasting.answers": ("did you mean `answers` (broadcasting.py, line 24: a dict of 8)?",)},
              lacks={"broadcasting.answers": ("`broadcasting` (",)}),
    Submitted("sgd_fit under another name beside a variable called sgd", {"regression.py": REGRESSION_OK.replace(
        "def sgd_fit(", "def train_sgd(") + "\nsgd = 0.1  # the learning rate I settled on\n"}, "regression.",
              lost={"regression.sgd_uses_optim_sgd": 2, "regression.sgd_close_to_least_squares": 4,
                    "regression.predictions": 4},  # predict is right, but the missing sgd_fit fails the whole test
              says={"regression.sgd_uses_optim_sgd": ("did you mean `train_sgd` (regression.py, line 38)",)},
              lacks={"regression.sgd_uses_optim_sgd": ("`sgd` (",)}),
    Submitted("pytorchdists under a name of its own beside a run() without parameters", {"distances.py": distances(
        torch=TORCH_OK.replace("def pytorchdists(", "def human_torch(")) + "\n\ndef run():\n    print('done')\n"},
              "distances.torch", lost=TORCH_ALL,
              says={"distances.torch_agrees": ("did you mean `human_torch` (distances.py, line 15)?",)}),
    # ---- recognise and say
    Submitted("numpydists commented out", {"distances.py": distances(numpy="\n" + "\n".join(
        "# " + line for line in NUMPY_OK.strip().splitlines()) + "\n")}, "distances.numpy", lost=NUMPY_ALL,
              says={"distances.numpy_agrees": ("`numpydists` is commented out (distances.py, line 12: "
                                               "`# def numpydists(feats, protos):`)",),
                    "top": ("`numpydists` is commented out",)}),
    Submitted("a script with no functions", {"distances.py": TOP_LEVEL_SCRIPT}, "distances.", lost=DISTANCES_ALL,
              says={"distances.forloop_agrees": ("your code for it runs at the top level (distances.py, lines 2-7)",
                                                 "The grader calls `forloopdists(feats, protos)`")}),
    Submitted("a notebook that computes in its cells", {"hw1.ipynb": CELL.join([
        "import numpy as np",
        "feats = np.random.randn(5, 3)\nprotos = np.random.randn(4, 3)\nD = ((feats[:, None] - protos[None]) ** 2).sum(-1)",
        "print(D)"])}, "distances.forloop", lost={"distances.forloop_agrees": 3},
              says={"distances.forloop_agrees": ("your code for it runs at the top level (hw1.ipynb, code cell 2",
                                                 "lines 1-3", "put those lines in that function")}),
    Submitted("another year's starter, unfilled", {"distances.py": OTHER_STARTER}, "distances.", lost=DISTANCES_ALL,
              says={"distances.numpy_agrees": ("distances.py looks like a starter from another handout, unfilled",
                                               "`compute_distances`, `nearest_neighbour`",
                                               "(compute_distances, line 4, `return dist` left in)",
                                               "`numpydists(feats, protos)`")}),
    Submitted("xrange from past, which the grader lacks", {"distances.py": HEADER + "from past.builtins import xrange\n"
                                                           + LOOP_OK.replace("range(", "xrange(") + NUMPY_OK + TORCH_OK},
              "distances.forloop", lost={"distances.forloop_agrees": 3},
              says={"distances.forloop_agrees": ("`xrange` was to come from the import at distances.py, line 4",
                                                 "`past` is not installed on the grader", "`range` instead of `xrange`"),
                    "top": ("No module named 'past'", "`past` is not installed on the grader")}),
    Submitted("load_data with pandas, which no test uses", {"regression.py": REGRESSION_OK + PANDAS_LOADER},
              "regression.", says={"top": ("`pandas` is not installed on the grader", "np.loadtxt")}),
    # ---- the arguments of a call that raised
    Submitted("numpydists with the handout's D = 300 hard-coded", {"distances.py": distances(numpy='''
def numpydists(feats, protos):
    D = 300
    return ((feats.reshape(-1, 1, D) - protos.reshape(1, -1, D)) ** 2).sum(-1)
''')}, "distances.numpy", lost=NUMPY_ALL,
              says={"distances.numpy_agrees": ("cannot reshape", "It was called with `feats` = a numpy array "
                                               "(float64, shape (7, 3)); `protos` = a numpy array (float64, shape (5, 3))")}),
    # ---- causes of impossible values
    Submitted("numpydists without the norm of the rows", {"distances.py": distances(numpy='''
def numpydists(feats, protos):
    return (protos ** 2).sum(1)[None, :] - 2 * feats @ protos.T
''')}, "distances.numpy", lost=NUMPY_ALL,
              says={"distances.numpy_agrees": ("values are negative", "a term is missing or its sign is flipped")},
              lacks={"distances.numpy_agrees": ("float32",)}),
    Submitted("loops that square the squared distance again", {"distances.py": distances(LOOP_OK.replace(
        "np.sum((feats[i] - protos[j]) ** 2)", "np.sum((feats[i] - protos[j]) ** 2) ** 2"))}, "distances.forloop",
              lost={"distances.forloop_agrees": 3},
              says={"distances.forloop_agrees": ("Your values are the squares of the expected ones",)}),
    # ---- the missing-name summary
    Submitted("k-means without the handout's helpers, graded alone", {"kmeans.py": HEADER + KMEANS_OK + PLOT_OK},
              "kmeans.", says={"top": ("All 2 required names were found",)},
              lacks={"top": ("make_blobs", "BLOB_CENTRES", "forloopdists", "Not found")}),
]
