"""The shared base of the decompositions: a model of the exact moments."""

import warnings
from contextlib import nullcontext

import numpy as np
from sklearn.base import (
    BaseEstimator,
    ClassNamePrefixFeaturesOutMixin,
    TransformerMixin,
)
from sklearn.utils.validation import validate_data

from ..utils._dask import DaskInferenceMixin, is_dask_array, validate_dask_head
from ..utils._docstrings import fill_doc
from ..utils._fitting import accumulate, reduce_rows
from ..utils._linalg import constant_features
from ..utils._moments import GroupMoments, block_moments
from ..utils._threads import blas_single_thread
from ..utils._validation import fit_guard


def _covariance(moments, estimator_name):
    """The covariance matrix (ddof=1) of the moments; constant columns refused."""
    n_samples = moments.n_samples
    covariance = moments.within / (n_samples - 1)
    covariance = (covariance + covariance.T) / 2.0
    variance = np.diag(covariance)
    constant = constant_features(
        variance, moments.second_moments / n_samples, n_samples, np.float64
    )
    if constant.any():
        columns = np.flatnonzero(constant).tolist()
        raise ValueError(
            f"X has constant column(s) {columns}: their correlations with the "
            f"other variables are undefined. Drop them before {estimator_name}."
        )
    return covariance


def _correlation_from_covariance(covariance):
    scale = np.sqrt(np.diag(covariance))
    corr = covariance / np.outer(scale, scale)
    np.fill_diagonal(corr, 1.0)
    # Rounding can leave the matrix a hair asymmetric.
    return (corr + corr.T) / 2.0


INPUT_ATTRIBUTES = """\
n_features_in_ : int
    Number of features seen during fit.
feature_names_in_ : ndarray of shape (`n_features_in_`,)
    Names of features seen during fit, when X has string column names."""

#: Fills ``{moment_attributes}`` (``mean_``, ``scale_`` of ``standardize`` and
#: ``{input_attributes}``) and ``{input_attributes}`` in a docstring.
fill_moment_doc = fill_doc(
    input_attributes=INPUT_ATTRIBUTES,
    moment_attributes="""\
mean_ : ndarray of shape (n_features,)
    Per-feature mean of the training data.
scale_ : ndarray of shape (n_features,) or None
    Per-feature standard deviation (ddof=1) when ``standardize=True``, else None.
{input_attributes}""",
)


def format_table(header, rows, footer=(), *, left=False, marks=(), more="", notes=()):
    """Aligned columns: the first left-justified if ``left``; ``marks`` appended to
    the first rows, then ``more`` (rows not shown), the footer and ``notes``."""
    table = [header, *rows, *footer]
    widths = [max(len(r[j]) for r in table) for j in range(len(header))]

    def line(row):
        cells = [c.rjust(w) for c, w in zip(row, widths)]
        if left:
            cells[0] = row[0].ljust(widths[0])
        return "  ".join(cells)

    marks = [*marks, *[""] * len(rows)]
    lines = [line(header), *(line(r) + m for r, m in zip(rows, marks))]
    lines += [more] if more else []
    return "\n".join([*lines, *(line(r).rstrip() for r in footer), *notes])


def _centred_moments(block):
    """:func:`block_moments` with the scatter of the centred block: collinear
    columns keep the digits the singularity tests need."""
    moments = block_moments(block, dtype=(np.float64,))
    centred = block - moments.means[0]
    moments.within = centred.T @ centred
    return moments


class _LikelihoodMixin:
    """``score``: the mean of a Gaussian model's ``score_samples`` (PCA, factor
    analysis), so that cross-validation can choose their number of components."""

    def score(self, X, y=None):
        """Mean log-likelihood of the samples (:meth:`score_samples`).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Data.
        y : None
            Ignored.

        Returns
        -------
        score : float
        """
        return float(np.mean(self.score_samples(X)))


class _MomentModel(
    DaskInferenceMixin, ClassNamePrefixFeaturesOutMixin, TransformerMixin, BaseEstimator
):
    """A model of the moments: PCA, CommonFactorAnalysis, CorrelationMerging.

    ``fit`` on numpy or dask (``reduce_rows`` in ``_fit_validated``, which PCA
    overrides for wide data) and ``partial_fit`` (``accumulate``) compute the
    same statistics with ``_step`` through ``utils._fitting``'s drivers; the
    subclass turns them into its fitted attributes in ``_fit_moments``.
    """

    _min_samples = 2
    _threaded_from = np.inf  # features from which _fit_moments uses every thread
    _dtypes = (np.float64,)
    _accept_sparse = False  # the formats ``fit`` takes (PCA: its sparse solvers)
    _step = staticmethod(_centred_moments)

    @fit_guard
    def fit(self, X, y=None):
        """Fit the model on X.

        Parameters
        ----------
        X : array-like or dask array of shape (n_samples, n_features)
            Training data.
        y : None
            Ignored.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        dtype = list(self._dtypes)
        if is_dask_array(X):
            X = validate_dask_head(self, X, dtype=dtype)
        else:
            # Finiteness is read from the sums of squares: no pass over X.
            X = validate_data(self, X, dtype=dtype, ensure_all_finite=False,
                              accept_sparse=self._accept_sparse,
                              ensure_min_samples=self._min_samples)
        return self._fit_validated(X)

    def _fit_validated(self, X):
        """The model of a validated numpy or dask X: that of its exact moments."""
        moments = reduce_rows(self._step, GroupMoments.merge, X)
        return self._fit_statistics(moments, X.dtype)

    @fit_guard
    def partial_fit(self, X, y=None):
        """Add a block of samples and refit the model on all those seen (exact).

        The model depends on the data only through their count, mean and
        scatter, merged exactly block by block (Chan, Golub & LeVeque's pairwise
        update): after any split of X into blocks it is that of ``fit(X)``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            A block of samples, with the first block's number of features.
        y : None
            Ignored.

        Returns
        -------
        self : object
            The estimator, updated.
        """
        first = not hasattr(self, "_moments")
        if first and hasattr(self, "components_"):
            raise ValueError(
                f"This {type(self).__name__} was fitted by a fit that keeps no "
                "statistics to add blocks to (PCA: on fewer samples than features "
                "or by the randomized solver); use partial_fit from the start."
            )
        X = validate_data(self, X, dtype=list(self._dtypes), reset=first)
        previous = None if first else self._moments
        moments = accumulate(previous, self._step(X), GroupMoments.merge)
        if moments.n_samples < self._min_samples:
            ordinal = {2: "second", 3: "third"}[self._min_samples]
            warnings.warn(
                f"{int(moments.n_samples)} sample(s) so far: the model is computed "
                f"once a {ordinal} sample has been seen.",
                UserWarning,
                stacklevel=2,
            )
            self._moments = moments
            return self
        return self._fit_statistics(moments, X.dtype)

    def _fit_statistics(self, moments, dtype):
        """``_fit_moments``, the subclass's model of the moments, and keep them."""
        if moments.n_samples < self._min_samples:
            raise ValueError(
                f"{type(self).__name__} needs at least {self._min_samples} "
                f"samples; got {int(moments.n_samples)}."
            )
        # The eigensolvers on one BLAS thread: numpy's and scipy's pools otherwise
        # fight for the cores (factor analysis of 200 features: 8.5 s, not 0.11
        # s), and threaded LAPACK waits at every panel on busy cores.
        threaded = moments.means.shape[1] >= self._threaded_from
        with nullcontext() if threaded else blas_single_thread():
            self._fit_moments(moments, dtype)
        # Kept, so that partial_fit can add blocks to what was seen.
        self._moments = moments
        return self

    def __sklearn_is_fitted__(self):
        # After a partial_fit of too few samples there is no model yet.
        return hasattr(self, "components_")
