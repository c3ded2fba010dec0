"""MiniBatchKMeans against scikit-learn's, and what it adds."""

import numpy as np
import pytest
from sklearn.cluster import MiniBatchKMeans as SkMiniBatchKMeans
from sklearn.datasets import make_blobs

from sklearn_lecture import KMeans, MiniBatchKMeans


@pytest.mark.parametrize(
    "shape, k, params",
    [
        ((3000, 2), 3, {"batch_size": 45}),  # tall, low-dimensional
        ((20000, 16), 20, {}),
        ((2000, 64), 10, {"batch_size": 100, "tol": 1e-3}),  # wide
        ((500, 3), 40, {"batch_size": 10, "max_no_improvement": None, "max_iter": 3}),
    ],
)
def test_same_centroids_as_scikit_learn(shape, k, params):
    # Rows without copies, k-means++: the same draws, so the same steps and
    # centroids up to rounding.
    X, _ = make_blobs(shape[0], shape[1], centers=k, random_state=0)
    ours = MiniBatchKMeans(k, random_state=0, **params).fit(X)
    theirs = SkMiniBatchKMeans(k, random_state=0, **params).fit(X)
    assert ours.n_steps_ == theirs.n_steps_ and ours.n_iter_ == theirs.n_iter_
    np.testing.assert_allclose(ours.cluster_centers_, theirs.cluster_centers_,
                               rtol=1e-9, atol=1e-9)
    np.testing.assert_array_equal(ours.labels_, theirs.labels_)
    assert ours.inertia_ == pytest.approx(theirs.inertia_, rel=1e-10)
    assert ours.distortion_ == pytest.approx(ours.inertia_ / shape[0])


def test_integer_weights_equal_repeated_rows():
    X, _ = make_blobs(300, 2, centers=4, random_state=1)
    w = np.random.RandomState(0).randint(1, 4, len(X))
    weighted = MiniBatchKMeans(4, batch_size=50, random_state=0).fit(X, sample_weight=w)
    repeated = MiniBatchKMeans(4, batch_size=50, random_state=0).fit(np.repeat(X, w, 0))
    np.testing.assert_allclose(weighted.cluster_centers_, repeated.cluster_centers_)
    assert weighted.inertia_ == pytest.approx(repeated.inertia_)


@pytest.mark.parametrize("Estimator", [KMeans, MiniBatchKMeans])
def test_partial_fit_takes_dask_blocks(Estimator):
    da = pytest.importorskip("dask.array")
    X, _ = make_blobs(500, 3, centers=4, random_state=0)
    on_blocks, on_arrays = Estimator(4, random_state=0), Estimator(4, random_state=0)
    for block, rows in zip(da.from_array(X, chunks=100).blocks, np.split(X, 5)):
        on_blocks.partial_fit(block)
        on_arrays.partial_fit(rows)
    np.testing.assert_array_equal(on_blocks.cluster_centers_,
                                  on_arrays.cluster_centers_)
    assert on_blocks.n_steps_ == 5


def test_fit_refuses_a_dask_array():
    da = pytest.importorskip("dask.array")
    X = da.from_array(np.random.RandomState(0).normal(size=(100, 2)), chunks=50)
    with pytest.raises(ValueError, match="for a dask array use KMeans"):
        MiniBatchKMeans(2).fit(X)
    assert not hasattr(MiniBatchKMeans(2), "cluster_centers_")


def test_compute_labels_false_estimates_the_inertia():
    X, _ = make_blobs(5000, 2, centers=3, random_state=0)
    km = MiniBatchKMeans(3, random_state=0, compute_labels=False).fit(X)
    exact = -km.score(X)
    assert not hasattr(km, "labels_")
    assert km.inertia_ == pytest.approx(exact, rel=0.2)
