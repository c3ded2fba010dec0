"""Fits and predictions on dask arrays, on a real distributed.LocalCluster."""

import numpy as np
import pytest

da = pytest.importorskip("dask.array")
distributed = pytest.importorskip("distributed")

from sklearn.datasets import make_blobs  # noqa: E402
from sklearn.metrics import adjusted_rand_score  # noqa: E402

from sklearn_lecture import PCA, FisherLDA, KMeans  # noqa: E402


@pytest.fixture(scope="module")
def client():
    """Two worker processes, started and closed by the test module."""
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster, distributed.Client(cluster) as client:
        yield client


@pytest.fixture(scope="module")
def blobs():
    X, y = make_blobs(3000, n_features=6, centers=4, cluster_std=1.5, random_state=0)
    X = X * np.arange(1, 7) + 100.0
    return X, y


def _dask(a, rows=500):
    return da.from_array(a, chunks=(rows, *a.shape[1:]))


def test_pca_on_dask_equals_numpy_and_transform_is_lazy(client, blobs):
    X, _ = blobs
    for standardize in (False, True):
        ref = PCA("kaiser", standardize=standardize).fit(X)
        ours = PCA("kaiser", standardize=standardize).fit(_dask(X))
        np.testing.assert_allclose(ours.eigenvalues_, ref.eigenvalues_, rtol=1e-10)
        np.testing.assert_allclose(ours.components_, ref.components_, atol=1e-10)
        Z = ours.transform(_dask(X))
        assert isinstance(Z, da.Array) and Z.chunks[0] == (500,) * 6
        np.testing.assert_allclose(Z.compute(), ref.transform(X), atol=1e-8)


def test_fisher_on_dask_equals_numpy_and_predictions_are_lazy(client, blobs):
    X, y = blobs
    labels = np.array(["a", "b", "c", "d"])[y]
    ref = FisherLDA().fit(X, labels)
    ours = FisherLDA().fit(_dask(X), _dask(labels))
    np.testing.assert_allclose(ours.scalings_, ref.scalings_, rtol=1e-10, atol=1e-12)
    np.testing.assert_array_equal(ours.classes_, ref.classes_)
    pred = ours.predict(_dask(X))
    proba = ours.predict_proba(_dask(X))
    assert isinstance(pred, da.Array) and isinstance(proba, da.Array)
    np.testing.assert_array_equal(pred.compute(), ref.predict(X))
    np.testing.assert_allclose(proba.compute(), ref.predict_proba(X), atol=1e-10)


def test_kmeans_on_dask_is_lloyds_iteration_map_reduced(client, blobs):
    X, _ = blobs
    init = X[[0, 1, 2, 3]]
    ref = KMeans(4, init=init, algorithm="lloyd").fit(X)
    ours = KMeans(4, init=init).fit(_dask(X))
    labels = ours.labels_
    assert isinstance(labels, da.Array)
    assert adjusted_rand_score(labels.compute(), ref.labels_) == 1.0
    np.testing.assert_allclose(ours.cluster_centers_, ref.cluster_centers_, rtol=1e-9)
    np.testing.assert_allclose(ours.inertia_, ref.inertia_, rtol=1e-9)
    # k-means|| seeding: as good as k-means++ on well-separated blobs.
    parallel = KMeans(4, random_state=0).fit(_dask(X))
    assert parallel.inertia_ <= 1.01 * KMeans(4, random_state=0).fit(X).inertia_


def test_bad_dask_input(client, blobs):
    X, y = blobs
    # Chunked along columns too: rechunked to whole rows, same model.
    by_columns = da.from_array(X, chunks=(500, 2))
    np.testing.assert_allclose(
        PCA(3).fit(by_columns).eigenvalues_, PCA(3).fit(X).eigenvalues_, rtol=1e-10
    )
    bad = X.copy()
    bad[1700, 2] = np.nan  # inside the fourth block
    with pytest.raises(ValueError, match="NaN"):
        PCA(3).fit(_dask(bad))
    with pytest.raises(ValueError, match="NaN"):
        KMeans(4, random_state=0).fit(_dask(bad))
    with pytest.raises(ValueError, match="dask array too"):
        FisherLDA().fit(_dask(X), y)


def test_nets_predict_lazily_on_dask(client, blobs):
    pytest.importorskip("skorch")
    from sklearn_lecture import Autoencoder

    X, _ = blobs
    X = (X - X.mean(0)) / X.std(0)
    ae = Autoencoder((4, 2), max_epochs=2, random_state=0).fit(X)
    codes = ae.transform(_dask(X))
    assert isinstance(codes, da.Array)
    np.testing.assert_array_equal(codes.compute(), ae.transform(X))


def test_dask_ml_incremental_trains_through_partial_fit(client, blobs):
    pytest.importorskip("skorch")
    wrappers = pytest.importorskip("dask_ml.wrappers")
    from sklearn_lecture import Autoencoder

    X, _ = blobs
    X = (X - X.mean(0)) / X.std(0)
    inc = wrappers.Incremental(KMeans(4, random_state=0)).fit(_dask(X))
    assert inc.estimator_.n_steps_ == 6
    assert -inc.estimator_.score(X) < 1.1 * KMeans(4, random_state=0).fit(X).inertia_
    inc = wrappers.Incremental(Autoencoder((4, 2), random_state=0)).fit(_dask(X))
    assert inc.estimator_.n_iter_ == 6  # one epoch per block
    assert np.all(np.isfinite(inc.estimator_.loss_curve_))


def test_grid_search_under_the_dask_joblib_backend(client, blobs):
    import joblib
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import GridSearchCV
    from sklearn.pipeline import make_pipeline

    X, y = blobs
    grid = GridSearchCV(
        make_pipeline(PCA(), LogisticRegression(max_iter=500)),
        {"pca__n_components": [1, 2, "kaiser"], "pca__standardize": [False, True]},
        cv=3,
    )
    with joblib.parallel_backend("dask"):
        grid.fit(X, y)
    assert len(grid.cv_results_["params"]) == 6
    assert grid.best_score_ > 0.9
