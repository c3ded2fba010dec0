"""PCANetwork: the lecture's PCA neural network against the package's PCA."""

import inspect

import numpy as np
import pytest

pytest.importorskip("torch")
pytest.importorskip("skorch")

from sklearn_lecture import PCA, PCANetwork  # noqa: E402
from sklearn_lecture.neural import _pca_net  # noqa: E402


@pytest.fixture(scope="module")
def fitted():
    rng = np.random.RandomState(0)
    rotation = np.linalg.qr(rng.randn(5, 5))[0]
    X = rng.randn(600, 5) * np.sqrt([9.0, 4.0, 1.0, 0.25, 0.1]) @ rotation.T + 3.0
    return X, PCANetwork(3, max_epochs=60, random_state=0).fit(X), PCA(3).fit(X)


def test_weights_converge_to_the_eigenvectors_themselves(fitted):
    _, net, pca = fitted
    # w_j → ±e_j, one unit per eigenvector and in order (not just the subspace).
    cosines = np.abs(np.sum(net.components_ * pca.components_, axis=1))
    np.testing.assert_allclose(cosines, 1.0, atol=2e-3)
    np.testing.assert_allclose(np.linalg.norm(net.components_, axis=1), 1, atol=2e-3)


def test_code_variances_converge_to_the_eigenvalues(fitted):
    X, net, pca = fitted
    np.testing.assert_allclose(net.explained_variance_, pca.explained_variance_,
                               rtol=5e-3)
    np.testing.assert_allclose(net.transform(X).var(axis=0, ddof=1),
                               net.explained_variance_)


def test_too_many_components_is_a_clear_error(fitted):
    X, _, _ = fitted
    with pytest.raises(ValueError, match="n_components=6"):
        PCANetwork(6).fit(X)


def test_the_whole_net_fits_in_80_lines():
    # Module, loss and estimator, docstrings included: one file of the package.
    assert len(inspect.getsource(_pca_net).splitlines()) <= 80
