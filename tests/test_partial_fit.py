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
