"""Wide data (more features than samples): FisherLDA in the span of the centred
data and PCA through the Gram matrix, against the dense paths and scikit-learn."""

import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from scipy.linalg import subspace_angles
from sklearn.decomposition import PCA as SklearnPCA
from sklearn.discriminant_analysis import LinearDiscriminantAnalysis

import sklearn_lecture.discriminant_analysis._fisher as fisher_module
from sklearn_lecture import PCA, FisherLDA
from sklearn_lecture.discriminant_analysis._fisher import SingularScatterWarning


def _wide(n_samples, n_features, n_classes, seed, shift=3.0):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, n_classes, n_samples)
    X = rng.standard_normal((n_samples, n_features))
    X[:, :5] += shift * y[:, None]
    return X, y


def _fit_both(monkeypatch, X, y, **params):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SingularScatterWarning)
        span = FisherLDA(**params).fit(X, y)
        with monkeypatch.context() as m:
            m.setattr(fisher_module, "_use_span", lambda n, d: False)
            dense = FisherLDA(**params).fit(X, y)
    return span, dense


@pytest.mark.parametrize("n_classes", [2, 3, 5])
@pytest.mark.parametrize("shrinkage", [None, 0.3, 1.0])
def test_fisher_span_path_equals_dense_path(monkeypatch, n_classes, shrinkage):
    X, y = _wide(60, 150, n_classes, seed=n_classes)
    # Shrinkage needs the eigen (or lsqr) solver, as in scikit-learn; the svd
    # solver keeps covariance_ on request.
    if shrinkage is None:
        params = {"store_covariance": True}
    else:
        params = {"solver": "eigen", "shrinkage": shrinkage}
    span, dense = _fit_both(monkeypatch, X, y, **params)
    X_test, _ = _wide(80, 150, n_classes, seed=100 + n_classes)
    assert_array_equal(span.predict(X_test), dense.predict(X_test))
    scale = np.abs(dense.decision_function(X_test)).max()
    assert_allclose(
        span.decision_function(X_test),
        dense.decision_function(X_test),
        atol=1e-5 * scale,
    )
    # Same directions (up to sign): same distances between projected points.
    Z_span, Z_dense = span.transform(X_test), dense.transform(X_test)
    d_span = np.linalg.norm(Z_span[:, None] - Z_span[None], axis=-1)
    d_dense = np.linalg.norm(Z_dense[:, None] - Z_dense[None], axis=-1)
    assert_allclose(d_span, d_dense, atol=1e-5 * d_dense.max())
    assert subspace_angles(span.scalings_, dense.scalings_).max() < 1e-5
    assert_allclose(
        span.explained_variance_ratio_, dense.explained_variance_ratio_, atol=1e-6
    )
    for name in ("within_scatter_", "between_scatter_", "covariance_"):
        expected = getattr(dense, name)
        assert_allclose(
            getattr(span, name), expected, atol=1e-10 * np.abs(expected).max()
        )


def test_fisher_wide_float_shrinkage_is_sklearns_eigen_solver():
    X, y = _wide(80, 200, 4, seed=1, shift=1.0)
    X_test, _ = _wide(100, 200, 4, seed=2, shift=1.0)
    ours = FisherLDA(solver="eigen", shrinkage=0.3).fit(X, y)
    ref = LinearDiscriminantAnalysis(solver="eigen", shrinkage=0.3).fit(X, y)
    assert_array_equal(ours.predict(X_test), ref.predict(X_test))


def test_fisher_wide_without_shrinkage_is_sklearns_svd_solver():
    # As scikit-learn's svd solver, the directions where S_W is null are
    # dropped (no ridge, no warning): its model, its predictions.
    X, y = _wide(100, 2000, 3, seed=3)
    X_test, y_test = _wide(300, 2000, 3, seed=4)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ours = FisherLDA().fit(X, y)
    assert not any(k.endswith("scatter_") for k in vars(ours))
    ref = LinearDiscriminantAnalysis(solver="svd").fit(X, y)
    assert_array_equal(ours.predict(X_test), ref.predict(X_test))
    assert_allclose(ours.predict_proba(X_test), ref.predict_proba(X_test), atol=1e-10)
    assert_allclose(ours.transform(X_test), ref.transform(X_test), atol=1e-9)
    assert ours.score(X_test, y_test) == ref.score(X_test, y_test)
    assert ours.within_scatter_.shape == (2000, 2000)


def test_fisher_partial_fit_after_a_wide_fit_is_the_fit_of_both(monkeypatch):
    X, y = _wide(60, 150, 3, seed=5)
    X2, y2 = _wide(40, 150, 3, seed=6)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SingularScatterWarning)
        continued = FisherLDA().fit(X, y).partial_fit(X2, y2)
        with monkeypatch.context() as m:
            m.setattr(fisher_module, "_use_span", lambda n, d: False)
            both = FisherLDA().fit(np.vstack([X, X2]), np.concatenate([y, y2]))
    assert_allclose(continued.within_scatter_, both.within_scatter_, atol=1e-9)
    assert_allclose(
        continued.coef_, both.coef_, rtol=1e-6, atol=1e-6 * np.abs(both.coef_).max()
    )


@pytest.mark.parametrize(
    "n_components, standardize", [(5, False), (0.8, True), ("kaiser", False)]
)
def test_pca_gram_path_equals_svd_path(monkeypatch, n_components, standardize):
    rng = np.random.default_rng(7)
    X = rng.standard_normal((40, 300)) * np.linspace(1, 3, 300)
    gram = PCA(n_components, standardize=standardize).fit(X)
    with monkeypatch.context() as m:
        m.setattr(PCA, "_fit_gram", lambda self, Xc, n: None)
        svd = PCA(n_components, standardize=standardize).fit(X)
    assert gram.n_components_ == svd.n_components_
    assert_allclose(
        gram.eigenvalues_, svd.eigenvalues_, atol=1e-12 * svd.eigenvalues_[0]
    )
    assert_allclose(gram.components_, svd.components_, atol=1e-10)
    # The selection rules' total is the trace, exactly.
    trace = 300.0 if standardize else np.var(X, axis=0, ddof=1).sum()
    assert_allclose(gram.eigenvalues_.sum(), trace, rtol=1e-12)


def test_pca_wide_matches_sklearn():
    rng = np.random.default_rng(8)
    X = rng.standard_normal((50, 400)) * np.linspace(1, 3, 400)
    ours = PCA(10).fit(X)
    ref = SklearnPCA(10, svd_solver="full").fit(X)
    assert_allclose(ours.explained_variance_, ref.explained_variance_, rtol=1e-10)
    assert_allclose(
        ours.explained_variance_ratio_, ref.explained_variance_ratio_, rtol=1e-10
    )
    assert_allclose(np.abs(ours.transform(X)), np.abs(ref.transform(X)), atol=1e-9)


def test_pca_all_components_of_wide_data_fall_back_to_the_svd():
    # Centred wide data have rank n - 1: the last eigenvalue is zero, which the
    # Gram matrix cannot resolve an axis for.
    rng = np.random.default_rng(9)
    X = rng.standard_normal((20, 60))
    ours = PCA(None).fit(X)
    assert ours.n_components_ == 20
    assert_allclose(ours.components_ @ ours.components_.T, np.eye(20), atol=1e-10)
