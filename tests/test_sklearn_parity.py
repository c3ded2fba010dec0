"""Each estimator that parallels one of scikit-learn's offers its whole API.

Every keyword of scikit-learn's signature, and after a fit on the same data
every public fitted attribute and method of scikit-learn's estimator (the
values are compared in the ``tests/test_sklearn_*.py`` suites and each family's
tests).
"""

import inspect

import pytest
from sklearn import cluster, decomposition, discriminant_analysis
from sklearn.datasets import load_iris

import sklearn_lecture

PAIRS = [
    (sklearn_lecture.KMeans, cluster.KMeans, {"n_clusters": 3}),
    (sklearn_lecture.MiniBatchKMeans, cluster.MiniBatchKMeans, {"n_clusters": 3}),
    (sklearn_lecture.PCA, decomposition.PCA, {}),
    (sklearn_lecture.IncrementalPCA, decomposition.IncrementalPCA, {}),
    (sklearn_lecture.CommonFactorAnalysis, decomposition.FactorAnalysis,
     {"n_components": 2}),
    (sklearn_lecture.FisherLDA, discriminant_analysis.LinearDiscriminantAnalysis,
     {"store_covariance": True}),
]
IDS = [ours.__name__ for ours, _, _ in PAIRS]


def _public(obj, fitted):
    names = {n for n in dir(obj) if not n.startswith("_")}
    return {n for n in names if n.endswith("_")} if fitted else {
        n for n in names if not n.endswith("_") and callable(getattr(obj, n))}


@pytest.mark.parametrize("ours, theirs, params", PAIRS, ids=IDS)
def test_every_keyword_of_scikit_learns_signature(ours, theirs, params):
    mine = set(inspect.signature(ours).parameters)
    missing = set(inspect.signature(theirs).parameters) - mine
    assert not missing, f"{ours.__name__} lacks {sorted(missing)}"


@pytest.mark.parametrize("ours, theirs, params", PAIRS, ids=IDS)
def test_every_fitted_attribute_and_method(ours, theirs, params):
    X, y = load_iris(return_X_y=True)
    mine, reference = ours(**params).fit(X, y), theirs(**params).fit(X, y)
    for fitted in (True, False):
        missing = _public(reference, fitted) - _public(mine, fitted)
        assert not missing, f"{ours.__name__} lacks {sorted(missing)}"
