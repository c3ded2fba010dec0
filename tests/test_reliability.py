"""The wrong answers found by adversarial testing, each on its reproducer's data.

Every test here failed before its fix: silently, with a wrong answer, or with a
raw LinAlgError. The references are the estimators on the same data unscaled
(the lecture's formulas are scale-equivariant, and scaling by a power of two is
exact), float64 for float32, and scikit-fuzzy's ``cmeans``.
"""

import warnings

import numpy as np
import pytest
import skfuzzy
from numpy.testing import assert_allclose, assert_array_equal
from scipy.spatial.distance import cdist
from sklearn.datasets import load_iris, make_blobs, make_classification
from sklearn.metrics import adjusted_rand_score
from sklearn.model_selection import GridSearchCV, KFold

from sklearn_lecture import PCA, ElbowKMeans, FisherLDA, FuzzyKMeans, KMeans
from sklearn_lecture.cluster._common import _init_centroids


@pytest.fixture(scope="module")
def blobs():
    return make_blobs(300, centers=3, random_state=0)[0]


def _correlated(n=200, d=4, seed=0):
    rng = np.random.RandomState(seed)
    return rng.normal(size=(n, d)) @ rng.normal(size=(d, d))


# --- 1. PCA(standardize=True) on float32 data far from the origin ----------------


def test_standardized_pca_keeps_real_float32_features_far_from_the_origin():
    X = np.random.RandomState(0).normal(1000.0, 0.2, size=(2000, 3))
    X32 = X.astype(np.float32)
    ours = PCA(None, standardize=True).fit(X32)
    ref = PCA(None, standardize=True).fit(X32.astype(np.float64))
    # Was [0, 0, 0]: every feature taken for a constant.
    assert_allclose(ours.eigenvalues_, ref.eigenvalues_, rtol=1e-4)
    assert_allclose(ours.eigenvalues_.sum(), 3.0, rtol=1e-5)
    assert_allclose(ours.scale_, X32.astype(np.float64).std(axis=0, ddof=1), rtol=1e-4)


def test_a_constant_float32_column_far_from_the_origin_is_still_constant():
    X = np.random.RandomState(0).normal(1000.0, 0.2, size=(2000, 3))
    X[:, 1] = 1000.1
    pca = PCA(None, standardize=True).fit(X.astype(np.float32))
    assert pca.scale_[1] == 1.0
    assert_allclose(pca.eigenvalues_.sum(), 2.0, rtol=1e-5)


# --- 2. FuzzyKMeans(init="random") picks distinct points ---------------------------


def test_random_init_picks_distinct_points_not_rows():
    X = np.repeat([[0.0, 0.0], [10.0, 0.0], [0.0, 10.0]], 20, axis=0)
    for seed in range(20):
        centers = _init_centroids(X, 3, "random", np.random.RandomState(seed))
        assert np.unique(centers, axis=0).shape[0] == 3
        fkm = FuzzyKMeans(3, init="random", random_state=seed).fit(X)
        # Was: a cluster lost for 16 of the 20 seeds.
        assert np.unique(fkm.labels_).size == 3
        km = KMeans(3, init="random", n_init=1, random_state=seed).fit(X)
        assert np.unique(km.labels_).size == 3


# --- 3. fuzzy c-means with a large m leaves its data-point seeds -------------------


def test_fcm_with_large_m_moves_off_its_seeds_as_scikit_fuzzy(blobs):
    seeds = _init_centroids(
        blobs - blobs.mean(axis=0), 3, "k-means++", np.random.RandomState(0)
    ) + blobs.mean(axis=0)
    # m = 10: the same fixed point as scikit-fuzzy from random memberships.
    fcm = FuzzyKMeans(3, method="fcm", m=10, tol=0, max_iter=1000, random_state=0)
    fcm.fit(blobs)
    centers, *_ = skfuzzy.cmeans(blobs.T, 3, 10, error=0, maxiter=1000, seed=0)
    order = np.argsort(centers[:, 0])
    assert_allclose(
        fcm.cluster_centers_[np.argsort(fcm.cluster_centers_[:, 0])],
        centers[order],
        atol=1e-10,
    )
    # m = 50 and tol = 0: stuck at the seeds after one iteration before.
    fcm50 = FuzzyKMeans(3, method="fcm", m=50, tol=0, random_state=0).fit(blobs)
    assert fcm50.n_iter_ > 10
    assert cdist(fcm50.cluster_centers_, seeds).min() > 0.1
    _, _, _, _, jm, _, _ = skfuzzy.cmeans(blobs.T, 3, 50, error=0, maxiter=300, seed=0)
    assert fcm50.objective_history_[-1] <= jm[-1] * (1 + 1e-9)


# --- 4. soft k-means' beta="auto" on data of tiny scale ----------------------------


@pytest.mark.parametrize("factor", [1e-100, 1e-155, 2.0**-520])
def test_auto_beta_on_tiny_data(blobs, factor):
    # Right within tolerance where float64 holds the squared distances, a
    # clear error where they underflow (1e-155, 2**-520).
    ref = FuzzyKMeans(3, random_state=0).fit(blobs)
    if factor < 1e-150:
        with pytest.raises(ValueError, match="underflow float64.*Scale the data"):
            FuzzyKMeans(3, random_state=0).fit(blobs * factor)
        return
    fkm = FuzzyKMeans(3, random_state=0).fit(blobs * factor)
    # Was: beta = inf, NaN memberships, every label 0.
    assert np.isfinite(fkm.membership_).all()
    assert_array_equal(fkm.labels_, ref.labels_)
    assert_allclose(fkm.membership_, ref.membership_, rtol=1e-7, atol=1e-9)
    assert_allclose(fkm.cluster_centers_ / factor, ref.cluster_centers_, rtol=1e-9)
    assert_array_equal(fkm.predict(blobs * factor), fkm.labels_)
    assert_allclose(fkm.beta_ * factor * factor, ref.beta_, rtol=1e-7)
    assert np.isfinite(fkm.fuzzy_score(blobs * factor))
    assert not np.isnan(fkm.score(blobs * factor))


# --- 5. data of huge magnitude -----------------------------------------------------


@pytest.mark.parametrize("factor", [1e100, 1e155, 1e160])
def test_standardized_pca_on_huge_data(factor):
    Z = _correlated()
    ref = PCA(None, standardize=True).fit(Z)
    if factor > 1e154:
        # Squares beyond float64: a clear error, not unscaled values.
        with pytest.raises(ValueError, match="overflow.*[Ss]cale the data"):
            PCA(None, standardize=True).fit(Z * factor)
        return
    pca = PCA(None, standardize=True).fit(Z * factor)
    # Was: unscaled values and zero eigenvalues.
    assert_allclose(pca.eigenvalues_, ref.eigenvalues_, rtol=1e-10)
    assert_allclose(pca.components_, ref.components_, atol=1e-10)
    assert_allclose(pca.scale_ / factor, ref.scale_, rtol=1e-10)
    assert_allclose(pca.transform(Z * factor), ref.transform(Z), atol=1e-10)
    assert_allclose(pca.inverse_transform(pca.transform(Z * factor)) / factor, Z)


def test_pca_on_huge_data_fits_or_says_the_variances_overflow():
    Z = _correlated()
    ref = PCA(None).fit(Z)
    pca = PCA(None).fit(Z * 1e150)
    assert_allclose(pca.eigenvalues_ / 1e300, ref.eigenvalues_, rtol=1e-10)
    assert_allclose(pca.components_, ref.components_, atol=1e-10)
    assert_allclose(pca.transform(Z * 1e150) / 1e150, ref.transform(Z), atol=1e-10)
    # Was a raw LinAlgError: the variances (~1e310) exceed float64.
    with pytest.raises(ValueError, match="variances of X overflow"):
        PCA(None).fit(Z * 1e155)


def test_pca_on_tiny_data():
    Z = _correlated()
    ref = PCA(None).fit(Z)
    pca = PCA(None).fit(Z * 1e-150)
    assert_allclose(pca.eigenvalues_ / 1e-300, ref.eigenvalues_, rtol=1e-10)
    assert_allclose(pca.explained_variance_ratio_, ref.explained_variance_ratio_)
    assert pca.n_components_ == ref.n_components_


@pytest.mark.parametrize("n_classes", [2, 3])
@pytest.mark.parametrize("factor", [1e100, 1e-100, 1e155, 1e160, 1e-155])
def test_fisher_on_huge_and_tiny_data(n_classes, factor):
    X, y = make_classification(
        300, 5, n_informative=3, n_redundant=0, n_classes=n_classes, random_state=0
    )
    if abs(np.log10(factor)) > 154:
        # Squares beyond float64: a clear error, not a single class predicted.
        with pytest.raises(ValueError, match="(overflow|underflow).*[Ss]cale"):
            FisherLDA().fit(X * factor, y)
        return
    ref = FisherLDA().fit(X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        lda = FisherLDA().fit(X * factor, y)
    # Was: a single class predicted (3 classes: a raw LinAlgError).
    assert_array_equal(lda.predict(X * factor), ref.predict(X))
    assert_allclose(lda.transform(X * factor), ref.transform(X), atol=1e-9)
    assert_allclose(lda.predict_proba(X * factor), ref.predict_proba(X), atol=1e-9)
    assert_allclose(lda.scalings_ * factor, ref.scalings_, rtol=1e-9)
    assert_allclose(lda.explained_variance_ratio_, ref.explained_variance_ratio_)


@pytest.mark.parametrize("factor", [1e100, 1e155, 1e160, 1e-155])
def test_kmeans_from_a_fixed_init_on_huge_and_tiny_data(factor):
    # Right within tolerance where float64 holds the squared distances, a
    # clear error where they overflow or underflow.
    X = load_iris().data
    ref = KMeans(3, init=X[[0, 50, 100]], n_init=1).fit(X)
    if abs(np.log10(factor)) > 150:
        with pytest.raises(ValueError, match="flow float64.*Scale the data"):
            KMeans(3, init=X[[0, 50, 100]] * factor, n_init=1).fit(X * factor)
        return
    km = KMeans(3, init=X[[0, 50, 100]] * factor, n_init=1).fit(X * factor)
    # Was ARI 0.39 at 1e155.
    assert_array_equal(km.labels_, ref.labels_)
    assert_allclose(km.cluster_centers_ / factor, ref.cluster_centers_, rtol=1e-9)
    assert_array_equal(km.predict(X * factor), km.labels_)
    distances = km.transform(X * factor)
    assert np.isfinite(distances).all()
    assert_allclose(distances / factor, ref.transform(X), rtol=1e-10)


@pytest.mark.parametrize("factor", [1e150, 1e-100, 1e-150])
def test_kmeans_plusplus_gives_the_same_partition_for_scaled_data(blobs, factor):
    # The same partition on well-separated blobs, or a clear error where the
    # squared distances underflow float64.
    ref = KMeans(5, random_state=0).fit(blobs)
    if factor < 1e-145:
        with pytest.raises(ValueError, match="underflow float64"):
            KMeans(5, random_state=0).fit(blobs * factor)
        return
    km = KMeans(5, random_state=0).fit(blobs * factor)
    # Was ARI 0.95: the seeding's order of the rows came from a hash of their bits.
    assert_array_equal(km.labels_, ref.labels_)
    assert_allclose(km.inertia_ / factor**2, ref.inertia_, rtol=1e-9)
    assert_allclose(km.score(blobs * factor) / factor**2, -ref.inertia_, rtol=1e-9)


def test_same_seed_same_numbering_for_float32_and_float64():
    X = make_blobs(2000, centers=8, n_features=4, random_state=1)[0]
    X = X.astype(np.float32).astype(np.float64)
    Xe = make_blobs(300, centers=4, cluster_std=0.5, random_state=0)[0]
    Xe = Xe.astype(np.float32).astype(np.float64)
    for seed in range(5):
        for init in ("k-means++", "random"):
            a = KMeans(8, init=init, random_state=seed).fit(X)
            b = KMeans(8, init=init, random_state=seed).fit(X.astype(np.float32))
            assert_array_equal(a.labels_, b.labels_)
        elbow64 = ElbowKMeans(k_max=8, random_state=seed).fit(Xe)
        elbow32 = ElbowKMeans(k_max=8, random_state=seed).fit(Xe.astype(np.float32))
        assert elbow64.n_clusters_ == elbow32.n_clusters_ == 4
        assert_array_equal(elbow64.labels_, elbow32.labels_)


def test_elbow_on_huge_data_finds_the_elbow_of_the_unscaled_data():
    X = make_blobs(300, centers=4, cluster_std=0.5, random_state=0)[0]
    ref = ElbowKMeans(k_max=8, random_state=0).fit(X)
    # Squared distances beyond float64: a clear error (was a NoElbowWarning,
    # "J(K) is flat" on an all-inf J(K)); within its range, the same elbow.
    with pytest.raises(ValueError, match="overflow float64.*Scale the data"):
        ElbowKMeans(k_max=8, random_state=0).fit(X * 1e155)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        elbow = ElbowKMeans(k_max=8, random_state=0).fit(X * 1e100)
    assert elbow.n_clusters_ == ref.n_clusters_ == 4
    assert_array_equal(elbow.labels_, ref.labels_)
    assert_array_equal(elbow.predict(X * 1e100), elbow.labels_)
    assert elbow.silhouette_scores_.keys() == ref.silhouette_scores_.keys()
    assert_allclose(
        list(elbow.silhouette_scores_.values()),
        list(ref.silhouette_scores_.values()),
    )


# --- 7. FisherLDA with one sample per class ----------------------------------------


def test_fisher_refuses_one_sample_per_class():
    with pytest.raises(ValueError, match="more than the number of classes"):
        FisherLDA().fit([[0.0, 1.0], [1.0, 0.0], [2.0, 2.0]], [0, 1, 2])


# --- FuzzyKMeans.score compares fits of any m and method ---------------------------


def test_fuzzy_score_is_the_hard_inertia_of_the_centroids(blobs):
    for params in ({"method": "soft"}, {"method": "fcm", "m": 3.0}):
        fkm = FuzzyKMeans(3, random_state=0, **params).fit(blobs)
        inertia = cdist(blobs, fkm.cluster_centers_, "sqeuclidean").min(axis=1).sum()
        assert_allclose(fkm.score(blobs), -inertia, rtol=1e-10)


def test_grid_search_over_m_no_longer_picks_the_largest_m():
    X = load_iris().data
    grid = {"m": [1.5, 2.0, 3.0, 5.0, 10.0]}
    search = GridSearchCV(
        FuzzyKMeans(3, method="fcm", random_state=0),
        grid,
        cv=KFold(3, shuffle=True, random_state=0),
    ).fit(X)
    # Large m pulls the centroids together, which the hard inertia penalises.
    assert search.best_params_["m"] < 10.0
    scores = search.cv_results_["mean_test_score"]
    assert scores[-1] < scores[0]
    # And across methods, KMeans's own score is on the same scale.
    km = KMeans(3, random_state=0).fit(X)
    soft = FuzzyKMeans(3, random_state=0).fit(X)
    assert km.score(X) >= soft.score(X) * (1 + 1e-3)
    assert adjusted_rand_score(km.labels_, soft.labels_) > 0.7


# --- verbose -----------------------------------------------------------------------


def test_verbose_reports_the_objective_per_iteration_and_each_k(blobs, capsys):
    km = KMeans(3, init="random", n_init=2, random_state=0, verbose=1).fit(blobs)
    lines = capsys.readouterr().out.splitlines()
    iterations = [
        float(line.rsplit("= ", 1)[1]) for line in lines if "iteration" in line
    ]
    assert len(iterations) >= km.n_iter_ + 2
    assert any(line.startswith("Run 2/2 done") for line in lines)
    assert f"inertia = {km.inertia_:.6g}" in "\n".join(lines)

    fkm = FuzzyKMeans(3, random_state=0, verbose=1).fit(blobs)
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == fkm.n_iter_
    printed = [float(line.rsplit("= ", 1)[1]) for line in lines]
    assert_allclose(printed, fkm.objective_history_, rtol=1e-5)

    elbow = ElbowKMeans(k_max=5, random_state=0, verbose=1).fit(blobs)
    lines = capsys.readouterr().out.splitlines()
    assert [line.split(":")[0] for line in lines] == [f"K = {k}" for k in range(1, 6)]
    printed = [float(line.split("J = ")[1].split(",")[0]) for line in lines]
    assert_allclose(printed, elbow.distortions_, rtol=1e-5)

    ElbowKMeans(k_max=25, random_state=0, verbose=1).fit(blobs)
    out = capsys.readouterr().out
    assert out.count("\r") == 25 and "25/25" in out and out.endswith("\n")


# --- sparse input ------------------------------------------------------------------


def test_kmeans_on_sparse_csr_gives_scikit_learns_partition():
    import scipy.sparse as sp
    from sklearn import cluster as sk_cluster

    rng = np.random.RandomState(0)
    dense = rng.binomial(1, 0.15, size=(400, 30)) * rng.exponential(size=(400, 30))
    dense[:200, :5] += 3.0
    X = sp.csr_array(dense)
    init = dense[[0, 100, 250, 399]]
    ref = sk_cluster.KMeans(4, init=init, n_init=1, tol=0, algorithm="lloyd").fit(X)
    ours = KMeans(4, init=init, n_init=1, tol=0).fit(X)
    assert_array_equal(ours.labels_, ref.labels_)
    assert_allclose(ours.cluster_centers_, ref.cluster_centers_, atol=1e-12)
    assert_allclose(ours.inertia_, ref.inertia_, rtol=1e-10)
    assert_array_equal(ours.predict(sp.csr_matrix(dense)), ref.predict(X))
    assert_allclose(ours.transform(X), ref.transform(X), rtol=1e-10)
    assert_allclose(ours.score(X), ref.score(X), rtol=1e-10)
    # Seeded: the same model as on the dense data, and as good as scikit-learn's.
    seeded = KMeans(4, random_state=0).fit(X)
    assert_array_equal(seeded.labels_, KMeans(4, random_state=0).fit(dense).labels_)
    best = sk_cluster.KMeans(4, n_init=10, random_state=0).fit(X).inertia_
    assert seeded.inertia_ <= best * 1.05
    elbow = ElbowKMeans(k_max=5, random_state=0).fit(sp.csc_array(dense))
    assert_array_equal(
        elbow.labels_, ElbowKMeans(k_max=5, random_state=0).fit(dense).labels_
    )
    with pytest.raises(TypeError, match="[Ss]parse"):
        FuzzyKMeans(3).fit(X)


def test_whitening_of_tiny_data():
    Z = _correlated()
    ref = PCA(None, whiten=True).fit(Z)
    pca = PCA(None, whiten=True).fit(Z * 1e-150)
    assert_allclose(pca.transform(Z * 1e-150), ref.transform(Z), atol=1e-9)
    assert_allclose(pca.transform(Z * 1e-150).std(axis=0, ddof=1), 1.0)
    assert_allclose(pca.inverse_transform(pca.transform(Z * 1e-150)) / 1e-150, Z)


# --- the second probe: classical families ------------------------------------------


def _wine():
    from sklearn.datasets import load_wine

    return load_wine(return_X_y=True)


def test_bartlett_sphericity_of_a_singular_correlation_matrix_is_infinite():
    # 16: 18.0-18.4 depending on column order, -120.6, ~8000.
    from sklearn_lecture.decomposition import bartlett_sphericity

    rng = np.random.RandomState(0)
    wide = rng.rand(4, 6)
    for X in [wide, wide[:, ::-1], wide[:, [3, 1, 5, 0, 2, 4]], rng.rand(3, 6)]:
        statistic, dof, p_value = bartlett_sphericity(X)
        assert statistic == np.inf and p_value == 0.0 and dof == 15
    Y = rng.rand(50, 4)
    statistic, _, p_value = bartlett_sphericity(np.column_stack([Y, Y[:, 0] + Y[:, 1]]))
    assert statistic == np.inf and p_value == 0.0
    # Non-singular data keep the finite statistic.
    assert np.isfinite(bartlett_sphericity(Y)[0])


@pytest.mark.parametrize("rotation", ["oblimin", "quartimax"])
@pytest.mark.parametrize("factor", [1e-3, 10.0])
def test_gradient_projection_rotations_are_scale_equivariant(rotation, factor):
    # 17: at 1e-3 the criterion's gradient was below the tolerance before the
    # first step (unrotated loadings, no warning); at 10 the steps overshot.
    from sklearn.preprocessing import StandardScaler

    from sklearn_lecture.decomposition import CommonFactorAnalysis

    X = StandardScaler().fit_transform(_wine()[0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ref = CommonFactorAnalysis(2, rotation=rotation, standardize=False).fit(X)
        cfa = CommonFactorAnalysis(2, rotation=rotation, standardize=False)
        cfa.fit(X * factor)
    unrotated = CommonFactorAnalysis(2, rotation=None, standardize=False).fit(X)
    assert np.abs(ref.loadings_ - unrotated.loadings_).max() > 0.05
    assert_allclose(cfa.loadings_ / factor, ref.loadings_, atol=1e-7)


@pytest.mark.parametrize("name", ["CommonFactorAnalysis", "CorrelationMerging", "PCA"])
def test_a_failed_refit_leaves_the_fitted_model(name):
    # 18: the refused refit left the new data's n_features_in_ beside the old model.
    from sklearn_lecture import decomposition

    X = _wine()[0]
    estimator = getattr(decomposition, name)(2).fit(X)
    before = estimator.transform(X)
    bad = X[:, :5].copy()
    if name == "PCA":
        bad[0, 0] = np.nan
    else:
        bad[:, 4] = 1.0
    with pytest.raises(ValueError):
        estimator.fit(bad)
    assert estimator.n_features_in_ == 13
    assert_array_equal(estimator.transform(X), before)


def test_fisher_partial_fit_before_every_class_is_not_fitted():
    # 19: check_is_fitted passed, then predict raised AttributeError on coef_.
    from sklearn.exceptions import NotFittedError

    X, y = _wine()
    lda = FisherLDA()
    with pytest.warns(UserWarning, match="No samples of the classes"):
        lda.partial_fit(X[y == 0], y[y == 0], classes=[0, 1])
    for method in [lda.predict, lda.transform, lda.decision_function]:
        with pytest.raises(NotFittedError):
            method(X)
    lda.partial_fit(X[y == 1], y[y == 1])
    ref = FisherLDA().fit(X[y < 2], y[y < 2])
    assert_allclose(lda.coef_, ref.coef_, rtol=1e-8)


def test_pca_partial_fit_accepts_one_row_blocks():
    # 20: "needs at least 2 samples", n_features_in_ left, then AttributeError.
    from sklearn.exceptions import NotFittedError

    X = _wine()[0]
    pca = PCA(None)
    with pytest.warns(UserWarning, match="second sample"):
        pca.partial_fit(X[:1])
    with pytest.raises(NotFittedError):
        pca.transform(X)
    for i in range(1, len(X)):
        pca.partial_fit(X[i : i + 1])
    ref = PCA(None).fit(X)
    assert_allclose(pca.explained_variance_, ref.explained_variance_, rtol=1e-9)
    assert_allclose(pca.transform(X), ref.transform(X), atol=1e-8)


def test_fuzzy_partial_fit_refuses_changed_parameters_and_continues_a_fit():
    # 21: a soft fit, then set_params(method="fcm", m=3): partial_fit went on.
    X = make_blobs(300, centers=3, random_state=0)[0]
    fuzzy = FuzzyKMeans(3, random_state=0).fit(X)
    centers = fuzzy.cluster_centers_.copy()
    fuzzy.set_params(method="fcm", m=3)
    with pytest.raises(ValueError, match="call fit to start anew"):
        fuzzy.partial_fit(X)
    assert_array_equal(fuzzy.cluster_centers_, centers)
    fuzzy.set_params(method="soft", m=3.0)  # m plays no part in the soft model
    fuzzy.partial_fit(X[:100])
    assert fuzzy.n_steps_ == 2
    # Continued from the fit: the centroids moved little.
    assert np.abs(fuzzy.cluster_centers_ - centers).max() < 0.5


def test_parameters_changed_after_fit_take_effect_at_the_next_fit():
    # The package's one rule (scikit-learn's): what was fitted is what predicts.
    Z = _correlated()
    pca = PCA(2).fit(Z)
    scores = pca.transform(Z)
    pca.set_params(whiten=True)
    assert_array_equal(pca.transform(Z), scores)
    assert_allclose(pca.fit(Z).transform(Z).std(axis=0, ddof=1), 1.0)
