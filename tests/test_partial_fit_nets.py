"""partial_fit of the recurrent nets, and streaming 3-D blocks from dask."""

import numpy as np
import pytest

pytest.importorskip("skorch")
da = pytest.importorskip("dask.array")

from sklearn_lecture import RNNClassifier, RNNRegressor  # noqa: E402
from sklearn_lecture.utils import partial_fit_blocks  # noqa: E402


def _running_means(n=200, T=6, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.uniform(-1, 1, size=(n, T, 2))
    return X, X[..., 0].cumsum(axis=1)[:, -1] / T


def test_rnn_regressor_partial_fit_streams_3d_dask_blocks():
    X, y = _running_means()
    Xd = da.from_array(X, chunks=(50, 6, 2))
    yd = da.from_array(y, chunks=50)
    reg = RNNRegressor("gru", hidden_size=8, random_state=0)
    partial_fit_blocks(reg, Xd, yd, epochs=15)
    # Four blocks a pass: one epoch per partial_fit call.
    assert reg.n_iter_ == 60
    assert reg.score(X, y) > 0.8
    with pytest.raises(ValueError, match="features per time step"):
        reg.partial_fit(X[..., :1], y)


def test_rnn_classifier_partial_fit_needs_classes_and_refuses_balanced():
    X, y = _running_means(seed=1)
    labels = np.where(y > 0, "up", "down")
    clf = RNNClassifier("gru", hidden_size=8, random_state=0)
    with pytest.raises(ValueError, match="classes must be passed"):
        clf.partial_fit(X, labels)
    for _ in range(15):
        clf.partial_fit(X, labels, classes=["down", "up"])
    assert clf.n_iter_ == 15 and clf.score(X, labels) > 0.85
    with pytest.raises(ValueError, match="not in classes"):
        clf.partial_fit(X, np.where(y > 0, "up", "flat"))
    with pytest.raises(ValueError, match="balanced"):
        RNNClassifier(class_weight="balanced").partial_fit(X, labels, classes=["a"])


def test_partial_fit_blocks_cuts_per_sample_arguments_with_the_rows():
    # Before: every block got all 60 lengths, and partial_fit refused them.
    X, y = _running_means(n=60)
    labels = (y > 0).astype(int)
    lengths = np.random.RandomState(0).randint(2, 7, size=60)
    streamed = partial_fit_blocks(
        RNNClassifier("gru", hidden_size=8, random_state=0),
        X,
        labels,
        block_size=10,
        classes=[0, 1],
        sample_lengths=lengths,
    )
    # The same calls written out.
    by_hand = RNNClassifier("gru", hidden_size=8, random_state=0)
    for start in range(0, 60, 10):
        rows = slice(start, start + 10)
        by_hand.partial_fit(
            X[rows], labels[rows], classes=[0, 1], sample_lengths=lengths[rows]
        )
    assert streamed.n_iter_ == by_hand.n_iter_ == 6
    np.testing.assert_array_equal(
        streamed.predict_proba(X, sample_lengths=lengths),
        by_hand.predict_proba(X, sample_lengths=lengths),
    )
    # From dask: the lengths cut with X's chunks, whatever their own.
    from_dask = partial_fit_blocks(
        RNNClassifier("gru", hidden_size=8, random_state=0),
        da.from_array(X, chunks=(10, 6, 2)),
        da.from_array(labels, chunks=25),
        classes=[0, 1],
        sample_lengths=da.from_array(lengths, chunks=7),
    )
    np.testing.assert_array_equal(
        from_dask.predict_proba(X, sample_lengths=lengths),
        by_hand.predict_proba(X, sample_lengths=lengths),
    )
    # classes goes whole even when it has as many entries as X has rows.
    pair = partial_fit_blocks(
        RNNClassifier("gru", hidden_size=8, random_state=0),
        X[:2],
        np.array([0, 1]),
        block_size=1,
        classes=[0, 1],
    )
    assert pair.n_iter_ == 2
    np.testing.assert_array_equal(pair.classes_, [0, 1])
