"""Each reference solution against an independent oracle (never against itself)."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from autograder.course.tasks import task
from reference.autodiff import autodiff
from reference.broadcasting import broadcasting
from reference.distances import distances
from reference.kmeans import kmeans
from reference.regression import regression

CORN = task("regression").handout_dir / regression.DATA_FILE

SHAPES = [(1, 1, 1), (7, 5, 3), (5, 7, 300), (40, 13, 17), (200, 3, 301)]


@pytest.mark.parametrize("n,p,d", SHAPES)
def test_distance_forms_agree_with_cdist(n, p, d):
    rng = np.random.default_rng(n * 1000 + d)
    X, T = rng.normal(size=(n, d)), rng.normal(size=(p, d))
    oracle = (torch.cdist(torch.from_numpy(X), torch.from_numpy(T)) ** 2).numpy()
    cpu = torch.device("cpu")
    for result in (distances.forloopdists(X, T), distances.numpydists(X, T), distances.numpydists_broadcast(X, T),
                   distances.pytorchdists(X, T, cpu), distances.pytorchdists(X, T, cpu, row_chunk=3),
                   distances.pytorchdists_broadcast(X, T, cpu)):
        assert isinstance(result, np.ndarray) and result.shape == (n, p)
        np.testing.assert_allclose(result, oracle, rtol=1e-9, atol=1e-9 * d)


def test_distances_by_hand_and_float32():
    X, T = np.array([[0.0, 0.0], [1.0, 2.0]]), np.array([[3.0, 4.0]])
    assert distances.numpydists(X, T).tolist() == [[25.0], [8.0]]
    X32 = np.random.default_rng(0).normal(size=(20, 8)).astype(np.float32)
    np.testing.assert_allclose(distances.pytorchdists(X32, X32[:5], torch.device("cpu")),
                               distances.forloopdists(X32.astype(np.float64), X32[:5].astype(np.float64)), atol=1e-4)


HANDOUT = [((3, 1, 3), (2, 3, 3), None), ((4, 1), (3, 1, 1, 5), (3, 1, 4, 5)), ((3,), (3, 1, 1, 5), None),
           ((1, 4), (7, 1), (7, 4)), ((6, 3, 1, 7), (2, 7), (6, 3, 2, 7)), ((6, 3, 1, 7), (2, 1, 7), None),
           ((1, 2, 3, 1, 6), (8, 1, 3, 2, 6), (8, 2, 3, 2, 6)), ((2, 5, 1, 7), (9, 2, 3, 2, 1), None)]


def numpy_rule(a, b):
    try:
        return tuple(np.broadcast_shapes(a, b))
    except ValueError:
        return None


def test_broadcasting_handout_pairs():
    assert broadcasting.BROADCAST_ANSWERS == [r for _, _, r in HANDOUT]
    for a, b, expected in HANDOUT:
        assert broadcasting.broadcast_shape(a, b) == expected == numpy_rule(a, b)


def test_broadcasting_random_pairs_follow_numpy():
    rng = np.random.default_rng(1)
    for _ in range(500):
        a = tuple(int(v) for v in rng.integers(0, 4, size=rng.integers(0, 5)))
        b = tuple(int(v) for v in rng.integers(0, 4, size=rng.integers(0, 5)))
        assert broadcasting.broadcast_shape(a, b) == numpy_rule(a, b), (a, b)


def lloyd(X, init, max_iter, tol):
    """A plain Lloyd loop written here, same rule (an empty cluster keeps its centre)."""
    c = X[init].copy()
    for it in range(1, max_iter + 1):
        lab = np.array([np.argmin([((x - ck) ** 2).sum() for ck in c]) for x in X])
        new = np.array([X[lab == k].mean(0) if (lab == k).any() else c[k] for k in range(len(c))])
        moved = max(np.linalg.norm(new[k] - c[k]) for k in range(len(c)))
        c = new
        if moved < tol:
            break
    return c, lab, it


@pytest.mark.parametrize("p", [2, 5, 8])
def test_kmeans_matches_a_plain_lloyd_loop(p):
    X = kmeans.make_blobs(seed=0)
    assert X.shape == (250, 2)
    init = kmeans.INIT_INDICES[p]
    for max_iter, tol in ((100, 1e-6), (1, 1e-6), (3, 0.0), (100, 1e9)):
        centres, labels, n = kmeans.kmeans(X, init, max_iter=max_iter, tol=tol)
        c2, l2, n2 = lloyd(X, init, max_iter, tol)
        np.testing.assert_allclose(centres, c2, atol=1e-12)
        assert labels.tolist() == l2.tolist() and n == n2
        assert n <= max_iter and (tol < 1e9 or n == 1)
    again = kmeans.kmeans(X, init)
    np.testing.assert_array_equal(again[0], kmeans.kmeans(X, init)[0])


@pytest.mark.parametrize("p", [2, 5, 8])
def test_kmeans_init_never_empties_a_cluster(p):
    X = kmeans.make_blobs(seed=0)
    for rounds in range(1, kmeans.kmeans(X, kmeans.INIT_INDICES[p])[2] + 1):
        centres_before = kmeans.kmeans(X, kmeans.INIT_INDICES[p], max_iter=rounds - 1, tol=0)[0] if rounds > 1 \
            else X[kmeans.INIT_INDICES[p]]
        labels = ((X[:, None] - centres_before[None]) ** 2).sum(2).argmin(1)
        assert np.bincount(labels, minlength=p).min() > 0


def test_kmeans_plot_shows_data_and_both_centre_sets():
    X = kmeans.make_blobs(seed=0)
    init = kmeans.INIT_INDICES[5]
    centres, labels, _ = kmeans.kmeans(X, init)
    fig = kmeans.plot_kmeans(X, X[init], centres, labels)
    offsets = [np.asarray(c.get_offsets()) for c in fig.axes[0].collections]
    shown = lambda points: any(o.shape == points.shape and np.allclose(o, points) for o in offsets)  # noqa: E731
    assert shown(X) and shown(X[init]) and shown(centres)


def test_least_squares_matches_lstsq_and_the_published_fit():
    X, y = regression.load_data(CORN)
    assert X.shape == (10, 2) and y.shape == (10,)
    theta = regression.least_squares(X, y)
    lstsq = np.linalg.lstsq(np.hstack([np.ones((10, 1)), X]), y, rcond=None)[0]
    np.testing.assert_allclose(theta, lstsq, rtol=1e-10)
    assert [round(theta[0], 2), round(theta[1], 3), round(theta[2], 3)] == [31.98, 0.650, 1.110]
    np.testing.assert_allclose(regression.predict(regression.TEST_SET, theta[1:], theta[0]), [40.32, 44.03, 49.96],
                               atol=0.005)


def test_sgd_lands_near_least_squares_and_the_sweep_shows_three_regimes():
    X, y = regression.load_data(CORN)
    theta = regression.least_squares(X, y)
    w, b = regression.sgd_fit(X, y)
    np.testing.assert_allclose(regression.predict(regression.TEST_SET, w, b),
                               regression.predict(regression.TEST_SET, theta[1:], theta[0]), atol=0.05)
    curves = regression.lr_sweep(X, y, lrs=(1e-4, 0.1, 2.5), epochs=200)
    slow, good, wild = curves[1e-4], curves[0.1], curves[2.5]
    assert slow[-1] > 0.5 * slow[0]            # too small: barely moves
    assert good[-1] < 2.0                      # good: near the least-squares residual (about 1.38)
    assert not np.isfinite(wild[-1]) or wild[-1] > wild[0]  # too big: diverges


def test_load_data_without_a_header(tmp_path):
    path = tmp_path / "qn2_data.csv"
    path.write_text("6,4,40\n10,4,44\n")
    X, y = regression.load_data(path)
    assert X.tolist() == [[6, 4], [10, 4]] and y.tolist() == [40, 44]


def test_calculus_answers_of_the_handout():
    assert autodiff.grad_xyz(-2.0, 5.0, -4.0) == (-4.0, -4.0, 3.0)
    assert np.all(autodiff.grad_quadratic(np.full((2, 2), 2.0)) == 13.0)
    x = np.array([1.0, -2.0, 0.5, 800.0])
    np.testing.assert_allclose(autodiff.grad_logsumexp(x), np.exp(x - x.max()) / np.exp(x - x.max()).sum())
    for column in autodiff.middle_column(np.arange(1, 10).reshape(3, 3)):
        assert column.tolist() == [2, 5, 8]


@pytest.mark.parametrize("point,kind,hessian", [
    ((0.0, 0.0), "saddle", [[0, 1], [1, 0]]),
    ((np.pi / 2, np.pi / 2), "maximum", [[-1, 0], [0, -1]]),
    ((np.pi / 2, -np.pi / 2), "minimum", [[1, 0], [0, 1]])])
def test_hessian_of_sin_sin_by_hand(point, kind, hessian):
    H, eig = autodiff.hessian_sin_sin(*point)
    np.testing.assert_allclose(H, hessian, atol=1e-12)
    np.testing.assert_allclose(eig, np.sort(np.linalg.eigvalsh(np.array(hessian, float))), atol=1e-12)
    assert autodiff.critical_point_type(*point) == kind


def test_plane_fit_reaches_the_mae_minimum():
    P, v = autodiff.PLANE_POINTS, autodiff.PLANE_VALUES
    mae = lambda a, b: np.abs(P @ np.array([a, b]) - v).mean()  # noqa: E731
    grid = np.linspace(0, 10, 401)
    best = min((mae(a, b), a, b) for a in grid for b in grid)
    fine = np.linspace(-0.05, 0.05, 101)
    best = min((mae(best[1] + da, best[2] + db), best[1] + da, best[2] + db) for da in fine for db in fine)
    assert mae(*autodiff.fit_plane(P, v)) <= best[0] + 1e-3
