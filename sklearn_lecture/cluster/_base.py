"""The base of the clustering estimators: what every k-means-like model shares.

A subclass fits ``cluster_centers_`` and ``labels_`` in ``_fit(X, sample_weight)``
(or in its own ``fit``); the base validates the data and ``n_clusters``, and
serves ``predict``, ``transform``, ``score``, ``fit_predict``, ``fit_transform``,
the feature names out and the tags from the fitted centroids, as scikit-learn's
``_BaseKMeans`` does.
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
from ..utils._dask import DaskInferenceMixin, is_dask_array
from ..utils._linalg import squared_distances
from ..utils._validation import fit_guard
from ._common import _check_n_clusters
from ._kmeans_fast import _nearest_centers


class _BaseKMeans(
    DaskInferenceMixin,
    ClassNamePrefixFeaturesOutMixin,
    ClusterMixin,
    TransformerMixin,
    BaseEstimator,
):
    """Base of KMeans, ElbowKMeans and FuzzyKMeans: a model of K centroids.

    Subclasses implement ``_fit(X, sample_weight)`` on validated data and set
    ``cluster_centers_`` and ``labels_``; those that assign samples otherwise
    than to the nearest centroid, or measure distances otherwise, override
    ``_predict_validated`` or ``_scaled_squared_distances``. A fit on data
    rescaled by a power of two (``power_of_two_scale``) stores it in ``_scale``.
    """

    _parameter_constraints: dict = {
        "n_clusters": [Interval(Integral, 1, None, closed="left")],
        "init": [StrOptions({"k-means++", "random"}), "array-like"],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "tol": [Interval(Real, 0, None, closed="left")],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
    }

    # Whether fit, predict and transform take scipy sparse X (densified:
    # the lecture's iteration, the seeding and the duplicate merge are dense).
    _accepts_sparse = False

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
        if sp.issparse(X):
            X = X.toarray()
        return X

    @property
    def _n_features_out(self):
        return self.cluster_centers_.shape[0]

    def _check_fit_data(self, X, sample_weight=None):
        """Validated X (float64 or float32, C order) and non-negative weights."""
        X = self._validate(X)
        # ElbowKMeans has a range of K instead, which it clips to the data.
        _check_n_clusters(getattr(self, "n_clusters", 1), X.shape[0])
        sample_weight = _check_sample_weight(
            sample_weight, X, dtype=X.dtype, ensure_non_negative=True
        )
        return X, sample_weight

    def _check_test_data(self, X):
        check_is_fitted(self)
        return self._validate(X, reset=False)

    @fit_guard
    def fit(self, X, y=None, sample_weight=None):
        """Compute the clustering.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
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
        if is_dask_array(X):
            return self._fit_dask(X, sample_weight)
        return self._fit(*self._check_fit_data(X, sample_weight))

    def _fit_dask(self, X, sample_weight):
        raise TypeError(
            f"{type(self).__name__} does not fit dask arrays; compute X first, or "
            "use KMeans, which runs Lloyd's iteration on the blocks."
        )

    # The power of two the fit computed in (see power_of_two_scale): 1.0 but
    # for data whose squares overflow or underflow.
    _scale = 1.0

    def _scaled_squared_distances(self, X):
        """Squared distances of validated X to the centroids times ``_scale**2``.

        Computed in float64: the expansion ``||x||^2 - 2 x.c + ||c||^2`` loses
        too many digits in single precision.
        """
        X = X.astype(np.float64, copy=False)
        centers = self.cluster_centers_.astype(np.float64, copy=False)
        if self._scale != 1.0:
            X, centers = X * self._scale, centers * self._scale
        return squared_distances(X, centers)

    def _squared_distances(self, X):
        """Squared distances of validated X to the centroids, in the dtype of X."""
        with np.errstate(over="ignore"):
            # inf where the true value exceeds the dtype's range.
            D = self._scaled_squared_distances(X) / self._scale / self._scale
        return D.astype(X.dtype, copy=False)

    def _predict_validated(self, X):
        if self._scale != 1.0:
            s = X.dtype.type(self._scale)
            return _nearest_centers(X * s, self.cluster_centers_ * s)
        return _nearest_centers(X, self.cluster_centers_)

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
        # The root before unscaling: distances of data of magnitude ~1e155 are
        # finite even where their squares are not.
        D = np.sqrt(self._scaled_squared_distances(X)) / self._scale
        return D.astype(X.dtype, copy=False)

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
        d = self._scaled_squared_distances(X).min(axis=1)
        with np.errstate(over="ignore"):
            inertia = float(d.astype(np.float64) @ sample_weight)
            return -inertia / self._scale / self._scale
