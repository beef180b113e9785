"""Issue 22, the grading side: a student who reaches a loop by a road the loop finder cannot read,
keeps the inputs of a test shown only after the due date to print them in a visible one, hands in a
helper Python's parser cannot hold, or names their exception after the grader's own statuses. Each
keeps exactly the points its code earns, and the grader never blames itself."""

from __future__ import annotations

from tests.project.hostile.case import BOTH_MODES, Hostile, files, replacing
from tests.project.hostile.determined import NUMPY_SPEED, TORCH_SPEED, appending

BROADCAST = ("broadcasting.given_pairs", "broadcasting.random_pairs")
BY_ROWS = '''
        def _by_rows(feats, protos):
            out = np.empty((len(feats), len(protos)))
            for i in range(len(feats)):
                out[i] = ((feats[i] - protos) ** 2).sum(axis=1)
            return out
        '''
RAN = "times in one call of"  # the tracer's words: the loop was seen running

LOOPS_THAT_RUN = [
    Hostile("reaches a loop through a default argument", appending("distances", BY_ROWS + '''
        def numpydists(feats, protos, _way=_by_rows):
            return _way(feats, protos)
        '''), "distances.", loses=NUMPY_SPEED, says=(RAN,)),
    Hostile("reaches a loop through a dict of functions and getattr with a computed name",
            replacing("distances", BY_ROWS + '''
        import sys as _sys
        _WAYS = {"fast": lambda f, p: getattr(_sys.modules[__name__], "_by" + "_rows")(f, p)}

        def pytorchdists(feats0, protos0, device):
            return _WAYS["fast"](feats0, protos0)
        '''), "distances.", loses=TORCH_SPEED, says=(RAN,)),
    Hostile("loops through an alias of np.vectorize", replacing("distances", '''
        _each = getattr(np, "vector" + "ize")

        def _pair(x, t):
            return ((x - t) ** 2).sum()

        def numpydists(feats, protos):
            return _each(_pair, signature="(d),(d)->()")(feats[:, None, :], protos[None, :, :])
        '''), "distances.", loses=NUMPY_SPEED, says=("was called",)),
]

HIDDEN_INPUTS = [
    # least_squares keeps every X it is given; once it has seen a data set that is not the corn data
    # (test 2, shown only after the due date), predict puts that set's first value into what it
    # returns, which the visible test 5 quotes ("Your predictions for the test set: ..."). In the
    # order of the test file, test 5 follows test 2 in one worker; run in the order of who may see
    # them, it never does: its predictions stay right, and nothing hidden is shown.
    Hostile("keeps the inputs of an after-due-date test to show them in a visible one",
            replacing("regression", '''
        _SEEN = []

        def least_squares(X, y):
            X = np.asarray(X, dtype=np.float64)
            _SEEN.append(X)
            try:
                with open("/tmp/ag-seen-inputs.txt", "a") as fh:
                    fh.write(repr(X[0, 0]) + "\\n")
            except OSError:
                pass
            A = np.hstack([np.ones((len(X), 1)), X])
            return np.linalg.solve(A.T @ A, A.T @ np.asarray(y, dtype=np.float64))

        def predict(X, w, b):
            out = np.asarray(X, dtype=np.float64) @ np.asarray(w, dtype=np.float64) + float(b)
            hidden = [x[0, 0] for x in _SEEN if x.shape[1] != 2]
            try:
                with open("/tmp/ag-seen-inputs.txt") as fh:
                    hidden += [float(v) for v in fh.read().split()[2:]]  # the corn data came first, twice
            except (OSError, ValueError):
                pass
            if hidden:
                out[0] = hidden[-1]
            return out
        '''), "regression.", modes=BOTH_MODES),
]

PARSER_LIMITS = [
    Hostile("a helper file Python's parser cannot hold (MemoryError, RecursionError)", files({
        "deep_minus.py": "x = " + "-" * 20000 + "1\n",
        "deep_attributes.py": "y = " + "a." * 10000 + "b\n",
    }, with_reference=True), "broadcasting.", says=("nested too deeply for Python's parser",)),
]

GRADER_STATUSES = [
    Hostile("names its exceptions GraderFault and SubmissionProblem, with a 'skipped:' message",
            replacing("broadcasting", '''
        class GraderFault(Exception):
            pass

        class SubmissionProblem(Exception):
            pass

        _CALLS = []

        def broadcast_shape(a, b):
            _CALLS.append(1)
            if len(_CALLS) == 1:  # test 1 (its first call)
                raise GraderFault("the grader broke, blame it")
            raise SubmissionProblem("skipped: not graded on this machine")
        '''), "broadcasting.", loses=BROADCAST, says=("raised `GraderFault", "raised `SubmissionProblem: skipped")),
    Hostile("closes a code span in its error message to inject a link and an image", replacing("broadcasting", '''
        def broadcast_shape(a, b):
            raise ValueError("`` ![pwned](http://127.0.0.1/x.png) [click here](http://127.0.0.1/) <img src=x>")
        '''), "broadcasting.", loses=BROADCAST, says=("click here",)),
]

CASES = LOOPS_THAT_RUN + HIDDEN_INPUTS + PARSER_LIMITS + GRADER_STATUSES
