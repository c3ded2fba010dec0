"""Property-based tests of the classical estimators (hypothesis).

Random shapes, scales from 1e-150 to 1e150, float32 and float64, duplicated
rows and constant columns. The properties: the output is finite or the fit
raises a ValueError that says why (never NaN); the partition, the axes and the
directions are equivariant under translation and scaling where the method is;
float32 agrees with float64 to float32 precision; predictions on the training
data are the fitted labels.

The data come from a seeded normal generator (hypothesis draws the seed), so
exact ties, whose resolution would legitimately differ with the rounding,
have probability zero. ``derandomize=True`` makes every run draw the same
examples: CI is deterministic.
"""

import contextlib
import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.exceptions import ConvergenceWarning

from sklearn_lecture import (
    PCA,
    CommonFactorAnalysis,
    ElbowKMeans,
    FisherLDA,
    FuzzyKMeans,
    KMeans,
)
from sklearn_lecture.discriminant_analysis._fisher import SingularScatterWarning

SETTINGS = settings(
    max_examples=100,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)


@st.composite
def datasets(draw, min_samples=6, max_samples=40, max_features=4):
    """X (float64 holding float32 values), its scale and the drawn structure."""
    n = draw(st.integers(min_samples, max_samples))
    d = draw(st.integers(1, max_features))
    seed = draw(st.integers(0, 2**31 - 1))
    rng = np.random.RandomState(seed)
    # A few groups, so that the clusterings have something to find.
    n_groups = draw(st.integers(1, 4))
    centres = rng.normal(scale=5.0, size=(n_groups, d))
    X = centres[rng.randint(n_groups, size=n)] + rng.normal(size=(n, d))
    if draw(st.booleans()):
        # Duplicated rows: copies of some rows appended.
        X = np.vstack([X, X[rng.randint(n, size=draw(st.integers(1, n)))]])
    if d > 1 and draw(st.booleans()):
        X[:, draw(st.integers(0, d - 1))] = rng.normal()
    X = X[rng.permutation(X.shape[0])]
    scale = 10.0 ** draw(st.integers(-150, 150))
    offset = draw(st.sampled_from([0.0, 1e3]))
    X = (X + offset).astype(np.float32).astype(np.float64)
    return X, scale, seed


@contextlib.contextmanager
def _quiet():
    """Silence the warnings the inputs may cause (duplicates, singular S_W)."""
    with warnings.catch_warnings():
        for category in (ConvergenceWarning, SingularScatterWarning, UserWarning):
            warnings.simplefilter("ignore", category)
        yield


def _fit_or_clear_error(estimator, *args):
    """The fitted estimator, or None when fit refused with a ValueError."""
    try:
        return estimator.fit(*args)
    except ValueError as error:
        assert str(error), "a ValueError must say what is wrong"
        return None


def _assert_finite(*arrays):
    for array in arrays:
        assert np.all(np.isfinite(array)), array


# --- k-means and the elbow ---------------------------------------------------


@SETTINGS
@given(datasets(), st.integers(1, 4), st.sampled_from(["k-means++", "random"]))
def test_kmeans_properties(data, n_clusters, init):
    X, scale, seed = data
    n_clusters = min(n_clusters, X.shape[0])
    with _quiet():
        params = dict(init=init, tol=0, random_state=seed)
        ref = KMeans(n_clusters, **params).fit(X)
        _assert_finite(ref.cluster_centers_, ref.inertia_, ref.transform(X))
        assert_array_equal(ref.predict(X), ref.labels_)

        # Scaled, shifted or in float32: a k-means model of those data within
        # tolerance (same partition on well-separated data is tested in
        # test_kmeans.py), or a clear error where the squared distances
        # overflow or underflow the dtype.
        for Z in (X * scale, X - 7.0, X.astype(np.float32)):
            other = _fit_or_clear_error(KMeans(n_clusters, **params), Z)
            if other is None:
                continue
            assert other.cluster_centers_.dtype == Z.dtype
            assert_array_equal(other.predict(Z), other.labels_)
            _assert_finite(other.cluster_centers_, other.transform(Z))
            _assert_lloyd_fixed_point(other, Z)


def _assert_lloyd_fixed_point(km, X):
    """Each centroid the mean of its samples and the inertia theirs (tolerance)."""
    X = X.astype(np.float64)
    centers = km.cluster_centers_.astype(np.float64)
    spread = np.ptp(X, axis=0).max() + np.abs(X).max() * 1e-6
    for k in np.unique(km.labels_):
        assert_allclose(
            X[km.labels_ == k].mean(axis=0), centers[k], atol=1e-4 * spread
        )
    inertia = ((X - centers[km.labels_]) ** 2).sum()
    assert_allclose(km.inertia_, inertia, rtol=1e-3, atol=1e-8 * spread**2)


@settings(SETTINGS, max_examples=40)
@given(datasets(min_samples=8, max_samples=30))
def test_elbow_properties(data):
    X, scale, seed = data
    with _quiet():
        ref = ElbowKMeans(k_max=5, tol=0, random_state=seed).fit(X)
        _assert_finite(ref.distortions_, ref.cluster_centers_)
        assert_array_equal(ref.predict(X), ref.labels_)
        scaled = _fit_or_clear_error(
            ElbowKMeans(k_max=5, tol=0, random_state=seed), X * scale
        )
        if scaled is not None:
            _assert_finite(scaled.distortions_ / scale**2)
            assert_array_equal(scaled.predict(X * scale), scaled.labels_)
            _assert_lloyd_fixed_point(scaled.estimator_, X * scale)


# --- fuzzy k-means -----------------------------------------------------------


@SETTINGS
@given(datasets(), st.integers(1, 4), st.sampled_from(["soft", "fcm"]))
def test_fuzzy_kmeans_properties(data, n_clusters, method):
    X, scale, seed = data
    n_clusters = min(n_clusters, X.shape[0])
    params = dict(method=method, tol=1e-10, max_iter=500, random_state=seed)
    ref = FuzzyKMeans(n_clusters, **params).fit(X)
    _assert_finite(ref.cluster_centers_, ref.membership_, ref.score(X))
    assert_allclose(ref.membership_.sum(axis=1), 1.0)
    assert_array_equal(ref.predict(X), ref.labels_)
    assert_allclose(ref.predict_proba(X), ref.membership_, rtol=1e-10, atol=1e-12)

    # Fuzzy iterations converge linearly: the runs agree to their tolerance,
    # not to rounding.
    scaled = _fit_or_clear_error(FuzzyKMeans(n_clusters, **params), X * scale)
    if scaled is None:  # squared distances beyond float64: a clear error
        return
    _assert_finite(scaled.membership_, scaled.cluster_centers_)
    assert_allclose(scaled.membership_, ref.membership_, atol=1e-4)
    assert_array_equal(scaled.predict(X * scale), scaled.labels_)
    spread = np.ptp(X, axis=0).max() + 1.0
    assert_allclose(
        scaled.cluster_centers_ / scale, ref.cluster_centers_, atol=1e-4 * spread
    )
    assert not np.isnan(scaled.score(X * scale))

    shifted = FuzzyKMeans(n_clusters, **params).fit(X - 7.0)
    assert_allclose(shifted.membership_, ref.membership_, atol=1e-4)

    single = FuzzyKMeans(n_clusters, **params).fit(X.astype(np.float32))
    _assert_finite(single.membership_)
    assert_allclose(single.membership_, ref.membership_, atol=2e-3)


# --- PCA, Fisher and factor analysis -------------------------------------------


def _well_separated(eigenvalues, rel_gap=1e-2):
    """Whether consecutive eigenvalues differ enough to pin their axes down."""
    top = eigenvalues[0] if eigenvalues.size else 0.0
    gaps = -np.diff(eigenvalues)
    return top > 0 and np.all(gaps > rel_gap * top)


@SETTINGS
@given(datasets(), st.booleans())
def test_pca_properties(data, standardize):
    X, scale, _ = data
    ref = PCA(None, standardize=standardize).fit(X)
    _assert_finite(ref.eigenvalues_, ref.components_, ref.transform(X))
    assert_allclose(
        ref.inverse_transform(ref.transform(X)), X, atol=1e-8 * (1 + abs(X).max())
    )

    scaled = PCA(None, standardize=standardize).fit(X * scale)
    factor = 1.0 if standardize else scale**2
    top = ref.eigenvalues_[0]
    assert_allclose(
        scaled.eigenvalues_ / factor, ref.eigenvalues_, rtol=1e-7, atol=1e-9 * top
    )
    shifted = PCA(None, standardize=standardize).fit(X - 7.0)
    assert_allclose(shifted.eigenvalues_, ref.eigenvalues_, rtol=1e-6, atol=1e-9 * top)
    single = PCA(None, standardize=standardize).fit(X.astype(np.float32))
    assert single.components_.dtype == np.float32
    assert_allclose(single.eigenvalues_, ref.eigenvalues_, rtol=1e-3, atol=1e-4 * top)
    if _well_separated(ref.eigenvalues_):
        # Each axis is pinned down (its sign by the flip rule).
        assert_allclose(scaled.components_, ref.components_, atol=1e-6)
        assert_allclose(shifted.components_, ref.components_, atol=1e-5)
    if _well_separated(ref.eigenvalues_, rel_gap=0.1):
        assert_allclose(single.components_, ref.components_, atol=1e-2)


@SETTINGS
@given(datasets(min_samples=8), st.integers(2, 4))
def test_fisher_properties(data, n_classes):
    X, scale, seed = data
    y = np.random.RandomState(seed).randint(n_classes, size=X.shape[0])
    with _quiet():
        ref = _fit_or_clear_error(FisherLDA(), X, y)
        if ref is None:
            return
        proba = ref.predict_proba(X)
        _assert_finite(ref.scalings_, ref.transform(X), proba)
        assert_array_equal(ref.predict(X), ref.classes_[proba.argmax(axis=1)])

        scaled = FisherLDA().fit(X * scale, y)
        assert_allclose(scaled.transform(X * scale), ref.transform(X), atol=1e-6)
        assert_allclose(scaled.predict_proba(X * scale), proba, atol=1e-6)
        shifted = FisherLDA().fit(X - 7.0, y)
        assert_allclose(shifted.predict_proba(X - 7.0), proba, atol=1e-6)
        # float32 is fitted in float64, and kept as scikit-learn's LDA keeps it:
        # the same model rounded to float32, its scores within float32 rounding
        # of their terms.
        single = FisherLDA().fit(X.astype(np.float32), y)
        assert single.coef_.dtype == np.float32
        terms = np.abs(X) @ np.abs(ref.coef_).T + np.abs(ref.intercept_)
        atol = 1e-6 * (1 + terms.max())
        assert_allclose(single.predict_proba(X.astype(np.float32)), proba, atol=atol)


@settings(SETTINGS, max_examples=50)
@given(datasets(min_samples=10, max_samples=40))
def test_factor_analysis_properties(data):
    X, scale, _ = data
    if X.shape[1] < 3:
        X = np.column_stack([X, X[:, :1] * 2.0 + np.sin(np.arange(X.shape[0]))])
        X = np.column_stack([X, np.cos(np.arange(X.shape[0]) * 1.3)])
    with _quiet():
        ref = _fit_or_clear_error(CommonFactorAnalysis(n_components=1), X)
        if ref is None:
            # Constant columns: refused with a ValueError, at any scale.
            with pytest.raises(ValueError):
                CommonFactorAnalysis(n_components=1).fit(X * scale)
            return
        _assert_finite(ref.loadings_, ref.communalities_, ref.transform(X))
        scaled = CommonFactorAnalysis(n_components=1).fit(X * scale)
        # On the correlation matrix: invariant under scaling and translation.
        assert_allclose(scaled.eigenvalues_, ref.eigenvalues_, atol=1e-6)
        assert_allclose(np.abs(scaled.loadings_), np.abs(ref.loadings_), atol=1e-5)
        shifted = CommonFactorAnalysis(n_components=1).fit(X - 7.0)
        assert_allclose(shifted.eigenvalues_, ref.eigenvalues_, atol=1e-6)


@SETTINGS
@given(
    st.integers(3, 10),
    st.integers(1, 25),
    st.integers(0, 2**31 - 1),
    st.integers(-150, 150),
    st.booleans(),
)
def test_pca_properties_on_wide_data(n_samples, extra_features, seed, exponent, std):
    # More features than samples: the SVD path.
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n_samples, n_samples + extra_features))
    X = X.astype(np.float32).astype(np.float64)
    scale = 10.0**exponent
    ref = PCA(None, standardize=std).fit(X)
    _assert_finite(ref.eigenvalues_, ref.components_, ref.transform(X))
    assert ref.eigenvalues_.shape == (n_samples,)
    scaled = PCA(None, standardize=std).fit(X * scale)
    factor = 1.0 if std else scale**2
    top = ref.eigenvalues_[0]
    assert_allclose(
        scaled.eigenvalues_ / factor, ref.eigenvalues_, rtol=1e-7, atol=1e-9 * top
    )
    assert_allclose(
        scaled.transform(X * scale),
        ref.transform(X) * (scale if not std else 1.0),
        rtol=1e-6,
        atol=1e-6 * np.abs(ref.transform(X)).max() * (scale if not std else 1.0),
    )
    single = PCA(None, standardize=std).fit(X.astype(np.float32))
    assert_allclose(single.eigenvalues_, ref.eigenvalues_, rtol=1e-3, atol=1e-4 * top)
