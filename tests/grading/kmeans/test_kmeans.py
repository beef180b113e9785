"""Hidden tests, T3 k-means with fixed initialisation: the reference runs, max_iter, tol, the plot.

The initial centres are fixed indices into make_blobs(seed=0), so every run is reproducible and the
reference's centres, labels and round count are the oracle. INIT_INDICES never empty a cluster, so
any sane empty-cluster rule passes. The rounds a submission performed are read from its centres
(which differ after every round), so a miscounted n_iter costs points only in matches_reference.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from autograder.api import agrees, as_array, describe_value, fail, is_figure, none_hint, shape_hint
from reference.kmeans import kmeans as ref

MAX_ITER, TOL = 100, 1e-6   # the contract's defaults, passed explicitly
STOP_P = 8                  # the run used by the max_iter and tol tests (the one with the most rounds)
HUGE_TOL = 1e9


def blobs() -> np.ndarray:
    return ref.make_blobs(seed=0)


def init_of(p: int) -> list[int]:
    return [int(i) for i in ref.INIT_INDICES[p]]


def reference_run(X: np.ndarray, p: int, max_iter: int = MAX_ITER, tol: float = TOL):
    centres, labels, n_iter = ref.kmeans(X, np.array(init_of(p)), max_iter=max_iter, tol=tol)
    return np.asarray(centres, dtype=np.float64), np.asarray(labels), int(n_iter)


def centres_after(X: np.ndarray, p: int, rounds: int) -> np.ndarray:
    """The reference's centres after exactly `rounds` rounds (tol 0 never stops early)."""
    if rounds == 0:
        return X[init_of(p)].astype(np.float64)
    return reference_run(X, p, max_iter=rounds, tol=0.0)[0]


def nearest(X: np.ndarray, centres: np.ndarray) -> np.ndarray:
    return ((X[:, None, :] - centres[None, :, :]) ** 2).sum(axis=-1).argmin(axis=1)


def as_int(value: Any, what: str) -> int:
    """A whole number from an int, a whole float or a one-element array or tensor."""
    if value is None:
        fail(f"`{what}` is None: return the number of rounds as an int.")
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        return int(value)
    array = as_array(value, what) if not isinstance(value, float) else np.asarray(value)
    if array.size == 1 and array.dtype.kind in "iuf" and np.isfinite(array).all() \
            and float(array.reshape(())) == int(array.reshape(())):
        return int(array.reshape(()))
    fail(f"`{what}` is {describe_value(value)}; a whole number (the rounds performed) was expected.")
    raise AssertionError


def call_kmeans(student, X: np.ndarray, p: int, notes: list[str], **kwargs: Any):
    """(centres (P, D), labels (N,), n_iter) of the student's run, with shapes checked."""
    what = f"kmeans(X, init_indices for P={p}" + "".join(f", {k}={v:g}" for k, v in kwargs.items()) + ")"
    result = student.call("kmeans", X, init_of(p), **kwargs)
    if result is None:
        fail(none_hint(what))
    if not isinstance(result, (tuple, list)) or len(result) != 3:
        fail(f"`{what}` returned {describe_value(result)}; a tuple (centres, labels, n_iter) was expected.")
    centres = as_array(result[0], f"{what}: centres", notes).astype(np.float64)
    labels = as_array(result[1], f"{what}: labels", notes)
    if centres.shape != (p, X.shape[1]):
        fail(f"`{what}`: centres: {shape_hint(tuple(centres.shape), (p, X.shape[1]))}.")
    if labels.shape != (X.shape[0],):
        hint = shape_hint(tuple(labels.shape), (X.shape[0],))
        if labels.shape == (p,):
            hint += ": one label per CENTRE came back, so the argmin ran over the samples axis; take it over the centres axis"
        fail(f"`{what}`: labels: {hint}.")
    if labels.dtype.kind == "f" and np.all(labels == np.round(labels)):
        labels = labels.astype(np.int64)
    if labels.dtype.kind not in "iu":
        fail(f"`{what}`: labels are {labels.dtype}; integer cluster indices were expected.")
    return centres, labels, as_int(result[2], f"{what}: n_iter"), what


def close(a: np.ndarray, b: np.ndarray, atol: float) -> bool:
    return a.shape == b.shape and agrees(a, b, rtol=0, atol=atol)


def centres_message(what: str, got: np.ndarray, expected: np.ndarray, atol: float) -> str:
    worst = int(np.argmax(np.abs(got - expected).max(axis=1)))
    message = (f"`{what}`: the centres differ from the expected ones; the worst is centre {worst}: "
               f"got {np.round(got[worst], 6).tolist()}, expected {np.round(expected[worst], 6).tolist()}.")
    order = np.abs(got[:, None, :] - expected[None, :, :]).max(axis=-1).argmin(axis=0)
    if len(set(order.tolist())) == len(order) and close(got[order], expected, atol):
        message += (" They are the right centres in another order: centre j must start at "
                    "X[init_indices[j]] and keep its index.")
    return message


def random_hint(student, X: np.ndarray, p: int, centres: np.ndarray, atol: float, notes: list[str],
                **kwargs: Any) -> str:
    """Run the same call again: different centres mean a random initialisation."""
    again = call_kmeans(student, X, p, notes, **kwargs)[0]
    if close(again, centres, atol):
        return (" Check that centre j starts at X[init_indices[j]] (no random choice, seeded or not), that each "
                "sample goes to its nearest centre, and that each centre moves to the mean of its members.")
    return (" Two calls with the same input gave different centres: start from X[init_indices], "
            "not from a random choice (fixed initialisation makes runs reproducible).")


def rounds_hint(got: np.ndarray, X: np.ndarray, p: int, rounds: int, atol: float) -> str:
    """Say so when the centres are the reference's after one round more or less."""
    for other, words in ((rounds + 1, "one round MORE"), (rounds - 1, "one round FEWER")):
        if other >= 0 and close(got, centres_after(X, p, other), atol):
            return (f" Your centres are the reference's after {other} round(s): your loop runs {words} than "
                    "asked (a round = assign every sample, then move every centre).")
    converged, _, n = reference_run(X, p)
    if n > rounds + 1 and close(got, converged, atol):
        return (f" Your centres are the converged ones: your run did not stop after round {rounds}. "
                "Stop after the first round in which every centre moved by less than tol (Euclidean distance).")
    return ""


def labels_message(what: str, got: np.ndarray, expected: np.ndarray, X: np.ndarray, centres: np.ndarray) -> str:
    wrong = int((got != expected).sum())
    message = f"`{what}`: {wrong} of {len(expected)} labels differ from the expected ones."
    if agrees(got, nearest(X, centres), rtol=0, atol=0):
        message += (" Your labels are the nearest centres to the FINAL centres, computed after the last update; "
                    "labels must be the assignment made in the last round (before that round moved the centres).")
    return message


@pytest.mark.parametrize("p", [2, 5, 8], ids=["2", "5", "8"])
def test_matches_reference(student, entry, credit, notes, p):
    X = blobs()
    exp_centres, exp_labels, exp_n = reference_run(X, p)
    centres, labels, n_iter, what = call_kmeans(student, X, p, notes, max_iter=MAX_ITER, tol=TOL)
    atol = entry["atol"]
    if not close(centres, exp_centres, atol):
        fail(centres_message(what, centres, exp_centres, atol) + random_hint(student, X, p, centres, atol, notes,
                                                                             max_iter=MAX_ITER, tol=TOL))
    if not agrees(labels, exp_labels, rtol=0, atol=0):
        fail(labels_message(what, labels, exp_labels, X, centres))
    if n_iter != exp_n:
        credit.set(entry["n_iter_credit"], "centres and labels are right, the round count n_iter is not")
        first = call_kmeans(student, X, p, notes, max_iter=1, tol=TOL)[0]
        if not close(first, centres_after(X, p, 1), atol):
            fail(f"`{what}`: n_iter is {n_iter}, expected {exp_n}. Your run ends at the right centres, but by "
                 "another path: with max_iter=1 your centres differ from the reference's after one round. "
                 "Check that centre j starts at X[init_indices[j]].")
        if n_iter == exp_n + 1:
            hint = ("you count one round more than the reference: n_iter is the number of "
                    "assignment+update rounds performed")
        elif n_iter == exp_n - 1:
            hint = ("you count one round fewer than the reference: n_iter is the number of "
                    "assignment+update rounds performed, the first round counts as 1")
        elif n_iter == MAX_ITER:
            hint = (f"you ran all max_iter = {MAX_ITER} rounds. Stop after the first round in which every "
                    "centre moved by less than tol")
        else:
            hint = "n_iter is the number of assignment+update rounds performed"
        fail(f"`{what}`: n_iter is {n_iter}, expected {exp_n}: {hint}.")


def check_rounds(student, entry, credit, notes, rounds: int, **kwargs: Any) -> None:
    """The student's run must have performed exactly `rounds` rounds (read from the centres)."""
    X = blobs()
    exp_centres = centres_after(X, STOP_P, rounds)
    exp_labels = nearest(X, centres_after(X, STOP_P, rounds - 1))
    centres, labels, n_iter, what = call_kmeans(student, X, STOP_P, notes, **kwargs)
    atol = entry["atol"]
    if not close(centres, exp_centres, atol):
        fail(centres_message(what, centres, exp_centres, atol) + f" Expected the centres after exactly {rounds} "
             "round(s)." + (rounds_hint(centres, X, STOP_P, rounds, atol)
                            or random_hint(student, X, STOP_P, centres, atol, notes, **kwargs)))
    if n_iter != rounds:
        notes.append(f"`{what}` performed {rounds} round(s) (its centres say so) but returned n_iter = {n_iter}.")
    if not agrees(labels, exp_labels, rtol=0, atol=0):
        credit.set(entry["labels_credit"], "the centres are right, the labels are not the last round's")
        fail(labels_message(what, labels, exp_labels, X, centres))


def test_max_iter(student, entry, credit, notes):
    for rounds in (1, 2):
        check_rounds(student, entry, credit, notes, rounds, max_iter=rounds, tol=TOL)


def movements(X: np.ndarray, p: int) -> list[float]:
    """How far the farthest centre moved in each round of the reference's full run (round 1 first)."""
    n = reference_run(X, p)[2]
    steps = [centres_after(X, p, k) for k in range(n + 1)]
    return [float(np.sqrt(((b - a) ** 2).sum(axis=1)).max()) for a, b in zip(steps, steps[1:])]


def moderate_tol(X: np.ndarray, p: int) -> tuple[float, int]:
    """A tol that stops the run early, far from every round's movement: (tol, the round it stops at)."""
    moves = movements(X, p)
    best = None
    for k in range(2, len(moves)):
        above, below = min(moves[:k - 1]), moves[k - 1]
        if below > 0 and (best is None or above / below > best[0]):
            best = (above / below, float(np.sqrt(above * below)), k)
    if best is None:
        raise RuntimeError(f"the reference run for P={p} is too short to test tol")
    return best[1], best[2]


def test_tol(student, entry, credit, notes):
    X = blobs()
    check_rounds(student, entry, credit, notes, 1, max_iter=MAX_ITER, tol=HUGE_TOL)
    tol, stop = moderate_tol(X, STOP_P)
    check_rounds(student, entry, credit, notes, stop, max_iter=MAX_ITER, tol=tol)


# ---------------------------------------------------------------- the plot
def figure_artists(figure: dict[str, Any]) -> list[dict[str, Any]]:
    """Every drawn point set of the figure: lines and scatter collections, with axes and label."""
    found = []
    for index, ax in enumerate(figure.get("axes", [])):
        for line in ax.get("lines", []):
            points = np.column_stack([np.ravel(line["x"]), np.ravel(line["y"])])
            found.append({"axes": index, "label": line["label"], "points": points, "title": ax.get("title", "")})
        for coll in ax.get("collections", []):
            found.append({"axes": index, "label": coll["label"], "points": np.asarray(coll["offsets"]),
                          "title": ax.get("title", "")})
    for artist in found:
        artist["points"] = artist["points"][np.isfinite(artist["points"]).all(axis=1)]
    return found


def covered(targets: np.ndarray, points: np.ndarray, atol: float) -> np.ndarray:
    """For each target row: is some point within atol of it? The nearest point (in the largest
    coordinate gap, found a block of points at a time, so a figure of millions of points costs time,
    never gigabytes) is judged by `agrees`."""
    hit = np.zeros(len(targets), dtype=bool)
    if len(points) == 0:
        return hit
    block = max(1, 2_000_000 // max(points.shape[-1], 1))
    for i, target in enumerate(targets):
        nearest, gap = points[0], np.inf
        for start in range(0, len(points), block):
            chunk = points[start:start + block]
            gaps = np.abs(chunk - target).max(axis=-1)
            j = int(np.argmin(gaps))
            if gaps[j] < gap:
                nearest, gap = chunk[j], gaps[j]
        hit[i] = agrees(nearest, target, rtol=0, atol=atol)
    return hit


def marker_artists(artists: list[dict[str, Any]], targets: np.ndarray, atol: float) -> list[dict[str, Any]]:
    """Artists that draw nothing but points of `targets` (the centres of one kind)."""
    return [a for a in artists if len(a["points"]) and covered(a["points"], targets, atol).all()]


def union_covers(artists: list[dict[str, Any]], targets: np.ndarray, atol: float) -> bool:
    if not artists:
        return False
    return bool(covered(targets, np.concatenate([a["points"] for a in artists]), atol).all())


def user_label(label: str) -> str:
    return "" if not label or label.startswith("_") else label.strip().lower()


def distinguished(figure: dict[str, Any], init: list[dict[str, Any]], final: list[dict[str, Any]]) -> bool:
    """Lenient: distinct labels, a legend with two entries or more, or separate axes with their own titles."""
    init_labels = {user_label(a["label"]) for a in init} - {""}
    final_labels = {user_label(a["label"]) for a in final} - {""}
    if init_labels and final_labels and init_labels.isdisjoint(final_labels):
        return True
    if any(len(set(ax.get("legend", []))) >= 2 for ax in figure.get("axes", [])):
        return True
    init_titles = {a["title"].strip().lower() for a in init} - {""}
    final_titles = {a["title"].strip().lower() for a in final} - {""}
    return bool(init_titles and final_titles and init_titles.isdisjoint(final_titles))


def test_plot(student, entry):
    X = blobs()
    init_centres = X[init_of(5)].astype(np.float64)
    centres, labels, _ = reference_run(X, 5)
    what = "plot_kmeans(X, init_centres, centres, labels)"
    figure = student.call("plot_kmeans", X, init_centres, centres, labels)
    if figure is None:
        fail(none_hint(what) + " Return the matplotlib Figure (for example `fig, ax = plt.subplots()` ... `return fig`).")
    if not is_figure(figure):
        hint = " (an Axes: return `ax.figure`)" if "Axes" in describe_value(figure) else ""
        fail(f"`{what}` returned {describe_value(figure)}{hint}; a matplotlib Figure was expected.")
    atol = entry["atol"]
    artists = figure_artists(figure)
    all_points = np.concatenate([a["points"] for a in artists]) if artists else np.zeros((0, 2))
    missing = int((~covered(X, all_points, atol)).sum())
    if missing:
        fail(f"`{what}`: {missing} of the {len(X)} data points are not drawn (look for them in the figure's "
             "scatter plots and lines). Draw all of X, coloured by label.")
    init = marker_artists(artists, init_centres, atol)
    final = marker_artists(artists, centres, atol)
    if not union_covers(init, init_centres, atol):
        fail(f"`{what}`: the initial centres are not drawn as markers of their own (a scatter or plot call "
             "holding only the initial centres, for example with marker='x').")
    if not union_covers(final, centres, atol):
        fail(f"`{what}`: the final centres are not drawn as markers of their own (a scatter or plot call "
             "holding only the final centres).")
    if not distinguished(figure, init, final):
        fail(f"`{what}`: nothing tells the initial and the final centres apart. Give each its label "
             "(`label='initial centres'`, `label='final centres'`, `label='data'`) and call `legend()`.")
