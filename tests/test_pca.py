"""PCA against scikit-learn's PCA, closed forms and hand computations."""

import pickle

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from scipy.linalg import subspace_angles
from sklearn.base import clone
from sklearn.datasets import load_digits, load_iris, load_wine
from sklearn.decomposition import PCA as SklearnPCA
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_lecture import PCA, ScreeDisplay
from sklearn_lecture.decomposition._pca import ContributionTable


@pytest.fixture(scope="module")
def wine():
    return load_wine(return_X_y=True)


@pytest.fixture(scope="module")
def iris():
    return load_iris(return_X_y=True)


def _hand_eigenvalues(X, standardize=False):
    matrix = np.corrcoef(X.T) if standardize else np.cov(X.T)
    return np.linalg.eigvalsh(matrix)[::-1]


# --------------------------------------------------------------------- reference


@pytest.mark.parametrize("loader", [load_iris, load_wine, load_digits])
@pytest.mark.parametrize("n_components", [1, 2, 5])
def test_same_subspace_and_ratios_as_sklearn(loader, n_components):
    X, _ = loader(return_X_y=True)
    n_components = min(n_components, X.shape[1])
    ours = PCA(n_components=n_components).fit(X)
    ref = SklearnPCA(n_components=n_components).fit(X)
    assert ours.n_components_ == ref.n_components_
    assert np.max(subspace_angles(ours.components_.T, ref.components_.T)) < 1e-6
    assert_allclose(
        ours.explained_variance_ratio_, ref.explained_variance_ratio_, atol=1e-8
    )
    assert_allclose(ours.explained_variance_, ref.explained_variance_, rtol=1e-8)
    # Same sign convention as scikit-learn's svd_flip, so the scores agree too.
    assert_allclose(ours.transform(X), ref.transform(X), atol=1e-6)


def test_wide_data_matches_sklearn():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((30, 200)) @ rng.standard_normal((200, 200))
    ours = PCA(n_components=10).fit(X)
    ref = SklearnPCA(n_components=10).fit(X)
    assert ours.eigenvalues_.shape == (30,)
    assert np.max(subspace_angles(ours.components_.T, ref.components_.T)) < 1e-6
    assert_allclose(
        ours.explained_variance_ratio_, ref.explained_variance_ratio_, atol=1e-8
    )


def test_data_far_from_origin_keep_their_digits():
    # X'X - n m m' would cancel ~12 digits here; the centred recomputation keeps
    # the eigenvalues of the centred covariance.
    rng = np.random.default_rng(1)
    Z = rng.standard_normal((500, 4)) * [3.0, 2.0, 1.0, 0.5]
    ours = PCA(n_components=None).fit(Z + 1e6)
    assert_allclose(ours.eigenvalues_, _hand_eigenvalues(Z), rtol=1e-9)


def test_float32_stays_float32(wine):
    X, _ = wine
    X32 = StandardScaler().fit_transform(X).astype(np.float32)
    pca32 = PCA(n_components=3).fit(X32)
    pca64 = PCA(n_components=3).fit(X32.astype(np.float64))
    assert pca32.transform(X32).dtype == np.float32
    assert pca32.components_.dtype == np.float32
    assert_allclose(pca32.explained_variance_, pca64.explained_variance_, rtol=1e-5)


# ------------------------------------------------------------------ standardize


@pytest.mark.parametrize("loader", [load_iris, load_wine])
def test_standardize_gives_correlation_eigenvalues(loader):
    X, _ = loader(return_X_y=True)
    pca = PCA(n_components=None, standardize=True).fit(X)
    assert_allclose(pca.eigenvalues_, _hand_eigenvalues(X, True), rtol=1e-10)
    assert_allclose(pca.eigenvalues_.sum(), X.shape[1], rtol=1e-12)
    assert_allclose(pca.scale_, X.std(axis=0, ddof=1))
    # StandardScaler + PCA inflates the same eigenvalues by n / (n - 1).
    n = X.shape[0]
    ref = SklearnPCA().fit(StandardScaler().fit_transform(X))
    assert_allclose(ref.explained_variance_, pca.eigenvalues_ * n / (n - 1))
    # The scores are the statistics-table principal component scores.
    Z = (X - X.mean(axis=0)) / X.std(axis=0, ddof=1)
    assert_allclose(
        np.abs(pca.transform(X)), np.abs(Z @ pca.components_.T), atol=1e-10
    )


def test_standardize_with_constant_feature_has_no_nan(wine):
    X, _ = wine
    X = np.column_stack([X, np.full(X.shape[0], 7.3)])
    pca = PCA(n_components=None, standardize=True).fit(X)
    assert pca.scale_[-1] == 1.0
    assert np.all(np.isfinite(pca.transform(X)))
    assert_allclose(pca.eigenvalues_.sum(), X.shape[1] - 1, rtol=1e-12)
    assert_allclose(
        pca.eigenvalues_[:-1], _hand_eigenvalues(X[:, :-1], True), rtol=1e-9
    )


# ------------------------------------------------------------- selection rules


def _hand_fraction_rule(eigenvalues, fraction):
    cumulative = np.cumsum(eigenvalues) / eigenvalues.sum()
    for k, c in enumerate(cumulative, start=1):
        if c >= fraction - 1e-10:
            return k
    return len(eigenvalues)


def _hand_scree(eigenvalues):
    # Largest perpendicular distance below the chord from the first to the last
    # point, both axes scaled to [0, 1] (a different formula from the code's).
    p = len(eigenvalues)
    x = np.arange(p) / (p - 1)
    y = (eigenvalues - eigenvalues[-1]) / (eigenvalues[0] - eigenvalues[-1])
    a, b = np.array([0.0, 1.0]), np.array([1.0, 0.0])
    direction = (b - a) / np.linalg.norm(b - a)
    distances = [
        -(direction[0] * (yi - a[1]) - direction[1] * (xi - a[0]))
        for xi, yi in zip(x, y)
    ]
    return int(np.argmax(distances)) + 1


@pytest.mark.parametrize("loader", [load_iris, load_wine])
@pytest.mark.parametrize("standardize", [False, True])
def test_selection_rules_against_hand_computation(loader, standardize):
    X, _ = loader(return_X_y=True)
    eig = _hand_eigenvalues(X, standardize)
    for fraction in (0.5, 0.7, 0.8, 0.95, 0.99):
        pca = PCA(n_components=fraction, standardize=standardize).fit(X)
        assert pca.n_components_ == _hand_fraction_rule(eig, fraction)
        assert pca.explained_variance_ratio_.sum() >= fraction
        assert pca.explained_variance_ratio_[:-1].sum() < fraction
    kaiser = PCA(n_components="kaiser", standardize=standardize).fit(X)
    threshold = 1.0 if standardize else np.trace(np.cov(X.T)) / X.shape[1]
    assert kaiser.n_components_ == max(1, np.sum(eig > threshold))
    scree = PCA(n_components="scree", standardize=standardize).fit(X)
    assert scree.n_components_ == _hand_scree(eig)
    assert PCA(n_components=None).fit(X).n_components_ == X.shape[1]
    assert PCA(n_components=2).fit(X).n_components_ == 2


def test_known_selections_on_wine(wine):
    X, _ = wine
    # Correlation eigenvalues of wine: 4.71, 2.50, 1.45, 0.92, ...
    assert PCA(n_components=0.7, standardize=True).fit(X).n_components_ == 4
    assert PCA(n_components="kaiser", standardize=True).fit(X).n_components_ == 3


def test_fraction_one_keeps_what_is_needed(iris):
    X, _ = iris
    assert PCA(n_components=1.0).fit(X).n_components_ == 4
    # Rank-2 data: the cumulative contribution reaches 1 after two components
    # up to rounding, so 1.0 keeps two, not four.
    rng = np.random.default_rng(0)
    X2 = rng.standard_normal((50, 2)) @ rng.standard_normal((2, 4))
    assert PCA(n_components=1.0).fit(X2).n_components_ == 2


def test_fraction_at_an_exact_cumulative_value():
    # Eigenvalues 6, 3, 1 in closed form: 0.9 is reached exactly by two.
    X = np.diag(np.sqrt([6.0, 3.0, 1.0]) * np.sqrt(2.0))
    X = np.vstack([X, -X])
    pca = PCA(n_components=0.9).fit(X)
    assert_allclose(pca.eigenvalues_[:3], [6.0 * 4 / 5, 3.0 * 4 / 5, 1.0 * 4 / 5])
    assert pca.n_components_ == 2


def test_int_larger_than_rank_bound_raises(iris):
    X, _ = iris
    with pytest.raises(ValueError, match="n_components=5 must be between 0 and"):
        PCA(n_components=5).fit(X)


# --------------------------------------------------------------- reconstruction


@pytest.mark.parametrize("standardize", [False, True])
@pytest.mark.parametrize("whiten", [False, True])
@pytest.mark.parametrize("shape", [(120, 8), (10, 40)])
def test_inverse_transform_with_all_components_reconstructs(standardize, whiten, shape):
    rng = np.random.default_rng(0)
    X = rng.standard_normal(shape) * rng.uniform(0.5, 5.0, shape[1]) + 3.0
    pca = PCA(n_components=None, standardize=standardize, whiten=whiten).fit(X)
    assert_allclose(pca.inverse_transform(pca.transform(X)), X, atol=1e-8)


def test_truncated_reconstruction_is_the_best_rank_k(wine):
    X, _ = wine
    Xc = X - X.mean(axis=0)
    U, s, Vt = np.linalg.svd(Xc, full_matrices=False)
    best = (U[:, :2] * s[:2]) @ Vt[:2] + X.mean(axis=0)
    pca = PCA(n_components=2).fit(X)
    assert_allclose(pca.inverse_transform(pca.transform(X)), best, atol=1e-6)


def test_whitened_scores_have_unit_variance(wine):
    X, _ = wine
    T = PCA(n_components=3, whiten=True).fit_transform(X)
    assert_allclose(T.var(axis=0, ddof=1), 1.0, rtol=1e-8)


# ------------------------------------------------------------ contribution table


def test_contribution_table(wine):
    X, _ = wine
    pca = PCA(n_components=0.7, standardize=True).fit(X)
    table = pca.contribution_table()
    assert isinstance(table, ContributionTable)
    eig = _hand_eigenvalues(X, True)
    assert_allclose(table.eigenvalues, eig, rtol=1e-10)
    assert_allclose(table.percent, 100 * eig / eig.sum(), rtol=1e-10)
    assert_allclose(table.cumulative_percent, np.cumsum(100 * eig / eig.sum()))
    assert_allclose(table.cumulative_percent[-1], 100.0)
    assert table.n_components == 4
    with pytest.raises(ValueError):
        table.eigenvalues[0] = 0.0
    text = str(table)
    lines = text.splitlines()
    assert "eigenvalue" in lines[0] and "cumulative %" in lines[0]
    assert lines[1].split()[:4] == ["1", f"{eig[0]:.4f}", "36.20", "36.20"]
    assert sum(line.endswith("*") for line in lines) == 4
    assert len({len(line.rstrip(" *")) for line in lines[1:14]}) == 1  # aligned
    short = table.to_string(max_rows=2)
    assert "11 more components" in short


# ------------------------------------------------------------ sklearn machinery


def test_feature_names_out(wine):
    X, _ = wine
    pca = PCA(n_components=3).fit(X)
    assert_array_equal(pca.get_feature_names_out(), ["pca0", "pca1", "pca2"])


def test_pipeline_grid_search_on_wine(wine):
    X, y = wine
    pipe = make_pipeline(PCA(0.7, standardize=True), LogisticRegression(max_iter=500))
    grid = GridSearchCV(
        pipe, {"pca__n_components": [1, 0.7, "kaiser", "scree"]}, cv=3
    ).fit(X, y)
    assert grid.best_score_ > 0.9
    scores = cross_val_score(pipe, X, y, cv=3)
    assert scores.mean() > 0.9


def test_clone_and_pickle_give_identical_results(wine):
    X, _ = wine
    pca = PCA(n_components="kaiser", standardize=True).fit(X)
    again = clone(pca).fit(X)
    restored = pickle.loads(pickle.dumps(pca))
    assert_array_equal(again.transform(X), pca.transform(X))
    assert_array_equal(restored.transform(X), pca.transform(X))


def _correlated(n_samples=50, n_features=4, seed=0):
    rng = np.random.RandomState(seed)
    return rng.randn(n_samples, n_features) @ rng.randn(n_features, n_features)


@pytest.mark.parametrize(
    "dtype, factor", [(np.float64, 1e-170), (np.float64, 1e-300), (np.float32, 1e-25)]
)
def test_data_whose_squares_underflow_are_refused(dtype, factor):
    # Squares below the smallest normal number lose their digits (below the
    # smallest subnormal they are zero, every feature looking constant): a
    # clear error instead of a silently wrong model.
    tiny = _correlated().astype(dtype) * dtype(factor)
    for standardize in (False, True):
        with pytest.raises(ValueError, match="underflow.*[Ss]cale the data"):
            PCA(None, standardize=standardize).fit(tiny)


@pytest.mark.parametrize("dtype, factor", [(np.float64, 1e-100), (np.float32, 1e-8)])
def test_small_data_within_the_range_of_the_dtype_are_right(dtype, factor):
    Z = _correlated().astype(dtype)
    tiny = Z * dtype(factor)
    ref = PCA(None, standardize=True).fit(Z)
    pca = PCA(None, standardize=True).fit(tiny)
    rtol = 1e-4 if dtype == np.float32 else 1e-10
    assert_allclose(pca.eigenvalues_, ref.eigenvalues_, rtol=rtol)
    assert_allclose(pca.scale_ / dtype(factor), ref.scale_, rtol=rtol)
    assert_allclose(pca.transform(tiny), ref.transform(Z), rtol=rtol, atol=rtol)
    whitened = PCA(2, whiten=True).fit(tiny).transform(tiny)
    assert_allclose(whitened.std(axis=0, ddof=1), 1.0, rtol=rtol)


def test_a_failed_fit_leaves_the_previous_model_and_its_statistics():
    # The statistics of the refused data were kept, and the next partial_fit
    # merged them into a model that had never seen them.
    rng = np.random.RandomState(0)
    A, B, C = rng.randn(50, 4), rng.randn(50, 4) * 10 + 100, rng.randn(50, 4)
    pca = PCA(2).fit(A)
    before = pca.components_.copy()
    with pytest.raises(ValueError, match="n_components=5 must be between 0 and"):
        pca.set_params(n_components=5).fit(B)
    assert_array_equal(pca.components_, before)
    pca.set_params(n_components=2).partial_fit(C)
    ref = PCA(2).fit(np.r_[A, C])
    assert_allclose(pca.mean_, ref.mean_, rtol=1e-12)
    assert_allclose(pca.eigenvalues_, ref.eigenvalues_, rtol=1e-12)


# ---------------------------------------------------- probabilistic PCA score


@pytest.mark.parametrize("svd_solver", ["full", "randomized"])
@pytest.mark.parametrize("n_components", [1, 3, 5, 13])
def test_probabilistic_model_is_scikit_learns(wine, n_components, svd_solver):
    X, _ = wine
    ours = PCA(n_components, svd_solver=svd_solver, random_state=0).fit(X)
    ref = SklearnPCA(n_components, svd_solver=svd_solver, random_state=0).fit(X)
    assert_allclose(ours.noise_variance_, ref.noise_variance_, rtol=1e-7, atol=0)
    scale = np.abs(ref.get_covariance()).max()
    assert_allclose(ours.get_covariance(), ref.get_covariance(), atol=1e-12 * scale)
    precision = ref.get_precision()
    assert_allclose(
        ours.get_precision(), precision, atol=1e-7 * np.abs(precision).max()
    )
    X_new = X[::3] * 1.01
    assert_allclose(ours.score_samples(X_new), ref.score_samples(X_new), rtol=1e-7)
    assert_allclose(ours.score(X_new), ref.score(X_new), rtol=1e-9)


def test_probabilistic_model_of_wide_data_and_the_gaussian_density():
    from scipy.stats import multivariate_normal

    X = np.random.RandomState(0).randn(30, 60)
    for n_components in (1, 5, 13):
        ours = PCA(n_components).fit(X)
        ref = SklearnPCA(n_components).fit(X)
        assert_allclose(ours.noise_variance_, ref.noise_variance_, rtol=1e-10)
        assert_allclose(ours.score_samples(X), ref.score_samples(X), rtol=1e-10)
        density = multivariate_normal(ours.mean_, ours.get_covariance())
        assert_allclose(ours.score_samples(X), density.logpdf(X), rtol=1e-10)
        assert_allclose(
            ours.get_precision() @ ours.get_covariance(), np.eye(60), atol=1e-10
        )


def test_standardized_score_is_the_likelihood_of_the_raw_data(wine):
    # The density of X: that of the standardized data (scikit-learn's PCA on
    # them) minus the log-Jacobian sum(log(scale_)).
    X, _ = wine
    std = X.std(axis=0, ddof=1)
    Z = (X - X.mean(axis=0)) / std
    pca = PCA(4, standardize=True).fit(X)
    ref = SklearnPCA(4).fit(Z)
    assert_allclose(
        pca.score_samples(X), ref.score_samples(Z) - np.log(std).sum(), rtol=1e-10
    )
    cov = pca.get_covariance()
    assert_allclose(cov, ref.get_covariance() * np.outer(std, std), rtol=1e-10)
    assert_allclose(pca.get_precision() @ cov, np.eye(13), atol=1e-10)
    # Scale-equivariant: data times 1e-100 only shift the log-density by the
    # log-Jacobian; times 1e-170 (variances 1e-340, below float64) are refused.
    for standardize in (False, True):
        ref = PCA(4, standardize=standardize).fit(X)
        tiny = PCA(4, standardize=standardize).fit(X * 1e-100)
        assert_allclose(
            tiny.score_samples(X * 1e-100) + 13 * np.log(1e-100),
            ref.score_samples(X),
            rtol=1e-10,
        )
        with pytest.raises(ValueError, match="underflow"):
            PCA(4, standardize=standardize).fit(X * 1e-170)


def test_grid_search_over_n_components_by_likelihood(wine):
    X, _ = wine
    grid = {"n_components": [1, 2, 3, 5]}
    ours = GridSearchCV(PCA(), grid, cv=3).fit(X)
    ref = GridSearchCV(SklearnPCA(), grid, cv=3).fit(X)
    assert ours.best_params_ == ref.best_params_
    assert_allclose(
        ours.cv_results_["mean_test_score"],
        ref.cv_results_["mean_test_score"],
        rtol=1e-9,
    )


def test_singular_probabilistic_model_has_no_density():
    X = np.random.RandomState(0).randn(5, 8)
    pca = PCA(None).fit(X)  # every axis of 5 samples in 8 dimensions
    assert pca.noise_variance_ == 0.0
    with pytest.raises(ValueError, match="singular covariance"):
        pca.score(X)


# ------------------------------------------------------------ randomized solver


def _low_rank(n_samples=300, n_features=120, rank=15, seed=0):
    # A decaying spectrum, on which the randomized solver converges.
    rng = np.random.default_rng(seed)
    scores = rng.standard_normal((n_samples, rank)) * np.geomspace(10, 1, rank)
    X = scores @ rng.standard_normal((rank, n_features))
    return X + 0.01 * rng.standard_normal((n_samples, n_features)) + 3.0


@pytest.mark.parametrize("standardize", [False, True])
@pytest.mark.parametrize("n_components", [4, 0.9, 0.999, "kaiser"])
def test_randomized_solver_agrees_with_full(n_components, standardize):
    X = _low_rank()
    full = PCA(n_components, standardize=standardize, svd_solver="full").fit(X)
    rand = PCA(
        n_components, standardize=standardize, svd_solver="randomized",
        random_state=0,
    ).fit(X)
    # The rules select from the trace: the same number of components.
    assert rand.n_components_ == full.n_components_
    k = full.n_components_
    assert_allclose(
        rand.explained_variance_, full.explained_variance_,
        atol=1e-9 * full.explained_variance_[0],
    )
    assert_allclose(
        rand.explained_variance_ratio_, full.explained_variance_ratio_, atol=1e-11
    )
    assert_allclose(rand.components_, full.components_, atol=1e-5)
    assert_allclose(np.abs(rand.transform(X)), np.abs(full.transform(X)), atol=1e-4)
    # The contribution table divides by the trace, not by the computed ones.
    assert len(rand.eigenvalues_) >= k
    assert_allclose(
        rand.contribution_table().percent[:k],
        full.contribution_table().percent[:k],
        atol=1e-9,
    )


@pytest.mark.parametrize("n_components", ["scree", None])
def test_randomized_solver_rules_needing_every_eigenvalue_are_full(n_components):
    X = _low_rank()
    full = PCA(n_components, svd_solver="full").fit(X)
    rand = PCA(n_components, svd_solver="randomized", random_state=0).fit(X)
    assert_array_equal(rand.eigenvalues_, full.eigenvalues_)
    assert_array_equal(rand.components_, full.components_)


@pytest.mark.parametrize("n_components", [0.5, "kaiser"])
def test_randomized_solver_rules_stay_exact_on_a_flat_spectrum(n_components):
    # A slowly varying spectrum, on which the sketch's eigenvalues fall short:
    # decided on them, "kaiser" kept 244 components of 600 x 700 where the exact
    # rule keeps 245. The bounds do not settle the rule, so the exact
    # decomposition decides it.
    rng = np.random.default_rng(0)
    X = rng.standard_normal((300, 350)) * np.linspace(1, 3, 350)
    full = PCA(n_components, svd_solver="full").fit(X)
    rand = PCA(n_components, svd_solver="randomized", random_state=0).fit(X)
    assert rand.n_components_ == full.n_components_
    assert_allclose(rand.explained_variance_ratio_, full.explained_variance_ratio_)


def test_certified_rule_decisions_from_eigenvalue_bounds():
    from sklearn_lecture.decomposition._pca import _certified

    lower = np.array([5.0, 3.0, 0.9, 0.5])
    # Kaiser with a trace of 10 over 10 features: the mean eigenvalue is 1. The
    # first two are above it (their lower bounds are); the third's upper bound
    # (sqrt(0.9) + sqrt(missed))**2 is below it only when little is missed.
    assert _certified("kaiser", lower, 1e-6, 10.0, 10)
    assert not _certified("kaiser", lower, 0.1, 10.0, 10)
    # A fraction of 0.75 of a trace of 10, reached at k=2 by the lower bounds
    # (7.6 >= 7.5); exact only if the first alone cannot reach it: its upper
    # bound (sqrt(7) + sqrt(missed))**2 is below 7.5 only when little is missed.
    lower = np.array([7.0, 0.6, 0.1, 0.05])
    assert _certified(0.75, lower, 1e-6, 10.0, 10)
    assert not _certified(0.75, lower, 0.1, 10.0, 10)
    # The trace bounds the first too: 10 - (1.2 + 0.1 + 0.05) is below 9.5.
    assert _certified(0.95, np.array([8.5, 1.2, 0.1, 0.05]), 1.0, 10.0, 10)
    # Not reached among those computed: compute more.
    assert not _certified(0.99, lower, 1e-6, 10.0, 10)
    assert _certified(3, lower, 1.0, 10.0, 10)


def test_randomized_solver_grows_to_the_full_decomposition():
    # 95 % of the variance of white noise needs most of its 120 axes: beyond
    # 80 % of the rank the full decomposition is cheaper, and exact.
    X = np.random.default_rng(0).standard_normal((300, 120))
    full = PCA(0.95, svd_solver="full").fit(X)
    rand = PCA(0.95, svd_solver="randomized", random_state=0).fit(X)
    assert full.n_components_ > 80
    assert_array_equal(rand.components_, full.components_)


def test_randomized_solver_is_reproducible_and_uses_random_state():
    X = _low_rank()
    a = PCA(3, svd_solver="randomized", random_state=0).fit(X).components_
    b = PCA(3, svd_solver="randomized", random_state=0).fit(X).components_
    c = PCA(3, svd_solver="randomized", random_state=1).fit(X).components_
    assert_array_equal(a, b)
    assert not np.array_equal(a, c)
    assert_allclose(a, c, atol=1e-5)


@pytest.mark.parametrize(
    "shape, n_components, solver",
    [
        ((600, 550), 10, "randomized"),
        ((700, 1200), 10, "randomized"),
        # The exact path is cheap enough here.
        ((400, 700), 10, "full"),
        ((600, 550), 0.9, "full"),
        ((600, 550), "kaiser", "full"),
        ((600, 550), 500, "full"),
        ((300, 200), 10, "full"),
        ((6000, 60), 10, "full"),
    ],
)
def test_auto_solver_choice(shape, n_components, solver):
    X = _low_rank(*shape)
    auto = PCA(n_components, random_state=0).fit(X)
    chosen = PCA(n_components, svd_solver=solver, random_state=0).fit(X)
    assert_array_equal(auto.components_, chosen.components_)
    assert_array_equal(auto.eigenvalues_, chosen.eigenvalues_)


def test_randomized_solver_has_no_partial_fit():
    assert not hasattr(PCA(svd_solver="randomized"), "partial_fit")
    assert hasattr(PCA(), "partial_fit")


def test_randomized_solver_float32():
    X = _low_rank().astype(np.float32)
    rand = PCA(4, svd_solver="randomized", random_state=0).fit(X)
    full = PCA(4, svd_solver="full").fit(X)
    assert rand.components_.dtype == np.float32
    assert_allclose(rand.explained_variance_, full.explained_variance_, rtol=1e-4)


# -------------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    "X, match",
    [
        (np.array([[1.0, np.nan], [2.0, 3.0]]), "NaN"),
        (np.array([[1.0, np.inf], [2.0, 3.0]]), "infinity"),
        (np.empty((0, 3)), "0 sample"),
        (np.ones((1, 3)), "1 sample"),
        (np.ones((4, 3, 2)), "3"),
        (np.array([[1e308, 1.0], [1e308, 2.0]]), "overflow"),
    ],
)
def test_bad_training_input(X, match):
    with pytest.raises(ValueError, match=match):
        PCA().fit(X)


@pytest.mark.parametrize(
    "params", [{"n_components": -1}, {"n_components": 1.5}, {"n_components": "foo"},
               {"n_components": -0.2}, {"standardize": "yes"}]
)
def test_invalid_parameters(params, iris):
    X, _ = iris
    with pytest.raises(ValueError, match="n_components|standardize"):
        PCA(**params).fit(X)


def test_wrong_width_at_transform_and_inverse(iris):
    X, _ = iris
    pca = PCA(n_components=2).fit(X)
    with pytest.raises(ValueError, match="features"):
        pca.transform(X[:, :3])
    with pytest.raises(ValueError, match="keeps 2 components"):
        pca.inverse_transform(np.ones((3, 3)))


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize(
    "value, match", [(np.nan, "NaN"), (np.inf, "infinity"), (-np.inf, "infinity")]
)
def test_transform_rejects_non_finite_input(value, match, dtype, wine):
    # The finiteness test rides on the projection: one bad entry anywhere,
    # even in a feature that a component ignores, must still be caught.
    X, _ = wine
    X = X.astype(dtype)
    pca = PCA(n_components=1, standardize=True).fit(np.c_[X, np.ones(len(X))])
    assert pca.components_[0, -1] == 0
    for column in (0, X.shape[1]):
        bad = np.c_[X, np.ones(len(X))].astype(dtype)
        bad[5, column] = value
        with pytest.raises(ValueError, match=match):
            pca.transform(bad)


@pytest.mark.parametrize("n_components", [1, 10])
@pytest.mark.parametrize("value", [np.nan, np.inf, -np.inf])
def test_transform_rejects_non_finite_input_of_either_check(value, n_components):
    # 40 x 60: one component checks within the product, ten apart from it.
    rng = np.random.default_rng(0)
    X = rng.standard_normal((40, 60))
    pca = PCA(n_components).fit(X)
    bad = X.copy()
    bad[3, 59] = value
    with pytest.raises(ValueError, match="NaN|infinity"):
        pca.transform(bad)
    assert_allclose(pca.transform(X), (X - pca.mean_) @ pca.components_.T)


def test_transform_of_finite_rows_whose_sum_overflows():
    # Rows whose sum overflows are finite: projected, not rejected.
    rng = np.random.default_rng(0)
    X = rng.standard_normal((30, 4))
    pca = PCA(n_components=2).fit(X)
    big = np.full((2, 4), 1e308)
    big[:, 1] = -1e308
    expected = (big - pca.mean_) @ pca.components_.T
    assert_allclose(pca.transform(big), expected, rtol=1e-12)


# -------------------------------------------------------------------- display


def test_scree_display(wine):
    pytest.importorskip("matplotlib")
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    X, _ = wine
    pca = PCA(n_components=0.7, standardize=True).fit(X)
    fig, ax = plt.subplots()
    display = ScreeDisplay.from_estimator(pca, ax=ax)
    assert display.ax_ is ax and display.figure_ is fig
    heights = [bar.get_height() for bar in display.bars_]
    assert_allclose(heights, pca.eigenvalues_)
    assert_allclose(
        display.line_.get_ydata(), pca.contribution_table().cumulative_percent
    )
    colors = {tuple(bar.get_facecolor()) for bar in display.bars_[:4]}
    assert len(colors) == 1
    assert tuple(display.bars_[4].get_facecolor()) not in colors
    plt.close(fig)


# ------------------------------------------- scikit-learn's solvers and sparse X


@pytest.mark.parametrize("shape", [(200, 30), (40, 90)])
@pytest.mark.parametrize(
    "svd_solver", ["full", "covariance_eigh", "arpack", "randomized"]
)
def test_every_solver_is_scikit_learns(shape, svd_solver):
    rng = np.random.RandomState(0)
    X = rng.randn(*shape) @ np.diag(np.geomspace(10, 0.1, shape[1])) + 3.0
    params = dict(n_components=5, svd_solver=svd_solver, random_state=0)
    ours, ref = PCA(**params).fit(X), SklearnPCA(**params).fit(X)
    assert_allclose(ours.components_, ref.components_, atol=1e-9)
    # The randomized solver's variances are those of the projections (nearer
    # the exact ones than the sketch's s**2 / (n - 1)).
    rtol = 1e-6 if svd_solver == "randomized" else 1e-9
    for name in ("explained_variance_", "explained_variance_ratio_",
                 "singular_values_", "mean_"):
        assert_allclose(getattr(ours, name), getattr(ref, name), rtol=rtol)
    assert_allclose(ours.transform(X), ref.transform(X), atol=1e-8)
    # The noise variance averages the min(n_samples, n_features) - 5 discarded
    # eigenvalues whatever the solver (scikit-learn's "covariance_eigh" averages
    # n_features - 5 of wide data, zeros included).
    if svd_solver == "covariance_eigh":
        ref = SklearnPCA(5, svd_solver="full").fit(X)
    assert_allclose(ours.noise_variance_, ref.noise_variance_, rtol=rtol)
    assert_allclose(ours.score_samples(X), ref.score_samples(X), rtol=rtol)
    assert ours._fit_svd_solver == svd_solver


@pytest.mark.parametrize("svd_solver", ["arpack", "covariance_eigh"])
@pytest.mark.parametrize("standardize", [False, True])
def test_sparse_input_gives_the_model_of_the_dense(svd_solver, standardize):
    import scipy.sparse as sp

    X = sp.random(300, 40, density=0.2, random_state=0, format="csr") * 5.0
    params = dict(n_components=4, svd_solver=svd_solver, standardize=standardize,
                  random_state=0)
    ours, dense = PCA(**params).fit(X), PCA(**params).fit(X.toarray())
    assert_allclose(ours.components_, dense.components_, atol=1e-10)
    assert_allclose(ours.explained_variance_, dense.explained_variance_, rtol=1e-10)
    assert_allclose(ours.transform(X), dense.transform(X.toarray()), atol=1e-10)
    with pytest.raises(TypeError, match="sparse inputs"):
        PCA(4, svd_solver="randomized").fit(X)


@pytest.mark.parametrize("noise", [1.0, 0.1])
def test_mle_is_minkas_choice_as_in_scikit_learn(noise):
    from sklearn_lecture.utils._rules import minka_dimension

    rng = np.random.RandomState(0)
    X = rng.randn(500, 4) @ rng.randn(4, 20) + noise * rng.randn(500, 20)
    ours = PCA("mle").fit(X)
    assert ours.n_components_ == SklearnPCA("mle").fit(X).n_components_ == 4
    # A rank-one spectrum: the tiny eigenvalues have no evidence.
    assert minka_dimension(np.array([1, 1e-30, 1e-30, 1e-30]), 10) == 1
    with pytest.raises(ValueError, match="n_samples >= n_features"):
        PCA("mle").fit(X[:10])


@pytest.mark.parametrize("whiten", [False, True])
def test_no_component_and_whitened_models_score_as_scikit_learns(wine, whiten):
    X, _ = wine
    for n_components in (0, 3):
        ours = PCA(n_components, whiten=whiten).fit(X)
        ref = SklearnPCA(n_components, whiten=whiten).fit(X)
        assert ours.components_.shape == ref.components_.shape
        assert_allclose(ours.get_covariance(), ref.get_covariance(), rtol=1e-9)
        assert_allclose(ours.score(X), ref.score(X), rtol=1e-7)


def test_default_keeps_every_component_as_scikit_learn(iris):
    X, _ = load_digits(return_X_y=True)
    assert PCA().fit(X).n_components_ == SklearnPCA().fit(X).n_components_ == 64
    assert PCA(0.7).fit(X).n_components_ == 9


# ------------------------------------------------------------- IncrementalPCA


def test_incremental_pca_is_the_pca_of_all_the_rows():
    from sklearn.decomposition import IncrementalPCA as SklearnIncrementalPCA

    from sklearn_lecture import IncrementalPCA

    X, _ = load_digits(return_X_y=True)
    ipca = IncrementalPCA(n_components=10, batch_size=300).fit(X)
    full = PCA(10, svd_solver="covariance_eigh").fit(X)
    assert ipca.batch_size_ == 300 and ipca.n_samples_seen_ == len(X)
    assert_allclose(ipca.components_, full.components_, atol=1e-10)
    assert_allclose(ipca.singular_values_, full.singular_values_, rtol=1e-12)
    assert_allclose(ipca.var_, X.var(axis=0), atol=1e-10)
    # Keeping every component, scikit-learn's incremental SVD is exact too.
    X = X[:, X.std(axis=0) > 0]
    ours = IncrementalPCA(batch_size=300).fit(X)
    ref = SklearnIncrementalPCA(batch_size=300).fit(X)
    assert_allclose(ours.explained_variance_, ref.explained_variance_, rtol=1e-8)
    assert_allclose(np.abs(ours.transform(X)), np.abs(ref.transform(X)), atol=1e-6)


def test_incremental_pca_n_components_may_change():
    from sklearn_lecture import IncrementalPCA

    rng = np.random.RandomState(0)
    X = rng.randn(300, 20)
    ipca = IncrementalPCA(n_components=10).partial_fit(X[:100])
    ipca.set_params(n_components=15).partial_fit(X[100:])
    assert_allclose(ipca.components_, PCA(15).fit(X).components_, atol=1e-10)
    with pytest.raises(TypeError, match="does not support sparse"):
        import scipy.sparse as sp

        IncrementalPCA().partial_fit(sp.csr_array(X))
