"""The shared linear-algebra helpers, against direct computations."""

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from scipy.spatial.distance import cdist

from sklearn_lecture.utils import _linalg
from sklearn_lecture.utils._linalg import (
    constant_features,
    flip_signs,
    group_sums,
    is_singular,
    row_norms,
    scatter_matrix,
    squared_distances,
)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("shape", [(50, 3, 4), (3, 5, 40)])
def test_squared_distances_against_cdist(dtype, shape):
    n_x, n_features, n_y = shape
    rng = np.random.RandomState(0)
    X = rng.randn(n_x, n_features).astype(dtype)
    Y = rng.randn(n_y, n_features).astype(dtype)
    ref = cdist(X.astype(np.float64), Y.astype(np.float64), "sqeuclidean")
    D = squared_distances(X, Y)
    assert D.dtype == dtype
    assert_allclose(D, ref, rtol=1e-4 if dtype == np.float32 else 1e-10, atol=1e-5)
    # Given norms and an output array give the same numbers.
    out = np.empty((n_x, n_y), dtype=dtype)
    again = squared_distances(
        X, Y, X_sq=row_norms(X, squared=True), Y_sq=row_norms(Y, squared=True), out=out
    )
    assert again is out
    assert_array_equal(again, D)
    # X_sq=0 leaves the scores ||y||^2 - 2 x.y, whose argmin is the nearest row.
    scores = squared_distances(X, Y, X_sq=0)
    assert_allclose(scores, ref - (X.astype(np.float64) ** 2).sum(1)[:, None],
                    rtol=1e-4 if dtype == np.float32 else 1e-10, atol=1e-4)
    assert_array_equal(scores.argmin(axis=1), ref.argmin(axis=1))


def test_squared_distances_never_negative():
    X = np.full((5, 3), 1e4) + np.arange(5)[:, None] * 1e-6
    assert np.all(squared_distances(X, X) >= 0)
    assert_allclose(np.diag(squared_distances(X, X)), 0, atol=1e-4)


@pytest.mark.parametrize("dense_limit", [0, 2**16])
@pytest.mark.parametrize("weighted", [False, True])
def test_group_sums_against_a_loop(monkeypatch, dense_limit, weighted):
    monkeypatch.setattr(_linalg, "_DENSE_INDICATOR_SIZE", dense_limit)
    rng = np.random.RandomState(0)
    X = rng.randn(300, 4)
    labels = rng.randint(0, 6, size=300)
    labels[labels == 4] = 5  # group 4 stays empty
    w = rng.uniform(0.5, 2.0, size=300) if weighted else None
    sums = group_sums(X, labels, 6, w)
    weights = np.ones(300) if w is None else w
    ref = np.array([(weights[labels == k, None] * X[labels == k]).sum(0)
                    for k in range(6)])
    assert sums.dtype == np.float64
    assert_allclose(sums, ref, rtol=1e-12, atol=1e-12)
    assert_array_equal(sums[4], 0.0)


@pytest.mark.parametrize("offset", [0.0, 1e6])
@pytest.mark.parametrize("grouped", [False, True])
def test_scatter_matrix_fast_and_precise_paths(offset, grouped):
    # offset=1e6 makes X'X - n m m' cancel every digit: the precise path runs.
    rng = np.random.RandomState(0)
    X = rng.randn(400, 5) + offset
    labels = rng.randint(0, 3, size=400) if grouped else np.zeros(400, dtype=int)
    counts = np.bincount(labels)
    centers = np.array([X[labels == k].mean(0) for k in range(len(counts))])
    Z = X - centers[labels]
    S = scatter_matrix(X, centers, counts, labels if grouped else None)
    assert_allclose(S, Z.T @ Z, rtol=1e-9, atol=1e-9 * np.abs(Z.T @ Z).max())


def test_constant_features_and_flip_signs():
    rng = np.random.RandomState(0)
    X = np.column_stack([rng.randn(100), np.full(100, 3.0), 1e-6 * rng.randn(100)])
    variance = X.var(axis=0)
    mask = constant_features(variance, (X**2).mean(0), 100, np.float64)
    assert_array_equal(mask, [False, True, False])
    components = np.array([[0.1, -0.9, 0.3], [0.0, 0.0, 0.0], [-0.5, 0.2, 0.4]])
    flipped = flip_signs(components)
    assert_array_equal(flipped, components * np.array([-1, 1, -1])[:, None])
    assert_allclose(row_norms(components), np.linalg.norm(components, axis=1))


@pytest.mark.parametrize("smallest", [-5.1e-16, 0.0, 5.1e-16])
def test_is_singular_does_not_hinge_on_the_sign_of_rounding(smallest):
    # A correlation matrix with a collinear column: its smallest eigenvalue is
    # rounding noise of either sign, depending on the BLAS kernel. Whether a
    # Cholesky factorisation succeeds used to decide; the tolerance relative to
    # the largest eigenvalue decides the same way on every machine.
    rng = np.random.default_rng(0)
    Q, _ = np.linalg.qr(rng.normal(size=(14, 14)))
    eigenvalues = np.r_[smallest, np.linspace(0.1, 4.8, 13)]
    S = (Q * eigenvalues) @ Q.T
    S = (S + S.T) / 2
    singular, values = is_singular(S)
    assert singular
    assert_allclose(values[1:], eigenvalues[1:], atol=1e-12)
    assert not is_singular(S + 1e-10 * np.eye(14))[0]
