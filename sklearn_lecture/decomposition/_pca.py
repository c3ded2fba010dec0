"""Principal component analysis with the lecture's contribution-based selection."""

from dataclasses import dataclass
from numbers import Integral, Real

import numpy as np
import scipy.sparse as sp
from scipy.sparse.linalg import LinearOperator, svds
from sklearn.utils import check_random_state, gen_batches
from sklearn.utils.extmath import randomized_svd
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import (
    assert_all_finite,
    check_array,
    check_is_fitted,
    validate_data,
)

from ..utils._compat import Interval, RealNotInt, StrOptions
from ..utils._dask import is_dask_array
from ..utils._fitting import accumulate
from ..utils._linalg import (
    affine_scores,
    constant_features,
    flip_signs,
    row_norms,
    thin_svd,
)
from ..utils._moments import GroupMoments, block_moments, check_magnitude
from ..utils._params import store_params
from ..utils._rules import (
    RATIO_TOL,
    contribution_fraction,
    kaiser,
    minka_dimension,
    scree_elbow,
)
from ..utils._threads import blas_single_thread
from ._base import _LikelihoodMixin, _MomentModel, fill_moment_doc, format_table


def _select_n_components(rule, eigenvalues, n_features, total=None, n_samples=None):
    """Number of components that ``rule`` (PCA's ``n_components``) keeps; None:
    ``min(n_samples, n_features)`` (or the eigenvalues computed)."""
    n_eig = eigenvalues.shape[0] if n_samples is None else min(
        eigenvalues.shape[0], n_samples
    )
    if rule is None:
        return n_eig
    if total is None:
        total = eigenvalues.sum()
    if isinstance(rule, str):
        if rule == "kaiser":
            return kaiser(eigenvalues, total / n_features)
        if rule == "mle":
            if n_samples < n_features:
                raise ValueError(
                    "n_components='mle' is only supported if n_samples >= n_features"
                )
            # A numpy integer, as scikit-learn's (scripts rely on its formatting).
            return np.int64(minka_dimension(eigenvalues, n_samples))
        return scree_elbow(eigenvalues[:n_eig])
    if isinstance(rule, Integral):
        # Checked against the rank before a fit; partial_fit may keep more
        # components than samples so far (of zero variance), as it always did.
        if rule > eigenvalues.shape[0]:
            raise ValueError(
                f"n_components={rule} must be between 0 and n_features="
                f"{eigenvalues.shape[0]}."
            )
        return int(rule)
    return contribution_fraction(eigenvalues[:n_eig], rule, total)


def _check_n_components(rule, solver, n_samples, n_features):
    """scikit-learn's errors for an ``n_components`` that ``solver`` cannot fit."""
    rank = min(n_samples, n_features)
    where = f"min(n_samples, n_features)={rank} with svd_solver={solver!r}"
    if solver not in ("arpack", "randomized"):
        if isinstance(rule, Integral) and rule > rank:
            raise ValueError(f"n_components={rule} must be between 0 and {where}")
        return
    if rule == "mle" or (solver == "arpack" and isinstance(rule, str)):
        raise ValueError(
            f"n_components={rule!r} cannot be a string with svd_solver={solver!r}"
        )
    if solver == "arpack" and rule is None:
        rule = rank - 1  # scikit-learn's default for ARPACK
    if (solver == "arpack" or isinstance(rule, Integral)) and not (
        isinstance(rule, Real) and 1 <= rule <= rank
    ):
        raise ValueError(f"n_components={rule!r} must be between 1 and {where}")
    if solver == "arpack" and rule == rank:
        raise ValueError(f"n_components={rule!r} must be strictly less than {where}")


def _sparse_moments(X):
    """The moments of a sparse X: ``X^T X - n m m^T``, as scikit-learn's
    "covariance_eigh" forms them."""
    n_samples = X.shape[0]
    raw = np.asarray((X.T @ X).toarray(), dtype=np.float64)
    means = np.asarray(X.mean(axis=0), dtype=np.float64).reshape(1, -1)
    squares = np.diag(raw).copy()
    if not np.all(np.isfinite(squares)):
        assert_all_finite(X, input_name="X", estimator_name="PCA")
    check_magnitude(squares, means[0] * n_samples, n_samples, X.dtype)
    within = raw - n_samples * np.outer(means[0], means[0])
    return GroupMoments(np.array([float(n_samples)]), means, within, squares)


def _centred_operator(X, mean, weights):
    """``(X - mean) * weights`` of a sparse X as a LinearOperator (X stays sparse)."""
    shift = mean * weights

    def matmat(V):
        V = V.reshape(X.shape[1], -1)
        return X @ (weights[:, None] * V) - shift @ V

    def rmatmat(U):
        U = U.reshape(X.shape[0], -1)
        return weights[:, None] * (X.T @ U) - np.outer(shift, U.sum(axis=0))

    return LinearOperator(
        X.shape, matvec=lambda v: matmat(v).ravel(), matmat=matmat,
        rmatvec=lambda u: rmatmat(u).ravel(), rmatmat=rmatmat, dtype=X.dtype,
    )


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
class PCA(_LikelihoodMixin, _MomentModel):
    """Principal component analysis: scikit-learn's PCA, with the lecture's rules.

    ``PCA()`` keeps every component, as scikit-learn's PCA does; the lecture's
    rule, the fewest components whose cumulative contribution reaches 70 %, is
    ``PCA(0.7)``. The model is the lecture's: centre X, diagonalise its scatter
    ``X^T X = P Λ P^T`` and project onto the leading eigenvectors. The
    eigenvalues are variances (scatter / (n_samples - 1)); component j
    contributes ``λ_j / Σ λ``. Tall data go through the covariance of their
    exact moments (the same for numpy, dask and ``partial_fit``), wide data
    through the Gram matrix of the centred data (or their SVD).

    Parameters
    ----------
    n_components : int, float, {"mle", "kaiser", "scree"} or None, default=None
        How many components to keep:

        - int: that many (0 keeps none: the probabilistic model is then the
          isotropic Gaussian);
        - float in (0, 1]: the fewest components whose cumulative contribution
          is at least that fraction (the lecture's "70 % or more" rule);
        - ``"mle"``: Minka's maximum-evidence dimension of probabilistic PCA
          (needs ``n_samples >= n_features``);
        - ``"kaiser"``: the components whose eigenvalue exceeds the average
          variance of one variable, ``trace / n_features`` (above 1 on
          standardized data);
        - ``"scree"``: the components up to the elbow of the scree plot
          (Kneedle's difference curve); one when there is no elbow;
        - None: all ``min(n_samples, n_features)`` components
          (``min(n_samples, n_features) - 1`` with ``svd_solver="arpack"``).

        The float, ``"kaiser"`` and ``"scree"`` rules keep at least one.
    copy : bool, default=True
        scikit-learn's permission to overwrite X when False; this PCA never
        writes into X, whatever its value.
    whiten : bool, default=False
        Divide the projections by the square root of their eigenvalue.
    svd_solver : {"auto", "full", "covariance_eigh", "arpack", "randomized"}, \
            default="auto"
        - ``"full"``: the exact decomposition (of the covariance for tall
          data, of the Gram matrix or the SVD of the centred data for wide);
        - ``"covariance_eigh"``: the eigendecomposition of the covariance
          matrix, whatever the shape (sparse X too);
        - ``"arpack"``: ARPACK's truncated SVD of the centred data
          (``scipy.sparse.linalg.svds``; sparse X is centred implicitly); an
          int ``n_components`` below ``min(n_samples, n_features)``;
        - ``"randomized"``: a randomized SVD of the centred data (Halko et al.)
          for the leading axes, the float and ``"kaiser"`` rules kept exact by
          certified bounds; ``"scree"`` and None need every eigenvalue (full);
        - ``"auto"``: scikit-learn's choice (arpack for sparse X and an int or
          None, else covariance_eigh; covariance_eigh for tall data, randomized
          for large data and few components, when cheaper than half the full
          decomposition; full otherwise).

        ``partial_fit`` and dask arrays decompose the full covariance; with
        ``"randomized"`` there is no ``partial_fit``.
    tol : float, default=0.0
        ARPACK's convergence tolerance (0: machine precision).
    iterated_power : int or "auto", default="auto"
        Power iterations of the randomized solver; "auto": 7 when
        ``n_components < 0.1 * min(X.shape)``, else 4.
    n_oversamples : int, default=10
        Extra random directions of the randomized solver's sketch.
    power_iteration_normalizer : {"auto", "QR", "LU", "none"}, default="auto"
        How the randomized solver's power iterations are normalised
        (scikit-learn's ``randomized_svd``).
    random_state : int, RandomState instance or None, default=None
        Seeds the randomized solver's sketch and ARPACK's start vector.
    standardize : bool, default=False
        Work on the correlation matrix (each feature divided by its standard
        deviation, ddof=1): eigenvalues as in statistics tables, summing to
        ``n_features``. Constant features get scale 1, as in StandardScaler.

    Attributes
    ----------
    components_ : ndarray of shape (n_components_, n_features)
        Principal axes (unit eigenvectors) as rows, in decreasing order of
        eigenvalue. Each row's largest-magnitude entry is positive.
    explained_variance_ : ndarray of shape (n_components_,)
        Eigenvalues of the kept components.
    explained_variance_ratio_ : ndarray of shape (n_components_,)
        Contributions of the kept components.
    singular_values_ : ndarray of shape (n_components_,)
        Singular values of the centred data, ``sqrt((n_samples_ - 1) λ)``.
    eigenvalues_ : ndarray of shape (min(n_samples, n_features),)
        All eigenvalues, decreasing (for the scree plot); after the randomized
        and ARPACK solvers, the leading ones they computed.
    n_components_ : int
        Number of components kept.
    noise_variance_ : float
        Probabilistic PCA's noise variance (Tipping & Bishop): the mean of the
        eigenvalues not kept (0 when all are).
    n_samples_ : int
        Number of training samples.
    n_samples_seen_ : int
        Samples the moments hold, with ``var_`` their per-feature variance
        (ddof=0): IncrementalPCA's names, set when the model comes from the
        moments (``partial_fit``, dask, tall data).
    var_ : ndarray of shape (n_features,)
        See ``n_samples_seen_``.
    {moment_attributes}

    Notes
    -----
    Data whose squares overflow or underflow their dtype are refused (scale
    them first). A float ``n_components`` keeps the fewest components reaching
    *at least* the fraction; scikit-learn's PCA asks for *more than* it (they
    differ only where a cumulative contribution equals the fraction).

    See Also
    --------
    sklearn.decomposition.PCA : scikit-learn's PCA (no contribution rules,
        no correlation-matrix mode).
    IncrementalPCA : This PCA fitted in batches, with scikit-learn's signature.
    ScreeDisplay : Scree plot of a fitted PCA.
    FisherLDA : Supervised projection that separates classes.

    References
    ----------
    .. [1] I. T. Jolliffe, "Principal Component Analysis", 2nd ed., Springer,
       2002 (chapter 6: choosing the number of components).
    .. [2] V. Satopää et al., "Finding a 'Kneedle' in a Haystack: Detecting
       Knee Points in System Behavior", ICDCS Workshops, 2011.
    .. [3] T. P. Minka, "Automatic choice of dimensionality for PCA", NIPS, 2000.

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
    >>> PCA().fit(X).n_components_
    13
    """

    _parameter_constraints: dict = {
        "n_components": [
            Interval(Integral, 0, None, closed="left"),
            Interval(RealNotInt, 0, 1, closed="right"),
            StrOptions({"mle", "kaiser", "scree"}),
            None,
        ],
        "copy": ["boolean"],
        "whiten": ["boolean"],
        "svd_solver": [
            StrOptions({"auto", "full", "covariance_eigh", "arpack", "randomized"})
        ],
        "tol": [Interval(Real, 0, None, closed="left")],
        "iterated_power": [
            Interval(Integral, 0, None, closed="left"), StrOptions({"auto"})
        ],
        "n_oversamples": [Interval(Integral, 1, None, closed="left")],
        "power_iteration_normalizer": [StrOptions({"auto", "QR", "LU", "none"})],
        "random_state": ["random_state"],
        "standardize": ["boolean"],
    }

    def __init__(self, n_components=None, *, copy=True, whiten=False,
                 svd_solver="auto", tol=0.0, iterated_power="auto", n_oversamples=10,
                 power_iteration_normalizer="auto", random_state=None,
                 standardize=False):
        store_params(self, locals())

    _dtypes = (np.float64, np.float32)
    _accept_sparse = ("csr", "csc")
    _step = staticmethod(block_moments)
    # numpy's eigh alone: its threads pay from about 1,000 features on free cores.
    _threaded_from = 1000

    def _fit_validated(self, X):
        """The chosen solver's fit: the moments (tall data, "covariance_eigh",
        dask), else the Gram matrix or SVD, ARPACK or randomized SVD of centred X."""
        n_samples, n_features = X.shape
        solver = self._fit_svd_solver = self._solver(X)
        _check_n_components(self.n_components, solver, n_samples, n_features)
        if sp.issparse(X):
            if self.svd_solver in ("full", "randomized"):
                raise TypeError(
                    'PCA only support sparse inputs with the "arpack" and '
                    f'"covariance_eigh" solvers, while "{self.svd_solver}" was '
                    "passed."
                )
            if solver == "covariance_eigh":
                return self._fit_statistics(_sparse_moments(X), X.dtype)
            return self._fit_sparse_arpack(X)
        if is_dask_array(X) or solver == "covariance_eigh" or (
            n_samples >= n_features and solver == "full"
        ):
            return super()._fit_validated(X)
        with np.errstate(over="ignore", invalid="ignore"):
            mean = X.mean(axis=0, dtype=np.float64)
            squares = np.einsum("ij,ij->j", X, X, dtype=np.float64)
        if not (np.all(np.isfinite(mean)) and np.all(np.isfinite(squares))):
            assert_all_finite(X, input_name="X", estimator_name="PCA")
        check_magnitude(squares, mean, n_samples, X.dtype)
        centred = self._centred(X, mean, squares / n_samples)
        if solver != "full":
            return self._fit_truncated(X, mean, centred)
        eigenvalues, axes = self._fit_svd(centred[0])
        return self._set_model(eigenvalues, axes, mean, centred[1], n_samples, X.dtype)

    def _solver(self, X):
        """The solver a fit on X uses, by scikit-learn's name (never "auto")."""
        n_samples, n_features = X.shape
        rule, rank = self.n_components, min(n_samples, n_features)
        if self.svd_solver == "randomized" and (rule is None or rule == "scree"):
            return "full"
        if self.svd_solver != "auto":
            return self.svd_solver
        integral = isinstance(rule, Integral)
        if sp.issparse(X):
            return "arpack" if integral or rule is None else "covariance_eigh"
        if n_features <= 1000 and n_samples >= 10 * n_features:
            return "covariance_eigh"
        if max(n_samples, n_features) <= 500 or not (
            integral and 1 <= rule < 0.8 * rank
        ):
            return "full"
        randomized = (
            2.0 * n_samples * n_features * min(rule + self.n_oversamples, rank)
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
        self.n_samples_seen_ = int(n_samples)
        self.var_ = np.diag(moments.within) / n_samples

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
            self.n_components, eigenvalues, n_features, total, n_samples
        )
        ratio = eigenvalues / total if total > 0 else np.zeros_like(eigenvalues)
        for name in ("_moments", "n_samples_seen_", "var_"):
            self.__dict__.pop(name, None)
        self.components_ = np.ascontiguousarray(
            flip_signs(eigenvectors[:n_components]), dtype=dtype
        )
        self.eigenvalues_ = eigenvalues
        # The trace (more than sum(eigenvalues_) after the randomized solver).
        self._total_variance = float(total)
        self.explained_variance_ = eigenvalues[:n_components].copy()
        self.singular_values_ = np.sqrt(self.explained_variance_ * (n_samples - 1))
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
        k = _select_n_components(
            self.n_components, eigenvalues, Xc.shape[1], n_samples=n_samples
        )
        if mu[0] == 0.0 or mu[max(k, 1) - 1] < 1e-8 * mu[0]:
            return None
        return eigenvalues, (u[:, :k] / np.sqrt(mu[:k])).astype(Xc.dtype).T @ Xc

    def _fit_truncated(self, X, mean, centred):
        """Leading eigenpairs by ARPACK or by a randomized SVD of the centred data.

        The randomized solver's eigenpairs double until :func:`_certified`
        bounds decide the rule exactly; the full decomposition takes over from
        80 % of the rank.
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
        if self._fit_svd_solver == "arpack":
            return self._fit_arpack(Xc, mean, scale, total)
        # What the sketch may miss: the trace minus what it captured, + rounding.
        rounding = 64 * np.finfo(X.dtype).eps * total
        rule = self.n_components
        random_state = check_random_state(self.random_state)
        size = int(rule) if isinstance(rule, Integral) else min(10, rank)
        while True:
            n_iter = self.iterated_power
            if n_iter == "auto":
                n_iter = _n_power_iterations(size, rank)
            # On one BLAS thread: scipy's factorisations inside randomized_svd
            # and numpy's products fight for the cores otherwise (5x slower on
            # 2000 x 2000 data on two busy cores).
            with blas_single_thread():
                # The whole sketch (n_oversamples=0 of size + n_oversamples),
                # for what it captures: scikit-learn's PCA's values.
                _, s, vt = randomized_svd(
                    Xc, size + self.n_oversamples, n_oversamples=0, n_iter=n_iter,
                    power_iteration_normalizer=self.power_iteration_normalizer,
                    flip_sign=False, random_state=random_state,
                )
            captured = float(np.sum(s.astype(np.float64) ** 2))
            eigenvalues = s[:size].astype(np.float64) ** 2 / (n_samples - 1)
            missed = max(total - captured / (n_samples - 1), 0.0) + rounding
            if size == rank or _certified(rule, eigenvalues, missed, total, n_features):
                # The variances of the projections (the Rayleigh quotients, within
                # the bounds certified), so that singular_values_ are their norms.
                vt = vt[:size]
                eigenvalues = row_norms((Xc @ vt.T).T, squared=True) / (n_samples - 1)
                order = np.argsort(-eigenvalues, kind="stable")
                return self._set_model(
                    eigenvalues[order].astype(np.float64), vt[order], mean, scale,
                    n_samples, X.dtype, total,
                )
            size = 2 * size
            if size >= 0.8 * rank:
                if n_samples >= n_features:
                    return super()._fit_validated(X)
                eigenvalues, axes = self._fit_svd(Xc)
                return self._set_model(
                    eigenvalues, axes, mean, scale, n_samples, X.dtype
                )

    def _fit_arpack(self, Xc, mean, scale, total):
        """ARPACK's leading singular triplets of centred data (array or operator)."""
        n_samples = Xc.shape[0]
        rule = self.n_components
        k = min(Xc.shape) - 1 if rule is None else rule
        random_state = check_random_state(self.random_state)
        # scikit-learn's start vector: uniform on [-1, 1].
        v0 = random_state.uniform(-1, 1, min(Xc.shape))
        _, s, vt = svds(Xc, k=k, tol=self.tol, v0=v0)
        eigenvalues = s[::-1].astype(np.float64) ** 2 / (n_samples - 1)
        return self._set_model(
            eigenvalues, vt[::-1], mean, scale, n_samples, Xc.dtype, total
        )

    def _fit_sparse_arpack(self, X):
        """ARPACK on a sparse X, centred (and standardized) inside the operator."""
        n_samples = X.shape[0]
        mean = np.asarray(X.mean(axis=0), dtype=np.float64).ravel()
        squares = np.asarray(X.multiply(X).sum(axis=0), dtype=np.float64).ravel()
        if not np.all(np.isfinite(squares)):
            assert_all_finite(X, input_name="X", estimator_name="PCA")
        check_magnitude(squares, mean * n_samples, n_samples, X.dtype)
        variance = np.maximum(squares - n_samples * mean**2, 0.0) / (n_samples - 1)
        scale, weights, total = None, np.ones_like(mean), float(variance.sum())
        if self.standardize:
            constant = constant_features(variance, squares / n_samples, n_samples,
                                         X.dtype)
            scale = np.sqrt(np.where(constant, 1.0, variance))
            weights = np.where(constant, 0.0, 1.0 / scale)
            total = float(np.count_nonzero(~constant))
        operator = _centred_operator(X, mean.astype(X.dtype), weights.astype(X.dtype))
        return self._fit_arpack(operator, mean, scale, total)

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
        if sp.issparse(X):
            X = validate_data(self, X, accept_sparse=("csr", "csc"),
                              dtype=list(self._dtypes), reset=False)
            weights = self.components_.T.astype(X.dtype)
            if self.scale_ is not None:
                weights /= self.scale_[:, None].astype(X.dtype)
            X_new = np.asarray(X @ weights) - self.mean_.astype(X.dtype) @ weights
        else:
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
        With ``whiten=True``, scikit-learn's convention: the excess variances
        times ``explained_variance_``.

        Returns
        -------
        cov : ndarray of shape (n_features, n_features)
            The model's covariance of X.
        """
        check_is_fitted(self)
        components = self.components_.astype(np.float64)
        cov = (components.T * self._excess_variances()) @ components
        cov.flat[:: cov.shape[0] + 1] += self.noise_variance_
        if self.scale_ is not None:
            scale = self.scale_.astype(np.float64)
            cov *= np.outer(scale, scale)
        return cov

    def get_precision(self):
        """Inverse of :meth:`get_covariance`, in closed form.

        ``I / s2 - components_.T @ diag(1 / s2 - 1 / v) @ components_`` (``s2``
        the noise variance, ``v`` the model's variances along the components,
        ``explained_variance_`` unless whitened), the components orthonormal.

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
        variances = self._excess_variances() + noise
        if noise > 0:
            shrink = 1.0 / noise - 1.0 / variances
            precision = -(components.T * shrink) @ components
            precision.flat[:: n_features + 1] += 1.0 / noise
        else:  # every axis kept
            precision = (components.T / variances) @ components
        if self.scale_ is not None:
            scale = self.scale_.astype(np.float64)
            precision /= np.outer(scale, scale)
        return precision

    def _excess_variances(self):
        """The model's variances along the components above the noise variance:
        ``explained_variance_ - noise_variance_`` (clipped at 0), times
        ``explained_variance_`` when whitened (scikit-learn's convention)."""
        excess = np.maximum(self.explained_variance_ - self.noise_variance_, 0.0)
        return excess * self.explained_variance_ if self._whiten else excess

    def _check_density(self):
        """Refuse a model whose covariance is singular: it has no density."""
        if (
            self.noise_variance_ == 0 and self.n_components_ < self.n_features_in_
        ) or not np.all(self._excess_variances() + self.noise_variance_ > 0):
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
        variances = self._excess_variances() + self.noise_variance_
        quadratic = row_norms(projections / np.sqrt(variances), True)
        n_features = X.shape[1]
        log_det = float(np.sum(np.log(variances)))
        noise = self.noise_variance_
        if noise > 0:
            residual = Z - projections @ components
            quadratic += row_norms(residual, squared=True) / noise
            log_det += (n_features - self.n_components_) * np.log(noise)
        if self.scale_ is not None:
            log_det += 2.0 * float(np.sum(np.log(self.scale_.astype(np.float64))))
        return -0.5 * (quadratic + n_features * np.log(2.0 * np.pi) + log_det)

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
        X = check_array(X, input_name="X", dtype=[np.float64, np.float32],
                        ensure_min_features=0)
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
        tags.input_tags.sparse = self.svd_solver not in ("full", "randomized")
        return tags


@fill_moment_doc
class IncrementalPCA(PCA):
    """scikit-learn's IncrementalPCA: this PCA fitted batch by batch, exactly.

    ``fit`` reads X in batches of ``batch_size`` rows (sparse batches made
    dense one at a time) and ``partial_fit`` adds one block: both merge the
    blocks' exact count, mean and scatter (Chan, Golub & LeVeque), so the model
    is that of :class:`PCA` with ``svd_solver="covariance_eigh"`` on all the
    rows, whatever the batches (scikit-learn's incremental SVD is exact only
    when every component is kept). Memory: one batch and the
    ``n_features x n_features`` scatter.

    Parameters
    ----------
    n_components : int, float, {"mle", "kaiser", "scree"} or None, default=None
        As :class:`PCA`'s: None keeps ``min(n_samples, n_features)``
        components, ``0.7`` the lecture's 70 % rule. It may change between
        ``partial_fit`` calls: the moments of every sample seen are kept.
    whiten : bool, default=False
        Divide the projections by the square root of their eigenvalue.
    copy : bool, default=True
        scikit-learn's permission to overwrite X when False; never done here.
    batch_size : int or None, default=None
        Rows per batch of ``fit``; None: ``5 * n_features``.

    Attributes
    ----------
    components_ : ndarray of shape (n_components_, n_features)
        Principal axes as rows, in decreasing order of eigenvalue.
    explained_variance_ : ndarray of shape (n_components_,)
        Eigenvalues of the kept components.
    explained_variance_ratio_ : ndarray of shape (n_components_,)
        Contributions of the kept components.
    singular_values_ : ndarray of shape (n_components_,)
        Singular values of the centred data, ``sqrt((n_samples_seen_ - 1) λ)``.
    eigenvalues_ : ndarray of shape (n_features,)
        All eigenvalues of the covariance, decreasing.
    n_components_ : int
        Number of components kept.
    noise_variance_ : float
        Probabilistic PCA's noise variance: the mean of the eigenvalues not kept.
    n_samples_seen_ : int
        Number of samples seen (``n_samples_`` too).
    var_ : ndarray of shape (n_features,)
        Per-feature variance (ddof=0) of the samples seen.
    batch_size_ : int
        Rows per batch of the last ``fit``.
    n_samples_ : int
        Number of samples seen.
    {moment_attributes}

    See Also
    --------
    PCA : The model, with every solver and the lecture's ``standardize``.
    sklearn.decomposition.IncrementalPCA : scikit-learn's incremental SVD.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.datasets import load_digits
    >>> from sklearn_lecture import PCA, IncrementalPCA
    >>> X, _ = load_digits(return_X_y=True)
    >>> ipca = IncrementalPCA(n_components=7, batch_size=200).fit(X)
    >>> ipca.transform(X).shape
    (1797, 7)
    >>> full = PCA(n_components=7).fit(X)
    >>> bool(np.allclose(ipca.explained_variance_, full.explained_variance_))
    True
    """

    _parameter_constraints: dict = {
        "n_components": PCA._parameter_constraints["n_components"],
        "whiten": ["boolean"],
        "copy": ["boolean"],
        "batch_size": [Interval(Integral, 1, None, closed="left"), None],
    }
    _accept_sparse = ("csr", "csc", "lil")
    # PCA's parameters that IncrementalPCA fixes: the moments, unscaled.
    svd_solver, standardize = "covariance_eigh", False

    def __init__(self, n_components=None, *, whiten=False, copy=True, batch_size=None):
        store_params(self, locals())

    def _check_width(self, n_features):
        rule = self.n_components
        if isinstance(rule, Integral) and rule > n_features:
            raise ValueError(
                f"n_components={rule} invalid for n_features={n_features}, need "
                "more rows than columns for IncrementalPCA processing"
            )

    def _fit_validated(self, X):
        """The merged moments of X's batches (a dask X: of its blocks)."""
        n_samples, n_features = X.shape
        self._check_width(n_features)
        self.batch_size_ = self.batch_size or 5 * n_features
        if is_dask_array(X):
            return super()._fit_validated(X)
        moments = None
        for rows in gen_batches(n_samples, self.batch_size_):
            block = X[rows].toarray() if sp.issparse(X) else X[rows]
            moments = accumulate(moments, self._step(block), GroupMoments.merge)
        return self._fit_statistics(moments, X.dtype)

    def partial_fit(self, X, y=None):
        """Add a block of samples and refit on all those seen (exact).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            A dense block of samples, with the first block's number of features.
        y : None
            Ignored.

        Returns
        -------
        self : object
            The estimator, updated.
        """
        if sp.issparse(X):
            raise TypeError(
                "IncrementalPCA.partial_fit does not support sparse input. Either "
                "convert data to dense or use IncrementalPCA.fit to do so in batches."
            )
        shape, rule = np.shape(X), self.n_components
        if not hasattr(self, "_moments") and len(shape) == 2:
            self._check_width(shape[1])
            if isinstance(rule, Integral) and rule > shape[0]:
                raise ValueError(
                    f"n_components={rule} must be less or equal to the batch number "
                    f"of samples {shape[0]} for the first partial_fit call."
                )
        return super().partial_fit(X, y)
