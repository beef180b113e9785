"""Real-world shapes: whole submissions written the way students write them, each with the verdict a
careful TA gives it (the exact points lost per test, and the words the student must read).

Unlike the mutation corpus, these are complete files (lists of lists, float32 loops, top-level
scripts, notebooks, wrong names, other keyword names, files Python cannot compile, data files
beside the code). Parts that several submissions share are written once below and combined.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from tests.project.corpus.realworld_parts import (
    HEADER, KMEANS_OK, LOOP_FLOAT_ACCUMULATOR, LOOP_LISTS, LOOP_TENSOR_SCALARS, LOOP_TORCH32, NUMPY_MATMUL,
    NUMPY_OK, PLOT_OK, REGRESSION_OK, TORCH32, TORCH_OK, distances)

DISTANCES_ALL = {"distances.forloop_agrees": 3, "distances.numpy_agrees": 5, "distances.torch_agrees": 5,
                 "distances.numpy_float32_input": 1, "distances.torch_float32_input": 1,
                 "distances.numpy_no_loops": 3, "distances.torch_no_loops": 3,
                 "distances.numpy_faster_than_loops": 2, "distances.torch_faster_than_loops": 2,
                 "distances.torch_speed_vs_reference": 2}
TORCH_ALL = {k: v for k, v in DISTANCES_ALL.items() if "torch" in k}
NUMPY_ALL = {k: v for k, v in DISTANCES_ALL.items() if "numpy" in k}
KMEANS_CALLS = {"kmeans.matches_reference[2]": 3, "kmeans.matches_reference[5]": 3,
                "kmeans.matches_reference[8]": 3, "kmeans.max_iter": 3, "kmeans.tol": 3}


@dataclass(frozen=True)
class Submitted:
    name: str
    files: dict[str, str]  # path -> text; a ".ipynb" is given as its cells separated by CELL
    tests: str             # rubric id prefix of the tests selected (the task's own)
    lost: dict[str, float] = field(default_factory=dict)  # exact points lost; every other test keeps all
    says: dict[str, tuple[str, ...]] = field(default_factory=dict)  # test id or "top" -> phrases
    lacks: dict[str, tuple[str, ...]] = field(default_factory=dict)  # phrases that must not appear
    zipped: bool = False   # handed in as a .zip of these files


CELL = "\n# ---- cell ----\n"
MNIST_MODEL = HEADER + '''
def build_model():
    return torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(784, 10))
'''
UNCOMPILABLE_LOOP = '''
def forloopdists(feats, protos):
    out = np.zeros((len(feats), len(protos)))
    for i in range(len(feats)):
        for j in range(len(protos)):
            d = ((feats[i] - protos[j]) ** 2).sum()
            if d < 0:
            print("negative distance?")
            out[i, j] = d
    return out
'''

SUBMISSIONS = [
    Submitted("loops build a list of lists of np.float64", {"distances.py": distances(LOOP_LISTS)}, "distances.",
              lacks={"distances.forloop_agrees": ("reshaped", "not close enough")}),
    Submitted("loops fill a float32 torch.zeros", {"distances.py": distances(LOOP_TORCH32)}, "distances.",
              says={"distances.forloop_agrees": ("checked at float32 precision", "no points")}),
    Submitted("loops collect 0-d tensors", {"distances.py": distances(LOOP_TENSOR_SCALARS)}, "distances."),
    Submitted("innermost loop over coordinates with a float accumulator",
              {"distances.py": distances(LOOP_FLOAT_ACCUMULATOR)}, "distances."),
    Submitted("matrix-product numpy and float32 torch", {"distances.py": distances(numpy=NUMPY_MATMUL, torch=TORCH32)},
              "distances."),
    Submitted("numpy in float32 with the cross term's factor 2 missing", {"distances.py": distances(numpy='''
def numpydists(feats, protos):
    f, p = feats.astype(np.float32), protos.astype(np.float32)
    return (f ** 2).sum(1)[:, None] + (p ** 2).sum(1)[None, :] - f @ p.T
''')}, "distances.", lost=NUMPY_ALL,  # wrong values also withhold the no-loops and speed points
              says={"distances.numpy_agrees": ("its rounding cannot explain an error this large",)},
              lacks={"distances.numpy_agrees": ("low precision may be the cause",)}),
    Submitted("square root left in numpydists", {"distances.py": distances(numpy='''
def numpydists(feats, protos):
    return np.sqrt(((feats[:, None, :] - protos[None, :, :]) ** 2).sum(-1))
''')}, "distances.", lost=NUMPY_ALL,  # wrong values also withhold the no-loops and speed points
              says={"distances.numpy_agrees": ("square roots",)}),
    Submitted("an indentation error in the loops", {"distances.py": distances(UNCOMPILABLE_LOOP)}, "distances.",
              lost=DISTANCES_ALL,
              says={"top": ("Python cannot compile it: line 11: expected an indented block", "earns nothing"),
                    "distances.forloop_agrees": ("`forloopdists` is in distances.py, which Python cannot compile: "
                                                 "line 11: expected an indented block after 'if' statement on line 10",),
                    "distances.numpy_agrees": ("would have scored 5/5",)},
              lacks={"distances.forloop_agrees": ("is not defined",)}),
    Submitted("the starter's empty loop function left as it was", {"distances.py": distances('''
def forloopdists(feats, protos):
    # TODO: two for loops
''')}, "distances.", lost=DISTANCES_ALL,
              says={"distances.forloop_agrees": ("which Python cannot compile: line 8: expected an indented block "
                                                 "after function definition on line 5",)}),
    Submitted("the three functions under names of their own", {"distances.py": HEADER + '''
def loops(feats, protos):
    return np.array([[((f - p) ** 2).sum() for p in protos] for f in feats])


def broadcasting(feats, protos):
    return ((feats[:, None, :] - protos[None, :, :]) ** 2).sum(-1)


def torch_version(feats0, protos0, device):
    f, p = torch.as_tensor(feats0, device=device), torch.as_tensor(protos0, device=device)
    return torch.cdist(f, p) ** 2
'''}, "distances.", lost=DISTANCES_ALL,
              says={"distances.forloop_agrees": ("`forloopdists` not found; did you mean `loops` (distances.py, line 5)",),
                    "distances.numpy_agrees": ("did you mean", "`broadcasting` (distances.py, line 9)"),
                    "distances.torch_agrees": ("did you mean `torch_version` (distances.py, line 13)?",),
                    "top": ("did you mean",)},
              lacks={"top": ("kmeans", "least_squares")}),
    Submitted("pytorchdists without the device parameter", {"distances.py": distances(torch='''
def pytorchdists(feats, protos):
    f, p = torch.from_numpy(feats), torch.from_numpy(protos)
    return ((f[:, None, :] - p[None, :, :]) ** 2).sum(-1).numpy()
''')}, "distances.", lost=TORCH_ALL,
              says={"distances.torch_agrees": ("`pytorchdists(feats0, protos0, device)`",
                                               "Yours is `pytorchdists(feats, protos)` (distances.py, line 15)")}),
    Submitted("numpydists with an extra required parameter", {"distances.py": distances(numpy='''
def numpydists(feats, protos, squared):
    d = ((feats[:, None, :] - protos[None, :, :]) ** 2).sum(-1)
    return d if squared else np.sqrt(d)
''')}, "distances.", lost=NUMPY_ALL,
              says={"distances.numpy_agrees": ("`numpydists(feats, protos)`", "Yours is `numpydists(feats, protos, squared)`")}),
    Submitted("torch methods called on the numpy inputs", {"distances.py": distances(torch='''
def pytorchdists(feats0, protos0, device):
    diff = feats0.unsqueeze(1) - protos0.unsqueeze(0)
    return (diff ** 2).sum(-1)
''')}, "distances.", lost=TORCH_ALL, says={"distances.torch_agrees": ("numpy arrays, not torch tensors",
                                                                       "torch.from_numpy")}),
    Submitted("pytorchdists insists on float64", {"distances.py": distances(torch='''
def pytorchdists(feats0, protos0, device):
    if feats0.dtype != np.float64:
        raise TypeError("expected float64 input")
    f, p = torch.from_numpy(feats0).to(device), torch.from_numpy(protos0).to(device)
    return ((f[:, None, :] - p[None, :, :]) ** 2).sum(-1).cpu().numpy()
''')}, "distances.", lost={"distances.torch_float32_input": 1},
              says={"distances.torch_float32_input": ("expected float64 input",)}),
    Submitted("a top-level script that checks and times the three", {"distances.py": distances() + '''
X = np.random.randn(300, 20)
T = np.random.randn(40, 20)
d1, d2 = forloopdists(X, T), numpydists(X, T)
d3 = pytorchdists(X, T, torch.device("cpu"))
print("max difference", np.max(np.abs(d1 - d2)), np.max(np.abs(d2 - d3)))
start = time.time()
numpydists(np.random.randn(5000, 300), np.random.randn(500, 300))
print("numpy took", time.time() - start)
'''}, "distances."),
    Submitted("a notebook with the exercise and a training loop at the top level", {"hw1.ipynb": CELL.join([
        "%matplotlib inline\nimport time\nimport numpy as np\nimport torch",
        LOOP_LISTS, NUMPY_OK, TORCH_OK,
        "model = torch.nn.Linear(20, 1)\nopt = torch.optim.SGD(model.parameters(), lr=0.01)\n"
        "x, y = torch.randn(256, 20), torch.randn(256, 1)\nfor epoch in range(300):\n"
        "    opt.zero_grad()\n    loss = ((model(x) - y) ** 2).mean()\n    loss.backward()\n    opt.step()\n"
        "print(epoch, loss.item())",
        "forloopdists(np.random.randn(5, 3), np.random.randn(4, 3)).shape"])}, "distances.",
              says={"top": ("hw1.ipynb",)}),
    Submitted("one homework file whose k-means part does not compile", {"homework.py": distances() + KMEANS_OK
                                                                        + "\n\ndef helper(:\n    pass\n"},
              "distances.", lost=DISTANCES_ALL,
              says={"top": ("homework.py", "line"), "distances.numpy_agrees": ("would have scored 5/5",)}),
    Submitted("k-means named k_means", {"kmeans.py": HEADER + KMEANS_OK.replace("def kmeans(", "def k_means(") + PLOT_OK},
              "kmeans.", lost=KMEANS_CALLS,
              says={"kmeans.matches_reference[2]": ("`kmeans` not found; did you mean `k_means` (kmeans.py, line 5)",)}),
    Submitted("k-means with keyword names of its own", {"kmeans.py": HEADER + KMEANS_OK.replace(
        "max_iter=100, tol=1e-6", "max_iters=100, tolerance=1e-6").replace("max_iter + 1", "max_iters + 1").replace(
        "shift < tol", "shift < tolerance") + PLOT_OK}, "kmeans.", lost=KMEANS_CALLS,
              says={"kmeans.max_iter": ("unexpected keyword argument", "`kmeans(X, init_indices, max_iter=100, tol=1e-06)`",
                                        "Yours is `kmeans(X, init_indices, max_iters=100, tolerance=1e-06)`")}),
    Submitted("regression reads its data file by its bare name at the top level",
              {"regression.py": REGRESSION_OK + '''
X, y = load_data("qn2_data.csv")
w, b = sgd_fit(X, y)
print("SGD:", w, b, "least squares:", least_squares(X, y))
''', "qn2_data.csv": "fertilizer,insecticides,corn\n6,4,40\n10,4,44\n12,5,46\n14,7,48\n16,9,52\n"
                     "18,12,58\n22,14,60\n24,20,68\n26,21,74\n32,24,80\n"}, "regression.",
              lacks={"top": ("FileNotFoundError", "No such file")}),
    Submitted("the same, zipped in a folder", {"regression.py": REGRESSION_OK + '''
DATA = np.loadtxt("qn2_data.csv", delimiter=",", skiprows=1)
print(least_squares(DATA[:, :2], DATA[:, 2]))
''', "qn2_data.csv": "f,i,c\n6,4,40\n10,4,44\n12,5,46\n14,7,48\n16,9,52\n"}, "regression.", zipped=True,
              lacks={"top": ("FileNotFoundError", "No such file")}),
    Submitted("the model builder under another name", {"mnist.py": MNIST_MODEL.replace("build_model", "build_net")},
              "mnist.model_shapes", lost={"mnist.model_shapes": 2},
              says={"mnist.model_shapes": ("`build_model` not found; did you mean `build_net` (mnist.py, line 5)",)}),
    Submitted("train_step without the optimizer parameter", {"mnist.py": MNIST_MODEL + '''

def train_step(model, images, labels):
    opt = torch.optim.SGD(model.parameters(), lr=0.05)
    opt.zero_grad()
    loss = torch.nn.functional.cross_entropy(model(images), labels)
    loss.backward()
    opt.step()
    return loss.item()
'''}, "mnist.train_step", lost={"mnist.train_step_lowers_loss": 3},
              says={"mnist.train_step_lowers_loss": ("`train_step(model, optimizer, images, labels)`",
                                                     "Yours is `train_step(model, images, labels)` (mnist.py, line 9)")}),
    Submitted("least squares under another name", {"regression.py": REGRESSION_OK.replace(
        "def least_squares(", "def leastsquares(")}, "regression.",
              lost={"regression.least_squares_corn": 3, "regression.least_squares_hidden": 2},
              says={"regression.least_squares_corn": ("did you mean `leastsquares` (regression.py",)}),
]
