"""partial_fit of the classical estimators: exact merges and mini-batch k-means."""

import numpy as np
import pytest
from sklearn.cluster import MiniBatchKMeans
from sklearn.datasets import make_blobs

from sklearn_lecture import KMeans


@pytest.fixture(scope="module")
def blobs():
    X, _ = make_blobs(20000, n_features=8, centers=10, random_state=0)
    return X


@pytest.mark.parametrize("seed", range(5))
def test_kmeans_one_pass_in_1_percent_batches_is_within_5_percent(blobs, seed):
    full = KMeans(10, random_state=0).fit(blobs)
    km = KMeans(10, random_state=seed)
    order = np.random.RandomState(seed).permutation(len(blobs))
    for batch in np.array_split(order, 100):
        km.partial_fit(blobs[batch])
    assert km.n_steps_ == 100
    assert -km.score(blobs) <= 1.05 * full.inertia_


def test_kmeans_mini_batch_update_is_scikit_learns(blobs):
    # From the same centroids, the per-centre 1/count update of scikit-learn's
    # MiniBatchKMeans (which has no reassignment when reassignment_ratio=0).
    init = blobs[:10]
    ours = KMeans(10, init=init)
    ref = MiniBatchKMeans(10, init=init, n_init=1, reassignment_ratio=0.0)
    for batch in np.array_split(np.arange(len(blobs)), 50):
        ours.partial_fit(blobs[batch])
        ref.partial_fit(blobs[batch])
    np.testing.assert_allclose(ours.cluster_centers_, ref.cluster_centers_, rtol=1e-10)


def test_kmeans_partial_fit_bad_input_and_continuing_a_fit(blobs):
    km = KMeans(10, random_state=0)
    with pytest.raises(ValueError, match="n_samples=5 should be >= n_clusters=10"):
        km.partial_fit(blobs[:5])
    km.partial_fit(blobs[:500])
    with pytest.raises(ValueError, match="features"):
        km.partial_fit(blobs[:100, :3])
    bad = blobs[:100].copy()
    bad[3, 2] = np.nan
    centers = km.cluster_centers_.copy()
    with pytest.raises(ValueError, match="NaN"):
        km.partial_fit(bad)
    np.testing.assert_array_equal(km.cluster_centers_, centers)  # unchanged
    km.set_params(n_clusters=4)
    with pytest.raises(ValueError, match="n_clusters=4"):
        km.partial_fit(blobs[:100])
    # After fit, partial_fit continues from the fitted centroids.
    fitted = KMeans(10, random_state=0).fit(blobs)
    before = fitted.cluster_centers_.copy()
    fitted.partial_fit(blobs[:200])
    assert fitted.n_steps_ == 1
    assert np.abs(fitted.cluster_centers_ - before).max() < 0.05
    fitted.fit(blobs)
    assert not hasattr(fitted, "n_steps_")


# -- PCA ------------------------------------------------------------------------------


def _splits(n, rng, n_blocks):
    cuts = np.sort(rng.choice(np.arange(1, n), n_blocks - 1, replace=False))
    return np.split(np.arange(n), cuts)


@pytest.mark.parametrize("standardize", [False, True])
@pytest.mark.parametrize("n_components", [0.7, "kaiser", "scree", 3])
def test_pca_partial_fit_equals_fit_for_any_split(standardize, n_components):
    from sklearn_lecture import PCA

    rng = np.random.RandomState(0)
    # Far from the origin and unevenly scaled: raw sums of squares would cancel.
    X = rng.randn(500, 12) @ rng.randn(12, 12) * rng.uniform(0.1, 10, 12) + 1e4
    ref = PCA(n_components, standardize=standardize).fit(X)
    for n_blocks in (2, 7, 40):
        pca = PCA(n_components, standardize=standardize)
        for block in _splits(len(X), rng, n_blocks):
            pca.partial_fit(X[block])
        np.testing.assert_allclose(pca.eigenvalues_, ref.eigenvalues_, rtol=1e-10)
        assert pca.n_components_ == ref.n_components_
        np.testing.assert_allclose(pca.components_, ref.components_, atol=1e-8)
        np.testing.assert_allclose(pca.mean_, ref.mean_, rtol=1e-12)
        np.testing.assert_allclose(pca.transform(X), ref.transform(X), atol=1e-6)
        assert pca.n_samples_ == len(X)


def test_pca_partial_fit_after_fit_continues_and_bad_blocks_are_refused():
    from sklearn_lecture import PCA

    rng = np.random.RandomState(1)
    X = rng.randn(300, 5)
    pca = PCA(3).fit(X[:100])
    pca.partial_fit(X[100:])
    np.testing.assert_allclose(
        pca.eigenvalues_, PCA(3).fit(X).eigenvalues_, rtol=1e-10
    )
    with pytest.raises(ValueError, match="features"):
        pca.partial_fit(X[:10, :4])
    bad = X[:10].copy()
    bad[0, 0] = np.inf
    before = pca.eigenvalues_.copy()
    with pytest.raises(ValueError, match="infinity"):
        pca.partial_fit(bad)
    np.testing.assert_array_equal(pca.eigenvalues_, before)
    wide = PCA(2).fit(rng.randn(5, 20))  # the SVD path keeps no scatter matrix
    with pytest.raises(ValueError, match="fewer samples than features"):
        wide.partial_fit(rng.randn(5, 20))


# -- FisherLDA ------------------------------------------------------------------------


@pytest.mark.parametrize("n_classes", [2, 4])
@pytest.mark.parametrize("shrinkage", [None, 0.3])
def test_fisher_partial_fit_equals_fit_on_the_concatenation(n_classes, shrinkage):
    from sklearn_lecture import FisherLDA

    rng = np.random.RandomState(0)
    X, y = make_blobs(600, n_features=6, centers=n_classes, random_state=0)
    X = X * rng.uniform(0.5, 5, 6) + 1e3
    labels = np.array(["a", "b", "c", "d"])[y]
    # Shrinkage needs the eigen (or lsqr) solver, as in scikit-learn.
    solver = "svd" if shrinkage is None else "eigen"
    ref = FisherLDA(solver, shrinkage=shrinkage).fit(X, labels)
    lda = FisherLDA(solver, shrinkage=shrinkage)
    for i, block in enumerate(_splits(len(X), rng, 6)):
        lda.partial_fit(X[block], labels[block], classes=labels if i == 0 else None)
    for name in ("scalings_", "means_", "within_scatter_", "coef_", "intercept_"):
        actual, expected = getattr(lda, name), getattr(ref, name)
        if name == "scalings_":
            # The eigen solver's further eigenvectors span S_B's null space
            # (a degenerate eigenvalue): the discriminant directions only.
            actual, expected = actual[:, : n_classes - 1], expected[:, : n_classes - 1]
        np.testing.assert_allclose(actual, expected, rtol=1e-10, atol=1e-10)
    np.testing.assert_array_equal(lda.predict(X), ref.predict(X))


def test_fisher_partial_fit_classes_and_unseen_labels():
    from sklearn_lecture import FisherLDA

    X, y = make_blobs(300, n_features=3, centers=3, random_state=1)
    lda = FisherLDA()
    with pytest.raises(ValueError, match="classes must be passed"):
        lda.partial_fit(X, y)
    with pytest.warns(UserWarning, match="No samples of the classes"):
        lda.partial_fit(X[y == 0], y[y == 0], classes=[0, 1, 2])
    assert not hasattr(lda, "scalings_")
    lda.partial_fit(X[y > 0], y[y > 0])
    before = lda.scalings_.copy()
    with pytest.raises(ValueError, match="not in classes"):
        lda.partial_fit(X[:5], np.full(5, 7))
    np.testing.assert_array_equal(lda.scalings_, before)  # left unchanged
    # Ledoit-Wolf needs every centred sample: no partial_fit there.
    assert not hasattr(FisherLDA(shrinkage="auto"), "partial_fit")
    assert hasattr(FisherLDA(shrinkage=0.1), "partial_fit")


# -- FuzzyKMeans ----------------------------------------------------------------------


@pytest.mark.parametrize("method, limit", [("fcm", 0.03), ("soft", 1e-3)])
def test_fuzzy_single_pass_reaches_the_full_fit(method, limit):
    from scipy.optimize import linear_sum_assignment

    from sklearn_lecture import FuzzyKMeans

    X, _ = make_blobs(20000, n_features=4, centers=5, random_state=0)
    full = FuzzyKMeans(5, method=method, random_state=0).fit(X)
    stream = FuzzyKMeans(5, method=method, random_state=0)
    for batch in np.array_split(np.random.RandomState(0).permutation(len(X)), 100):
        stream.partial_fit(X[batch])
    assert stream.n_steps_ == 100
    # Measured: 0.0096 (fcm) and 3e-5 (soft), blobs of unit spread 19 apart.
    D = ((stream.cluster_centers_[:, None] - full.cluster_centers_[None]) ** 2).sum(-1)
    rows, cols = linear_sum_assignment(D)
    assert np.sqrt(D[rows, cols]).max() < limit
    np.testing.assert_allclose(stream.membership_.sum(axis=1), 1.0)
    with pytest.raises(ValueError, match="features"):
        stream.partial_fit(X[:10, :2])


# -- data whose squares overflow or underflow -------------------------------------
# fit rescales them by a power of two; partial_fit did not (KMeans put every
# sample in one cluster at 1e-200, FuzzyKMeans's centroids came out ~1e199,
# PCA's eigenvalues were 0 or its eigensolver failed, FisherLDA gave NaN).


@pytest.mark.parametrize("factor", [1e-200, 1e-20, 1e20, 1e200])
def test_kmeans_partial_fit_is_scale_equivariant(factor):
    # Right within tolerance where float64 holds the squared distances, a
    # clear error where it does not (1e+-200: they overflow or underflow).
    X, _ = make_blobs(200, 2, centers=3, random_state=0)
    for init in ("k-means++", X[:3]):
        ref = KMeans(3, init=init, random_state=0)
        km = KMeans(3, init=init if isinstance(init, str) else init * factor,
                    random_state=0)
        if abs(np.log10(factor)) > 150:
            with pytest.raises(ValueError, match="Scale the data"):
                km.partial_fit(X[:100] * factor)
            continue
        for batch in (X[:100], X[100:]):
            ref.partial_fit(batch)
            km.partial_fit(batch * factor)
        np.testing.assert_allclose(
            km.cluster_centers_ / factor, ref.cluster_centers_, rtol=1e-9
        )
        np.testing.assert_array_equal(km.labels_, ref.labels_)
        np.testing.assert_array_equal(km.predict(X * factor), ref.predict(X))


@pytest.mark.parametrize("method", ["soft", "fcm"])
@pytest.mark.parametrize("factor", [1e-200, 1e-20, 1e20, 1e200])
def test_fuzzy_partial_fit_is_scale_equivariant(method, factor):
    # Right within tolerance where float64 holds the squared distances, a
    # clear error where they overflow or underflow (1e+-200).
    from sklearn_lecture import FuzzyKMeans

    X, _ = make_blobs(200, 2, centers=3, random_state=0)
    ref = FuzzyKMeans(3, method=method, random_state=0)
    fkm = FuzzyKMeans(3, method=method, random_state=0)
    if abs(np.log10(factor)) > 150:
        with pytest.raises(ValueError, match="Scale the data"):
            fkm.partial_fit(X[:100] * factor)
        return
    for batch in (X[:100], X[100:]):
        ref.partial_fit(batch)
        fkm.partial_fit(batch * factor)
    np.testing.assert_allclose(
        fkm.cluster_centers_ / factor, ref.cluster_centers_, rtol=1e-9
    )
    np.testing.assert_allclose(fkm.membership_, ref.membership_, atol=1e-9)
    if factor < 1:
        # A batch whose squares overflow is refused, not garbled.
        with pytest.raises(ValueError, match="Scale the data"):
            fkm.partial_fit(X * 1e300 * factor)


@pytest.mark.parametrize("standardize", [False, True])
@pytest.mark.parametrize("factor", [1e-100, 1e100, 1e-170, 1e170])
def test_pca_partial_fit_is_scale_equivariant(standardize, factor):
    from sklearn_lecture import PCA

    X, _ = make_blobs(200, 4, centers=3, random_state=0)
    if abs(np.log10(factor)) > 154:
        # Squares of 1e340 or 1e-340 are beyond float64: a clear error.
        with pytest.raises(ValueError, match="(overflow|underflow).*[Ss]cale"):
            PCA(None, standardize=standardize).partial_fit(X * factor)
        return
    ref = PCA(None, standardize=standardize).fit(X)
    pca = PCA(None, standardize=standardize)
    for batch in np.array_split(X, 3):
        pca.partial_fit(batch * factor)
    # Continuing a fit on scaled data too.
    fitted = PCA(None, standardize=standardize).fit(X[:120] * factor)
    fitted.partial_fit(X[120:] * factor)
    for model in (pca, fitted):
        if standardize:
            np.testing.assert_allclose(model.eigenvalues_, ref.eigenvalues_, rtol=1e-12)
        scores = model.transform(X * factor) / (1.0 if standardize else factor)
        np.testing.assert_allclose(scores, ref.transform(X), rtol=1e-9, atol=1e-9)
        np.testing.assert_allclose(model.mean_ / factor, ref.mean_, rtol=1e-12)


def test_pca_partial_fit_merges_blocks_of_different_magnitudes():
    from sklearn_lecture import PCA

    X, _ = make_blobs(200, 4, centers=3, random_state=0)
    X = np.r_[X[:100] * 1e-60, X[100:] * 1e60]
    pca = PCA(None, standardize=True).partial_fit(X[:100]).partial_fit(X[100:])
    ref = PCA(None, standardize=True).fit(X)
    np.testing.assert_allclose(pca.eigenvalues_, ref.eigenvalues_, rtol=1e-12)
    np.testing.assert_allclose(pca.transform(X), ref.transform(X), atol=1e-9)
    # A block whose squares underflow is refused, and the model kept.
    with pytest.raises(ValueError, match="underflow"):
        pca.partial_fit(X[:100] * 1e-200)
    np.testing.assert_allclose(pca.eigenvalues_, ref.eigenvalues_, rtol=1e-12)


@pytest.mark.parametrize("factor", [1e-100, 1e100, 1e-170, 1e170])
def test_fisher_partial_fit_is_scale_equivariant(factor):
    from sklearn.datasets import make_classification

    from sklearn_lecture import FisherLDA

    X, y = make_classification(200, 4, n_informative=3, n_redundant=0, random_state=0)
    if abs(np.log10(factor)) > 154:
        # Squares beyond float64: a clear error.
        with pytest.raises(ValueError, match="(overflow|underflow).*[Ss]cale"):
            FisherLDA().partial_fit(X * factor, y, classes=[0, 1])
        return
    ref = FisherLDA().fit(X, y)
    streamed = FisherLDA().partial_fit(X[:80] * factor, y[:80], classes=[0, 1])
    streamed.partial_fit(X[80:] * factor, y[80:])
    fitted = FisherLDA().fit(X[:80] * factor, y[:80])
    fitted.partial_fit(X[80:] * factor, y[80:])
    for lda in (streamed, fitted):
        np.testing.assert_allclose(
            lda.transform(X * factor), ref.transform(X), rtol=1e-9, atol=1e-12
        )
        np.testing.assert_allclose(lda.scalings_ * factor, ref.scalings_, rtol=1e-9)
        np.testing.assert_array_equal(lda.predict(X * factor), ref.predict(X))


# -- refused calls and far batches -------------------------------------------------


def test_fisher_partial_fit_that_fails_leaves_model_and_statistics_as_they_were():
    import warnings

    from sklearn_lecture import FisherLDA
    from sklearn_lecture.discriminant_analysis import SingularScatterWarning

    X, y = make_blobs(300, n_features=3, centers=3, random_state=0)
    lda = FisherLDA().partial_fit(X[:100], y[:100], classes=[0, 1, 2])
    before = lda.scalings_.copy()
    # Was accepted: n_components_ = 5 with 3 directions, one of them noise.
    lda.set_params(n_components=5)
    with pytest.raises(ValueError, match="cannot be larger.*n_components=5"):
        lda.partial_fit(X[100:200], y[100:200])
    lda.set_params(n_components=None)
    # A block refused (its squares overflow float64): the block was merged
    # all the same, and passing it again counted it twice.
    huge = X[100:200].copy()
    huge[:, 2] = 1e300
    with warnings.catch_warnings():
        warnings.simplefilter("error", SingularScatterWarning)
        with pytest.raises(ValueError, match="overflow"):
            lda.partial_fit(huge, y[100:200])
    np.testing.assert_array_equal(lda.scalings_, before)
    lda.partial_fit(X[100:], y[100:])
    ref = FisherLDA().fit(X, y)
    np.testing.assert_allclose(lda.scalings_, ref.scalings_, rtol=1e-10)
    np.testing.assert_allclose(lda.means_, ref.means_, rtol=1e-12)


def test_fuzzy_partial_fit_keeps_a_cluster_without_weight_in_place():
    from sklearn_lecture import FuzzyKMeans

    # The third centroid gathers no membership from the first batch (weight
    # exactly 0): the next batch's update divided 0 by 0 and every centroid
    # became NaN. Left in place, as fit leaves it, it takes no part in the
    # update: the other two are the two-cluster model's.
    X, _ = make_blobs(200, n_features=2, centers=3, random_state=0)
    init = np.array([[0.0, 0.0], [2.0, 4.0], [100.0, 100.0]])
    fkm = FuzzyKMeans(3, method="soft", beta=10.0, init=init)
    fkm.partial_fit(X[:100]).partial_fit(X[100:])
    ref = FuzzyKMeans(2, method="soft", beta=10.0, init=init[:2])
    ref.partial_fit(X[:100]).partial_fit(X[100:])
    np.testing.assert_array_equal(fkm.cluster_centers_[2], init[2])
    np.testing.assert_allclose(fkm.cluster_centers_[:2], ref.cluster_centers_)
    np.testing.assert_allclose(fkm.membership_[:, :2], ref.membership_, atol=1e-12)


@pytest.mark.parametrize("method", ["soft", "fcm"])
def test_fuzzy_partial_fit_refuses_a_batch_too_far_to_assign(method):
    from sklearn_lecture import FuzzyKMeans

    X, _ = make_blobs(300, n_features=2, centers=3, random_state=0)
    fkm = FuzzyKMeans(3, method=method, random_state=0).partial_fit(X[:100])
    centers = fkm.cluster_centers_.copy()
    # 1e50 away the distances to all three centroids round to the same
    # float64 (the batch's rows themselves are then one point): the update
    # gave NaN (soft) or centroids pulled together (fcm).
    with pytest.raises(ValueError, match="cannot tell its distances"):
        fkm.partial_fit(X[100:200] + 1e50)
    np.testing.assert_array_equal(fkm.cluster_centers_, centers)
    # Far, but within what float64 resolves: the batch draws centroids to it.
    fkm.partial_fit(X[100:200] + 1e10)
    assert np.isfinite(fkm.cluster_centers_).all()
    assert np.any(np.abs(fkm.cluster_centers_ - 1e10).max(axis=1) < 10)
