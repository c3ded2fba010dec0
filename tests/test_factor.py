"""CommonFactorAnalysis against factor_analyzer, scikit-learn and closed forms."""

import pickle
import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose
from scipy.optimize import linear_sum_assignment
from sklearn.base import clone
from sklearn.datasets import load_breast_cancer, load_diabetes, load_wine
from sklearn.decomposition import FactorAnalysis
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_lecture import PCA, ScreeDisplay
from sklearn_lecture.decomposition import (
    CommonFactorAnalysis,
    FactorTable,
    HeywoodWarning,
    bartlett_sphericity,
    kmo,
)
from sklearn_lecture.decomposition._factor import (
    _MIN_UNIQUENESS,
    _degrees_of_freedom,
    _max_identified_factors,
    _parallel_reference,
)
from sklearn_lecture.decomposition._rotation import rotate, varimax_criterion


@pytest.fixture
def fa_module(monkeypatch):
    """factor_analyzer with its removed check_array argument mapped to the new one.

    factor_analyzer 0.5.1 calls ``check_array(force_all_finite=...)``, which
    scikit-learn 1.8 renamed ``ensure_all_finite`` and 1.9 removed.
    """
    pytest.importorskip("factor_analyzer")
    import factor_analyzer.factor_analyzer as module
    from sklearn.utils import check_array

    def patched(*args, force_all_finite=True, **kwargs):
        return check_array(*args, ensure_all_finite=force_all_finite, **kwargs)

    monkeypatch.setattr(module, "check_array", patched)
    return module


@pytest.fixture(scope="module")
def wine():
    return load_wine(return_X_y=True)


def _align(reference, other):
    """Permute and flip the columns of ``other`` to match ``reference``."""
    _, columns = linear_sum_assignment(-np.abs(reference.T @ other))
    other = other[:, columns]
    return other * np.sign(np.sum(reference * other, axis=0))


def _three_factor_data(n_samples=500, seed=0):
    """Twelve variables, four on each of three independent factors."""
    rng = np.random.default_rng(seed)
    loadings = np.zeros((12, 3))
    for j in range(3):
        loadings[4 * j : 4 * j + 4, j] = rng.uniform(0.6, 0.8, 4)
    factors = rng.standard_normal((n_samples, 3))
    noise = rng.standard_normal((n_samples, 12)) * np.sqrt(
        1 - (loadings**2).sum(axis=1)
    )
    return factors @ loadings.T + noise, loadings


# The common checks of every method, rotation and score variant run in
# tests/test_common.py (its VARIANTS table).


# ------------------------------------------------------ factor_analyzer refs


@pytest.mark.parametrize("method", ["minres", "ml"])
@pytest.mark.parametrize("rotation", [None, "varimax", "promax"])
@pytest.mark.parametrize("n_factors", [2, 3])
def test_loadings_match_factor_analyzer(fa_module, wine, method, rotation, n_factors):
    X, _ = wine
    ours = CommonFactorAnalysis(n_factors, method=method, rotation=rotation).fit(X)
    ref = fa_module.FactorAnalyzer(
        n_factors=n_factors, method=method, rotation=None
    ).fit(X)
    expected = ref.loadings_
    if rotation is not None:
        # factor_analyzer's own varimax stops at a relative gain of 1e-5, short
        # of the optimum: rotate its loadings at convergence instead.
        expected = fa_module.Rotator(
            method=rotation, tol=1e-13, max_iter=100_000
        ).fit_transform(expected)
    assert_allclose(ours.loadings_, _align(ours.loadings_, expected), atol=1e-4)
    assert_allclose(ours.communalities_, ref.get_communalities(), atol=1e-4)
    assert_allclose(ours.uniquenesses_, ref.get_uniquenesses(), atol=1e-4)


@pytest.mark.parametrize("rotation", ["varimax", "quartimax", "promax", "oblimin"])
def test_rotations_match_factor_analyzer_at_convergence(fa_module, wine, rotation):
    X, _ = wine
    unrotated = CommonFactorAnalysis(3, method="minres", rotation=None).fit(X)
    ours = CommonFactorAnalysis(3, method="minres", rotation=rotation).fit(X)
    # Its gradient-projection rotations stall near 1e-8 (the line search meets
    # the rounding of the criterion), so they are asked for 1e-7.
    tol = 1e-13 if rotation in ("varimax", "promax") else 1e-7
    rotator = fa_module.Rotator(method=rotation, tol=tol, max_iter=10_000)
    expected = rotator.fit_transform(unrotated.loadings_)
    assert_allclose(ours.loadings_, _align(ours.loadings_, expected), atol=1e-6)
    if rotation in ("promax", "oblimin"):
        _, columns = linear_sum_assignment(-np.abs(ours.loadings_.T @ expected))
        signs = np.sign(np.sum(ours.loadings_ * expected[:, columns], axis=0))
        phi = rotator.phi_[np.ix_(columns, columns)] * np.outer(signs, signs)
        assert_allclose(ours.factor_correlation_, phi, atol=1e-6)


def test_regression_scores_match_factor_analyzer(fa_module, wine):
    X, _ = wine
    n_samples = X.shape[0]
    ours = CommonFactorAnalysis(3, method="minres", rotation=None).fit(X)
    ref = fa_module.FactorAnalyzer(n_factors=3, method="minres", rotation=None).fit(X)
    expected = ref.transform(X)
    _, columns = linear_sum_assignment(-np.abs(ours.loadings_.T @ ref.loadings_))
    signs = np.sign(np.sum(ours.loadings_ * ref.loadings_[:, columns], axis=0))
    # factor_analyzer standardizes with ddof=0, this estimator with ddof=1.
    expected = expected[:, columns] * signs * np.sqrt((n_samples - 1) / n_samples)
    assert_allclose(ours.transform(X), expected, atol=1e-4)


@pytest.mark.parametrize("loader", [load_wine, load_diabetes])
def test_kmo_and_bartlett_match_factor_analyzer(fa_module, loader):
    X, _ = loader(return_X_y=True)
    with warnings.catch_warnings():
        # factor_analyzer takes a pseudo-inverse when det(cov) < 1.2e-7, here
        # only because diabetes' columns are scaled to tiny variances.
        warnings.simplefilter("ignore", UserWarning)
        msa_ref, overall_ref = fa_module.calculate_kmo(X)
    msa, overall = kmo(X)
    assert_allclose(msa, msa_ref, atol=1e-10)
    assert overall == pytest.approx(overall_ref, abs=1e-10)
    statistic, dof, p_value = bartlett_sphericity(X)
    statistic_ref, p_ref = fa_module.calculate_bartlett_sphericity(X)
    n_features = X.shape[1]
    assert statistic == pytest.approx(statistic_ref, rel=1e-10)
    assert dof == n_features * (n_features - 1) // 2
    assert p_value == pytest.approx(p_ref, rel=1e-6, abs=1e-300)


def test_bartlett_accepts_independent_variables():
    rng = np.random.default_rng(0)
    p_values = [
        bartlett_sphericity(rng.standard_normal((200, 5)))[2] for _ in range(40)
    ]
    # Under the null hypothesis the p-values are uniform on [0, 1].
    assert 0.3 < np.mean(p_values) < 0.7
    X, _ = _three_factor_data()
    assert bartlett_sphericity(X)[2] < 1e-100


# --------------------------------------------------- scikit-learn / closed form


@pytest.mark.parametrize("n_factors", [1, 2, 3])
def test_ml_implied_correlation_matches_sklearn(wine, n_factors):
    X, _ = wine
    ours = CommonFactorAnalysis(
        n_factors, method="ml", rotation=None, tol=1e-8, max_iter=1000
    ).fit(X)
    # Standardized with ddof=0 the 1/n covariance scikit-learn fits is exactly
    # the correlation matrix.
    ref = FactorAnalysis(
        n_factors, tol=1e-12, max_iter=100_000, svd_method="lapack"
    ).fit(StandardScaler().fit_transform(X))
    implied = ours.loadings_ @ ours.loadings_.T + np.diag(ours.uniquenesses_)
    implied_ref = ref.components_.T @ ref.components_ + np.diag(ref.noise_variance_)
    assert_allclose(implied, implied_ref, atol=1e-5)
    assert_allclose(ours.uniquenesses_, ref.noise_variance_, atol=1e-4)


def test_principal_axis_is_at_its_fixed_point(wine):
    X, _ = wine
    fa = CommonFactorAnalysis(3, rotation=None, tol=1e-10, max_iter=1000).fit(X)
    reduced = np.corrcoef(X.T)
    np.fill_diagonal(reduced, fa.communalities_)
    values, vectors = np.linalg.eigh(reduced)
    loadings = vectors[:, -3:] * np.sqrt(values[-3:])
    assert_allclose((loadings**2).sum(axis=1), fa.communalities_, atol=1e-9)
    assert_allclose(np.abs(fa.loadings_), np.abs(loadings[:, ::-1]), atol=1e-8)
    assert_allclose(fa.uniquenesses_, 1 - fa.communalities_, atol=1e-12)


def test_accelerated_principal_axis_reaches_the_plain_iteration(wine):
    X, _ = wine
    fa = CommonFactorAnalysis(3, rotation=None, tol=1e-11, max_iter=1000).fit(X)
    R = np.corrcoef(X.T)
    h = 1 - 1 / np.diag(np.linalg.inv(R))
    for _ in range(3000):
        reduced = R.copy()
        np.fill_diagonal(reduced, h)
        values, vectors = np.linalg.eigh(reduced)
        h = ((vectors[:, -3:] * np.sqrt(values[-3:])) ** 2).sum(axis=1)
    assert_allclose(fa.communalities_, h, atol=1e-9)
    # Hundreds of plain steps, a few dozen eigendecompositions accelerated.
    assert fa.n_iter_ < 100


def test_principal_axis_and_minres_share_the_optimum(wine):
    # The fixed point of principal axes makes the diagonal residual vanish,
    # which is the minres stationarity condition.
    X, _ = wine
    paf = CommonFactorAnalysis(3, rotation="varimax", tol=1e-10).fit(X)
    minres = CommonFactorAnalysis(3, method="minres", rotation="varimax", tol=1e-8)
    assert_allclose(paf.loadings_, minres.fit(X).loadings_, atol=1e-7)


def test_varimax_maximises_its_criterion(wine):
    X, _ = wine
    fa = CommonFactorAnalysis(3, method="minres", rotation="varimax").fit(X)
    base = varimax_criterion(fa.loadings_)
    unrotated = CommonFactorAnalysis(3, method="minres", rotation=None).fit(X)
    assert base > varimax_criterion(unrotated.loadings_)
    for i in range(3):
        for j in range(i + 1, 3):
            for angle in (-1e-2, -1e-3, 1e-3, 1e-2):
                givens = np.eye(3)
                c, s = np.cos(angle), np.sin(angle)
                givens[[i, j, i, j], [i, j, j, i]] = [c, c, -s, s]
                assert varimax_criterion(fa.loadings_ @ givens) < base


def test_varimax_recovers_a_rotated_simple_structure():
    # The textbook case: a perfect simple structure maximises varimax, so from
    # any rotation of it varimax returns it (up to order and sign).
    rng = np.random.default_rng(0)
    simple = np.zeros((9, 3))
    simple[np.arange(9), np.repeat([0, 1, 2], 3)] = rng.uniform(0.5, 0.9, 9)
    q, _ = np.linalg.qr(rng.standard_normal((3, 3)))
    rotated, rotation, phi, converged = rotate(simple @ q, "varimax")
    assert converged and phi is None
    assert_allclose(rotation.T @ rotation, np.eye(3), atol=1e-12)
    assert_allclose(_align(simple, rotated), simple, atol=1e-6)


@pytest.mark.parametrize(
    "rotation", [None, "varimax", "quartimax", "promax", "oblimin"]
)
def test_rotation_keeps_the_common_part(wine, rotation):
    X, _ = wine
    unrotated = CommonFactorAnalysis(3, rotation=None).fit(X).loadings_
    fa = CommonFactorAnalysis(3, rotation=rotation).fit(X)
    assert_allclose(fa.loadings_, unrotated @ fa.rotation_matrix_, atol=1e-10)
    phi = np.eye(3) if fa.factor_correlation_ is None else fa.factor_correlation_
    assert_allclose(
        fa.loadings_ @ phi @ fa.loadings_.T, unrotated @ unrotated.T, atol=1e-10
    )
    assert_allclose(fa.explained_variance_.sum(), fa.communalities_.sum())
    assert np.all(np.diff(fa.explained_variance_) <= 0)
    assert np.all(fa.loadings_.sum(axis=0) > 0)
    assert_allclose(fa.components_, fa.loadings_.T)
    if rotation in ("promax", "oblimin"):
        assert_allclose(fa.structure_, fa.loadings_ @ phi)
        assert_allclose(np.diag(phi), 1.0)
    else:
        assert fa.structure_ is None and fa.factor_correlation_ is None


def test_bartlett_scores_recover_noise_free_factors(wine):
    X, _ = wine
    fa = CommonFactorAnalysis(3, rotation="promax", scores="bartlett").fit(X)
    rng = np.random.default_rng(0)
    factors = rng.standard_normal((50, 3))
    # x = mean + scale * (Λ f): Bartlett's estimator is unbiased given f, and
    # exact without the unique parts.
    X_new = fa.mean_ + (factors @ fa.loadings_.T) * fa.scale_
    assert_allclose(fa.transform(X_new), factors, atol=1e-10)


def test_standardize_false_fits_the_covariance():
    X, _ = _three_factor_data()
    scale = np.array([1.0, 2.0, 5.0, 0.5] * 3)
    # Maximum likelihood is scale-equivariant: the covariance loadings are the
    # correlation loadings times the standard deviations (Kaiser-normalised
    # varimax is scale-free too; only the order of the factors, by explained
    # variance, may change). Maximum likelihood fits the covariance of divisor n.
    on_corr = CommonFactorAnalysis(3, method="ml").fit(X * scale)
    on_cov = CommonFactorAnalysis(3, method="ml", standardize=False).fit(X * scale)
    std = (X * scale).std(axis=0, ddof=0)
    expected = on_corr.loadings_ * std[:, None]
    assert_allclose(_align(expected, on_cov.loadings_), expected, atol=1e-5)
    assert_allclose(on_cov.uniquenesses_, on_corr.uniquenesses_ * std**2, rtol=1e-4)
    assert on_cov.scale_ is None
    assert_allclose(on_cov.eigenvalues_, on_corr.eigenvalues_)
    # Unit-variance columns make both matrices equal, for every method.
    Z = StandardScaler().fit_transform(X) * np.sqrt((len(X) - 1) / len(X))
    for method in ["principal_axis", "minres"]:
        a = CommonFactorAnalysis(3, method=method).fit(Z)
        b = CommonFactorAnalysis(3, method=method, standardize=False).fit(Z)
        assert_allclose(a.loadings_, b.loadings_, atol=1e-8)
        assert_allclose(a.transform(Z), b.transform(Z), atol=1e-8)


@pytest.mark.parametrize(
    "factor",
    [1e100, 1e-100, np.logspace(-100, 100, 13), 1e170, 1e-170,
     np.logspace(-200, 200, 13)],
    ids=["1e100", "1e-100", "mixed100", "1e170", "1e-170", "mixed"],
)
def test_correlation_analyses_are_scale_free_at_extreme_magnitudes(wine, factor):
    # Squares beyond float64 are a clear error (they looked constant before:
    # "X has constant column(s) [0, ..., 12]"); within it, scale-free.
    X, _ = wine
    big = X * factor
    if np.max(np.abs(np.log10(factor))) > 154:
        for fit in (CommonFactorAnalysis(3).fit, kmo, bartlett_sphericity):
            with pytest.raises(ValueError, match="(overflow|underflow).*[Ss]cale"):
                fit(big)
        return
    ref = CommonFactorAnalysis(3).fit(X)
    cfa = CommonFactorAnalysis(3).fit(big)
    assert_allclose(cfa.loadings_, ref.loadings_, atol=1e-9)
    assert_allclose(cfa.uniquenesses_, ref.uniquenesses_, atol=1e-9)
    assert_allclose(cfa.scale_ / factor, ref.scale_, rtol=1e-12)
    assert_allclose(cfa.mean_ / factor, ref.mean_, rtol=1e-12)
    assert_allclose(cfa.transform(big), ref.transform(X), atol=1e-9)
    assert_allclose(kmo(big)[0], kmo(X)[0], rtol=1e-12)
    assert_allclose(bartlett_sphericity(big)[0], bartlett_sphericity(X)[0], rtol=1e-12)


@pytest.mark.parametrize(
    "method, n_factors", [("minres", 3), ("principal_axis", 2), ("ml", 3)]
)
@pytest.mark.parametrize("factor", [1e-100, 1e100])
def test_standardize_false_is_scale_equivariant(wine, method, n_factors, factor):
    # Covariances of ~1e200 or ~1e-200: minres stopped after one iteration
    # (its objective under- or overflowed), principal_axis overflowed; the
    # loadings were 28 % and 88 % off.
    X, _ = wine
    ref = CommonFactorAnalysis(n_factors, method=method, standardize=False).fit(X)
    cfa = CommonFactorAnalysis(n_factors, method=method, standardize=False)
    cfa.fit(X * factor)
    largest = np.abs(ref.loadings_).max()
    assert_allclose(cfa.loadings_ / factor, ref.loadings_, atol=1e-7 * largest)
    assert_allclose(cfa.components_, cfa.loadings_.T)
    assert_allclose(cfa.uniquenesses_ / factor**2, ref.uniquenesses_, rtol=1e-5)
    assert_allclose(cfa.communalities_ / factor**2, ref.communalities_, rtol=1e-5)
    assert_allclose(
        cfa.explained_variance_ / factor**2, ref.explained_variance_, rtol=1e-6
    )
    assert_allclose(
        cfa.explained_variance_ratio_, ref.explained_variance_ratio_, rtol=1e-5
    )
    assert_allclose(cfa.transform(X * factor), ref.transform(X), atol=1e-6)


def test_covariance_beyond_float64_is_refused_with_standardize_false(wine):
    X, _ = wine
    with pytest.raises(ValueError, match="variances of X overflow"):
        CommonFactorAnalysis(3, standardize=False).fit(X * 1e170)
    # Columns too different in magnitude for one float64 covariance matrix.
    uneven = X * np.r_[1e-170, np.ones(11), 1e170]
    with pytest.raises(ValueError, match="(overflow|underflow).*[Ss]cale"):
        CommonFactorAnalysis(3, standardize=False).fit(uneven)
    # Within float64 the columns are only rescaled: the same model.
    ref = CommonFactorAnalysis(3, method="ml", standardize=False).fit(X)
    big = CommonFactorAnalysis(3, method="ml", standardize=False).fit(X * 2.0**400)
    assert_allclose(big.loadings_ / 2.0**400, ref.loadings_, rtol=1e-12, atol=0)


def test_recovers_generated_loadings():
    X, loadings = _three_factor_data(n_samples=5000)
    for method in ["principal_axis", "minres", "ml"]:
        fa = CommonFactorAnalysis(3, method=method).fit(X)
        assert_allclose(_align(loadings, fa.loadings_), loadings, atol=0.05)


# --------------------------------------------------------- number of factors


def test_kaiser_and_parallel_on_generated_factors():
    X, _ = _three_factor_data()
    assert CommonFactorAnalysis("kaiser").fit(X).n_factors_ == 3
    for seed in range(3):
        fa = CommonFactorAnalysis("parallel", random_state=seed).fit(X)
        assert fa.n_factors_ == 3


def test_parallel_analysis_is_not_fooled_by_noise():
    # Forty independent variables, 100 samples: sampling noise alone pushes
    # a dozen eigenvalues above 1 (Kaiser counts them), while each stays
    # below the 95th percentile of random data with probability about 0.95.
    counts = []
    for seed in range(20):
        X = np.random.default_rng(seed).standard_normal((100, 40))
        fa = CommonFactorAnalysis("parallel", random_state=seed).fit(X)
        assert np.count_nonzero(fa.eigenvalues_ > 1) >= 10
        counts.append(fa.n_factors_)
    assert np.mean(np.array(counts) == 1) >= 0.8
    assert max(counts) <= 3
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", HeywoodWarning)
        kaiser = CommonFactorAnalysis("kaiser", method="minres").fit(X)
    assert kaiser.n_factors_ == np.count_nonzero(fa.eigenvalues_ > 1)


@pytest.mark.parametrize(
    "loader, kaiser, parallel", [(load_wine, 3, 3), (load_breast_cancer, 6, 5)]
)
def test_documented_counts_on_bundled_data(loader, kaiser, parallel):
    X, _ = loader(return_X_y=True)
    corr_eigenvalues = np.linalg.eigvalsh(np.corrcoef(X.T))
    assert np.count_nonzero(corr_eigenvalues > 1) == kaiser
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", HeywoodWarning)
        assert CommonFactorAnalysis("kaiser").fit(X).n_factors_ == kaiser
        fa = CommonFactorAnalysis("parallel", random_state=0).fit(X)
    assert fa.n_factors_ == parallel
    assert np.all(fa.eigenvalues_[:parallel] > fa.parallel_eigenvalues_[:parallel])


@pytest.mark.parametrize("n_samples, n_features", [(60, 8), (6, 10)])
def test_parallel_reference_matches_simulated_data(n_samples, n_features):
    # The Wishart shortcut (n - 1 >= p) and the direct draws (n - 1 < p)
    # against the eigenvalues of correlation matrices of random data.
    rng = np.random.default_rng(1)
    draws = []
    for _ in range(2000):
        Z = rng.standard_normal((n_samples, n_features))
        draws.append(np.linalg.eigvalsh(np.corrcoef(Z.T))[::-1])
    expected = np.percentile(draws, 95, axis=0)
    runs = np.array([
        _parallel_reference(n_samples, n_features, 95, seed) for seed in range(20)
    ])
    assert_allclose(runs.mean(axis=0), expected, rtol=0.03, atol=1e-6)
    assert_allclose(_parallel_reference(n_samples, n_features, 95, 3), runs[3])


def test_float_n_factors_is_pcas_rule(wine):
    X, _ = wine
    for fraction in (0.3, 0.5, 0.6):
        expected = PCA(fraction, standardize=True).fit(X).n_components_
        assert CommonFactorAnalysis(fraction).fit(X).n_factors_ == expected


def test_identifiability_bound():
    # Ledermann's bound: the largest k with ((p - k)^2 - (p + k)) / 2 >= 0.
    for p in range(1, 60):
        k = _max_identified_factors(p)
        assert _degrees_of_freedom(p, k) >= 0 or k == 0
        assert _degrees_of_freedom(p, k + 1) < 0
    assert [_max_identified_factors(p) for p in (3, 4, 5, 6, 10, 13)] == [
        1, 1, 2, 3, 6, 8
    ]


# ------------------------------------------------------------------ bad input


def test_bad_input_errors(wine):
    X, _ = wine
    with pytest.raises(ValueError, match="minimum of 3 is required"):
        CommonFactorAnalysis(1).fit(X[:2])
    with pytest.raises(ValueError, match="n_features=1"):
        CommonFactorAnalysis(1).fit(X[:, :1])
    constant = X.copy()
    constant[:, 4] = 7.0
    with pytest.raises(ValueError, match=r"constant column\(s\) \[4\]"):
        CommonFactorAnalysis().fit(constant)
    with pytest.raises(ValueError, match=r"constant column\(s\) \[4\]"):
        kmo(constant)
    with pytest.warns(UserWarning, match="degrees of freedom.*-3 < 0.*At most 8"):
        CommonFactorAnalysis(9).fit(X)
    with pytest.raises(ValueError, match="n_components=14 factors are more than"):
        CommonFactorAnalysis(14).fit(X)
    with pytest.warns(UserWarning, match="do not identify even one factor"):
        two = CommonFactorAnalysis(1).fit(X[:, :2])
    assert np.all(np.isfinite(two.loadings_))


def test_collinear_columns(wine):
    X, _ = wine
    collinear = np.column_stack([X, 2 * X[:, 0] + 1])
    for method in ["principal_axis", "minres"]:
        for scores in ["regression", "bartlett"]:
            fa = CommonFactorAnalysis(3, method=method, scores=scores).fit(collinear)
            assert np.all(np.isfinite(fa.transform(collinear)))
            assert np.all(fa.uniquenesses_ >= _MIN_UNIQUENESS - 1e-12)
    with pytest.raises(ValueError, match="method='ml' needs a non-singular"):
        CommonFactorAnalysis(3, method="ml").fit(collinear)
    with pytest.warns(UserWarning, match="pseudo-inverse"):
        _, overall = kmo(collinear)
    assert np.isfinite(overall)
    statistic, _, p_value = bartlett_sphericity(collinear)
    assert statistic == np.inf and p_value == 0.0


@pytest.mark.parametrize("method", ["principal_axis", "minres", "ml"])
def test_heywood_case_warns_and_stays_finite(method):
    X, _ = load_diabetes(return_X_y=True)
    with pytest.warns(HeywoodWarning, match=r"variable\(s\) \[\d"):
        fa = CommonFactorAnalysis(3, method=method).fit(X)
    assert np.all(np.isfinite(fa.loadings_))
    assert np.all(np.isfinite(fa.transform(X)))
    assert fa.uniquenesses_.min() == pytest.approx(_MIN_UNIQUENESS, rel=1e-5)


def test_more_samples_needed_than_features_for_ml(wine):
    X, _ = wine
    with pytest.raises(ValueError, match="non-singular"):
        CommonFactorAnalysis(2, method="ml").fit(X[:8])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", HeywoodWarning)
        fa = CommonFactorAnalysis(2, method="minres").fit(X[:8])
    assert np.all(np.isfinite(fa.transform(X)))


# --------------------------------------------------------------- integration


def test_pipeline_grid_search(wine):
    X, y = wine
    pipe = make_pipeline(CommonFactorAnalysis(), LogisticRegression(max_iter=1000))
    grid = GridSearchCV(
        pipe,
        {
            "commonfactoranalysis__n_components": [1, 3],
            "commonfactoranalysis__rotation": [None, "varimax", "promax"],
        },
        cv=3,
    )
    with warnings.catch_warnings():
        # Three factors on a third less of wine: variable 2 is a Heywood case.
        warnings.simplefilter("ignore", HeywoodWarning)
        grid.fit(X, y)
    assert grid.best_params_["commonfactoranalysis__n_components"] == 3
    assert grid.best_score_ > 0.9
    assert grid.predict(X).shape == y.shape


def test_feature_names_table_and_pickle(wine):
    pd = pytest.importorskip("pandas")
    data = load_wine(as_frame=True)
    fa = CommonFactorAnalysis(3, method="minres").fit(data.data)
    assert list(fa.get_feature_names_out()) == [
        "commonfactoranalysis0",
        "commonfactoranalysis1",
        "commonfactoranalysis2",
    ]
    table = fa.factor_table()
    assert isinstance(table, FactorTable)
    assert list(table.feature_names) == list(data.data.columns)
    assert_allclose(table.loadings, fa.loadings_)
    assert_allclose(table.communalities + table.uniquenesses, 1.0, atol=1e-5)
    with pytest.raises(ValueError):
        table.loadings[0, 0] = 1.0
    text = table.to_string(max_rows=None, hide_below=0.3)
    assert "alcohol" in text and "communality" in text and "SS loadings" in text
    assert len(text.splitlines()) == 1 + 13 + 3
    assert text.splitlines()[1].split()[0] == "alcohol"
    out = fa.set_output(transform="pandas").transform(data.data)
    assert isinstance(out, pd.DataFrame)
    restored = pickle.loads(pickle.dumps(fa))
    assert_allclose(restored.transform(data.data), out.to_numpy())


def test_scree_display_shows_kaiser_and_parallel(wine):
    pytest.importorskip("matplotlib")
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    X, _ = wine
    fa = CommonFactorAnalysis("parallel", random_state=0).fit(X)
    display = ScreeDisplay.from_estimator(fa)
    assert len(display.bars_) == 13
    assert_allclose(display.kaiser_line_.get_ydata(), [1.0, 1.0])
    assert_allclose(display.reference_line_.get_ydata(), fa.parallel_eigenvalues_)
    plain = ScreeDisplay.from_estimator(CommonFactorAnalysis(2).fit(X))
    assert plain.reference_line_ is None and plain.kaiser_line_ is not None
    pca = ScreeDisplay.from_estimator(PCA(standardize=True).fit(X))
    assert pca.kaiser_line_ is None and pca.reference_line_ is None
    plt.close("all")


@pytest.mark.parametrize("method", ["principal_axis", "minres", "ml"])
def test_heywood_rows_keep_communality_plus_uniqueness_at_the_variance(method):
    # Diabetes, 2 factors: variable 4 is a Heywood case. minres left loadings
    # whose communality (1.058) exceeded the standardized variance beside the
    # floored uniqueness.
    from sklearn.datasets import load_diabetes

    X = load_diabetes(return_X_y=True)[0]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fa = CommonFactorAnalysis(2, method=method, rotation=None).fit(X)
    assert_allclose(fa.communalities_ + fa.uniquenesses_, 1.0, atol=1e-6)


def test_heywood_warning_names_the_columns_of_a_data_frame():
    pytest.importorskip("pandas")
    from sklearn.datasets import load_iris

    X = load_iris(as_frame=True).data
    with pytest.warns(HeywoodWarning, match=r"\['petal length \(cm\)'\]"):
        CommonFactorAnalysis(n_components=1).fit(X)


# ------------------------------------------- scikit-learn's FactorAnalysis API


@pytest.mark.parametrize("data", ["wine", "three_factor"])
def test_ml_on_the_covariance_is_sklearns_factor_analysis(wine, data):
    # The same maximum of the likelihood: loadings, noise variances, model
    # covariance, log-likelihoods (two factors on wine, where both reach it).
    X = wine[0] if data == "wine" else _three_factor_data()[0] * np.arange(1, 13)
    ours = CommonFactorAnalysis(
        2, method="ml", standardize=False, rotation=None, tol=1e-10, max_iter=10_000
    ).fit(X)
    ref = FactorAnalysis(2, tol=1e-12, max_iter=100_000, svd_method="lapack").fit(X)
    largest = np.abs(ref.components_).max()
    assert_allclose(_align(ref.components_.T, ours.components_.T),
                    ref.components_.T, atol=1e-5 * largest)
    assert_allclose(ours.noise_variance_, ref.noise_variance_,
                    atol=1e-5 * ref.noise_variance_.max())
    assert_allclose(ours.get_covariance(), ref.get_covariance(), rtol=1e-6,
                    atol=1e-7 * np.abs(ref.get_covariance()).max())
    assert_allclose(ours.score_samples(X), ref.score_samples(X), atol=1e-5)
    assert ours.loglike_[-1] == pytest.approx(ref.loglike_[-1], rel=1e-9)


@pytest.mark.parametrize("standardize", [True, False])
@pytest.mark.parametrize("method", ["principal_axis", "minres", "ml"])
def test_score_is_the_normal_log_density_of_x(wine, method, standardize):
    from scipy.stats import multivariate_normal

    X, _ = wine
    fa = CommonFactorAnalysis(3, method=method, standardize=standardize).fit(X)
    cov = fa.get_covariance()
    expected = multivariate_normal(fa.mean_, cov).logpdf(X[:40])
    assert_allclose(fa.score_samples(X[:40]), expected, rtol=1e-10)
    assert fa.score(X[:40]) == pytest.approx(expected.mean(), rel=1e-10)
    assert fa.loglike_[-1] == pytest.approx(fa.score_samples(X).sum(), rel=1e-10)
    assert_allclose(cov @ fa.get_precision(), np.eye(13), atol=1e-8)
    implied = fa.components_.T @ fa.components_ + np.diag(fa.noise_variance_)
    scale = np.ones(13) if fa.scale_ is None else fa.scale_
    assert_allclose(cov, implied * np.outer(scale, scale), rtol=1e-12)
    assert_allclose(fa.noise_variance_, fa.uniquenesses_)


def test_cross_validated_likelihood_and_set_params(wine):
    from sklearn.model_selection import KFold, cross_val_score

    X, _ = wine
    cv = KFold(3, shuffle=True, random_state=0)  # wine is sorted by class
    fa = CommonFactorAnalysis().set_params(n_components=2)
    assert fa.fit(X).n_factors_ == 2
    # The density of X whatever the scale analysed: two factors explain the
    # held-out samples better than independent variables.
    for standardize in (True, False):
        fa.set_params(standardize=standardize)
        scores = cross_val_score(fa, X, cv=cv)
        independent = cross_val_score(clone(fa).set_params(n_components=0), X, cv=cv)
        assert np.all(scores > independent)


def test_n_factors_is_a_deprecated_alias(wine):
    X, _ = wine
    with pytest.warns(FutureWarning, match="n_factors was renamed n_components"):
        old = CommonFactorAnalysis(n_factors=2).fit(X)
    assert old.n_factors_ == 2
    new = CommonFactorAnalysis(n_components=2).fit(X)
    assert_allclose(old.loadings_, new.loadings_)


def test_under_identified_zero_and_all_factors():
    from sklearn.datasets import load_iris

    X = load_iris().data
    with pytest.warns(UserWarning, match="2 factors are more than 4 .*At most 1"):
        fa = CommonFactorAnalysis(2, method="ml").fit(X)
    assert fa.components_.shape == (2, 4) and np.all(np.isfinite(fa.transform(X)))
    none = CommonFactorAnalysis(0).fit(X)
    assert none.components_.shape == (0, 4) and none.transform(X).shape == (150, 0)
    assert_allclose(none.noise_variance_, 1.0)
    assert_allclose(none.get_covariance(), np.diag(X.var(axis=0, ddof=1)))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        full = CommonFactorAnalysis(4, rotation=None).fit(X)
    assert_allclose(full.get_covariance() @ full.get_precision(), np.eye(4), atol=1e-10)
    with pytest.raises(ValueError, match="n_components=5 factors are more than"):
        CommonFactorAnalysis(5).fit(X)


@pytest.mark.parametrize("method", ["principal_axis", "minres", "ml"])
def test_noise_variance_init_starts_the_extraction(wine, method):
    X, _ = wine
    fa = CommonFactorAnalysis(3, method=method, standardize=False, tol=1e-8,
                              max_iter=1000).fit(X)
    again = clone(fa).set_params(noise_variance_init=fa.noise_variance_).fit(X)
    assert again.n_iter_ <= 2 < fa.n_iter_
    assert_allclose(again.loadings_, fa.loadings_, atol=1e-6 * np.abs(X).max())
    for bad in (np.ones(12), -np.ones(13), np.full(13, np.nan)):
        with pytest.raises(ValueError, match="noise_variance_init"):
            clone(fa).set_params(noise_variance_init=bad).fit(X)


def test_sklearn_solver_parameters_leave_the_fit_unchanged(wine):
    X, _ = wine
    ref = CommonFactorAnalysis(3).fit(X)
    for params in ({"svd_method": "randomized", "iterated_power": 7}, {"copy": False}):
        fa = CommonFactorAnalysis(3, **params).fit(X)
        assert_allclose(fa.loadings_, ref.loadings_)


def test_likelihood_on_dask_and_partial_fit_is_that_of_fit(wine):
    da = pytest.importorskip("dask.array")
    X, _ = wine
    ref = CommonFactorAnalysis(3, method="minres").fit(X)
    lazy = CommonFactorAnalysis(3, method="minres").fit(da.from_array(X, chunks=50))
    blocks = CommonFactorAnalysis(3, method="minres")
    for start in range(0, len(X), 40):
        blocks.partial_fit(X[start : start + 40])
    for fa in (lazy, blocks):
        assert fa.loglike_[-1] == pytest.approx(ref.loglike_[-1], rel=1e-9)
    scores = lazy.score_samples(da.from_array(X, chunks=50))
    assert isinstance(scores, da.Array)
    assert_allclose(scores.compute(), ref.score_samples(X), rtol=1e-9)
