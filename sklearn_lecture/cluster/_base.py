"""The base of the clustering estimators: what every k-means-like model shares.

A subclass fits ``cluster_centers_`` and ``labels_`` in ``_fit(X, sample_weight)``;
the base validates the data (a dask array by its first rows, its blocks being
checked by the steps on the workers) and ``n_clusters``, and serves ``predict``,
``transform``, ``score``, ``fit_predict``, ``fit_transform``, the feature names
out and the tags from the fitted centroids, as scikit-learn's ``_BaseKMeans``.
"""

from numbers import Integral, Real

import numpy as np
import scipy.sparse as sp
from sklearn.base import (
    BaseEstimator,
    ClassNamePrefixFeaturesOutMixin,
    ClusterMixin,
    TransformerMixin,
)
from sklearn.utils.validation import check_is_fitted, validate_data

from ..utils._compat import Interval, StrOptions, _check_sample_weight
from ..utils._dask import DaskInferenceMixin, is_dask_array, validate_dask_head
from ..utils._linalg import squared_distances
from ..utils._validation import fit_guard
from ._common import _check_n_clusters
from ._kmeans_fast import nearest_centers


class _BaseKMeans(
    DaskInferenceMixin,
    ClassNamePrefixFeaturesOutMixin,
    ClusterMixin,
    TransformerMixin,
    BaseEstimator,
):
    """Base of KMeans, ElbowKMeans and FuzzyKMeans: a model of K centroids.

    Subclasses implement ``_fit(X, sample_weight)`` on validated data (a dask
    array where ``_fits_dask``) and set ``cluster_centers_`` and ``labels_``;
    those that assign samples otherwise than to the nearest centroid override
    ``_predict_validated``.
    """

    _parameter_constraints: dict = {
        "n_clusters": [Interval(Integral, 1, None, closed="left")],
        "init": [StrOptions({"k-means++", "random"}), "array-like"],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "tol": [Interval(Real, 0, None, closed="left")],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
    }

    # Whether fit, predict and transform take scipy sparse X (densified).
    _accepts_sparse = False
    # Whether _fit takes a dask array (its steps then run on the blocks).
    _fits_dask = False

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        tags.input_tags.sparse = self._accepts_sparse
        return tags

    def _validate(self, X, **kwargs):
        """validate_data, with sparse X (where accepted) turned dense."""
        X = validate_data(
            self,
            X,
            accept_sparse=["csr"] if self._accepts_sparse else False,
            dtype=[np.float64, np.float32],
            order="C",
            **kwargs,
        )
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
            sample_weight = _check_sample_weight(
                sample_weight, X, dtype=X.dtype, ensure_non_negative=True
            )
        if check_k:
            # ElbowKMeans has a range of K instead, which it clips to the data.
            _check_n_clusters(getattr(self, "n_clusters", 1), X.shape[0])
        return X, sample_weight

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
        return self._fit_checked(X, sample_weight)

    def _fit_checked(self, X, sample_weight=None):
        """The recipe of every fit: check the data, then ``_fit``."""
        if is_dask_array(X) and not self._fits_dask:
            raise TypeError(
                f"{type(self).__name__} does not fit dask arrays; compute X first, "
                "or use KMeans or FuzzyKMeans, which run their steps on the blocks."
            )
        return self._fit(*self._check_fit_data(X, sample_weight))

    def _squared_distances(self, X):
        """Squared distances of validated X to the centroids, in float64."""
        return squared_distances(
            X.astype(np.float64, copy=False),
            self.cluster_centers_.astype(np.float64, copy=False),
        )

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
        sample_weight = _check_sample_weight(
            sample_weight, X, dtype=np.float64, ensure_non_negative=True
        )
        return -float(self._squared_distances(X).min(axis=1) @ sample_weight)
