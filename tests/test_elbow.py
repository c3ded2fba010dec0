"""ElbowKMeans (elbow method with Kneedle) and ElbowDisplay."""

import pickle
import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn import cluster as sk_cluster
from sklearn.base import clone
from sklearn.datasets import load_iris, make_blobs
from sklearn.metrics import silhouette_score
from sklearn.model_selection import GridSearchCV, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_limits

from sklearn_lecture import ElbowDisplay, ElbowKMeans, KMeans, NoElbowWarning
from sklearn_lecture.cluster._elbow import _kneedle


@pytest.fixture(autouse=True, scope="module")
def _sklearn_on_one_thread():
    # scikit-learn's OpenMP threads spin-wait and crawl on a busy shared machine.
    with threadpool_limits(limits=1, user_api="openmp"):
        yield


@pytest.fixture(scope="module")
def blobs4():
    X, y = make_blobs(400, n_features=3, centers=4, cluster_std=0.6, random_state=3)
    return X, y


@pytest.fixture(scope="module")
def fitted(blobs4):
    return ElbowKMeans(random_state=0).fit(blobs4[0])


def test_elbow_picks_four_on_four_blobs(blobs4, fitted):
    X, y = blobs4
    assert fitted.n_clusters_ == 4
    assert fitted.elbow_found_
    assert_array_equal(fitted.k_values_, np.arange(1, 11))
    assert fitted.cluster_centers_.shape == (4, 3)
    # Up to the true K the optimum is unambiguous: J(K) is scikit-learn's.
    for k in range(1, 5):
        ref = sk_cluster.KMeans(k, n_init=10, random_state=0).fit(X)
        assert_allclose(fitted.distortions_[k - 1], ref.inertia_ / len(X), rtol=1e-6)
    assert np.all(np.diff(fitted.distortions_[:5]) < 0)


def test_silhouette_reported_beside_the_elbow(blobs4, fitted):
    X, _ = blobs4
    assert sorted(fitted.silhouette_scores_) == list(range(2, 11))
    assert_allclose(
        fitted.silhouette_scores_[4],
        silhouette_score(X, fitted.estimator_.labels_),
        rtol=1e-10,
    )
    assert fitted.silhouette_n_clusters_ == max(
        fitted.silhouette_scores_, key=fitted.silhouette_scores_.get
    )


def test_every_k_is_a_kmeans_fit_and_its_silhouette_is_sklearns():
    X = load_iris().data
    elbow = ElbowKMeans(k_max=6, random_state=1).fit(X)
    # Refit each K as the elbow does (one seed per K drawn from random_state).
    seeds = np.random.RandomState(1).randint(np.iinfo(np.int32).max, size=6)
    for k, seed in zip(elbow.k_values_, seeds):
        km = KMeans(int(k), random_state=int(seed)).fit(X)
        assert_allclose(elbow.distortions_[k - 1], km.distortion_)
        if k >= 2:
            assert_allclose(
                elbow.silhouette_scores_[int(k)],
                silhouette_score(X, km.labels_),
                rtol=1e-10,
            )


def test_delegation(blobs4, fitted):
    X, _ = blobs4
    est = fitted.estimator_
    assert isinstance(est, KMeans)
    assert est.n_clusters == fitted.n_clusters_
    assert_array_equal(fitted.predict(X), est.predict(X))
    assert_array_equal(fitted.labels_, est.labels_)
    assert_array_equal(fitted.transform(X), est.transform(X))
    assert fitted.score(X) == est.score(X)
    assert fitted.n_iter_ == est.n_iter_
    assert_array_equal(fitted.fit_predict(X), fitted.labels_)


def test_each_k_is_a_kmeans_with_the_elbows_parameters(blobs4):
    X, _ = blobs4
    params = dict(
        init="random", n_init=2, max_iter=40, tol=0.0, empty_cluster="remove"
    )
    fast = ElbowKMeans(k_max=6, random_state=0, **params).fit(X)
    readable = ElbowKMeans(k_max=6, random_state=0, algorithm="lloyd", **params)
    readable.fit(X)
    est = readable.estimator_
    assert {**est.get_params(), **params, "algorithm": "lloyd"} == est.get_params()
    assert est.n_features_in_ == X.shape[1]
    # Both engines give the same partitions, hence the same J(K) and K.
    assert_allclose(readable.distortions_, fast.distortions_, rtol=1e-10)
    assert readable.n_clusters_ == fast.n_clusters_ == 4
    assert_array_equal(readable.labels_, fast.labels_)


def test_no_elbow_on_a_straight_distortion_curve():
    # The vertices of a regular simplex: every partition into K clusters has
    # J = (n - K) / n, a straight line, so there is no elbow.
    X = np.eye(12)
    with pytest.warns(NoElbowWarning, match="Falling back"):
        elbow = ElbowKMeans(k_max=10, random_state=0).fit(X)
    assert_allclose(elbow.distortions_, (12 - np.arange(1, 11)) / 12, atol=1e-12)
    assert not elbow.elbow_found_
    # The fallback is the smallest K of the range.
    assert elbow.n_clusters_ == 1


def test_no_elbow_with_too_few_k():
    X, _ = make_blobs(50, random_state=0)
    with pytest.warns(NoElbowWarning, match="at least three"):
        elbow = ElbowKMeans(k_min=2, k_max=3, random_state=0).fit(X)
    assert elbow.n_clusters_ == 2


def test_kneedle_rule():
    k = np.arange(1, 9)
    # A sharp corner at K=4.
    assert _kneedle(k, [100, 70, 40, 10, 9, 8, 7, 6])[0] == 3
    assert _kneedle(k, 10.0 - k)[0] is None
    assert _kneedle(k, np.full(8, 3.0))[0] is None
    # Concave: bends the wrong way.
    assert _kneedle(k, 100 - k**2)[0] is None
    # The knee of 1/K^2 is where its scaled log lies farthest below the chord.
    J = 1.0 / k**2
    x = (k - 1) / 7
    y = (np.log(J) - np.log(J).min()) / np.ptp(np.log(J))
    assert _kneedle(k, J)[0] == np.argmax(1 - y - x)
    # A curve reaching 0 (every distinct point its own cluster) does not crash.
    assert _kneedle(k, [8, 4, 2, 1, 0.5, 0.25, 0.1, 0.0])[0] is None


def test_k_range_clipped_to_distinct_samples():
    X = np.array([[0.0], [0.0], [1.0], [5.0], [6.0], [20.0]])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NoElbowWarning)
        elbow = ElbowKMeans(k_max=10, random_state=0).fit(X)
        assert_array_equal(elbow.k_values_, np.arange(1, 6))
        single = ElbowKMeans(k_min=8, k_max=10, random_state=0).fit(X)
    assert_array_equal(single.k_values_, [5])
    assert single.n_clusters_ == 5
    with pytest.raises(ValueError, match="k_min=4 must not exceed k_max=3"):
        ElbowKMeans(k_min=4, k_max=3).fit(X)


def test_clusters_of_identical_points_end_the_range_at_their_elbow():
    # Four clusters of 25 copies each: the range stops at K=4, where J = 0
    # (no logarithm; it was floored at 1e-12 max J, a cliff that hid the
    # elbow) and the fit fell back to K=1. With a little noise the elbow is 4,
    # the limit as the noise goes to zero.
    points = np.array([[0, 0], [10, 0], [0, 10], [10, 10.0]])
    C = np.repeat(points, 25, axis=0)
    jittered = C + np.random.RandomState(0).randn(*C.shape) * 1e-3
    assert ElbowKMeans(random_state=0).fit(jittered).n_clusters_ == 4
    with warnings.catch_warnings():
        warnings.simplefilter("error", NoElbowWarning)
        elbow = ElbowKMeans(random_state=0).fit(C)
        # Weights as repetitions: the same K.
        weighted = ElbowKMeans(random_state=0).fit(points, sample_weight=np.full(4, 25))
    assert_array_equal(elbow.k_values_, [1, 2, 3, 4])
    assert elbow.distortions_[-1] == 0.0
    assert elbow.n_clusters_ == 4 and elbow.elbow_found_
    assert weighted.n_clusters_ == 4
    assert_array_equal(elbow.predict(points), elbow.predict(C[::25]))
    # An earlier knee among the positive J still wins: two tight groups of
    # three points each, every point repeated.
    groups = np.array(
        [[0, 0], [0, 0.01], [0.01, 0], [10, 10], [10, 10.01], [10.01, 10]]
    )
    elbow = ElbowKMeans(random_state=0).fit(np.repeat(groups, 5, axis=0))
    assert elbow.n_clusters_ == 2


def test_distinct_single_samples_are_no_clusters_of_copies():
    # J = 0 at K = n for any n distinct points: no evidence of an elbow there.
    points = np.array([[0, 0], [10, 0], [0, 10], [10, 10.0]])
    with pytest.warns(NoElbowWarning, match="Falling back"):
        elbow = ElbowKMeans(random_state=0).fit(points)
    assert elbow.n_clusters_ == 1 and not elbow.elbow_found_
    X = np.random.RandomState(1).randn(8, 2)
    with pytest.warns(NoElbowWarning, match="Falling back"):
        assert ElbowKMeans(random_state=0).fit(X).n_clusters_ == 1


def test_integer_weights_equal_repeated_rows(blobs4):
    X = blobs4[0][:120]
    w = np.random.RandomState(0).randint(0, 3, size=len(X))
    weighted = ElbowKMeans(k_max=6, random_state=0).fit(X, sample_weight=w)
    repeated = ElbowKMeans(k_max=6, random_state=0).fit(np.repeat(X, w, axis=0))
    assert_allclose(weighted.distortions_, repeated.distortions_)
    assert weighted.n_clusters_ == repeated.n_clusters_
    assert_array_equal(weighted.predict(X), repeated.predict(X))


@pytest.mark.filterwarnings("ignore::sklearn_lecture.NoElbowWarning")
def test_pipeline_grid_search_cross_val_on_iris():
    X = load_iris().data
    pipe = make_pipeline(StandardScaler(), ElbowKMeans(k_max=6, random_state=0))
    scores = cross_val_score(pipe, X, cv=3)
    assert np.all(np.isfinite(scores)) and np.all(scores < 0)
    grid = GridSearchCV(pipe, {"elbowkmeans__k_max": [4, 6]}, cv=3).fit(X)
    assert grid.best_params_["elbowkmeans__k_max"] in (4, 6)
    chosen = grid.best_estimator_[-1]
    assert chosen.n_clusters_ in chosen.k_values_


def test_clone_and_pickle_round_trips(blobs4, fitted):
    X, _ = blobs4
    again = clone(fitted).fit(X)
    assert_array_equal(again.predict(X), fitted.predict(X))
    loaded = pickle.loads(pickle.dumps(fitted))
    assert_array_equal(loaded.predict(X), fitted.predict(X))
    assert_array_equal(loaded.transform(X), fitted.transform(X))


@pytest.mark.parametrize(
    "params, X, message",
    [
        ({}, np.array([[0.0, np.nan], [1.0, 1.0]]), "NaN"),
        ({}, np.empty((0, 3)), "0 sample"),
        ({}, np.zeros((3, 2, 2)), "dim 3"),
        ({"k_min": 0}, np.zeros((3, 2)), "k_min"),
        ({"init": np.zeros((2, 2))}, np.zeros((3, 2)), "init"),
    ],
)
def test_bad_input(params, X, message):
    with pytest.raises(ValueError, match=message):
        ElbowKMeans(**params).fit(X)


def test_wrong_features_at_predict(fitted):
    with pytest.raises(ValueError, match="3 features"):
        fitted.predict(np.zeros((2, 2)))


def test_elbow_display(fitted):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    disp = ElbowDisplay.from_estimator(fitted)
    assert_array_equal(disp.line_.get_xdata(), fitted.k_values_)
    assert_allclose(disp.line_.get_ydata(), fitted.distortions_)
    assert_array_equal(disp.chosen_marker_.get_xdata(), [4])
    assert disp.figure_ is disp.ax_.figure
    assert disp.silhouette_line_ is not None
    assert "elbow: K=4" in [t.get_text() for t in disp.ax_.get_legend().get_texts()]
    plt.close(disp.figure_)

    fig, ax = plt.subplots()
    disp = ElbowDisplay.from_estimator(fitted, ax=ax, show_silhouette=False)
    assert disp.ax_ is ax and disp.figure_ is fig
    assert disp.silhouette_line_ is None
    # plot() again on fresh axes, as scikit-learn's Displays allow.
    _, ax2 = plt.subplots()
    assert disp.plot(ax=ax2).ax_ is ax2
    plt.close("all")
    with pytest.raises(Exception, match="not fitted"):
        ElbowDisplay.from_estimator(ElbowKMeans())


@pytest.mark.parametrize("n_points", [3, 4])
def test_copies_a_hair_apart_are_no_elbow_at_the_last_k(n_points):
    # Copies of (0, 0) and of points within 0.001 of (10, 0): J(2) is 1e-8 of
    # J(1), a bend Kneedle cannot confirm on so few values. The last K (every
    # distinct point its own cluster) is then no elbow to report as found.
    points = np.array([[0.0, 0.0], [10.0, 0.0], [10.0, 0.001], [10.001, 0.0]])
    X = np.repeat(points[:n_points], 5, axis=0)
    with pytest.warns(NoElbowWarning):
        elbow = ElbowKMeans(k_max=6, random_state=0).fit(X)
    assert not elbow.elbow_found_
    assert elbow.n_clusters_ != n_points
