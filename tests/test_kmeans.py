"""KMeans against scikit-learn's Lloyd k-means, and its own contract."""

import pickle
import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn import cluster as sk_cluster
from sklearn.base import clone
from sklearn.datasets import load_iris, make_blobs
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import adjusted_rand_score
from sklearn.metrics.pairwise import euclidean_distances
from sklearn.model_selection import GridSearchCV, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_limits

from sklearn_lecture import KMeans
from sklearn_lecture.cluster import _kmeans_fast
from sklearn_lecture.cluster._common import (
    _collapse_duplicates,
    _init_centroids,
    _kmeans_plusplus,
)
from sklearn_lecture.utils import _linalg
from sklearn_lecture.utils._linalg import squared_distances


@pytest.fixture(autouse=True, scope="module")
def _sklearn_on_one_thread():
    # scikit-learn's OpenMP threads spin-wait and crawl on a busy shared machine;
    # one thread keeps the reference fits fast and their timing steady.
    with threadpool_limits(limits=1, user_api="openmp"):
        yield


@pytest.fixture(autouse=True, params=["bounds where they pay", "bounds always"])
def _bounds_rule(request, monkeypatch):
    # The accelerated engine skips Hamerly's bounds on small data (plain
    # passes); every test runs on both paths.
    if request.param == "bounds always":
        monkeypatch.setattr(_kmeans_fast, "_MIN_BOUNDS_WORK", 0)


def _sklearn_lloyd(X, init, **kwargs):
    return sk_cluster.KMeans(
        init.shape[0], init=init, n_init=1, algorithm="lloyd", **kwargs
    ).fit(X)


def _data(name, dtype=np.float64):
    rng = np.random.RandomState(0)
    if name == "iris":
        X = load_iris().data
    elif name == "blobs":
        X = make_blobs(3000, n_features=6, centers=5, random_state=0)[0]
    elif name == "gaussian":
        # No cluster structure: many iterations, many points changing cluster.
        X = rng.randn(4000, 5)
    elif name == "far_from_origin":
        X = make_blobs(500, n_features=3, centers=4, random_state=1)[0] + 1e4
    return X.astype(dtype)


@pytest.mark.parametrize("algorithm", ["hamerly", "lloyd"])
@pytest.mark.parametrize("name", ["iris", "blobs", "gaussian", "far_from_origin"])
@pytest.mark.parametrize("tol", [0.0, 1e-4])
def test_same_result_as_sklearn_lloyd_from_same_init(name, tol, algorithm):
    X = _data(name)
    K = 6 if name == "gaussian" else 4
    init = X[np.random.RandomState(1).choice(len(X), K, replace=False)]
    ref = _sklearn_lloyd(X, init, tol=tol, max_iter=300)
    ours = KMeans(K, init=init, tol=tol, max_iter=300, algorithm=algorithm).fit(X)
    assert abs(ours.inertia_ - ref.inertia_) / ref.inertia_ < 1e-6
    assert adjusted_rand_score(ref.labels_, ours.labels_) == 1.0
    assert ours.n_iter_ == ref.n_iter_
    assert_allclose(ours.cluster_centers_, ref.cluster_centers_, rtol=1e-7, atol=1e-9)


def test_same_result_as_sklearn_float32_and_dtype_kept():
    X = _data("blobs", np.float32)
    init = X[[0, 10, 20, 30, 40]]
    ref = _sklearn_lloyd(X, init, tol=0)
    ours = KMeans(5, init=init, tol=0).fit(X)
    assert ours.cluster_centers_.dtype == np.float32
    assert ours.transform(X[:5]).dtype == np.float32
    assert abs(ours.inertia_ - ref.inertia_) / ref.inertia_ < 1e-5
    assert adjusted_rand_score(ref.labels_, ours.labels_) == 1.0


def test_same_result_as_sklearn_with_sample_weight():
    X = _data("blobs")
    w = np.random.RandomState(0).uniform(0.1, 3.0, size=len(X))
    init = X[[0, 10, 20, 30, 40]]
    ref = _sklearn_lloyd(X, init, tol=0).fit(X, sample_weight=w)
    ours = KMeans(5, init=init, tol=0).fit(X, sample_weight=w)
    assert abs(ours.inertia_ - ref.inertia_) / ref.inertia_ < 1e-6
    assert adjusted_rand_score(ref.labels_, ours.labels_) == 1.0
    assert_allclose(ours.distortion_, ours.inertia_ / w.sum())


def test_threaded_blocks_give_the_same_result(monkeypatch):
    # Small blocks and several threads on small data exercise the multi-part code
    # path that large data take.
    monkeypatch.setattr(_kmeans_fast, "_CHUNK_ROWS", 64)
    monkeypatch.setattr(_kmeans_fast, "_MIN_ROWS_PER_THREAD", 100)
    monkeypatch.setattr(_kmeans_fast, "_MIN_WORK_PER_THREAD", 0)
    monkeypatch.setattr(_linalg, "_DENSE_INDICATOR_SIZE", 0)
    monkeypatch.setattr(_kmeans_fast.os, "sched_getaffinity", lambda pid: {0, 1, 2})
    X = _data("gaussian")
    init = X[:7]
    ref = _sklearn_lloyd(X, init, tol=0)
    ours = KMeans(7, init=init, tol=0).fit(X)
    assert abs(ours.inertia_ - ref.inertia_) / ref.inertia_ < 1e-6
    assert adjusted_rand_score(ref.labels_, ours.labels_) == 1.0
    assert_array_equal(ours.predict(X), ours.labels_)


@pytest.fixture
def _blas_on_one_thread():
    # Two BLAS threads on these small products crawl on a busy shared machine.
    with threadpool_limits(limits=1, user_api="blas"):
        yield


def _engines_agree(X, n_clusters, sample_weight=None, **params):
    fast = KMeans(n_clusters, algorithm="hamerly", **params)
    readable = KMeans(n_clusters, algorithm="lloyd", **params)
    fast.fit(X, sample_weight=sample_weight)
    readable.fit(X, sample_weight=sample_weight)
    assert_array_equal(fast.labels_, readable.labels_)
    assert fast.n_iter_ == readable.n_iter_
    assert fast.n_clusters_ == readable.n_clusters_
    rtol = 1e-5 if X.dtype == np.float32 else 1e-10
    assert_allclose(
        fast.cluster_centers_, readable.cluster_centers_, rtol=rtol, atol=rtol
    )
    assert_allclose(fast.inertia_, readable.inertia_, rtol=rtol)
    assert_allclose(fast.distortion_history_, readable.distortion_history_, rtol=rtol)
    return fast


@pytest.mark.parametrize(
    "n_samples, n_features, n_clusters, dtype",
    [
        (150, 2, 3, np.float64),
        (3000, 6, 5, np.float64),
        (5000, 1, 4, np.float64),
        (2500, 40, 12, np.float64),
        (3000, 6, 5, np.float32),
        (300, 3, 40, np.float64),
        # Large enough for the accelerated engine's own threads.
        (20000, 8, 8, np.float64),
        # Low-dimensional and large: the bounds in two or three dimensions.
        (40000, 2, 8, np.float64),
        (40000, 3, 4, np.float32),
    ],
)
@pytest.mark.parametrize("init", ["k-means++", "random"])
@pytest.mark.usefixtures("_blas_on_one_thread")
def test_readable_lloyd_and_accelerated_engine_give_the_same_partitions(
    n_samples, n_features, n_clusters, dtype, init
):
    X, _ = make_blobs(n_samples, n_features, centers=n_clusters, random_state=0)
    # Noise and a far-away group: points change cluster for many iterations.
    X = X + np.random.RandomState(1).randn(*X.shape) * 2
    X[:10] += 1e3
    _engines_agree(X.astype(dtype), n_clusters, init=init, tol=0, random_state=0)


@pytest.mark.parametrize("empty_cluster", ["reinit", "remove"])
@pytest.mark.usefixtures("_blas_on_one_thread")
def test_engines_agree_on_empty_clusters_and_weights(empty_cluster):
    X = _data("blobs")
    # One initial centroid far from every sample: empty after the first step.
    init = np.vstack([X[[0, 10, 20, 30]], [[1e3] * X.shape[1]]])
    w = np.random.RandomState(0).uniform(0.1, 3.0, size=len(X))
    km = _engines_agree(
        X, 5, sample_weight=w, init=init, tol=0, empty_cluster=empty_cluster
    )
    assert km.n_clusters_ == (5 if empty_cluster == "reinit" else 4)


def test_engines_agree_on_threads_and_blocks(monkeypatch):
    # Small blocks and several threads: the code path that large data take.
    monkeypatch.setattr(_kmeans_fast, "_CHUNK_ROWS", 64)
    monkeypatch.setattr(_kmeans_fast, "_MIN_ROWS_PER_THREAD", 100)
    monkeypatch.setattr(_kmeans_fast, "_MIN_WORK_PER_THREAD", 0)
    monkeypatch.setattr(_kmeans_fast.os, "sched_getaffinity", lambda pid: {0, 1, 2})
    _engines_agree(_data("gaussian"), 7, init="k-means++", tol=0, random_state=3)
    _engines_agree(_data("blobs"), 5, n_init=3, init="random", random_state=3)


def test_kmeans_plusplus_draws_what_sklearn_draws():
    X = _data("blobs")
    w = np.random.RandomState(3).uniform(0.5, 2.0, size=len(X))
    for sample_weight in (None, w):
        ours_c, ours_i = _kmeans_plusplus(X, 6, 42, sample_weight=sample_weight)
        ref_c, ref_i = sk_cluster.kmeans_plusplus(
            X, 6, random_state=42, sample_weight=sample_weight
        )
        assert_array_equal(ours_i, ref_i)
        assert_array_equal(ours_c, ref_c)


def test_init_centroids_contract():
    X = _data("iris")
    for init in ("k-means++", "random"):
        C = _init_centroids(X, 5, init, 0)
        assert C.shape == (5, 4)
        # Every seed is a data point, and they are distinct.
        assert (C[:, None, :] == X[None, :, :]).all(axis=2).any(axis=1).all()
        assert len(np.unique(C, axis=0)) == 5
    C = _init_centroids(X, 2, X[:2], None)
    assert_array_equal(C, X[:2])
    with pytest.raises(ValueError, match="shape"):
        _init_centroids(X, 3, X[:2], None)
    assert_allclose(squared_distances(X, C), euclidean_distances(X, C) ** 2)


def test_collapse_duplicates_is_canonical():
    rng = np.random.RandomState(0)
    X = rng.rand(12, 3)
    w = rng.randint(0, 4, size=12).astype(float)
    X_rep = X.repeat(w.astype(int), axis=0)
    Xu, wu, index = _collapse_duplicates(X, w)
    Xr, wr, _ = _collapse_duplicates(X_rep, np.ones(len(X_rep)))
    perm = rng.permutation(len(X_rep))
    Xp, wp, index_p = _collapse_duplicates(X_rep[perm], np.ones(len(X_rep)))
    assert_array_equal(Xu, Xr)
    assert_array_equal(Xu, Xp)
    assert_array_equal(wu, wr)
    assert_array_equal(wu, wp)
    assert_array_equal(index < 0, w == 0)
    assert_array_equal(Xu[index[w > 0]], X[w > 0])
    assert_array_equal(Xp[index_p], X_rep[perm])


@pytest.mark.parametrize("init", ["k-means++", "random"])
def test_integer_weights_equal_repeated_rows(init):
    X, _ = make_blobs(60, centers=3, random_state=2)
    w = np.random.RandomState(0).randint(0, 4, size=len(X))
    weighted = KMeans(3, init=init, random_state=7).fit(X, sample_weight=w)
    repeated = KMeans(3, init=init, random_state=7).fit(np.repeat(X, w, axis=0))
    assert_allclose(weighted.cluster_centers_, repeated.cluster_centers_)
    assert_allclose(weighted.inertia_, repeated.inertia_)
    assert_allclose(weighted.distortion_, repeated.distortion_)
    assert_array_equal(weighted.predict(X), repeated.predict(X))
    # Rows of zero weight still get a label: their nearest centroid.
    assert_array_equal(weighted.labels_, weighted.predict(X))


def test_distortion_and_history():
    X = _data("gaussian")
    km = KMeans(5, random_state=0, tol=0).fit(X)
    assert_allclose(km.distortion_, km.inertia_ / len(X))
    h = km.distortion_history_
    assert h.shape == (km.n_iter_,)
    assert np.all(np.diff(h) <= 1e-12 * h[:-1])
    assert km.distortion_ <= h[-1] * (1 + 1e-12)
    # The history is the exact J of each iteration: compare its start with a
    # direct computation after one iteration from the same start.
    one = KMeans(5, init=km.cluster_centers_, max_iter=1).fit(X)
    ref = _sklearn_lloyd(X, km.cluster_centers_, max_iter=1)
    assert_allclose(one.distortion_history_[0] * len(X), ref.inertia_, rtol=1e-6)


def test_predict_transform_score_fit_predict():
    X = _data("iris")
    km = KMeans(3, random_state=0).fit(X)
    assert_array_equal(km.predict(X), km.labels_)
    assert_array_equal(KMeans(3, random_state=0).fit_predict(X), km.labels_)
    assert_allclose(km.transform(X), euclidean_distances(X, km.cluster_centers_))
    assert_allclose(km.score(X), -km.inertia_)
    assert km.get_feature_names_out().tolist() == [
        "kmeans0",
        "kmeans1",
        "kmeans2",
    ]


def _empty_cluster_case():
    # Two groups on a line and a third initial centroid far from everything: it
    # receives no point at the first assignment.
    X = np.array([[0.0], [0.3], [1.0], [10.0], [10.2], [10.9]])
    init = np.array([[0.4], [10.4], [100.0]])
    return X, init


def test_empty_cluster_reinit_reseeds_at_farthest_point():
    X, init = _empty_cluster_case()
    km = KMeans(3, init=init, empty_cluster="reinit").fit(X)
    ref = _sklearn_lloyd(X, init)
    assert km.n_clusters_ == 3
    # The farthest point from its centroid (1.0, at 0.6 from 0.4) takes over.
    assert_allclose(np.sort(km.cluster_centers_.ravel()), [0.15, 1.0, 31.1 / 3])
    assert adjusted_rand_score(ref.labels_, km.labels_) == 1.0
    assert_allclose(km.inertia_, ref.inertia_)
    assert np.all(np.diff(km.distortion_history_) <= 1e-12)


def test_empty_cluster_remove_drops_the_centroid():
    X, init = _empty_cluster_case()
    km = KMeans(3, init=init, empty_cluster="remove").fit(X)
    assert km.n_clusters_ == 2
    assert km.cluster_centers_.shape == (2, 1)
    assert_allclose(np.sort(km.cluster_centers_.ravel()), [1.3 / 3, 31.1 / 3])
    ref = _sklearn_lloyd(X, init[:2])
    assert_allclose(km.inertia_, ref.inertia_)
    assert adjusted_rand_score(ref.labels_, km.labels_) == 1.0
    # Removed labels never come back, even for points near the dropped centroid.
    assert set(km.predict([[100.0], [-50.0], [5.0]])) <= {0, 1}
    assert km.transform(X).shape == (6, 2)
    assert km.get_feature_names_out().shape == (2,)


def test_fewer_distinct_points_than_clusters():
    X = np.array([[0.0, 0.0], [1.0, 1.0], [0.0, 0.0], [1.0, 1.0], [5.0, 5.0]])
    with pytest.warns(ConvergenceWarning, match="3 distinct samples"):
        km = KMeans(4, random_state=0).fit(X)
    assert km.inertia_ == 0
    with pytest.warns(ConvergenceWarning):
        removed = KMeans(4, empty_cluster="remove", random_state=0).fit(X)
    assert removed.n_clusters_ == 3
    assert removed.inertia_ == 0


# Samples tied between two centroids (integer data), on which the fit's
# arithmetic (centred data) and predict's (the data as given) round differently.
_TIED = np.array(
    [[2, 2], [0, 3], [1, 1], [2, 1], [0, 3], [3, 0], [3, 0], [0, 1], [0, 1],
     [3, 2], [3, 1], [0, 3], [1, 3], [2, 2], [3, 2], [1, 0], [0, 3], [3, 1],
     [0, 0]],
    dtype=float,
)


@pytest.mark.parametrize("algorithm", ["hamerly", "lloyd"])
def test_labels_are_predict_of_the_training_data_at_ties(algorithm):
    # 3 of these 19 samples had labels_ 1 and predict 0.
    init = np.array([[3.0, 2.0], [2.0, 2.0], [1.0, 3.0]])
    km = KMeans(3, init=init, algorithm=algorithm).fit(_TIED)
    assert_array_equal(km.labels_, km.predict(_TIED))
    assert_array_equal(km.fit_predict(_TIED), km.predict(_TIED))
    for seed in range(20):
        rng = np.random.RandomState(seed)
        X = rng.randint(0, 4, (60, 2)).astype(float)
        for Z in (X, X + 1000.0, X.astype(np.float32)):
            km = KMeans(4, algorithm=algorithm, random_state=seed).fit(Z)
            assert_array_equal(km.labels_, km.predict(Z))


@pytest.mark.parametrize("algorithm", ["hamerly", "lloyd"])
def test_coinciding_centroids_of_copies_stop_early(algorithm):
    # Two distinct points for four centroids, tol=0: the centroid of three
    # copies of 0 is 0 but for rounding, and that rounding re-seeded an empty
    # cluster from it at each of the 300 iterations (scikit-learn: 1).
    X = np.array([[-0.0], [-1.0], [-0.0], [0.0], [-1.0]])
    init = np.array([[-0.0], [-1.0], [-0.0], [0.0]])
    with pytest.warns(ConvergenceWarning, match="distinct clusters"):
        km = KMeans(4, init=init, tol=0, algorithm=algorithm).fit(X)
    with pytest.warns(ConvergenceWarning, match="distinct clusters"):
        ref = _sklearn_lloyd(X, init, tol=0)
    assert km.n_iter_ < 4 + 1  # at most one step per coinciding centroid
    assert_allclose(km.cluster_centers_, ref.cluster_centers_, atol=1e-15)
    assert km.inertia_ < 1e-30
    assert_array_equal(km.labels_, km.predict(X))


def test_float32_predict_far_from_the_origin_is_the_float64_partition():
    # predict scored ||c||^2 - 2 x.c on the data as given: in float32 at 1e4
    # from the origin its rounding (~30 in squared distance) misassigned 326
    # of these 3000 samples, and labels_, now predict's, would have followed.
    X, _ = make_blobs(3000, 4, centers=3, cluster_std=3, random_state=0)
    X = X + 1e4
    ref = KMeans(3, random_state=0).fit(X)
    km = KMeans(3, random_state=0).fit(X.astype(np.float32))
    assert_array_equal(km.labels_, ref.labels_)
    assert_array_equal(km.predict(X.astype(np.float32)), ref.predict(X))


def test_labels_are_predict_on_large_tied_data_with_bounds():
    # Large enough for Hamerly's bounds, whose margins decide which samples
    # predict assigns again; far from the origin so that the two
    # arithmetics round differently.
    rng = np.random.RandomState(0)
    X = rng.randint(0, 5, (40000, 2)).astype(float) + 1e3
    for init in ("k-means++", X[rng.choice(len(X), 6, replace=False)]):
        km = KMeans(6, init=init, random_state=0).fit(X)
        assert_array_equal(km.labels_, km.predict(X))


def test_pipeline_grid_search_cross_val_on_iris():
    X = load_iris().data
    pipe = make_pipeline(StandardScaler(), KMeans(3, n_init=5, random_state=0))
    ref = make_pipeline(
        StandardScaler(), sk_cluster.KMeans(3, n_init=5, random_state=0)
    )
    ours = cross_val_score(pipe, X, cv=3)
    theirs = cross_val_score(ref, X, cv=3)
    assert np.all(ours < 0)
    assert_allclose(ours, theirs, rtol=0.05)
    grid = GridSearchCV(pipe, {"kmeans__n_clusters": [2, 3, 4]}, cv=3).fit(X)
    # The score is -inertia, which more clusters always lower.
    assert grid.best_params_ == {"kmeans__n_clusters": 4}


def test_clone_and_pickle_round_trips():
    X = _data("iris")
    km = KMeans(3, random_state=0).fit(X)
    again = clone(km).fit(X)
    assert_array_equal(again.predict(X), km.predict(X))
    loaded = pickle.loads(pickle.dumps(km))
    assert_array_equal(loaded.predict(X), km.predict(X))
    assert_array_equal(loaded.transform(X), km.transform(X))


@pytest.mark.parametrize(
    "X, message",
    [
        (np.array([[0.0, 1.0], [np.nan, 1.0], [2.0, 2.0]]), "NaN"),
        (np.array([[0.0, 1.0], [np.inf, 1.0], [2.0, 2.0]]), "infinity"),
        (np.empty((0, 2)), "0 sample"),
        (np.zeros((4, 2, 2)), "dim 3"),
        (np.zeros((2, 2)), "n_samples=2 should be >= n_clusters=3"),
    ],
)
def test_bad_input_at_fit(X, message):
    with pytest.raises(ValueError, match=message):
        KMeans(3).fit(X)


@pytest.mark.parametrize(
    "params, message",
    [
        ({"n_clusters": 0}, "n_clusters"),
        ({"init": "furthest"}, "init"),
        ({"empty_cluster": "ignore"}, "empty_cluster"),
        ({"tol": -1.0}, "tol"),
        ({"max_iter": 0}, "max_iter"),
        ({"n_init": 0}, "n_init"),
        ({"init": np.zeros((2, 2))}, "shape"),
    ],
)
def test_invalid_parameters(params, message):
    X = _data("iris")[:, :2]
    with pytest.raises(ValueError, match=message):
        KMeans(**{"n_clusters": 3, **params}).fit(X)


def test_bad_input_after_fit():
    X = _data("iris")
    km = KMeans(3, random_state=0).fit(X)
    with pytest.raises(ValueError, match="4 features"):
        km.predict(X[:, :3])
    with pytest.raises(ValueError, match="NaN"):
        km.transform(np.full((1, 4), np.nan))
    with pytest.raises(ValueError, match="Negative values"):
        KMeans(3).fit(X, sample_weight=-np.ones(len(X)))


def test_explicit_init_with_n_init_warns():
    X = _data("iris")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        KMeans(2, init=X[:2], n_init=3).fit(X)
    assert any(issubclass(w.category, RuntimeWarning) for w in caught)
