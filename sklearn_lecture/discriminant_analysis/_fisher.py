"""Fisher's linear discriminant, as a transformer and a classifier."""

import functools
import warnings
from numbers import Integral, Real
from types import SimpleNamespace

import numpy as np
from scipy import linalg
from scipy.special import expit, log_expit, logsumexp, softmax
from sklearn.base import (
    BaseEstimator,
    ClassifierMixin,
    ClassNamePrefixFeaturesOutMixin,
    TransformerMixin,
)
from sklearn.covariance import ledoit_wolf
from sklearn.utils import check_consistent_length
from sklearn.utils.metaestimators import available_if
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, validate_data

from ..utils._compat import Interval, StrOptions
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
    flip_signs,
    group_sums,
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
    """Warning raised when the within-class scatter matrix S_W is singular.

    :class:`FisherLDA` then adds a tiny ridge to S_W so the result stays finite;
    ``shrinkage="auto"`` usually gives a better-conditioned estimate.
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
    """Whether the discriminant is solved in the span of the centred data."""
    return n_features > n_samples


class _LowRankMoments(GroupMoments):
    """The moments of a fit on wide data, whose scatters are formed on access:
    ``S_W = root^T root``, ``S_B = deviation^T deviation`` and the pooled
    covariance ``weight S_W / n_samples + diag(ridge)``."""

    def __init__(self, counts, means, second_moments, root, deviation, weight, ridge):
        self.counts, self.means, self.second_moments = counts, means, second_moments
        self._root, self._deviation = root, deviation
        self._weight, self._ridge = weight, ridge

    within = property(lambda self: self._root.T @ self._root)
    between = property(lambda self: self._deviation.T @ self._deviation)

    @property
    def covariance(self):
        covariance = (self._weight / self.n_samples) * self.within
        covariance.flat[:: covariance.shape[0] + 1] += self._ridge
        return covariance


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
    within-class variance (``Σ_W = S_W / n_samples``). :meth:`predict` picks the
    nearest projected class mean, priors considered. Wide data are solved in the
    span of the class-centred data (a thin SVD). ``fit`` on dask and
    ``partial_fit`` give the model of ``fit`` (exact per-class moments), except
    with ``shrinkage="auto"``.

    Parameters
    ----------
    n_components : int or None, default=None
        Number of discriminant directions; at most
        ``min(n_classes - 1, n_features)``, which None selects.
    shrinkage : None, float in [0, 1] or "auto", default=None
        Regularisation of the pooled within-class covariance
        ``Σ_W = S_W / n_samples``:

        - None: none;
        - float: ``(1 - α) Σ_W + α (trace(Σ_W) / n_features) I``;
        - ``"auto"``: Ledoit–Wolf shrinkage (:func:`sklearn.covariance.ledoit_wolf`)
          of the pooled within-class centred data, each feature standardized
          first; it needs every centred sample (no dask fit, no ``partial_fit``).

        Use it when S_W is singular (more features than samples, collinear or
        constant features).
    tol : float, default=1e-4
        S_W counts as singular when the smallest eigenvalue of the within-class
        correlation matrix is below ``tol**2``; it then gets a ridge of
        ``tol**2`` times each feature's variance and a
        :class:`SingularScatterWarning`.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        Class labels.
    means_ : ndarray of shape (n_classes, n_features)
        Class means m_k.
    priors_ : ndarray of shape (n_classes,)
        Class proportions in the training data.
    xbar_ : ndarray of shape (n_features,)
        Overall mean; projections are centred on it.
    within_scatter_ : ndarray of shape (n_features, n_features)
        ``S_W = Σ_k Σ_{t in k} (x_t - m_k)(x_t - m_k)^T``.
    between_scatter_ : ndarray of shape (n_features, n_features)
        ``S_B = Σ_k n_k (m_k - m)(m_k - m)^T``.
    covariance_ : ndarray of shape (n_features, n_features)
        The pooled within-class covariance used (shrunk, with any ridge).
    scalings_ : ndarray of shape (n_features, n_components_)
        Discriminant directions as columns, by decreasing J(w); each column's
        largest-magnitude entry is positive.
    explained_variance_ratio_ : ndarray of shape (n_components_,)
        Share of the discriminant eigenvalues carried by each kept direction.
    n_components_ : int
        Number of discriminant directions kept.
    coef_ : ndarray of shape (n_classes, n_features) or (1, n_features)
        Weights of ``decision_function``: row k is ``W W^T (m_k - xbar)``; with
        two classes one row, ``classes_[1]``'s minus ``classes_[0]``'s.
    intercept_ : ndarray of shape (n_classes,) or (1,)
        Constants of the decision rule: ``log prior_k - |W^T (m_k - xbar)|^2 / 2
        - coef_k . xbar``.
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Names of features seen during fit, when X has string column names.

    See Also
    --------
    sklearn.discriminant_analysis.LinearDiscriminantAnalysis : scikit-learn's
        LDA (Gaussian model; its ``"eigen"`` solver spans the same directions).
    PCA : Unsupervised projection keeping the most variance.

    References
    ----------
    .. [1] R. A. Fisher, "The use of multiple measurements in taxonomic
       problems", Annals of Eugenics 7(2), 179-188, 1936.
    .. [2] R. O. Duda, P. E. Hart, D. G. Stork, "Pattern Classification",
       2nd ed., Wiley, 2001, section 3.8.
    .. [3] O. Ledoit, M. Wolf, "A well-conditioned estimator for
       large-dimensional covariance matrices", J. Multivariate Analysis 88(2),
       365-411, 2004.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn_lecture import FisherLDA
    >>> X, y = load_iris(return_X_y=True)
    >>> lda = FisherLDA().fit(X, y)
    >>> lda.n_components_
    2
    >>> lda.transform(X).shape
    (150, 2)
    >>> lda.explained_variance_ratio_.round(4)
    array([0.9912, 0.0088])
    >>> round(lda.score(X, y), 2)
    0.98
    """

    _parameter_constraints: dict = {
        "n_components": [Interval(Integral, 1, None, closed="left"), None],
        "shrinkage": [StrOptions({"auto"}), Interval(Real, 0, 1, closed="both"), None],
        "tol": [Interval(Real, 0, None, closed="left")],
    }

    def __init__(self, n_components=None, *, shrinkage=None, tol=1e-4):
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
        X, y = validate_data(self, X, y, dtype=np.float64)
        check_classification_targets(y)
        classes, labels = np.unique(y, return_inverse=True)
        self._check_n_classes(classes, X.shape[1])
        n_classes = classes.shape[0]
        n_samples = X.shape[0]
        if n_samples == n_classes:
            # One sample per class: the within-class scatter is undefined
            # (scikit-learn's LinearDiscriminantAnalysis refuses it too).
            raise ValueError(
                f"The number of samples ({n_samples}) must be more than the "
                f"number of classes ({n_classes}): with one sample per class the "
                "within-class scatter S_W is undefined."
            )
        if self.shrinkage != "auto" and _use_span(n_samples, X.shape[1]):
            counts = np.bincount(labels, minlength=n_classes)
            # One indicator product: one pass over X for every class at once.
            means = group_sums(X, labels, n_classes) / counts[:, None]
            moments = self._fit_span(X, labels, classes, counts, means)
            if moments is not None:
                self._moments, self._partial_classes = moments, classes
                return self
        moments = GroupMoments.of(X, labels, n_classes)
        # Ledoit-Wolf needs the centred data themselves.
        Z = X - moments.means[labels] if self.shrinkage == "auto" else None
        self._fit_statistics(classes, moments, Z)
        return self

    def _fit_dask(self, X, y):
        """Per-class statistics of each block on the workers, merged exactly."""
        if self.shrinkage == "auto":
            raise ValueError(
                "shrinkage='auto' (Ledoit-Wolf) needs every centred sample in one "
                "place; with a dask array use a float shrinkage."
            )
        X = validate_dask_head(self, X, dtype=np.float64)
        y = _dask_targets(X, y)
        classes = reduce_rows(np.unique, np.union1d, y)
        check_classification_targets(classes)
        self._check_n_classes(classes, X.shape[1])
        moments = reduce_rows(
            functools.partial(block_moments, dtype=(np.float64,)),
            GroupMoments.merge,
            X,
            y,
            args=(classes,),
        )
        self._fit_statistics(classes, moments, None)
        return self

    def _has_exact_partial_fit(self):
        # Ledoit-Wolf needs every centred sample, which partial_fit does not keep.
        if self.shrinkage == "auto":
            raise AttributeError(
                "FisherLDA has no partial_fit with shrinkage='auto': Ledoit-Wolf "
                "needs every centred sample at once; use a float shrinkage."
            )
        return True

    @available_if(_has_exact_partial_fit)
    @fit_guard
    def partial_fit(self, X, y, classes=None):
        """Add a block of labelled samples to the model (exact).

        The per-class counts, means and scatter are merged exactly, so the
        model equals ``fit`` on all the samples seen. Not available with
        ``shrinkage="auto"`` (Ledoit-Wolf needs every centred sample).

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
            The estimator, updated. Until every class has been seen the
            discriminant is not computed (a warning says so).
        """
        first = not hasattr(self, "_moments")
        X, y = validate_data(self, X, y, dtype=np.float64, reset=first)
        check_classification_targets(y)
        known = check_partial_fit_classes(
            None if first else self._partial_classes, classes, y
        )
        # Every call: set_params may have changed n_components since the last.
        self._check_n_classes(known, X.shape[1])
        block = block_moments(X, y, known, dtype=(np.float64,))
        previous = None if first else self._moments
        moments = accumulate(previous, block, GroupMoments.merge)
        missing = known[moments.counts == 0]
        if missing.size:
            warnings.warn(
                f"No samples of the classes {missing!r} yet: the discriminant is "
                "computed once every class has been seen.",
                UserWarning,
                stacklevel=2,
            )
        else:
            self._fit_statistics(known, moments, None)
        # Stored once the model is: a failed call changes nothing.
        self._moments, self._partial_classes = moments, known
        return self

    def __sklearn_is_fitted__(self):
        # No discriminant until partial_fit has seen every class.
        return hasattr(self, "coef_")

    def _check_n_classes(self, classes, n_features):
        if classes.shape[0] < 2:
            raise ValueError(
                "FisherLDA needs samples of at least 2 classes; got 1 class "
                f"({classes[0]!r})."
            )
        max_components = min(classes.shape[0] - 1, n_features)
        if self.n_components is not None and self.n_components > max_components:
            raise ValueError(
                f"n_components={self.n_components} cannot be larger than "
                f"min(n_features, n_classes - 1)={max_components}."
            )

    def _fit_statistics(self, classes, moments, Z):
        """The model of the samples whose per-class statistics are ``moments``."""
        counts, means, within = moments.counts, moments.means, moments.within
        n_samples = moments.n_samples
        n_classes, n_features = means.shape
        max_components = min(n_classes - 1, n_features)
        n_components = self.n_components or max_components
        second_moment = moments.second_moments / n_samples
        priors = counts / n_samples
        xbar = priors @ means
        deviation = (means - xbar) * np.sqrt(counts)[:, None]
        between = deviation.T @ deviation

        covariance = self._pooled_covariance(within / n_samples, Z)
        covariance = self._regularise(
            covariance,
            (between + within) / n_samples,
            second_moment,
            n_samples,
        )

        scalings, eigenvalues = self._directions(means, between, covariance)
        self._set_model(
            classes, means, priors, scalings, eigenvalues, n_components,
            SimpleNamespace(within=within, between=between, covariance=covariance),
        )
        if Z is None:
            self._moments, self._partial_classes = moments, classes

    def _set_model(
        self, classes, means, priors, scalings, eigenvalues, n_components, scatters
    ):
        """Store the directions and the decision rule: the one place that does."""
        n_classes = means.shape[0]
        xbar = priors @ means
        total = eigenvalues.sum()
        kept = eigenvalues[:n_components]
        self.explained_variance_ratio_ = kept / total if total > 0 else 0.0 * kept
        self.scalings_ = np.ascontiguousarray(
            flip_signs(scalings[:, :n_components].T).T
        )
        self.__dict__.pop("_moments", None)
        self.classes_, self.means_, self.priors_ = classes, means, priors
        self.xbar_ = xbar
        self._scatters, self.n_components_ = scatters, n_components

        # The Gaussian scores in the projected space are affine in x:
        # z·μ_k - |μ_k|²/2 + log π_k with z = W^T (x - xbar), μ_k = W^T (m_k - xbar).
        centroids = (means - xbar) @ self.scalings_
        coef = centroids @ self.scalings_.T
        intercept = -coef @ xbar - 0.5 * row_norms(centroids, True) + np.log(priors)
        if n_classes == 2:
            # One score for classes_[1] against classes_[0], as scikit-learn's LDA.
            coef = coef[1:] - coef[:1]
            intercept = intercept[1:] - intercept[:1]
        self.coef_, self.intercept_ = coef, intercept

    # Formed on access after a fit on wide data (_LowRankMoments).
    @property
    def within_scatter_(self):
        """ndarray of shape (n_features, n_features): S_W."""
        return self._scatters.within

    @property
    def between_scatter_(self):
        """ndarray of shape (n_features, n_features): S_B."""
        return self._scatters.between

    @property
    def covariance_(self):
        """ndarray of shape (n_features, n_features): the Σ_W used."""
        return self._scatters.covariance

    def _fit_span(self, X, labels, classes, counts, means):
        """The discriminant of wide data, without n_features x n_features matrices.

        The pooled covariance ``a Z^T Z / n + diag(δ)`` (Z class-centred, ``a = 1
        - shrinkage``, δ target plus ridge); with ``A = sqrt(a / n) Z D^{-1/2} = U
        S V^T``, ``S_B w = λ Σ w`` becomes the SVD of ``M D^{-1/2} (A^T A +
        I)^{-1/2}``. None, having set nothing, when the ridge decision needs the
        dense eigenvalues.
        """
        n_samples, n_features = X.shape
        n_classes = means.shape[0]
        priors = counts / n_samples
        xbar = priors @ means
        deviation = (means - xbar) * np.sqrt(counts)[:, None]
        # In place: a fresh n x d array costs more in page faults.
        Z = means[labels]
        np.subtract(X, Z, out=Z)
        variance = np.einsum("ij,ij->j", Z, Z) / n_samples
        second_moment = np.einsum("ij,ij->j", X, X) / n_samples
        check_magnitude(second_moment * n_samples, counts @ means, n_samples, X.dtype)
        total = variance + np.einsum("ij,ij->j", deviation, deviation) / n_samples
        alpha = 0.0 if self.shrinkage is None else float(self.shrinkage)
        weight = 1.0 - alpha
        target = alpha * variance.sum() / n_features
        diagonal = weight * variance + target
        zero = constant_features(diagonal, second_moment, n_samples, np.float64)
        # rank(S_W) < n_features: singular without a shrinkage target; with
        # one, below tol**2 only the dense eigenvalues can tell.
        singular = zero.any() or target == 0.0
        if not singular and target / diagonal.max() < self.tol**2:
            return None
        ridge = np.full(n_features, target)
        if singular:
            self._warn_singular(stacklevel=4)
            ridge += self._ridge(diagonal, total, second_moment, n_samples)

        scale = 1.0 / np.sqrt(ridge)
        Z *= scale
        _, s, vt = thin_svd(Z)
        s_a = np.sqrt(weight / n_samples) * s
        # (A^T A + I)^{-1/2} - I = V diag(shrink) V^T.
        shrink = 1.0 / np.sqrt(s_a**2 + 1.0) - 1.0
        B = deviation * scale
        G = B + ((B @ vt.T) * shrink) @ vt
        _, sigma, rt = thin_svd(G)
        u = rt.T
        directions = (u + vt.T @ (shrink[:, None] * (vt @ u))) * scale[:, None]
        eigenvalues = sigma**2
        max_components = min(n_classes - 1, n_features)
        n_components = self.n_components or max_components
        # root^T root = Z^T Z (unscaled).
        moments = _LowRankMoments(
            counts.astype(float), means, second_moment * n_samples,
            s[:, None] * vt / scale, deviation, weight, ridge,
        )
        self._set_model(
            classes, means, priors, directions, eigenvalues, n_components, moments
        )
        return moments

    def _pooled_covariance(self, covariance, Z):
        """Apply the requested shrinkage to the pooled within-class covariance."""
        if self.shrinkage is None:
            return covariance
        n_features = covariance.shape[0]
        if self.shrinkage == "auto":
            std = np.sqrt(np.diag(covariance))
            std[std == 0] = 1.0
            shrunk = ledoit_wolf(Z / std, assume_centered=True)[0]
            return std[:, None] * shrunk * std[None, :]
        mu = np.trace(covariance) / n_features
        shrunk = (1.0 - self.shrinkage) * covariance
        shrunk.flat[:: n_features + 1] += self.shrinkage * mu
        return shrunk

    def _regularise(self, covariance, total_covariance, second_moment, n_samples):
        """Add a tiny ridge when the pooled covariance is (numerically) singular."""
        variance = np.diag(covariance).copy()
        zero = constant_features(variance, second_moment, n_samples, np.float64)
        safe = np.where(zero, 1.0, variance)
        if not zero.any():
            std = np.sqrt(safe)
            corr = covariance / np.outer(std, std)
            smallest = linalg.eigvalsh(corr, check_finite=False)[0]
            if smallest >= self.tol**2:
                return covariance
        self._warn_singular(stacklevel=5)
        regularised = covariance.copy()
        regularised.flat[:: covariance.shape[0] + 1] += self._ridge(
            variance, np.diag(total_covariance), second_moment, n_samples
        )
        return regularised

    def _warn_singular(self, stacklevel):
        warnings.warn(
            "The within-class scatter matrix S_W is singular (collinear or "
            "constant features, or more features than samples per class); a ridge "
            f"of tol**2={self.tol**2:.3g} times each feature's variance was added. "
            "Consider shrinkage='auto'.",
            SingularScatterWarning,
            stacklevel=stacklevel,
        )

    def _ridge(self, variance, total, second_moment, n_samples):
        """The ridge added to the diagonal of a singular pooled covariance."""
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

    def _directions(self, means, between, covariance):
        """Discriminant directions (columns) and their eigenvalues, decreasing."""
        n_classes = means.shape[0]
        if n_classes == 2:
            # The lecture's closed form: w = Σ_W^{-1} (m_1 - m_0).
            w = linalg.solve(
                covariance, means[1] - means[0], assume_a="pos", check_finite=False
            )
            w /= np.sqrt(w @ covariance @ w)
            eigenvalue = w @ between @ w
            return w[:, None], np.array([max(eigenvalue, 0.0)])
        eigenvalues, eigenvectors = linalg.eigh(between, covariance, check_finite=False)
        order = np.argsort(eigenvalues)[::-1]
        return eigenvectors[:, order], np.clip(eigenvalues[order], 0.0, None)

    def transform(self, X):
        """Project X onto the discriminant directions.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Data to project.

        Returns
        -------
        X_new : ndarray of shape (n_samples, n_components_)
            Coordinates ``W^T (x - xbar_)`` (unit pooled within-class variance).
        """
        check_is_fitted(self)
        return affine_scores(self, X, self.scalings_, mean=self.xbar_)

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
