"""Every way of fitting a moment model gives the same model, or refuses clearly.

PCA, FisherLDA, CommonFactorAnalysis and CorrelationMerging x {fit on numpy, fit
on a dask array on a real ``distributed.LocalCluster``, partial_fit in one block,
partial_fit in several blocks} x the defaults and the ``VARIANTS`` of
tests/test_common.py: each fit is the numpy fit's model within tolerance, or a
clear error naming the parameter the path cannot honour.
"""

import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.datasets import load_wine
from test_common import VARIANTS

from sklearn_lecture import PCA, FisherLDA
from sklearn_lecture.decomposition import CommonFactorAnalysis, CorrelationMerging

da = pytest.importorskip("dask.array")
pytest.importorskip("distributed")

ESTIMATORS = {
    "PCA": (PCA, ["components_", "explained_variance_", "mean_", "n_components_"]),
    "FisherLDA": (FisherLDA, ["scalings_", "coef_", "intercept_", "means_"]),
    "CommonFactorAnalysis": (
        CommonFactorAnalysis,
        ["loadings_", "uniquenesses_", "mean_", "n_factors_"],
    ),
    "CorrelationMerging": (CorrelationMerging, ["components_", "scale_", "n_factors_"]),
}
# The iterative extractions stop within their tolerance of the optimum, which
# the rounding of differently merged statistics can move.
RTOL = {"CommonFactorAnalysis": 1e-4}
PATHS = ["dask", "partial_fit", "partial_fit_blocks"]
CASES = [
    (name, params)
    for name in ESTIMATORS
    for params in [{}, *VARIANTS[name]]
]




@pytest.fixture(scope="module")
def wine():
    return load_wine(return_X_y=True)


def _refusal(name, params, path):
    """The error a path raises for these parameters and the parameter it names.

    partial_fit is then not available (hasattr is False): available_if's
    AttributeError carries the reason as its cause.
    """
    if name == "FisherLDA" and params.get("shrinkage") == "auto":
        return (ValueError if path == "dask" else AttributeError), "shrinkage='auto'"
    if params.get("svd_solver") == "randomized" and path != "dask":
        return AttributeError, "svd_solver='randomized'"
    return None, None


def _fit(estimator, path, X, y, classifier):
    if path == "dask":
        args = (da.from_array(X, chunks=(50, -1)),)
        if classifier:
            args += (da.from_array(y, chunks=50),)
        return estimator.fit(*args)
    blocks = [slice(None)] if path == "partial_fit" else np.array_split(
        np.random.RandomState(0).permutation(len(X)), 4
    )
    kwargs = {"classes": np.unique(y)} if classifier else {}
    for rows in blocks:
        args = (X[rows], y[rows]) if classifier else (X[rows],)
        estimator.partial_fit(*args, **kwargs)
    return estimator


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize(
    "name, params", CASES, ids=[f"{n}-{p}" for n, p in CASES]
)
def test_every_path_fits_the_same_model(client, wine, name, params, path):
    X, y = wine
    cls, attributes = ESTIMATORS[name]
    classifier = name == "FisherLDA"
    args = (X, y) if classifier else (X,)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # Heywood cases, rotations: every path
        ref = cls(**params).fit(*args)
        refusal, parameter = _refusal(name, params, path)
        if refusal is not None:
            with pytest.raises(refusal) as info:
                _fit(cls(**params), path, X, y, classifier)
            assert parameter in str(info.value.__cause__ or info.value)
            return
        ours = _fit(cls(**params), path, X, y, classifier)
    rtol = RTOL.get(name, 1e-8)
    for attribute in attributes:
        expected, got = getattr(ref, attribute), getattr(ours, attribute)
        if np.ndim(expected) == 0:
            assert got == expected, attribute
        else:
            scale = np.abs(expected).max()
            assert_allclose(
                got, expected, rtol=rtol, atol=rtol * scale, err_msg=attribute
            )
    assert_allclose(ours.transform(X), ref.transform(X), rtol=rtol, atol=rtol * 10)
    if classifier:
        assert_array_equal(ours.predict(X), ref.predict(X))
