"""Fits and predictions on dask arrays, on a real distributed.LocalCluster."""

import numpy as np
import pytest

da = pytest.importorskip("dask.array")
pytest.importorskip("distributed")

from sklearn.datasets import make_blobs  # noqa: E402
from sklearn.metrics import adjusted_rand_score  # noqa: E402

from sklearn_lecture import PCA, FisherLDA, KMeans  # noqa: E402


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


def _frames(X, npartitions=3):
    pd = pytest.importorskip("pandas")
    dd = pytest.importorskip("dask.dataframe")
    df = pd.DataFrame(X, columns=[f"f{j}" for j in range(X.shape[1])])
    return df, dd.from_pandas(df, npartitions=npartitions)


def test_dask_dataframe_is_mapped_by_partition_with_its_names(client, blobs):
    X, _ = blobs
    # Sorted on f0, so that filtering on it empties the leading partitions.
    df, ddf = _frames(X[np.argsort(X[:, 0])])
    km = KMeans(4, random_state=0).fit(df)
    labels = km.predict(ddf)
    assert isinstance(labels, da.Array)  # lazy, as dask-ml's ParallelPostFit
    np.testing.assert_array_equal(labels.compute(), km.predict(df))
    pca = PCA(2).fit(df)
    np.testing.assert_allclose(pca.transform(ddf).compute(), pca.transform(df))
    # The partitions reach the estimator as pandas: reordered columns are
    # refused as for a pandas DataFrame, not predicted on silently.
    reordered = list(df.columns[::-1])
    for frame in (df[reordered], ddf[reordered]):
        with pytest.raises(ValueError, match="feature names should match"):
            km.predict(frame)
    threshold = np.median(X[:, 0])
    kept = ddf[ddf["f0"] > threshold]
    assert kept.map_partitions(len).compute().iloc[0] == 0
    np.testing.assert_array_equal(
        km.predict(kept).compute(), km.predict(df[df["f0"] > threshold])
    )


def _load_part(parts, i, folder):
    (folder / f"loaded-{i}").touch()  # seen from the test, across processes
    return parts[i]


def test_building_the_lazy_result_loads_one_partition(client, blobs, tmp_path):
    dask = pytest.importorskip("dask")
    dd = pytest.importorskip("dask.dataframe")
    X, _ = blobs
    df, _ = _frames(X[np.argsort(X[:, 0])])
    bounds = np.linspace(0, len(df), 5).astype(int)
    parts = [df.iloc[a:b] for a, b in zip(bounds[:-1], bounds[1:])]
    ddf = dd.from_delayed(
        [dask.delayed(_load_part)(parts, i, tmp_path) for i in range(4)],
        meta=df.iloc[:0],
    )
    pca = PCA(2).fit(df)
    # The first partition filtered to empty: before, building the result
    # computed every partition (a whole pass) to find a first row.
    threshold = parts[0]["f0"].max()
    out = pca.transform(ddf[ddf["f0"] > threshold])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["loaded-0", "loaded-1"]
    np.testing.assert_allclose(
        out.compute(), pca.transform(df[df["f0"] > threshold])
    )


def test_pandas_output_on_dask_is_a_dask_dataframe(client, blobs):
    dd = pytest.importorskip("dask.dataframe")
    pd = pytest.importorskip("pandas")
    X, _ = blobs
    pca = PCA(2).set_output(transform="pandas").fit(X)
    Z = pca.transform(_dask(X))
    assert isinstance(Z, dd.DataFrame)
    pd.testing.assert_frame_equal(Z.compute(), pca.transform(X))
    # From a dask DataFrame: the partitions' own index, as from pandas.
    df, ddf = _frames(X)
    df.index = df.index + 1000
    ddf = dd.from_pandas(df, npartitions=3)
    pca = PCA(2).set_output(transform="pandas").fit(df)
    pd.testing.assert_frame_equal(pca.transform(ddf).compute(), pca.transform(df))


def test_empty_chunks_give_empty_outputs(client, blobs):
    X, y = blobs
    with_empty = da.from_array(X, chunks=((1500, 0, 1500), (6,)))
    km = KMeans(4, random_state=0).fit(X)
    lda = FisherLDA().fit(X, y)
    np.testing.assert_array_equal(km.predict(with_empty).compute(), km.predict(X))
    proba = lda.predict_proba(with_empty)
    assert proba.chunks == ((1500, 0, 1500), (4,))
    np.testing.assert_allclose(proba.compute(), lda.predict_proba(X), atol=1e-12)
    # Boolean filtering leaves empty chunks once their sizes are computed
    # (here the leading ones: the rows are sorted on the filtered feature).
    X = X[np.argsort(X[:, 0])]
    dX = _dask(X)
    kept = dX[dX[:, 0] > np.median(X[:, 0])]
    kept.compute_chunk_sizes()
    assert kept.chunks[0][:3] == (0, 0, 0)
    np.testing.assert_array_equal(
        km.predict(kept).compute(), km.predict(X[X[:, 0] > np.median(X[:, 0])])
    )


def test_per_sample_arguments_are_cut_with_the_blocks(client):
    # Before: the whole sample_lengths went to every block, and the estimator
    # refused it (90 lengths for a block of 25 sequences).
    pytest.importorskip("skorch")
    from sklearn_lecture import RNNClassifier

    rng = np.random.RandomState(0)
    X = rng.uniform(-1, 1, size=(90, 6, 2))
    y = (X[..., 0].sum(axis=1) > 0).astype(int)
    lengths = rng.randint(1, 7, size=90)
    clf = RNNClassifier("gru", hidden_size=4, max_epochs=3, random_state=0)
    clf.fit(X, y, sample_lengths=lengths)
    ref = clf.predict_proba(X, sample_lengths=lengths)
    # The lengths matter: cut in the wrong place, the results would differ.
    assert not np.allclose(ref, clf.predict_proba(X))
    for given in (lengths, lengths.tolist(), da.from_array(lengths, chunks=40)):
        proba = clf.predict_proba(_dask(X, rows=25), sample_lengths=given)
        assert isinstance(proba, da.Array) and proba.chunks == ((25, 25, 25, 15), (2,))
        np.testing.assert_allclose(proba.compute(), ref, rtol=1e-6, atol=1e-7)
    with_empty = da.from_array(X, chunks=((40, 0, 50), 6, 2))
    np.testing.assert_array_equal(
        clf.predict(with_empty, sample_lengths=lengths).compute(),
        clf.predict(X, sample_lengths=lengths),
    )
    # An argument of another length goes whole, as before: the estimator
    # names it.
    with pytest.raises(ValueError, match="sample_lengths must have shape"):
        clf.predict(_dask(X, rows=25), sample_lengths=lengths[:50])
    # A dask DataFrame's partitions have unknown lengths: refused up front.
    _, ddf = _frames(X[..., 0])
    with pytest.raises(ValueError, match=r"\['sample_lengths'\] cannot be cut"):
        clf.predict(ddf, sample_lengths=lengths)


def test_a_dask_collection_without_rows_gives_an_empty_result(client, blobs):
    # Before: "Found array with 0 sample(s)" when every partition was empty.
    X, _ = blobs
    df, ddf = _frames(X)
    nothing = ddf[ddf["f0"] > X[:, 0].max() + 1]
    pca = PCA(2).fit(df)
    km = KMeans(4, random_state=0).fit(df)
    Z = pca.transform(nothing).compute()
    assert Z.shape == (0, 2) and Z.dtype == pca.transform(df).dtype
    labels = km.predict(nothing).compute()
    assert labels.shape == (0,) and labels.dtype == km.predict(df).dtype
    frame = PCA(2).set_output(transform="pandas").fit(df).transform(nothing)
    assert frame.compute().shape == (0, 2)
    assert list(frame.columns) == list(pca.get_feature_names_out())
    # A dask array without rows, likewise.
    empty = da.zeros((0, 6), chunks=(5, 6))
    assert PCA(2).fit(X).transform(empty).compute().shape == (0, 2)
    assert KMeans(4, random_state=0).fit(X).predict(empty).compute().shape == (0,)


def test_lazy_results_and_lazily_fitted_estimators_pickle(client, blobs):
    import pickle

    X, _ = blobs
    km = KMeans(4, random_state=0).fit(_dask(X))  # its labels_ is lazy
    restored = pickle.loads(pickle.dumps(km))
    np.testing.assert_array_equal(restored.labels_.compute(), km.labels_.compute())
    pca = PCA(2).fit(X)
    Z = pickle.loads(pickle.dumps(pca.transform(_dask(X))))
    np.testing.assert_allclose(Z.compute(), pca.transform(X))


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"block_size": 0}, ValueError, "block_size == 0, must be >= 1"),
        ({"block_size": -10}, ValueError, "block_size == -10, must be >= 1"),
        ({"block_size": 2.5}, TypeError, "block_size must be an instance of int"),
        ({"epochs": 0}, ValueError, "epochs == 0, must be >= 1"),
        ({"epochs": 1.5}, TypeError, "epochs must be an instance of int"),
    ],
)
def test_partial_fit_blocks_refuses_bad_arguments(kwargs, error, match):
    from sklearn_lecture.utils import partial_fit_blocks

    X = np.random.RandomState(0).rand(100, 2)
    with pytest.raises(error, match=match):
        partial_fit_blocks(KMeans(3, random_state=0), X, **kwargs)


def test_partial_fit_blocks_refuses_bad_data_and_skips_empty_chunks(client, blobs):
    from sklearn.linear_model import SGDClassifier

    from sklearn_lecture.utils import partial_fit_blocks

    X, y = blobs
    with pytest.raises(ValueError, match="0 samples"):
        partial_fit_blocks(KMeans(3), X[:0])
    # Labels beyond X's rows would be dropped by the blocks: refused up front.
    for Xs in (X[:100], _dask(X[:100], rows=30)):
        with pytest.raises(ValueError, match="inconsistent numbers of samples"):
            partial_fit_blocks(
                SGDClassifier(), Xs, y[:150], block_size=30, classes=[0, 1]
            )
    with pytest.raises(ValueError, match="to_dask_array"):
        partial_fit_blocks(KMeans(3), _frames(X)[1])
    with_empty = da.from_array(X, chunks=((1500, 0, 1500), (6,)))
    streamed = partial_fit_blocks(KMeans(4, random_state=0), with_empty)
    ref = partial_fit_blocks(KMeans(4, random_state=0), X, block_size=1500)
    assert streamed.n_steps_ == ref.n_steps_ == 2
    np.testing.assert_allclose(streamed.cluster_centers_, ref.cluster_centers_)


# -- fits in the units of the in-memory fit ------------------------------------------


@pytest.fixture(scope="module")
def small_blobs():
    X, y = make_blobs(600, n_features=3, centers=3, random_state=0)
    return X, y


@pytest.mark.parametrize("factor", [1e160, 1e-170, 1e100, 1e-100])
def test_dask_fits_are_scale_equivariant_as_the_numpy_fits(client, small_blobs, factor):
    # Data whose squares overflow or underflow: the dask fits ignored the
    # numpy fits' power of two (KMeans stopped after one iteration, on NaN
    # inertia or with every row in one cluster). Now both paths are right
    # within rounding, or both refuse, saying why.
    X, y = small_blobs
    big = X * factor
    init = big[[0, 1, 2]]
    beyond = abs(np.log10(factor)) > 150
    fits = {
        "KMeans": lambda data: KMeans(3, init=init).fit(data),
        "FisherLDA": lambda data: FisherLDA().fit(
            data, y if data is big else _dask(y, rows=200)
        ),
        "PCA": lambda data: PCA(2).fit(data),
        "PCA(standardize=True)": lambda data: PCA(2, standardize=True).fit(data),
    }
    for name, fit in fits.items():
        if beyond:
            for data in (big, _dask(big, rows=200)):
                with pytest.raises(ValueError, match="Scale the data"):
                    fit(data)
            continue
        ours, ref = fit(_dask(big, rows=200)), fit(big)
        if name == "KMeans":
            np.testing.assert_array_equal(np.asarray(ours.labels_), ref.labels_)
            np.testing.assert_allclose(
                ours.cluster_centers_, ref.cluster_centers_, rtol=1e-9
            )
        elif name == "FisherLDA":
            np.testing.assert_array_equal(ours.predict(big), ref.predict(big))
            np.testing.assert_allclose(
                ours.scalings_ * factor, FisherLDA().fit(X, y).scalings_, rtol=1e-9
            )
        else:
            scores = ref.transform(big)
            np.testing.assert_allclose(
                ours.transform(big), scores, rtol=1e-9, atol=1e-9 * np.abs(scores).max()
            )


def test_partial_fit_continues_a_dask_fit(client, small_blobs):
    # Was: AttributeError from dask slicing (the cluster sizes were taken from
    # the lazy labels_).
    X, _ = small_blobs
    init = X[[0, 1, 2]]
    batch = X[:50] + 0.5
    ref = KMeans(3, init=init).fit(X).partial_fit(batch)
    ours = KMeans(3, init=init).fit(_dask(X, rows=200)).partial_fit(batch)
    np.testing.assert_allclose(ours.cluster_centers_, ref.cluster_centers_, rtol=1e-12)
    np.testing.assert_array_equal(ours.labels_, ref.labels_)
    assert ours.n_steps_ == ref.n_steps_ == 1


def test_dask_fits_skip_empty_chunks(client, small_blobs):
    # Boolean filtering, then compute_chunk_sizes, leaves empty chunks: they
    # failed with "Found array with 0 sample(s)".
    X, y = small_blobs
    with_empty = da.from_array(X, chunks=((300, 0, 300), (3,)))
    labels = da.from_array(y, chunks=((300, 0, 300),))
    init = X[[0, 1, 2]]
    km = KMeans(3, init=init).fit(with_empty)
    np.testing.assert_allclose(
        km.cluster_centers_, KMeans(3, init=init).fit(X).cluster_centers_, rtol=1e-12
    )
    assert KMeans(3, random_state=0).fit(with_empty).inertia_ > 0
    np.testing.assert_allclose(
        PCA(2).fit(with_empty).eigenvalues_, PCA(2).fit(X).eigenvalues_, rtol=1e-12
    )
    np.testing.assert_allclose(
        FisherLDA().fit(with_empty, labels).scalings_,
        FisherLDA().fit(X, y).scalings_,
        rtol=1e-10,
    )


def test_fisher_dask_targets_are_checked_as_numpys(client, small_blobs):
    from sklearn.exceptions import DataConversionWarning

    X, y = small_blobs
    dX = _dask(X, rows=200)
    # Were "Chunks do not add up to shape" and "object too deep".
    for wrong in (np.r_[y, y[:10]], y[:500]):
        with pytest.raises(ValueError, match="inconsistent numbers of samples"):
            FisherLDA().fit(dX, _dask(wrong, rows=100))
    with pytest.warns(DataConversionWarning, match="column-vector y"):
        column = FisherLDA().fit(dX, _dask(y[:, None], rows=100))
    np.testing.assert_allclose(column.scalings_, FisherLDA().fit(X, y).scalings_)
    with pytest.raises(ValueError, match="y should be a 1d array"):
        FisherLDA().fit(dX, _dask(np.c_[y, y], rows=100))
