"""Path equivalence of the k-means family: one model, whatever the way of fitting.

Each estimator x {fit on numpy, fit on a dask array on a real LocalCluster,
partial_fit in one block, partial_fit in several blocks (where exact)} x its
VARIANTS gives the same fitted model within tolerance, or a clear error naming
what the path cannot honour. This is the test that catches a path drifting from
the others (the dask KMeans once ignored ``empty_cluster``).

- KMeans, FuzzyKMeans: numpy == dask (the same step and update rule, map-reduced
  over the blocks); partial_fit in one block == fit on that block for
  FuzzyKMeans (its first call is a fit); KMeans's partial_fit is mini-batch
  k-means, a different estimator of the same centroids: it reaches them within
  tolerance on well-separated blobs. Several blocks are not exact for either
  (single-pass and mini-batch updates), so they are compared within tolerance.
- ElbowKMeans: numpy == dask (one KMeans per K, each on the blocks); it has no
  partial_fit (the elbow needs J(K) of converged fits on all the data).
"""

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from scipy.optimize import linear_sum_assignment
from sklearn.datasets import make_blobs
from test_common import VARIANTS

from sklearn_lecture import ElbowKMeans, FuzzyKMeans, KMeans

da = pytest.importorskip("dask.array")
pytest.importorskip("distributed")




@pytest.fixture(scope="module")
def blobs():
    X, _ = make_blobs(600, n_features=3, centers=3, cluster_std=0.6, random_state=0)
    return X + 50.0


def _dask(X, rows=150):
    return da.from_array(X, chunks=(rows, X.shape[1]))


def _matched(a, b):
    """The centroids of b in the order of a's (the numbering is arbitrary)."""
    D = ((a[:, None] - b[None]) ** 2).sum(-1)
    _, cols = linear_sum_assignment(D)
    return b[cols]


def _variants(name):
    return [{}] + VARIANTS[name]


def _same_kmeans(ours, ref, rtol):
    assert ours.n_clusters_ == ref.n_clusters_
    assert_allclose(
        _matched(ref.cluster_centers_, ours.cluster_centers_),
        ref.cluster_centers_,
        rtol=rtol,
    )
    assert_allclose(ours.inertia_, ref.inertia_, rtol=rtol)


@pytest.mark.parametrize("params", _variants("KMeans"))
def test_kmeans_numpy_and_dask(client, blobs, params):
    params = {"random_state": 0, **params}
    ref = KMeans(3, **params).fit(blobs)
    ours = KMeans(3, **params).fit(_dask(blobs))
    _same_kmeans(ours, ref, 1e-9)
    assert_array_equal(ours.labels_.compute(), ours.predict(blobs))
    # One J per iteration on both paths.
    assert ours.distortion_history_.shape == (ours.n_iter_,)
    # From the same init: the same iteration, step for step.
    init = blobs[[0, 1, 2]]
    ref = KMeans(3, **{**params, "init": init, "n_init": 1}).fit(blobs)
    ours = KMeans(3, **{**params, "init": init, "n_init": 1}).fit(_dask(blobs))
    assert ours.n_iter_ == ref.n_iter_
    assert_allclose(ours.cluster_centers_, ref.cluster_centers_, rtol=1e-10)
    assert_allclose(ours.distortion_history_, ref.distortion_history_, rtol=1e-9)


@pytest.mark.parametrize("params", _variants("KMeans"))
def test_kmeans_partial_fit(blobs, params):
    params = {"random_state": 0, **params}
    ref = KMeans(3, **params).fit(blobs)
    one = KMeans(3, **params).partial_fit(blobs)
    _same_kmeans(one, ref, 1e-3)
    several = KMeans(3, **params)
    for block in np.array_split(blobs, 4):
        several.partial_fit(block)
    assert several.n_clusters_ == ref.n_clusters_
    assert_allclose(
        _matched(ref.cluster_centers_, several.cluster_centers_),
        ref.cluster_centers_,
        rtol=1e-3,
    )


@pytest.mark.parametrize("empty_cluster, n_clusters", [("remove", 2), ("reinit", 3)])
def test_kmeans_empty_cluster_on_every_path(client, blobs, empty_cluster, n_clusters):
    # An initial centroid far from the data: no sample ever reaches it.
    X = blobs[:, :1][np.argsort(blobs[:, 0])][::2]
    X = np.r_[X[:100] - 5, X[100:] + 5]
    init = np.array([[X.min()], [X.max()], [1000.0]])
    params = {"init": init, "empty_cluster": empty_cluster}
    ref = KMeans(3, **params).fit(X)
    dask = KMeans(3, **params).fit(_dask(X, rows=100))
    stream = KMeans(3, **params).partial_fit(X)
    for model in (ref, dask, stream):
        assert model.n_clusters_ == n_clusters
        assert model.cluster_centers_.max() < 1000.0
    assert_allclose(dask.cluster_centers_, ref.cluster_centers_, rtol=1e-10)


@pytest.mark.parametrize("params", _variants("FuzzyKMeans"))
def test_fuzzy_every_path(client, blobs, params):
    init = blobs[[0, 1, 2]]
    params = {"init": init, "tol": 1e-10, **params}
    ref = FuzzyKMeans(3, **params).fit(blobs)
    ours = FuzzyKMeans(3, **params).fit(_dask(blobs))
    assert_allclose(ours.cluster_centers_, ref.cluster_centers_, rtol=1e-9)
    assert_allclose(ours.membership_.compute(), ref.membership_, atol=1e-9)
    assert ours.beta_ == pytest.approx(ref.beta_) if ref.beta_ else ours.beta_ is None
    assert ours.n_iter_ == ref.n_iter_
    one = FuzzyKMeans(3, **params).partial_fit(blobs)
    assert_allclose(one.cluster_centers_, ref.cluster_centers_, rtol=1e-12)
    several = FuzzyKMeans(3, **params)
    for block in np.array_split(np.random.RandomState(0).permutation(blobs), 4):
        several.partial_fit(block)
    assert_allclose(
        _matched(ref.cluster_centers_, several.cluster_centers_),
        ref.cluster_centers_,
        rtol=1e-2,
    )


@pytest.mark.parametrize("params", _variants("ElbowKMeans"))
def test_elbow_numpy_and_dask(client, blobs, params):
    params = {"k_max": 5, "random_state": 0, **params}
    ref = ElbowKMeans(**params).fit(blobs)
    ours = ElbowKMeans(**params).fit(_dask(blobs))
    assert ours.n_clusters_ == ref.n_clusters_ == 3
    assert_allclose(
        _matched(ref.cluster_centers_, ours.cluster_centers_),
        ref.cluster_centers_,
        rtol=1e-9,
    )
    assert_allclose(ours.distortions_[:3], ref.distortions_[:3], rtol=1e-6)
    assert not hasattr(ElbowKMeans(), "partial_fit")


def test_paths_refuse_what_they_cannot_honour(client, blobs):
    with pytest.raises(ValueError, match="sample_weight"):
        KMeans(3).fit(_dask(blobs), sample_weight=np.ones(len(blobs)))
