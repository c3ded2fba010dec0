"""Fisher's linear discriminant, as a transformer and a classifier."""

import warnings
from numbers import Integral, Real

import numpy as np
from scipy import linalg
from scipy.special import expit, log_expit, logsumexp, softmax
from sklearn.base import (
    BaseEstimator,
    ClassifierMixin,
    ClassNamePrefixFeaturesOutMixin,
    TransformerMixin,
    clone,
)
from sklearn.covariance import empirical_covariance, ledoit_wolf, shrunk_covariance
from sklearn.utils import check_consistent_length
from sklearn.utils.metaestimators import available_if
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, validate_data

from ..utils._compat import HasMethods, Interval, StrOptions
from ..utils._dask import (
    DaskInferenceMixin,
    is_dask_array,
    row_blocks,
    validate_dask_head,
)
from ..utils._fitting import accumulate, reduce_rows
from ..utils._linalg import (
    affine_scores,
    constant_features,
    group_sums,
    is_singular,
    row_norms,
    thin_svd,
)
from ..utils._moments import GroupMoments, block_moments, check_magnitude
from ..utils._params import store_params
from ..utils._validation import (
    check_partial_fit_classes,
    fit_guard,
    ravel_column_vector,
)


class SingularScatterWarning(UserWarning):
    """Warning raised when the eigen solver's within-class covariance is singular.

    scikit-learn's ``solver="eigen"`` fails there (its generalised eigenproblem
    needs a positive definite Σ_W); :class:`FisherLDA` adds a tiny ridge so that
    the result stays finite. ``solver="svd"`` or ``shrinkage="auto"`` usually
    serve better.
    """


def _dask_targets(X, y):
    """The dask y of a dask X as the in-memory fit takes it: one label per row."""
    if not is_dask_array(y):
        raise ValueError("With a dask array X, y must be a dask array too.")
    y = ravel_column_vector(row_blocks(y), stacklevel=5)
    if y.ndim != 1:
        raise ValueError(f"y should be a 1d array, got an array of shape {y.shape}.")
    check_consistent_length(X, y)
    return y


def _use_span(n_samples, n_features):
    """Whether S_W is kept as a thin SVD of the centred data (wide data)."""
    return n_features > n_samples


def _within_std(variance, second_moment, n_samples):
    """Per-feature standard deviation, 1 where the variance is rounding noise,
    and the mask of those features."""
    zero = constant_features(variance, second_moment, n_samples, np.float64)
    return np.where(zero, 1.0, np.sqrt(variance)), zero


def _is_singular(covariance):
    """Whether Σ_W is singular to rounding: a zero variance, or matrix_rank's
    rule on its correlation matrix (so that the features' units do not decide)."""
    std = np.sqrt(np.diag(covariance))
    return not np.all(std > 0) or is_singular(covariance / np.outer(std, std))[0]


def _between_scatter(moments):
    """``S_B = Σ_k n_k (m_k - m)(m_k - m)^T`` of per-class moments."""
    mean = moments.counts @ moments.means / moments.n_samples
    deviation = (moments.means - mean) * np.sqrt(moments.counts)[:, None]
    return deviation.T @ deviation


class _LowRankMoments(GroupMoments):
    """The moments of a fit on wide data: ``S_W = root^T root`` formed on access,
    with ``root = diag(s) Vt diag(std)`` from the SVD of the standardised
    class-centred data (``factors = (s, Vt, std)``)."""

    def __init__(self, counts, means, second_moments, factors):
        self.counts, self.means, self.second_moments = counts, means, second_moments
        self.factors = factors

    @property
    def within(self):
        s, vt, std = self.factors
        root = s[:, None] * vt * std
        return root.T @ root


class FisherLDA(
    DaskInferenceMixin,
    ClassNamePrefixFeaturesOutMixin,
    TransformerMixin,
    ClassifierMixin,
    BaseEstimator,
):
    """Fisher's linear discriminant: projection and classifier.

    The lecture's criterion: directions w maximising ``J(w) = w^T S_B w / w^T
    S_W w``, between- over within-class scatter: ``w ∝ S_W^{-1} (m_1 - m_0)``
    for two classes, else the generalised eigenproblem ``S_B w = λ S_W w`` (at
    most ``n_classes - 1`` informative directions), each of unit pooled
    within-class variance. A drop-in for scikit-learn's
    :class:`~sklearn.discriminant_analysis.LinearDiscriminantAnalysis`: the same
    parameters, attributes and values, solver by solver. :meth:`predict` is the
    Gaussian rule with a shared covariance, on the full discriminant whatever
    ``n_components`` (which only shapes :meth:`transform`). Added: the scatter
    matrices, a fit on dask arrays and an exact ``partial_fit`` (both from
    merged per-class moments), and a ridge where the eigen solver meets a
    singular Σ_W.

    Parameters
    ----------
    solver : {"svd", "lsqr", "eigen"}, default="svd"
        - ``"svd"``: whitens the class-centred data by their SVD (features of
          singular value below ``tol`` dropped: collinear, constant, or more
          features than samples), then takes the SVD of the whitened class
          means; no covariance matrix, no shrinkage.
        - ``"lsqr"``: the rule ``Σ_W^{-1} m_k`` by least squares (of least
          norm where Σ_W is singular); no :meth:`transform`.
        - ``"eigen"``: the generalised eigenproblem ``Σ_B w = λ Σ_W w`` with
          ``Σ_B = Σ_T - Σ_W``, both estimated as ``shrinkage`` or
          ``covariance_estimator`` say.
    shrinkage : None, float in [0, 1] or "auto", default=None
        Regularisation of each class's covariance C_k (``"lsqr"`` and
        ``"eigen"`` only): a float α gives ``(1 - α) C_k + α (trace(C_k) /
        n_features) I``; ``"auto"`` the Ledoit–Wolf estimate
        (:func:`sklearn.covariance.ledoit_wolf`) of the standardized samples.
    priors : array-like of shape (n_classes,), default=None
        Class prior probabilities; the class proportions when None.
        Renormalised (with a warning) when they do not sum to 1.
    n_components : int or None, default=None
        Number of directions returned by :meth:`transform`; at most
        ``min(n_classes - 1, n_features)``, which None selects.
    store_covariance : bool, default=False
        Whether the svd solver stores ``covariance_`` (the other solvers
        always do).
    tol : float, default=1e-4
        Singular values of the standardized class-centred data below ``tol``
        count as zero (svd solver); the eigen solver's ridge on a singular
        Σ_W is ``tol**2`` times each feature's variance.
    covariance_estimator : estimator or None, default=None
        An estimator with ``fit`` and ``covariance_`` (as in
        :mod:`sklearn.covariance`) used on each class instead of the empirical
        covariance (``"lsqr"`` and ``"eigen"``; not with ``shrinkage``).

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        Class labels.
    means_ : ndarray of shape (n_classes, n_features)
        Class means m_k.
    priors_ : ndarray of shape (n_classes,)
        Class priors (sum to 1).
    xbar_ : ndarray of shape (n_features,)
        Prior-weighted mean of the class means; svd projections are centred on
        it.
    covariance_ : ndarray of shape (n_features, n_features)
        ``Σ_W = Σ_k prior_k C_k``, the (shrunk) pooled within-class covariance,
        with any ridge. With the svd solver, only when ``store_covariance``.
    within_scatter_ : ndarray of shape (n_features, n_features)
        ``S_W = Σ_k Σ_{t in k} (x_t - m_k)(x_t - m_k)^T``.
    between_scatter_ : ndarray of shape (n_features, n_features)
        ``S_B = Σ_k n_k (m_k - m)(m_k - m)^T``, m the mean of the samples.
    scalings_ : ndarray of shape (n_features, rank) or (n_features, n_features)
        Discriminant directions as columns, by decreasing J(w), of unit
        within-class variance: rank (at most ``n_classes - 1``) columns with
        the svd solver, every generalised eigenvector with the eigen solver;
        none with lsqr.
    explained_variance_ratio_ : ndarray of shape (n_components_,)
        Share of the discriminant eigenvalues carried by each direction (svd
        and eigen solvers).
    n_components_ : int
        Number of directions :meth:`transform` returns (at most).
    coef_ : ndarray of shape (n_classes, n_features) or (1, n_features)
        Weights of ``decision_function``; with two classes one row,
        ``classes_[1]``'s minus ``classes_[0]``'s.
    intercept_ : ndarray of shape (n_classes,) or (1,)
        Constants of the decision rule (``log prior_k - m_k Σ_W^{-1} m_k / 2``,
        the svd solver's centred on ``xbar_``).
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Names of features seen during fit, when X has string column names.

    See Also
    --------
    sklearn.discriminant_analysis.LinearDiscriminantAnalysis : scikit-learn's
        LDA, whose parameters and values these are.
    PCA : Unsupervised projection keeping the most variance.

    References
    ----------
    .. [1] R. A. Fisher, "The use of multiple measurements in taxonomic
       problems", Annals of Eugenics 7(2), 179-188, 1936.
    .. [2] R. O. Duda, P. E. Hart, D. G. Stork, "Pattern Classification",
       2nd ed., Wiley, 2001, sections 2.6 and 3.8.
    .. [3] O. Ledoit, M. Wolf, "A well-conditioned estimator for
       large-dimensional covariance matrices", J. Multivariate Analysis 88(2),
       365-411, 2004.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn_lecture import FisherLDA
    >>> X, y = load_iris(return_X_y=True)
    >>> lda = FisherLDA().fit(X, y)
    >>> lda.transform(X)[0].round(2)
    array([ 8.14, -0.3 ])
    >>> lda.explained_variance_ratio_.round(4)
    array([0.9912, 0.0088])
    >>> round(lda.score(X, y), 2)
    0.98
    """

    _parameter_constraints: dict = {
        "solver": [StrOptions({"svd", "lsqr", "eigen"})],
        "shrinkage": [StrOptions({"auto"}), Interval(Real, 0, 1, closed="both"), None],
        "priors": ["array-like", None],
        "n_components": [Interval(Integral, 1, None, closed="left"), None],
        "store_covariance": ["boolean"],
        "tol": [Interval(Real, 0, None, closed="left")],
        "covariance_estimator": [HasMethods("fit"), None],
    }

    def __init__(
        self,
        solver="svd",
        *,
        shrinkage=None,
        priors=None,
        n_components=None,
        store_covariance=False,
        tol=1e-4,
        covariance_estimator=None,
    ):
        store_params(self, locals())

    @fit_guard
    def fit(self, X, y):
        """Fit the discriminant directions and the class model.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data.
        y : array-like of shape (n_samples,)
            Class labels (any hashable type: ints, strings, ...).

        Returns
        -------
        self : FisherLDA
            The fitted estimator.
        """
        if is_dask_array(X):
            return self._fit_dask(X, y)
        X, y = validate_data(
            self, X, y, ensure_min_samples=2, dtype=[np.float64, np.float32]
        )
        check_classification_targets(y)
        classes, labels = np.unique(y, return_inverse=True)
        self._check_params(classes, X.shape[1])
        if X.shape[0] == classes.shape[0]:
            # One sample per class: the within-class scatter is undefined.
            raise ValueError(
                "The number of samples must be more than the number of classes "
                f"(got {X.shape[0]} of each): with one sample per class the "
                "within-class scatter S_W is undefined."
            )
        dtype, X = X.dtype, X.astype(np.float64, copy=False)
        if _use_span(*X.shape):
            moments = self._span_moments(X, labels, classes.shape[0])
        else:
            moments = GroupMoments.of(X, labels, classes.shape[0])
        self._fit_statistics(classes, moments, (X, labels), dtype)
        return self

    def _span_moments(self, X, labels, n_classes):
        """The moments of wide data, S_W as the thin SVD of the centred data."""
        n_samples = X.shape[0]
        counts = np.bincount(labels, minlength=n_classes).astype(np.float64)
        means = group_sums(X, labels, n_classes) / counts[:, None]
        squares = np.einsum("ij,ij->j", X, X)
        check_magnitude(squares, counts @ means, n_samples, X.dtype)
        # In place: a fresh n x d array costs more in page faults.
        Z = means[labels]
        np.subtract(X, Z, out=Z)
        variance = np.einsum("ij,ij->j", Z, Z) / n_samples
        std, zero = _within_std(variance, squares / n_samples, n_samples)
        # Rounding noise is no direction (scikit-learn drops only exact zeros).
        Z[:, zero] = 0.0
        Z /= std
        _, s, vt = thin_svd(Z)
        return _LowRankMoments(counts, means, squares, (s, vt, std))

    def _needs_samples(self):
        """What, among the parameters, needs every sample of each class at once."""
        if self.shrinkage == "auto":
            return "shrinkage='auto' (Ledoit-Wolf of each class's samples)"
        if self.covariance_estimator is not None:
            return "a covariance_estimator (fitted on each class's samples)"
        if self.priors is not None and (self.solver != "svd" or self.store_covariance):
            return "priors with a covariance (the classes' covariances weighted)"
        return None

    def _fit_dask(self, X, y):
        """Per-class statistics of each block on the workers, merged exactly."""
        reason = self._needs_samples()
        if reason:
            raise ValueError(
                f"{reason} needs every sample in one place; with a dask array use "
                "a float shrinkage and the class proportions as priors."
            )
        X = validate_dask_head(self, X, dtype=np.float64)
        y = _dask_targets(X, y)
        classes = reduce_rows(np.unique, np.union1d, y)
        check_classification_targets(classes)
        self._check_params(classes, X.shape[1])
        moments = reduce_rows(
            block_moments, GroupMoments.merge, X, y, args=(classes,),
        )
        self._fit_statistics(classes, moments)
        return self

    def _has_exact_partial_fit(self):
        reason = self._needs_samples()
        if reason:
            raise AttributeError(
                f"FisherLDA has no partial_fit with {reason}: it needs every "
                "sample at once; use a float shrinkage."
            )
        return True

    @available_if(_has_exact_partial_fit)
    @fit_guard
    def partial_fit(self, X, y, classes=None):
        """Add a block of labelled samples to the model (exact).

        The per-class counts, means and scatter are merged exactly, so the
        model equals ``fit`` on all the samples seen. Not available with
        ``shrinkage="auto"``, a ``covariance_estimator``, or ``priors`` where a
        covariance is estimated (they need each class's samples).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            A block of samples.
        y : array-like of shape (n_samples,)
            Their labels, all among ``classes``.
        classes : array-like of shape (n_classes,), default=None
            Every label of the data: required on the first call, as in
            scikit-learn's ``partial_fit``.

        Returns
        -------
        self : FisherLDA
            The estimator, updated. Until every class has been seen, and more
            samples than classes, the discriminant is not computed (a warning
            says so).
        """
        first = not hasattr(self, "_moments")
        X, y = validate_data(self, X, y, dtype=np.float64, reset=first)
        check_classification_targets(y)
        known = check_partial_fit_classes(
            None if first else self._partial_classes, classes, y
        )
        # Every call: set_params may have changed n_components since the last.
        self._check_params(known, X.shape[1])
        block = block_moments(X, y, known, dtype=(np.float64,))
        previous = None if first else self._moments
        moments = accumulate(previous, block, GroupMoments.merge)
        missing = known[moments.counts == 0]
        if missing.size or moments.n_samples <= known.shape[0]:
            warnings.warn(
                f"No samples of the classes {missing!r} yet, or one per class: "
                "the discriminant is computed once every class has been seen "
                "and one has two samples.",
                UserWarning,
                stacklevel=2,
            )
        else:
            self._fit_statistics(known, moments)
        # Stored once the model is: a failed call changes nothing.
        self._moments, self._partial_classes = moments, known
        return self

    def __sklearn_is_fitted__(self):
        # No discriminant until partial_fit has seen every class.
        return hasattr(self, "coef_")

    def _check_params(self, classes, n_features):
        """The checks of every fit: classes, n_components, solver and shrinkage."""
        if classes.shape[0] < 2:
            raise ValueError(
                "FisherLDA needs samples of at least 2 classes; got 1 class "
                f"({classes[0]!r})."
            )
        max_components = min(classes.shape[0] - 1, n_features)
        if self.n_components is not None and self.n_components > max_components:
            raise ValueError(
                "n_components cannot be larger than min(n_features, n_classes - 1)"
                f"={max_components}; got n_components={self.n_components}."
            )
        if self.solver == "svd" and self.shrinkage is not None:
            raise NotImplementedError(
                "shrinkage not supported with 'svd' solver; use 'lsqr' or 'eigen'."
            )
        if self.solver == "svd" and self.covariance_estimator is not None:
            raise ValueError(
                "covariance estimator is not supported with svd solver. Try "
                "another solver ('lsqr' or 'eigen')."
            )
        if self.covariance_estimator is not None and self.shrinkage:
            raise ValueError(
                "covariance_estimator and shrinkage parameters are not None. Only "
                "one of the two can be set."
            )

    def _priors(self, proportions):
        """The priors_: the class proportions, or ``priors`` checked."""
        if self.priors is None:
            return proportions
        priors = np.asarray(self.priors, dtype=np.float64)
        if priors.shape != proportions.shape or not np.all(np.isfinite(priors)):
            raise ValueError(
                f"priors must be {proportions.shape[0]} finite values, one per "
                f"class; got {self.priors!r}."
            )
        if np.any(priors < 0):
            raise ValueError("priors must be non-negative")
        if not priors.sum() > 0:
            raise ValueError("priors must not all be zero.")
        if abs(priors.sum() - 1.0) > 1e-5:
            warnings.warn("The priors do not sum to 1. Renormalizing", UserWarning)
            priors = priors / priors.sum()
        return priors

    def _fit_statistics(self, classes, moments, samples=None, dtype=np.float64):
        """The model of the samples whose per-class statistics are ``moments``
        (``samples``, the ``(X, labels)`` of an in-memory fit, where needed)."""
        means, n_samples = moments.means, moments.n_samples
        n_classes, n_features = means.shape
        n_components = self.n_components or min(n_classes - 1, n_features)
        priors = self._priors(moments.counts / n_samples)
        with np.errstate(divide="ignore"):
            log_priors = np.log(priors)
        xbar = priors @ means
        fitted = {"xbar_": xbar}
        if self.solver != "svd" or self.store_covariance:
            fitted["covariance_"] = self._within_covariance(moments, priors, samples)
        if self.solver == "svd":
            scalings, ratio = self._solve_svd(moments, priors)
            centroids = (means - xbar) @ scalings
            coef = centroids @ scalings.T
            intercept = log_priors - 0.5 * row_norms(centroids, True) - coef @ xbar
        else:
            if self.solver == "eigen":
                scalings, ratio, fitted["covariance_"] = self._solve_eigen(
                    moments, fitted["covariance_"], samples
                )
                coef = (means @ scalings) @ scalings.T
            else:
                # On a singular Σ_W, the solution of least norm (as scikit-learn's).
                coef = linalg.lstsq(fitted["covariance_"], means.T)[0].T
            intercept = log_priors - 0.5 * np.einsum("ij,ij->i", means, coef)
        if self.solver != "lsqr":
            fitted["scalings_"] = scalings
            fitted["explained_variance_ratio_"] = ratio[:n_components]
        if n_classes == 2:
            # One score for classes_[1] against classes_[0], as scikit-learn's LDA.
            coef, intercept = coef[1:] - coef[:1], intercept[1:] - intercept[:1]
        fitted.update(coef_=coef, intercept_=intercept, means_=means, priors_=priors)
        for name in ("covariance_", "scalings_", "explained_variance_ratio_"):
            self.__dict__.pop(name, None)
        for name, value in fitted.items():
            setattr(self, name, value.astype(dtype, copy=False))
        self.classes_, self.n_components_ = classes, n_components
        self._moments, self._partial_classes = moments, classes
        # The svd solver's projections are centred on xbar_, the eigen solver's not.
        self._centre = xbar if self.solver == "svd" else None

    def _whitening(self, moments):
        """The svd solver's first step: ``W`` with ``W^T Σ_W W = I`` on the range of
        the standardized class-centred data (singular values above ``tol``)."""
        n_samples = moments.n_samples
        if isinstance(moments, _LowRankMoments):
            s, vt, std = moments.factors
            s = s / np.sqrt(n_samples)
        else:
            within = moments.within / n_samples
            std, zero = _within_std(
                np.diag(within), moments.second_moments / n_samples, n_samples
            )
            correlation = within / np.outer(std, std)
            correlation[zero] = correlation[:, zero] = 0.0
            # Any signs: the directions do not depend on them (see _solve_svd).
            eigenvalues, vectors = linalg.eigh(correlation, check_finite=False)
            s, vt = np.sqrt(np.clip(eigenvalues[::-1], 0.0, None)), vectors[:, ::-1].T
        rank = int(np.sum(s > self.tol))
        if rank == 0:
            raise ValueError(
                "The within-class scatter S_W is zero (every class's samples are "
                "equal, or within tol): no direction to whiten."
            )
        return (vt[:rank] / std).T / s[:rank]

    def _solve_svd(self, moments, priors):
        """Directions and ratios of the svd solver: the SVD of the whitened,
        prior-weighted class means."""
        means, n_classes = moments.means, moments.means.shape[0]
        whitening = self._whitening(moments)
        weights = np.sqrt(moments.n_samples * priors / (n_classes - 1))
        centred = weights[:, None] * (means - priors @ means) @ whitening
        # scipy's SVD as scikit-learn's, whose left singular vectors do not depend
        # on the signs of the whitening's columns: its signs are theirs.
        _, s, vt = linalg.svd(centred, full_matrices=False)
        power = s**2
        ratio = power / power.sum() if power.sum() > 0 else power
        rank = int(np.sum(s > self.tol * s[0]))
        return whitening @ vt[:rank].T, ratio

    def _within_covariance(self, moments, priors, samples):
        """``Σ_W = Σ_k prior_k C_k`` with C_k estimated as the parameters say."""
        if samples is None:
            # Linear in the class covariances (the refusals of _needs_samples).
            return self._estimate(None, moments.within / moments.n_samples)
        # Class by class as scikit-learn, to its rounding: a singular Σ_W's
        # least-squares solution depends on it.
        X, labels = samples
        covariance = 0.0
        for k, prior in enumerate(priors):
            Xk = X[labels == k]
            covariance = covariance + prior * self._estimate(
                Xk, empirical_covariance(Xk)
            )
        return covariance

    def _estimate(self, X, empirical):
        """The covariance of the samples ``X`` whose empirical covariance is
        ``empirical``, as ``shrinkage`` or ``covariance_estimator`` say."""
        if self.covariance_estimator is not None:
            # A copy, fitted in place (its fit may return anything).
            estimator = clone(self.covariance_estimator, safe=False)
            estimator.fit(X)
            if not hasattr(estimator, "covariance_"):
                raise ValueError(
                    f"{type(estimator).__name__} does not have a covariance_ "
                    "attribute"
                )
            return np.asarray(estimator.covariance_, dtype=np.float64)
        if self.shrinkage == "auto":
            # Ledoit-Wolf of the standardized samples, scaled back.
            n_samples = X.shape[0]
            second_moment = np.einsum("ij,ij->j", X, X) / n_samples
            std = _within_std(np.diag(empirical), second_moment, n_samples)[0]
            shrunk = ledoit_wolf((X - X.mean(axis=0)) / std, assume_centered=True)[0]
            return std[:, None] * shrunk * std
        if self.shrinkage:
            return shrunk_covariance(empirical, self.shrinkage)
        return empirical

    def _solve_eigen(self, moments, covariance, samples):
        """Directions, ratios and Σ_W of the eigen solver: ``Σ_B w = λ Σ_W w``."""
        if samples is None:
            X, total = None, (moments.within + _between_scatter(moments))
            total /= moments.n_samples
        else:
            X, total = samples[0], empirical_covariance(samples[0])
        between = self._estimate(X, total) - covariance
        try:
            if _is_singular(covariance):
                # Cholesky may pass or fail on it, as rounding decides.
                raise linalg.LinAlgError
            eigenvalues, vectors = linalg.eigh(between, covariance)
        except linalg.LinAlgError:
            warnings.warn(
                "The within-class covariance is singular (collinear or constant "
                "features, or more features than samples per class); a ridge of "
                f"tol**2={self.tol**2:.3g} times each feature's variance was "
                "added. Consider solver='svd' or shrinkage='auto'.",
                SingularScatterWarning,
                stacklevel=6,
            )
            covariance = covariance + np.diag(
                self._ridge(np.diag(covariance), np.diag(total), moments)
            )
            eigenvalues, vectors = linalg.eigh(between, covariance)
        ratio = np.sort(eigenvalues / eigenvalues.sum())[::-1]
        return vectors[:, np.argsort(eigenvalues)[::-1]], ratio, covariance

    def _ridge(self, variance, total, moments):
        """The ridge added to the diagonal of a singular pooled covariance."""
        n_samples = moments.n_samples
        second_moment = moments.second_moments / n_samples
        zero = constant_features(variance, second_moment, n_samples, np.float64)
        # A feature constant within every class is scaled by its total variance,
        # one constant everywhere by the other features' (not its own noise).
        ridge_scale = np.where(zero, total, variance)
        everywhere = constant_features(total, second_moment, n_samples, np.float64)
        informative = ridge_scale[~everywhere]
        fallback = float(informative.mean()) if informative.size else 1.0
        ridge_scale = np.where(everywhere, fallback, ridge_scale)
        ridge_scale = np.where(ridge_scale > 0, ridge_scale, 1.0)
        # tol=0 still needs some ridge to stay finite.
        return max(self.tol**2, np.finfo(np.float64).eps) * ridge_scale

    # Formed on access (a fit on wide data keeps the SVD of the centred data).
    @property
    def within_scatter_(self):
        """ndarray of shape (n_features, n_features): S_W."""
        check_is_fitted(self)
        return self._moments.within

    @property
    def between_scatter_(self):
        """ndarray of shape (n_features, n_features): S_B."""
        check_is_fitted(self)
        return _between_scatter(self._moments)

    def transform(self, X):
        """Project X onto the first ``n_components_`` discriminant directions.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Data to project.

        Returns
        -------
        X_new : ndarray of shape (n_samples, n_components_) or (n_samples, rank)
            Coordinates ``W^T (x - xbar_)`` with the svd solver, ``W^T x`` with
            the eigen solver (unit pooled within-class variance).
        """
        if self.solver == "lsqr":
            raise NotImplementedError(
                "transform not implemented for 'lsqr' solver (use 'svd' or 'eigen')."
            )
        check_is_fitted(self)
        directions = self.scalings_[:, : self.n_components_]
        return affine_scores(self, X, directions, mean=self._centre)

    def decision_function(self, X):
        """Class scores ``X @ coef_.T + intercept_``: log posteriors up to a constant.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Data to score.

        Returns
        -------
        scores : ndarray of shape (n_samples,) or (n_samples, n_classes)
            With two classes, ``classes_[1]``'s score minus ``classes_[0]``'s.
        """
        check_is_fitted(self)
        scores = affine_scores(self, X, self.coef_.T, intercept=self.intercept_)
        return scores.ravel() if scores.shape[1] == 1 else scores

    def predict(self, X):
        """Nearest class mean in the discriminant space, priors considered.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Data to classify.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
            Predicted labels, taken from ``classes_``.
        """
        scores = self.decision_function(X)
        if scores.ndim == 1:
            return self.classes_[(scores > 0).astype(np.intp)]
        return self.classes_[np.argmax(scores, axis=1)]

    def predict_proba(self, X):
        """Posterior class probabilities of the projected Gaussian model.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Data to score.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            Rows sum to one; columns follow ``classes_``.
        """
        scores = self.decision_function(X)
        if scores.ndim == 1:
            p1 = expit(scores)
            return np.column_stack([1.0 - p1, p1])
        return softmax(scores, axis=1)

    def predict_log_proba(self, X):
        """Logarithm of :meth:`predict_proba`, computed without underflow.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Data to score.

        Returns
        -------
        log_proba : ndarray of shape (n_samples, n_classes)
        """
        scores = self.decision_function(X)
        if scores.ndim == 1:
            return np.column_stack([log_expit(-scores), log_expit(scores)])
        return scores - logsumexp(scores, axis=1, keepdims=True)

    @property
    def _n_features_out(self):
        return self.n_components_
