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
