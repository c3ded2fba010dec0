"""The base of the clustering estimators and their shared parameter docs."""

from numbers import Integral, Real

import numpy as np
import scipy.sparse as sp
from scipy.spatial.distance import cdist
from sklearn.base import (
    BaseEstimator,
    ClassNamePrefixFeaturesOutMixin,
    ClusterMixin,
    TransformerMixin,
)
from sklearn.utils.validation import check_is_fitted, validate_data

from ..utils._callbacks import CallbackSupportMixin
from ..utils._compat import Interval, StrOptions, _check_sample_weight
from ..utils._dask import DaskInferenceMixin, is_dask_array, validate_dask_head
from ..utils._docstrings import ParameterDocs, fill_doc
from ..utils._linalg import squared_distances
from ..utils._validation import fit_guard
from ._kmeans_fast import nearest_centers

# Up to this many products, distances to the centroids come from differences.
_DIRECT_SIZE = 2**20

#: The parameters KMeans, ElbowKMeans and FuzzyKMeans share, documented once.
CLUSTER_PARAMETERS = ParameterDocs({
    "n_clusters": ("int", "The number K of clusters."),
    "init": ('{"k-means++", "random"}, callable or array-like of shape (n_clusters, '
             'n_features)', '"random": K distinct samples drawn by weight (the '
             'lecture\'s start). "k-means++": greedy k-means++ (KMeans: k-means|| on '
             "a dask array). A callable: ``init(X, n_clusters, random_state)`` "
             "returns the centroids (X centred, as scikit-learn). An array: the "
             "initial centroids."),
    "n_init": ('"auto" or int', "Runs from different seeds; the lowest inertia is "
               'kept. "auto": 10 for "random", else 1.'),
    "max_iter": ("int", "Maximum number of iterations of one run."),
    "tol": ("float", "Stop when the summed squared shift of the centroids is at most "
            "tol times the mean variance of the features (as scikit-learn)."),
    "empty_cluster": ('{"reinit", "remove"}', 'A cluster that loses all its samples '
                      '(in partial_fit: has none yet): "reinit" re-seeds it at the '
                      'farthest sample (as scikit-learn); "remove" drops it.'),
    "algorithm": ('{"hamerly", "elkan", "lloyd"}', 'The assignment step, same '
                  'partitions: "lloyd" the lecture\'s readable numpy one, "hamerly" '
                  "the compiled engine (numba: a pass per part of the rows, a thread "
                  "per core, Hamerly's bounds, matrix products from 16 features on; "
                  "on dask blocks and mini-batches one pass each). An install's "
                  'first fit compiles it. "elkan", scikit-learn\'s bounded option, '
                  "runs the same bounded engine."),
    "copy_x": ("bool", "False centres X in place during fit (no copy of X) and "
               "restores it after, up to rounding, as scikit-learn; only a "
               "writeable, C-ordered float array of the fitted dtype without "
               "repeated rows is used in place."),
    "random_state": ("int, RandomState instance or None", "Seeds the initialisation."),
    "verbose": ("int", "Print the objective of each iteration when > 0."),
})

CLUSTER_ATTRIBUTES = """\
n_features_in_ : int
    Number of features seen during fit.
feature_names_in_ : ndarray of shape (`n_features_in_`,)
    Names of features seen during fit, when they are all strings."""

#: Fills ``{cluster_parameters}`` and ``{cluster_attributes}``.
fill_cluster_doc = fill_doc(
    cluster_parameters=CLUSTER_PARAMETERS, cluster_attributes=CLUSTER_ATTRIBUTES
)


class _BaseKMeans(CallbackSupportMixin, DaskInferenceMixin,
                  ClassNamePrefixFeaturesOutMixin, ClusterMixin, TransformerMixin,
                  BaseEstimator):
    """Base of KMeans, ElbowKMeans and FuzzyKMeans: a model of K centroids.

    Subclasses set ``cluster_centers_`` and ``labels_`` in ``_fit``; those that
    assign otherwise than to the nearest centroid override ``_predict_validated``.
    """

    _parameter_constraints: dict = {
        "n_clusters": [Interval(Integral, 1, None, closed="left")],
        "init": [StrOptions({"k-means++", "random"}), callable, "array-like"],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "tol": [Interval(Real, 0, None, closed="left")],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
    }

    # Whether fit, predict and transform take scipy sparse X (densified).
    _accepts_sparse = False

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        tags.input_tags.sparse = self._accepts_sparse
        return tags

    def _validate(self, X, **kwargs):
        """validate_data, with sparse X (where accepted) turned dense."""
        sparse = ["csr"] if self._accepts_sparse else False
        X = validate_data(self, X, accept_sparse=sparse,
                          dtype=[np.float64, np.float32], order="C", **kwargs)
        return X.toarray() if sp.issparse(X) else X

    @property
    def _n_features_out(self):
        return self.cluster_centers_.shape[0]

    def _check_fit_data(self, X, sample_weight=None, reset=True, check_k=True):
        """Validated X (float64 or float32, C order) and non-negative weights."""
        if is_dask_array(X):
            X = validate_dask_head(self, X, dtype=[np.float64, np.float32])
            if sample_weight is not None:
                raise ValueError(
                    "sample_weight is not supported with a dask array X: weight "
                    "the rows before, or compute X."
                )
        else:
            X = self._validate(X, reset=reset)
            sample_weight = _check_sample_weight(sample_weight, X, dtype=X.dtype,
                                                 ensure_non_negative=True)
        if check_k and X.shape[0] < getattr(self, "n_clusters", 1):
            raise ValueError(f"n_samples={X.shape[0]} should be >= n_clusters="
                             f"{self.n_clusters}: k-means needs at least one sample "
                             "per cluster.")
        return X, sample_weight

    def _check_batch_data(self, X, sample_weight, first):
        """A mini-batch of partial_fit (a dask one computed), validated as by fit;
        the first one sets the features and needs ``n_clusters`` samples."""
        X = X.compute() if is_dask_array(X) else X
        return self._check_fit_data(X, sample_weight, reset=first, check_k=first)

    def _check_test_data(self, X):
        check_is_fitted(self)
        return self._validate(X, reset=False)

    @fit_guard
    def fit(self, X, y=None, sample_weight=None):
        """Compute the clustering.

        Parameters
        ----------
        X : array-like or dask array of shape (n_samples, n_features)
            Training data. float32 stays float32.
        y : Ignored
            Not used, present for API consistency.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights of the samples; None means all ones.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        return self._fit(*self._check_fit_data(X, sample_weight))

    def _squared_distances(self, X):
        """Squared distances of validated X to the centroids, in float64: from the
        differences where that is cheap (a centroid is at distance 0 from itself),
        else by matrix products."""
        C = self.cluster_centers_.astype(np.float64, copy=False)
        X = X.astype(np.float64, copy=False)
        if X.size * C.shape[0] <= _DIRECT_SIZE:
            return cdist(X, C, "sqeuclidean")
        return squared_distances(X, C)

    def _predict_validated(self, X):
        return nearest_centers(X, self.cluster_centers_)

    def predict(self, X):
        """Cluster of each sample: the index of its nearest centroid.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            New data.

        Returns
        -------
        labels : ndarray of shape (n_samples,)
            Values in ``range(cluster_centers_.shape[0])``.
        """
        return self._predict_validated(self._check_test_data(X))

    def transform(self, X):
        """Euclidean distance of each sample to each centroid.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            New data.

        Returns
        -------
        distances : ndarray of shape (n_samples, n_clusters)
            Same float dtype as X.
        """
        X = self._check_test_data(X)
        return np.sqrt(self._squared_distances(X)).astype(X.dtype, copy=False)

    def score(self, X, y=None, sample_weight=None):
        """Opposite of the inertia of X on the fitted centroids (higher is better).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            New data.
        y : Ignored
            Not used, present for API consistency.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights of the samples.

        Returns
        -------
        score : float
            ``-sum_t w_t min_k ||x_t - mu_k||^2``.
        """
        X = self._check_test_data(X)
        sample_weight = _check_sample_weight(sample_weight, X, dtype=np.float64,
                                             ensure_non_negative=True)
        return -float(self._squared_distances(X).min(axis=1) @ sample_weight)
