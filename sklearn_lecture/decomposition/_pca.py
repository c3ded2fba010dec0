"""Principal component analysis with the lecture's contribution-based selection."""

from dataclasses import dataclass
from numbers import Integral

import numpy as np
from sklearn.utils import check_random_state
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import (
    assert_all_finite,
    check_array,
    check_is_fitted,
    validate_data,
)

from ..utils._compat import Interval, RealNotInt, StrOptions
from ..utils._dask import is_dask_array
from ..utils._linalg import (
    affine_scores,
    constant_features,
    flip_signs,
    randomized_svd,
    row_norms,
    thin_svd,
)
from ..utils._moments import block_moments, check_magnitude
from ..utils._params import store_params
from ..utils._rules import RATIO_TOL, contribution_fraction, kaiser, scree_elbow
from ..utils._threads import blas_single_thread
from ._base import _MomentModel, fill_moment_doc, format_table


def _select_n_components(rule, eigenvalues, n_features, total=None):
    """Number of components that ``rule`` (PCA's ``n_components``) keeps."""
    n_eig = eigenvalues.shape[0]
    if rule is None:
        return n_eig
    if total is None:
        total = eigenvalues.sum()
    if isinstance(rule, str):
        if rule == "kaiser":
            return kaiser(eigenvalues, total / n_features)
        return scree_elbow(eigenvalues)
    if isinstance(rule, Integral):
        if rule > n_eig:
            raise ValueError(
                f"n_components={rule} must be at most min(n_samples, n_features)="
                f"{n_eig}."
            )
        return int(rule)
    return contribution_fraction(eigenvalues, rule, total)


def _certified(rule, lower, missed, total, n_features):
    """Whether eigenvalue bounds decide ``rule`` as the exact eigenvalues would.

    ``lower`` bounds the leading eigenvalues from below, ``(sqrt(lower) +
    sqrt(missed))**2`` from above (Weyl); the others sum to at most ``total``
    minus ``lower``. Certain when every spectrum within the bounds gives one k.
    """
    if isinstance(rule, Integral) or total <= 0:
        return True
    upper = (np.sqrt(lower) + np.sqrt(missed)) ** 2
    margin = 1e-12
    k = _select_n_components(rule, lower, n_features, total)
    if k >= lower.shape[0]:
        return False  # the rule may need more than those computed
    if isinstance(rule, str):  # "kaiser": the eigenvalues above the mean
        mean = total / n_features
        kept = np.count_nonzero(lower > mean)
        # Those kept are above the mean (their lower bounds are), and the next
        # one is not (its upper bound is below).
        above = kept == 0 or lower[kept - 1] > mean * (1 + margin)
        return bool(above and upper[k] < mean * (1 - margin))
    # A fraction: the first k whose cumulative share reaches the rule. The
    # lower bounds reach it at k, so the exact k is at most this one ...
    target = (rule - RATIO_TOL) * total
    if np.cumsum(lower)[k - 1] < target * (1 + margin):
        return False
    if k == 1:
        return True
    # ... and at least this one if the k - 1 leading ones cannot reach it.
    leading = min(float(np.sum(upper[: k - 1])), total - float(np.sum(lower[k - 1 :])))
    return leading < target * (1 - margin)


def _noise_variance(eigenvalues, total, n_components, n_samples, n_features):
    """Probabilistic PCA's noise variance: the mean of the discarded eigenvalues."""
    rank = min(n_samples, n_features)
    if n_components >= rank:
        return 0.0
    if eigenvalues.shape[0] >= rank:
        return float(eigenvalues[n_components:rank].mean())
    left = total - float(eigenvalues[:n_components].sum())
    return max(left, 0.0) / (rank - n_components)


def _n_power_iterations(n_components, rank):
    """Power iterations of the randomized solver (scikit-learn's choice)."""
    return 7 if n_components < 0.1 * rank else 4


@dataclass(frozen=True, eq=False, repr=False)
class ContributionTable:
    """The lecture's contribution table: eigenvalue, % of variance, cumulative %.

    Returned by :meth:`PCA.contribution_table`. The numbers are read-only
    arrays; ``print(table)`` shows them as an aligned table, with the kept
    components marked.

    Attributes
    ----------
    eigenvalues : ndarray of shape (n_eigenvalues,)
        Variance along each principal axis, in decreasing order.
    percent : ndarray of shape (n_eigenvalues,)
        Contribution of each component, ``100 * eigenvalue / sum(eigenvalues)``.
    cumulative_percent : ndarray of shape (n_eigenvalues,)
        Running sum of ``percent``.
    n_components : int
        Number of components the fitted PCA keeps.
    """

    eigenvalues: np.ndarray
    percent: np.ndarray
    cumulative_percent: np.ndarray
    n_components: int

    def to_string(self, max_rows=20):
        """Format the table.

        Parameters
        ----------
        max_rows : int or None, default=20
            Show at most this many components (the rest are summarised in one
            line); None shows all of them.

        Returns
        -------
        text : str
        """
        n_rows = self.eigenvalues.shape[0]
        shown = n_rows if max_rows is None else min(n_rows, max_rows)
        values = self.eigenvalues[:shown]
        positive = values[values > 0]
        # Scientific notation only for very large or very small eigenvalues.
        scientific = positive.size > 0 and (
            positive.max() >= 1e6 or positive.min() < 1e-3
        )
        fmt = "{:.4e}" if scientific else "{:.4f}"
        rows = [
            (str(i + 1), fmt.format(self.eigenvalues[i]), f"{self.percent[i]:.2f}",
             f"{self.cumulative_percent[i]:.2f}")
            for i in range(shown)
        ]
        return format_table(
            ("component", "eigenvalue", "% of variance", "cumulative %"), rows,
            marks=["  *"] * self.n_components,
            more=f"... {n_rows - shown} more components" if shown < n_rows else "",
            notes=[f"* kept: {self.n_components} of {n_rows} components"],
        )

    def __str__(self):
        return self.to_string()

    __repr__ = __str__


@fill_moment_doc
class PCA(_MomentModel):
    """Principal component analysis with the lecture's component selection.

    The lecture's PCA: centre X, diagonalise its scatter ``X^T X = P Λ P^T`` and
    project onto the leading eigenvectors. The eigenvalues are variances
    (scatter / (n_samples - 1)); component j contributes ``λ_j / Σ λ``, and by
    default the fewest components whose cumulative contribution reaches 70 % are
    kept. Tall data go through the covariance of their exact moments (the same
    for numpy, dask and ``partial_fit``), wide data through the Gram matrix of
    the centred data (or their SVD).

    Parameters
    ----------
    n_components : int, float, {"kaiser", "scree"} or None, default=0.7
        How many components to keep:

        - int: that many;
        - float in (0, 1]: the fewest components whose cumulative contribution
          is at least that fraction (the lecture's "70 % or more" rule);
        - ``"kaiser"``: the components whose eigenvalue exceeds the average
          variance of one variable, ``trace / n_features`` (above 1 on
          standardized data);
        - ``"scree"``: the components up to the elbow of the scree plot
          (Kneedle's difference curve); one when there is no elbow;
        - None: all ``min(n_samples, n_features)`` components.

        Every rule keeps at least one component.
    standardize : bool, default=False
        Work on the correlation matrix (each feature divided by its standard
        deviation, ddof=1): eigenvalues as in statistics tables, summing to
        ``n_features``. Constant features get scale 1, as in StandardScaler.
    whiten : bool, default=False
        Divide the projections by the square root of their eigenvalue.
    svd_solver : {"auto", "full", "randomized"}, default="auto"
        - ``"full"``: the exact decomposition;
        - ``"randomized"``: a randomized SVD of the centred data (Halko et al.)
          for the leading axes, the rules kept exact by certified bounds;
          ``"scree"`` and None need every eigenvalue (full);
        - ``"auto"``: randomized where scikit-learn's PCA would use it and
          cheaper than half the full decomposition; full otherwise.

        ``partial_fit`` and dask arrays decompose the full covariance; with
        ``"randomized"`` there is no ``partial_fit``.
    random_state : int, RandomState instance or None, default=None
        Seeds the randomized solver's sketch.

    Attributes
    ----------
    components_ : ndarray of shape (n_components_, n_features)
        Principal axes (unit eigenvectors) as rows, in decreasing order of
        eigenvalue. Each row's largest-magnitude entry is positive.
    explained_variance_ : ndarray of shape (n_components_,)
        Eigenvalues of the kept components.
    explained_variance_ratio_ : ndarray of shape (n_components_,)
        Contributions of the kept components.
    eigenvalues_ : ndarray of shape (min(n_samples, n_features),)
        All eigenvalues, decreasing (for the scree plot); after the randomized
        solver, the leading ones it computed.
    n_components_ : int
        Number of components kept.
    noise_variance_ : float
        Probabilistic PCA's noise variance (Tipping & Bishop): the mean of the
        eigenvalues not kept (0 when all are).
    n_samples_ : int
        Number of training samples.
    {moment_attributes}

    Notes
    -----
    Data whose squares overflow or underflow their dtype are refused (scale
    them first). A float ``n_components`` keeps the fewest components reaching
    *at least* the fraction; scikit-learn's PCA asks for *more than* it.

    See Also
    --------
    sklearn.decomposition.PCA : scikit-learn's PCA (no contribution rules,
        no correlation-matrix mode).
    ScreeDisplay : Scree plot of a fitted PCA.
    FisherLDA : Supervised projection that separates classes.

    References
    ----------
    .. [1] I. T. Jolliffe, "Principal Component Analysis", 2nd ed., Springer,
       2002 (chapter 6: choosing the number of components).
    .. [2] V. Satopää et al., "Finding a 'Kneedle' in a Haystack: Detecting
       Knee Points in System Behavior", ICDCS Workshops, 2011.

    Examples
    --------
    >>> from sklearn.datasets import load_wine
    >>> from sklearn_lecture import PCA
    >>> X, _ = load_wine(return_X_y=True)
    >>> pca = PCA(n_components=0.7, standardize=True).fit(X)
    >>> pca.n_components_
    4
    >>> round(float(pca.eigenvalues_.sum()), 6)
    13.0
    >>> pca.transform(X).shape
    (178, 4)
    >>> print(pca.contribution_table().to_string(max_rows=3))
    component  eigenvalue  % of variance  cumulative %
            1      4.7059          36.20         36.20  *
            2      2.4970          19.21         55.41  *
            3      1.4461          11.12         66.53  *
    ... 10 more components
    * kept: 4 of 13 components
    """

    _parameter_constraints: dict = {
        "n_components": [
            Interval(Integral, 1, None, closed="left"),
            Interval(RealNotInt, 0, 1, closed="right"),
            StrOptions({"kaiser", "scree"}),
            None,
        ],
        "standardize": ["boolean"],
        "whiten": ["boolean"],
        "svd_solver": [StrOptions({"auto", "full", "randomized"})],
        "random_state": ["random_state"],
    }

    def __init__(self, n_components=0.7, *, standardize=False, whiten=False,
                 svd_solver="auto", random_state=None):
        store_params(self, locals())

    _dtypes = (np.float64, np.float32)
    _step = staticmethod(block_moments)
    # numpy's eigh alone: its threads pay from about 1,000 features on free cores.
    _threaded_from = 1000

    def _fit_validated(self, X):
        """Tall data (and dask) through their moments, else through centred X."""
        n_samples, n_features = X.shape
        if is_dask_array(X) or (
            n_samples >= n_features and self._solver(n_samples, n_features) == "full"
        ):
            return super()._fit_validated(X)
        with np.errstate(over="ignore", invalid="ignore"):
            mean = X.mean(axis=0, dtype=np.float64)
            squares = np.einsum("ij,ij->j", X, X, dtype=np.float64)
        if not (np.all(np.isfinite(mean)) and np.all(np.isfinite(squares))):
            assert_all_finite(X, input_name="X", estimator_name="PCA")
        check_magnitude(squares, mean, n_samples, X.dtype)
        centred = self._centred(X, mean, squares / n_samples)
        if self._solver(n_samples, n_features) == "randomized":
            return self._fit_randomized(X, mean, centred)
        eigenvalues, axes = self._fit_svd(centred[0])
        return self._set_model(eigenvalues, axes, mean, centred[1], n_samples, X.dtype)

    def _solver(self, n_samples, n_features):
        """The solver a fit on an in-memory X uses: "full" or "randomized"."""
        rule = self.n_components
        if rule is None or (isinstance(rule, str) and rule == "scree"):
            return "full"
        rank = min(n_samples, n_features)
        if isinstance(rule, Integral) and rule > rank:
            return "full"  # which raises the error
        if self.svd_solver != "auto":
            return self.svd_solver
        if (
            not isinstance(rule, Integral)
            or max(n_samples, n_features) <= 500
            or rule >= 0.8 * rank
        ):
            return "full"
        randomized = (
            2.0 * n_samples * n_features * min(rule + 10, rank)
            * (_n_power_iterations(rule, rank) + 1)
        )
        full = float(rank) ** 2 * max(n_samples, n_features) + float(rank) ** 3
        return "randomized" if randomized < full / 2 else "full"

    def _keeps_scatter(self):
        # The randomized solver exists not to form the scatter partial_fit adds to.
        if self.svd_solver == "randomized":
            raise AttributeError(
                "PCA has no partial_fit with svd_solver='randomized', which keeps "
                "no scatter matrix to add blocks to; use svd_solver='full' or "
                "'auto' (partial_fit always decomposes the full covariance)."
            )
        return True

    partial_fit = available_if(_keeps_scatter)(_MomentModel.partial_fit)

    def _fit_moments(self, moments, dtype):
        """The model of the samples whose statistics ``moments`` holds."""
        n_samples = moments.n_samples
        cov = moments.within / (n_samples - 1)
        scale = None
        if self.standardize:
            scale, cov = self._correlation(
                cov, moments.second_moments / n_samples, n_samples, dtype
            )
        # numpy's eigh, not scipy's: their two BLAS pools fight for the cores.
        eigenvalues, eigenvectors = np.linalg.eigh(cov)
        eigenvalues = np.clip(eigenvalues[::-1], 0.0, None)
        self._set_model(
            eigenvalues, eigenvectors[:, ::-1].T, moments.means[0], scale,
            int(n_samples), dtype,
        )

    def _set_model(
        self, eigenvalues, eigenvectors, mean, scale, n_samples, dtype, total=None
    ):
        """The fitted attributes, from any solver (earlier statistics dropped)."""
        n_features = eigenvectors.shape[1]
        if total is None:
            total = eigenvalues.sum()
        if not np.isfinite(total):
            raise ValueError(
                "The variances of X overflow float64: scale X, or use "
                "standardize=True, whose eigenvalues are those of the "
                "correlation matrix."
            )
        n_components = _select_n_components(
            self.n_components, eigenvalues, n_features, total
        )
        ratio = eigenvalues / total if total > 0 else np.zeros_like(eigenvalues)
        self.__dict__.pop("_moments", None)
        self.components_ = np.ascontiguousarray(
            flip_signs(eigenvectors[:n_components]), dtype=dtype
        )
        self.eigenvalues_ = eigenvalues
        # The trace (more than sum(eigenvalues_) after the randomized solver).
        self._total_variance = float(total)
        self.explained_variance_ = eigenvalues[:n_components].copy()
        self.noise_variance_ = _noise_variance(
            eigenvalues, total, n_components, n_samples, n_features
        )
        self.explained_variance_ratio_ = ratio[:n_components].copy()
        self.n_components_ = n_components
        # set_params(whiten=...) takes effect at the next fit.
        self._whiten = bool(self.whiten)
        self.mean_ = mean.astype(dtype)
        self.scale_ = None if scale is None else scale.astype(dtype)
        self.n_samples_ = n_samples
        return self

    def _correlation(self, cov, second_moment, n_samples, dtype):
        """Turn a covariance matrix into the correlation matrix, and the scales."""
        variance = np.diag(cov).copy()
        constant = constant_features(variance, second_moment, n_samples, dtype)
        scale = np.sqrt(np.where(constant, 1.0, variance))
        corr = cov / np.outer(scale, scale)
        # A constant feature's rounding noise must not become a component.
        corr[constant, :] = 0.0
        corr[:, constant] = 0.0
        diag = np.arange(cov.shape[0])
        corr[diag[~constant], diag[~constant]] = 1.0
        return scale, corr

    def _centred(self, X, mean, second_moment):
        """``(Xc, scale, constant)``: X centred, standardized when asked."""
        n_samples = X.shape[0]
        Xc = X - mean.astype(X.dtype)
        if not self.standardize:
            return Xc, None, None
        variance = np.einsum("ij,ij->j", Xc, Xc, dtype=np.float64) / (n_samples - 1)
        constant = constant_features(variance, second_moment, n_samples, X.dtype)
        scale = np.sqrt(np.where(constant, 1.0, variance))
        Xc /= scale.astype(X.dtype)
        Xc[:, constant] = 0.0
        return Xc, scale, constant

    def _fit_svd(self, Xc):
        """Eigenvalues and axes of centred data with more features than samples."""
        n_samples = Xc.shape[0]
        gram = self._fit_gram(Xc, n_samples)
        if gram is not None:
            return gram
        _, s, vt = thin_svd(Xc)
        return s.astype(np.float64) ** 2 / (n_samples - 1), vt

    def _fit_gram(self, Xc, n_samples):
        """Eigenvalues of the n x n Gram matrix ``Xc Xc^T``, axes of the kept ones."""
        gram = np.asarray(Xc @ Xc.T, dtype=np.float64)
        with blas_single_thread():  # as in _fit_statistics
            mu, u = np.linalg.eigh(gram)
        mu, u = np.clip(mu[::-1], 0.0, None), u[:, ::-1]
        eigenvalues = mu / (n_samples - 1)
        k = _select_n_components(self.n_components, eigenvalues, Xc.shape[1])
        if mu[0] == 0.0 or mu[k - 1] < 1e-8 * mu[0]:
            return None
        return eigenvalues, (u[:, :k] / np.sqrt(mu[:k])).astype(Xc.dtype).T @ Xc

    def _fit_randomized(self, X, mean, centred):
        """Leading eigenpairs by a randomized SVD of the centred data.

        The eigenpairs computed double until :func:`_certified` bounds decide the
        rule exactly; the full decomposition takes over from 80 % of the rank.
        """
        n_samples, n_features = X.shape
        rank = min(n_samples, n_features)
        Xc, scale, constant = centred
        if scale is None:
            variance = np.einsum("ij,ij->j", Xc, Xc, dtype=np.float64) / (n_samples - 1)
            total = float(variance.sum())
        else:
            # Each standardized feature has variance 1, a constant one 0.
            total = float(np.count_nonzero(~constant))
        # What the sketch may miss: the trace minus what it captured, + rounding.
        rounding = 64 * np.finfo(X.dtype).eps * total
        rule = self.n_components
        random_state = check_random_state(self.random_state)
        size = int(rule) if isinstance(rule, Integral) else min(10, rank)
        while True:
            s, vt, captured = randomized_svd(
                Xc, size, n_iter=_n_power_iterations(size, rank),
                random_state=random_state, return_captured=True,
            )
            eigenvalues = s.astype(np.float64) ** 2 / (n_samples - 1)
            missed = max(total - captured / (n_samples - 1), 0.0) + rounding
            if size == rank or _certified(rule, eigenvalues, missed, total, n_features):
                return self._set_model(
                    eigenvalues, vt, mean, scale, n_samples, X.dtype, total
                )
            size = 2 * size
            if size >= 0.8 * rank:
                if n_samples >= n_features:
                    return super()._fit_validated(X)
                eigenvalues, axes = self._fit_svd(Xc)
                return self._set_model(
                    eigenvalues, axes, mean, scale, n_samples, X.dtype
                )

    def transform(self, X):
        """Project X onto the kept principal axes.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Data to project.

        Returns
        -------
        X_new : ndarray of shape (n_samples, n_components_)
            Component scores (whitened when ``whiten=True``).
        """
        check_is_fitted(self)
        X_new = affine_scores(self, X, self.components_.T, mean=self.mean_,
                              scale=self.scale_, preserve_dtype=True)
        if self._whiten:
            X_new /= self._whitening_scale(X_new.dtype)
        return X_new

    def _whitening_scale(self, dtype):
        scale = np.sqrt(self.explained_variance_).astype(dtype)
        # A zero eigenvalue is floored at eps relative to the largest.
        largest = scale.max() if scale.size else 0
        floor = np.finfo(dtype).eps * (largest if largest > 0 else 1)
        return np.maximum(scale, floor)

    def get_covariance(self):
        """Covariance of the data under the probabilistic PCA model.

        ``components_.T @ diag(explained_variance_ - noise_variance_) @
        components_ + noise_variance_ * I`` (times ``scale_`` if standardized).

        Returns
        -------
        cov : ndarray of shape (n_features, n_features)
            The model's covariance of X.
        """
        check_is_fitted(self)
        components = self.components_.astype(np.float64)
        excess = np.maximum(self.explained_variance_ - self.noise_variance_, 0.0)
        cov = (components.T * excess) @ components
        cov.flat[:: cov.shape[0] + 1] += self.noise_variance_
        if self.scale_ is not None:
            scale = self.scale_.astype(np.float64)
            cov *= np.outer(scale, scale)
        return cov

    def get_precision(self):
        """Inverse of :meth:`get_covariance`, in closed form.

        ``I / s2 - components_.T @ diag(1 / s2 - 1 / explained_variance_) @
        components_`` (``s2`` the noise variance), the components orthonormal.

        Returns
        -------
        precision : ndarray of shape (n_features, n_features)
            The model's precision matrix of X.
        """
        check_is_fitted(self)
        self._check_density()
        components = self.components_.astype(np.float64)
        noise = self.noise_variance_
        n_features = components.shape[1]
        if noise > 0:
            shrink = 1.0 / noise - 1.0 / self.explained_variance_
            precision = -(components.T * shrink) @ components
            precision.flat[:: n_features + 1] += 1.0 / noise
        else:  # every axis kept
            precision = (components.T / self.explained_variance_) @ components
        if self.scale_ is not None:
            scale = self.scale_.astype(np.float64)
            precision /= np.outer(scale, scale)
        return precision

    def _check_density(self):
        """Refuse a model whose covariance is singular: it has no density."""
        if (
            self.noise_variance_ == 0 and self.n_components_ < self.n_features_in_
        ) or not np.all(self.explained_variance_ > 0):
            raise ValueError(
                "The probabilistic PCA model of this fit has a singular "
                "covariance (every component of fewer samples than features "
                "kept, or a component of zero variance), so it has no density; "
                "keep fewer components."
            )

    def score_samples(self, X):
        """Log-likelihood of each sample under the probabilistic PCA model.

        The Gaussian density of :meth:`get_covariance` around ``mean_`` (Tipping
        & Bishop, 1999); with ``standardize=True`` still the density of X.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Data.

        Returns
        -------
        log_likelihood : ndarray of shape (n_samples,)
        """
        check_is_fitted(self)
        X = validate_data(self, X, dtype=[np.float64, np.float32], reset=False)
        self._check_density()
        Z = X.astype(np.float64) - self.mean_.astype(np.float64)
        if self.scale_ is not None:
            Z /= self.scale_.astype(np.float64)
        components = self.components_.astype(np.float64)
        projections = Z @ components.T
        quadratic = row_norms(projections / np.sqrt(self.explained_variance_), True)
        n_features = X.shape[1]
        log_det = float(np.sum(np.log(self.explained_variance_)))
        noise = self.noise_variance_
        if noise > 0:
            residual = Z - projections @ components
            quadratic += row_norms(residual, squared=True) / noise
            log_det += (n_features - self.n_components_) * np.log(noise)
        if self.scale_ is not None:
            log_det += 2.0 * float(np.sum(np.log(self.scale_.astype(np.float64))))
        return -0.5 * (quadratic + n_features * np.log(2.0 * np.pi) + log_det)

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

    def inverse_transform(self, X):
        """Map component scores back to the input space (reconstruction).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_components_)
            Component scores, as returned by :meth:`transform`.

        Returns
        -------
        X_original : ndarray of shape (n_samples, n_features)
            Reconstruction, with the centring and standardization undone.
        """
        check_is_fitted(self)
        X = check_array(X, input_name="X", dtype=[np.float64, np.float32])
        if X.shape[1] != self.n_components_:
            raise ValueError(
                f"X has {X.shape[1]} columns, but this PCA keeps "
                f"{self.n_components_} components."
            )
        components = self.components_.astype(X.dtype, copy=False)
        if self._whiten:
            X = X * self._whitening_scale(X.dtype)
        X_original = X @ components
        if self.scale_ is not None:
            X_original *= self.scale_.astype(X.dtype, copy=False)
        X_original += self.mean_.astype(X.dtype, copy=False)
        return X_original

    def contribution_table(self):
        """The lecture's contribution table of all components.

        Returns
        -------
        table : ContributionTable
            Eigenvalue, % of variance and cumulative % per component;
            ``print(table)`` shows them aligned, the kept ones marked.
        """
        check_is_fitted(self)
        eigenvalues = np.asarray(self.eigenvalues_, dtype=np.float64).copy()
        total = getattr(self, "_total_variance", eigenvalues.sum())
        percent = 100.0 * eigenvalues / total if total > 0 else 0.0 * eigenvalues
        cumulative = np.cumsum(percent)
        for array in (eigenvalues, percent, cumulative):
            array.flags.writeable = False
        k = int(self.n_components_)
        return ContributionTable(eigenvalues, percent, cumulative, k)

    @property
    def _n_features_out(self):
        return self.n_components_

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        return tags
