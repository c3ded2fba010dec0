"""FuzzyKMeans against scikit-fuzzy, scikit-learn's KMeans and closed forms."""

import pickle

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from scipy.spatial.distance import cdist
from scipy.special import logsumexp
from sklearn.base import clone
from sklearn.cluster import KMeans as SkKMeans
from sklearn.datasets import load_iris, make_blobs
from sklearn.metrics import adjusted_rand_score
from sklearn.model_selection import GridSearchCV, KFold, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.estimator_checks import parametrize_with_checks

from sklearn_lecture import FuzzyKMeans


@pytest.fixture(scope="module")
def iris():
    return load_iris().data


def _fcm_memberships_reference(X, centers, m):
    """Bezdek's membership formula written out, (n_samples, n_clusters)."""
    d = cdist(X, centers)
    power = d ** (-2.0 / (m - 1.0))
    return power / power.sum(axis=1, keepdims=True)


def _pairwise_min_distance(centers):
    d = cdist(centers, centers)
    return d[~np.eye(len(centers), dtype=bool)].min()


# --- method="fcm" against scikit-fuzzy -------------------------------------------


@pytest.mark.parametrize("m", [2.0, 1.7, 3.0])
def test_fcm_matches_skfuzzy_from_the_same_start(iris, m):
    skfuzzy = pytest.importorskip("skfuzzy")
    rng = np.random.RandomState(0)
    # Start away from the samples so that the reference's d ** (-2/(m-1)) is finite.
    init = iris[rng.choice(len(iris), 3, replace=False)] + 0.05
    n_iter = 25
    fcm = FuzzyKMeans(3, method="fcm", m=m, init=init, max_iter=n_iter, tol=0).fit(iris)
    # Our first memberships are those of the initial centroids: give the same
    # start to cmeans, which begins from memberships.
    u0 = _fcm_memberships_reference(iris, init, m)
    cntr, u, _, _, jm, p, fpc = skfuzzy.cluster.cmeans(
        iris.T, 3, m, error=-1.0, maxiter=n_iter, init=u0.T.copy()
    )
    assert fcm.n_iter_ == p == n_iter
    assert_allclose(fcm.cluster_centers_, cntr, rtol=0, atol=1e-8)
    assert_allclose(fcm.membership_, u.T, rtol=0, atol=1e-8)
    assert_allclose(fcm.objective_history_, jm, rtol=1e-9)
    assert_allclose(fcm.partition_coefficient_, fpc, rtol=1e-9)
    assert fcm.beta_ is None


def test_fcm_predict_proba_matches_skfuzzy_cmeans_predict(iris):
    skfuzzy = pytest.importorskip("skfuzzy")
    fcm = FuzzyKMeans(3, method="fcm", m=2.0, random_state=0).fit(iris)
    X_new = iris[::7] + 0.123
    u, *_ = skfuzzy.cluster.cmeans_predict(
        X_new.T, fcm.cluster_centers_, 2.0, error=-1.0, maxiter=2
    )
    assert_allclose(fcm.predict_proba(X_new), u.T, rtol=0, atol=1e-10)


def test_fcm_point_on_a_centroid_gets_full_membership(iris):
    fcm = FuzzyKMeans(3, method="fcm", random_state=0).fit(iris)
    proba = fcm.predict_proba(fcm.cluster_centers_)
    assert_allclose(proba, np.eye(3), atol=1e-12)
    # Initial centroids that are samples: a zero distance at the very first step.
    for m in (2.0, 1.5):
        init = iris[[0, 50, 100]]
        fcm = FuzzyKMeans(3, method="fcm", m=m, init=init, max_iter=1).fit(iris)
        assert np.isfinite(fcm.membership_).all()
        assert np.isfinite(fcm.cluster_centers_).all()
    # Duplicate centroids share the membership of a sample sitting on them.
    from sklearn_lecture.cluster._fuzzy import _fcm_memberships

    d2 = np.array([[0.0, 1.0], [0.0, 4.0], [1.0, 1.0]])
    for m in (2.0, 1.5):
        assert_allclose(_fcm_memberships(d2, m)[:, 0], [0.5, 0.5, 0.0])


@pytest.mark.parametrize("m", [1.5, 2.0, 3.0])
def test_fcm_seeded_on_clusters_of_copies_keeps_them_apart(m):
    # Each seed's cluster is all copies of its point: its nearest other
    # sample lay in the other cluster, so the copies started with equal
    # memberships of both and the centroids merged at the mean (0.5, 0.5).
    # The fixed point is the two points themselves, memberships one-hot.
    B = np.r_[np.zeros((5, 2)), np.ones((5, 2))]
    for init in ("k-means++", "random", B[[0, 5]]):
        fcm = FuzzyKMeans(2, method="fcm", m=m, init=init, random_state=0).fit(B)
        order = np.argsort(fcm.cluster_centers_[:, 0])
        assert_allclose(fcm.cluster_centers_[order], [[0, 0], [1, 1]], atol=1e-6)
        assert_allclose(
            fcm.membership_[:, order], np.repeat(np.eye(2), 5, axis=0), atol=1e-6
        )
    # Random binary data: 7 of 31 such fits collapsed onto one point.
    rng = np.random.RandomState(0)
    for seed in range(20):
        X = rng.randint(0, 2, (40, rng.randint(1, 4))).astype(float)
        if len(np.unique(X, axis=0)) < 2:
            continue
        fcm = FuzzyKMeans(2, method="fcm", m=m, random_state=seed).fit(X)
        assert _pairwise_min_distance(fcm.cluster_centers_) > 0.1


def test_fcm_with_m_near_one_is_the_hard_partition_and_finite(iris):
    init = iris[[0, 50, 100]] + 0.01
    fcm = FuzzyKMeans(3, method="fcm", m=1.01, init=init).fit(iris)
    km = SkKMeans(3, init=init, n_init=1, algorithm="lloyd").fit(iris)
    assert np.isfinite(fcm.membership_).all()
    assert adjusted_rand_score(fcm.labels_, km.labels_) == 1.0


# --- method="soft": the lecture's formulas -----------------------------------------


def test_soft_single_iteration_by_hand():
    X = np.array([[0.0, 0.0], [1.0, 0.0], [4.0, 0.0], [5.0, 1.0]])
    init = np.array([[0.0, 0.0], [5.0, 0.0]])
    beta = 0.3
    fkm = FuzzyKMeans(2, beta=beta, init=init, max_iter=1, tol=0).fit(X)

    def responsibilities(mu):
        d2 = ((X[:, None, :] - mu[None]) ** 2).sum(-1)
        e = np.exp(-beta * d2)
        return e / e.sum(axis=1, keepdims=True), d2

    r0, _ = responsibilities(init)
    mu1 = (r0.T @ X) / r0.sum(axis=0)[:, None]
    r1, d2 = responsibilities(mu1)
    assert fkm.n_iter_ == 1
    assert fkm.beta_ == beta
    assert_allclose(fkm.cluster_centers_, mu1, rtol=1e-12)
    assert_allclose(fkm.membership_, r1, rtol=1e-12)
    free_energy = -np.log(np.exp(-beta * d2).sum(axis=1)).sum() / beta
    assert_allclose(fkm.objective_history_, [free_energy], rtol=1e-12)


def test_soft_huge_beta_is_lloyd_and_never_nan(iris):
    init = iris[[0, 50, 100]]
    km = SkKMeans(3, init=init, n_init=1, algorithm="lloyd", tol=0).fit(iris)
    for beta in (1e8, 1e300):
        fkm = FuzzyKMeans(3, beta=beta, init=init, tol=0).fit(iris)
        assert np.isfinite(fkm.membership_).all()
        assert np.isfinite(fkm.objective_history_).all()
        assert_array_equal(fkm.labels_, km.labels_)
        assert_allclose(fkm.cluster_centers_, km.cluster_centers_, rtol=1e-10)
        assert_array_equal(fkm.membership_, np.eye(3)[km.labels_])


@pytest.mark.parametrize("method", ["soft", "fcm"])
def test_far_points_give_finite_memberships(method):
    X, _ = make_blobs(200, centers=3, random_state=0)
    outlier = np.array([[1e6, -1e6]])
    fkm = FuzzyKMeans(3, method=method, random_state=0).fit(np.vstack([X, outlier]))
    assert np.isfinite(fkm.membership_).all()
    assert np.isfinite(fkm.cluster_centers_).all()
    far = np.array([[1e8, 1e8], [-3e7, 2e5]])
    proba = fkm.predict_proba(far)
    assert np.isfinite(proba).all()
    assert_allclose(proba.sum(axis=1), 1.0)
    assert np.isfinite(fkm.score(far))


@pytest.mark.parametrize("method", ["soft", "fcm"])
def test_values_whose_squares_overflow_are_refused_clearly(iris, method):
    # Squares beyond float64 (2**600 squared): a clear error, never a wrong fit;
    # within its range (2**60) the fit is that of iris, the centroids scaled.
    ref = FuzzyKMeans(3, method=method, random_state=0).fit(iris)
    with pytest.raises(ValueError, match="overflow float64.*Scale the data"):
        FuzzyKMeans(3, method=method, random_state=0).fit(iris * 2.0**600)
    big = iris * 2.0**60
    fkm = FuzzyKMeans(3, method=method, random_state=0).fit(big)
    assert_array_equal(fkm.labels_, ref.labels_)
    assert_allclose(fkm.membership_, ref.membership_, rtol=1e-6, atol=1e-8)
    assert_allclose(fkm.cluster_centers_, ref.cluster_centers_ * 2.0**60)
    assert_array_equal(fkm.predict(big), fkm.labels_)
    # A fit on ordinary data still rejects new data whose squares overflow.
    with pytest.raises(ValueError, match="overflow"):
        ref.predict(np.array([[1e200, 0.0, 0.0, 0.0]]))


# --- beta="auto" and the phase transition -------------------------------------------


def test_auto_beta_finds_three_distinct_clusters_on_raw_iris(iris):
    km = SkKMeans(3, n_init=10, random_state=0).fit(iris)
    residuals = iris - km.cluster_centers_[km.labels_]
    lambda_max = np.linalg.eigvalsh(residuals.T @ residuals / len(iris))[-1]
    critical = 1.0 / (2.0 * lambda_max)
    for seed in range(3):
        fkm = FuzzyKMeans(3, random_state=seed).fit(iris)
        assert fkm.beta_ > 1.5 * critical
        assert _pairwise_min_distance(fkm.cluster_centers_) > 1.0
        assert adjusted_rand_score(fkm.labels_, km.labels_) > 0.9
        assert len(np.unique(fkm.labels_)) == 3


@pytest.mark.parametrize("init", [[0, 50, 100], [0, 1, 2]])
def test_auto_beta_is_that_of_kmeans_from_the_same_start(iris, init):
    init = iris[init]
    fkm = FuzzyKMeans(3, init=init).fit(iris)
    km = SkKMeans(3, init=init, n_init=1, algorithm="lloyd").fit(iris)
    residuals = iris - km.cluster_centers_[km.labels_]
    lambda_max = np.linalg.eigvalsh(residuals.T @ residuals / len(iris))[-1]
    assert_allclose(fkm.beta_, 1.0 / lambda_max, rtol=1e-9)


def test_naive_beta_falls_below_the_phase_transition(iris):
    # 1 / total variance is the rule beta="auto" must avoid: two of the three
    # centroids merge onto one (run to the fixed point: near a phase transition
    # the iteration slows down).
    naive = 1.0 / iris.var(axis=0).sum()
    fkm = FuzzyKMeans(3, beta=naive, tol=0, max_iter=1000, random_state=0).fit(iris)
    assert _pairwise_min_distance(fkm.cluster_centers_) < 1e-8


def test_auto_beta_scales_with_the_data(iris):
    a = FuzzyKMeans(3, random_state=0).fit(iris)
    b = FuzzyKMeans(3, random_state=0).fit(10.0 * iris + 3.0)
    assert_allclose(b.beta_, a.beta_ / 100.0, rtol=1e-8)
    assert_array_equal(a.labels_, b.labels_)
    assert_allclose(b.membership_, a.membership_, atol=1e-8)


def test_soft_score_is_the_mixture_log_likelihood_and_tunes_beta():
    X, _ = make_blobs(300, centers=3, cluster_std=1.0, random_state=0)
    fkm = FuzzyKMeans(3, beta=0.5, random_state=0).fit(X)
    d2 = cdist(X, fkm.cluster_centers_, "sqeuclidean")
    log_density = (
        logsumexp(-0.5 * d2, axis=1) - np.log(3) + np.log(0.5 / np.pi)  # d/2 = 1
    )
    assert_allclose(fkm.fuzzy_score(X), log_density.mean(), rtol=1e-10)
    # Unit-variance blobs: the mixture's variance 1/(2 beta) is right at beta=1/2.
    search = GridSearchCV(
        FuzzyKMeans(3, random_state=0),
        {"beta": [0.05, 0.15, 0.5, 1.5, 5.0]},
        scoring=lambda est, X, y=None: est.fuzzy_score(X),
        cv=KFold(3, shuffle=True, random_state=0),
    ).fit(X)
    assert search.best_params_ == {"beta": 0.5}


def test_fcm_fuzzy_score_is_minus_the_mean_objective(iris):
    fcm = FuzzyKMeans(3, method="fcm", m=1.7, random_state=0).fit(iris)
    u = _fcm_memberships_reference(iris, fcm.cluster_centers_, 1.7)
    d2 = cdist(iris, fcm.cluster_centers_, "sqeuclidean")
    assert_allclose(
        fcm.fuzzy_score(iris), -(u**1.7 * d2).sum() / len(iris), rtol=1e-10
    )


# --- fitted attributes and methods ----------------------------------------------


@pytest.mark.parametrize("method", ["soft", "fcm"])
def test_fitted_attributes(iris, method):
    fkm = FuzzyKMeans(3, method=method, random_state=0).fit(iris)
    u = fkm.membership_
    assert u.shape == (150, 3)
    assert_allclose(u.sum(axis=1), 1.0)
    assert_array_equal(fkm.labels_, u.argmax(axis=1))
    assert_array_equal(fkm.predict(iris), fkm.labels_)
    assert_allclose(fkm.predict_proba(iris), u, atol=1e-12)
    assert fkm.objective_history_.shape == (fkm.n_iter_,)
    assert np.all(np.diff(fkm.objective_history_) <= 1e-9 * fkm.objective_history_[0])
    assert_allclose(fkm.partition_coefficient_, (u**2).sum() / 150)
    entropy = -np.sum(u * np.log(np.clip(u, 1e-300, None))) / 150
    assert_allclose(fkm.partition_entropy_, entropy, rtol=1e-8, atol=1e-12)
    assert 1 / 3 <= fkm.partition_coefficient_ <= 1
    assert 0 <= fkm.partition_entropy_ <= np.log(3)
    assert_allclose(fkm.transform(iris), cdist(iris, fkm.cluster_centers_), atol=1e-7)
    assert fkm.n_features_in_ == 4
    assert_array_equal(fkm.fit_predict(iris), fkm.labels_)
    assert list(fkm.get_feature_names_out()) == [f"fuzzykmeans{i}" for i in range(3)]


@pytest.mark.parametrize("method", ["soft", "fcm"])
def test_predict_proba_does_not_change_the_model(iris, method):
    fkm = FuzzyKMeans(3, method=method, random_state=0).fit(iris)
    before = pickle.dumps(fkm)
    X_new = np.random.RandomState(1).normal(5, 2, size=(40, 4))
    proba = fkm.predict_proba(X_new)
    assert_allclose(proba.sum(axis=1), 1.0)
    assert_array_equal(proba.argmax(axis=1), fkm.predict(X_new))
    fkm.transform(X_new)
    fkm.score(X_new)
    assert pickle.dumps(fkm) == before


@pytest.mark.parametrize("init", ["k-means++", "random"])
def test_init_strings_are_seeded(iris, init):
    a = FuzzyKMeans(3, init=init, random_state=3).fit(iris)
    b = FuzzyKMeans(3, init=init, random_state=3).fit(iris)
    assert_array_equal(a.cluster_centers_, b.cluster_centers_)
    assert len(np.unique(a.labels_)) == 3


def test_float32_is_kept(iris):
    X32 = iris.astype(np.float32)
    for method in ("soft", "fcm"):
        f32 = FuzzyKMeans(3, method=method, init=iris[[0, 50, 100]]).fit(X32)
        f64 = FuzzyKMeans(3, method=method, init=iris[[0, 50, 100]]).fit(iris)
        assert f32.cluster_centers_.dtype == np.float32
        assert f32.predict_proba(X32).dtype == np.float32
        assert_allclose(f32.cluster_centers_, f64.cluster_centers_, atol=1e-3)


# --- scikit-learn integration ---------------------------------------------------


def test_pipeline_grid_search_and_cross_validation_on_iris(iris):
    pipe = make_pipeline(StandardScaler(), FuzzyKMeans(random_state=0))
    search = GridSearchCV(
        pipe,
        {"fuzzykmeans__n_clusters": [2, 3, 4], "fuzzykmeans__method": ["soft", "fcm"]},
        cv=3,
    ).fit(iris)
    # The search's fold scores are the estimator's score on the held-out folds.
    best = search.best_params_
    manual = cross_val_score(clone(pipe).set_params(**best), iris, cv=3)
    assert_allclose(search.best_score_, manual.mean())
    labels = search.predict(iris)
    assert labels.shape == (150,)
    y = load_iris().target
    three = clone(pipe).set_params(fuzzykmeans__n_clusters=3).fit(iris)
    assert adjusted_rand_score(y, three.predict(iris)) > 0.55


@pytest.mark.parametrize("method", ["soft", "fcm"])
def test_clone_and_pickle_give_identical_predictions(iris, method):
    fkm = FuzzyKMeans(3, method=method, random_state=0).fit(iris)
    refit = clone(fkm).fit(iris)
    restored = pickle.loads(pickle.dumps(fkm))
    for other in (refit, restored):
        assert_array_equal(other.predict(iris), fkm.predict(iris))
        assert_array_equal(other.predict_proba(iris), fkm.predict_proba(iris))


# --- bad input -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "X, message",
    [
        (np.array([[0.0, np.nan], [1.0, 1.0], [2.0, 2.0]]), "NaN"),
        (np.array([[0.0, np.inf], [1.0, 1.0], [2.0, 2.0]]), "infinity"),
        (np.empty((0, 2)), "0 sample"),
        (np.zeros((4, 2, 2)), "dim 3"),
        (np.zeros((2, 2)), "n_samples=2 should be >= n_clusters=3"),
    ],
)
def test_bad_training_data(X, message):
    with pytest.raises(ValueError, match=message):
        FuzzyKMeans(3).fit(X)


@pytest.mark.parametrize(
    "params, message",
    [
        ({"m": 1.0}, "'m' parameter"),
        ({"m": 0.5}, "'m' parameter"),
        ({"beta": 0.0}, "'beta' parameter"),
        ({"beta": -1.0}, "'beta' parameter"),
        ({"beta": np.inf}, "'beta' parameter"),
        ({"method": "hard"}, "'method' parameter"),
        ({"n_clusters": 0}, "'n_clusters' parameter"),
        ({"init": np.zeros((2, 4))}, r"init array has shape \(2, 4\)"),
        ({"init": np.full((3, 4), np.nan)}, "init"),
    ],
)
def test_bad_parameters(iris, params, message):
    with pytest.raises(ValueError, match=message):
        FuzzyKMeans(**{"n_clusters": 3, **params}).fit(iris)


def test_wrong_number_of_features_at_predict(iris):
    fkm = FuzzyKMeans(3, random_state=0).fit(iris)
    for method in ("predict", "predict_proba", "transform", "score"):
        with pytest.raises(ValueError, match="features"):
            getattr(fkm, method)(iris[:, :3])


# --- scikit-learn's checks on the non-default method ---------------------------------


@parametrize_with_checks([FuzzyKMeans(method="fcm", m=1.5)])
def test_sklearn_checks_fcm(estimator, check):
    check(estimator)


@pytest.mark.parametrize("method", ["soft", "fcm"])
def test_inference_reads_the_fit_not_parameters_set_since(method):
    # Before: predict_proba and fuzzy_score read method, m and n_clusters as
    # set after the fit (a wrong score, or a TypeError from beta=None).
    X, _ = load_iris(return_X_y=True)
    est = FuzzyKMeans(3, method=method, random_state=0).fit(X)
    proba, score = est.predict_proba(X[:5]), est.fuzzy_score(X)
    est.set_params(n_clusters=5, m=1.2, method="fcm" if method == "soft" else "soft")
    assert_allclose(est.predict_proba(X[:5]), proba)
    assert est.fuzzy_score(X) == score
