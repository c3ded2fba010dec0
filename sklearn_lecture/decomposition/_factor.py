"""Common factor analysis: principal-axis, minres and maximum-likelihood extraction."""

import warnings
from dataclasses import dataclass
from numbers import Integral, Real

import numpy as np
from scipy import linalg, optimize, stats
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_array, check_is_fitted, validate_data

from ..utils._callbacks import NO_TASK, CallbackSupportMixin, begin_fit
from ..utils._compat import Hidden, Interval, RealNotInt, StrOptions
from ..utils._linalg import affine_scores, is_singular
from ..utils._params import store_params
from ..utils._rules import contribution_fraction, kaiser
from ._base import (
    _centred_moments,
    _correlation_from_covariance,
    _covariance,
    _LikelihoodMixin,
    _MomentModel,
    fill_moment_doc,
    format_table,
)
from ._rotation import OBLIQUE_ROTATIONS, rotate

# Lower bound on a uniqueness, as a fraction of the variable's variance: the
# bound of R's factanal and of factor_analyzer. A uniqueness that reaches it is a
# Heywood case (the variable would be explained entirely by the factors).
_MIN_UNIQUENESS = 0.005

# Random data sets drawn for Horn's parallel analysis.
_PARALLEL_DRAWS = 100

# Memory per block of random data when parallel analysis cannot use the
# Wishart shortcut (fewer samples than features).
_BLOCK_BYTES = 32 * 2**20


class HeywoodWarning(UserWarning):
    """Warning raised when a communality reaches the variable's whole variance.

    A Heywood case: the fit drives a uniqueness to zero (or below). The
    uniqueness is held at 0.5 % of the variable's variance, so the result stays
    finite; the usual causes are too many factors, too few samples or nearly
    collinear variables.
    """


def _degrees_of_freedom(n_features, n_factors):
    """Degrees of freedom of the factor model, ``((p - k)^2 - (p + k)) / 2``."""
    return ((n_features - n_factors) ** 2 - (n_features + n_factors)) / 2


def _max_identified_factors(n_features):
    """Largest k with non-negative degrees of freedom (Ledermann's bound)."""
    k = int(np.floor((2 * n_features + 1 - np.sqrt(8 * n_features + 1)) / 2))
    # Guard the floor against rounding on perfect squares.
    while _degrees_of_freedom(n_features, k + 1) >= 0:
        k += 1
    while k > 0 and _degrees_of_freedom(n_features, k) < 0:
        k -= 1
    return k


def _correlation(X, name):
    """X validated (3 samples, 2 features) and its correlation matrix."""
    X = check_array(X, dtype=np.float64, ensure_min_samples=3, ensure_min_features=2)
    return X, _correlation_from_covariance(_covariance(_centred_moments(X), name))


def bartlett_sphericity(X):
    """Bartlett's test that the variables are uncorrelated.

    Under the null hypothesis (identity correlations) ``chi2 = -(n - 1 - (2p +
    5) / 6) ln det R`` is chi-square with ``p (p - 1) / 2`` degrees of freedom; a
    small p-value says the correlations are worth a factor analysis.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        Data (at least 3 samples and 2 features, no constant column).

    Returns
    -------
    statistic : float
        The chi-square statistic (infinite for a singular correlation matrix).
    dof : int
        Its degrees of freedom, ``p (p - 1) / 2``.
    p_value : float

    See Also
    --------
    kmo : Kaiser-Meyer-Olkin measure of sampling adequacy.

    References
    ----------
    .. [1] M. S. Bartlett, "A note on the multiplying factors for various chi
       square approximations", Journal of the Royal Statistical Society B 16,
       1954.

    Examples
    --------
    >>> from sklearn.datasets import load_wine
    >>> from sklearn_lecture.decomposition import bartlett_sphericity
    >>> X, _ = load_wine(return_X_y=True)
    >>> statistic, dof, p_value = bartlett_sphericity(X)
    >>> round(statistic, 2), dof, p_value < 1e-100
    (1317.18, 78, True)
    """
    X, corr = _correlation(X, "bartlett_sphericity")
    n_samples, n_features = X.shape
    # A singular correlation matrix has determinant zero: infinite statistic.
    singular, eigenvalues = is_singular(corr)
    statistic = np.inf if singular else -np.sum(np.log(eigenvalues)) * (
        n_samples - 1 - (2 * n_features + 5) / 6
    )
    dof = n_features * (n_features - 1) // 2
    return float(statistic), int(dof), float(stats.chi2.sf(statistic, dof))


def kmo(X):
    """Kaiser-Meyer-Olkin measure of sampling adequacy.

    ``MSA_j = sum_i r_ij^2 / (sum_i r_ij^2 + sum_i q_ij^2)`` over ``i != j``, r
    the correlations, q the partial correlations. Near 1 the variables share
    common factors; below 0.6 the data are usually judged unfit.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        Data (at least 3 samples and 2 features, no constant column).

    Returns
    -------
    msa : ndarray of shape (n_features,)
        The measure of each variable.
    overall : float
        The measure over all pairs.

    See Also
    --------
    bartlett_sphericity : Test that the variables are uncorrelated.

    References
    ----------
    .. [1] H. F. Kaiser, "A second generation little jiffy", Psychometrika 35,
       1970.

    Examples
    --------
    >>> from sklearn.datasets import load_wine
    >>> from sklearn_lecture.decomposition import kmo
    >>> X, _ = load_wine(return_X_y=True)
    >>> msa, overall = kmo(X)
    >>> round(overall, 4)
    0.7787
    """
    _, corr = _correlation(X, "kmo")
    if is_singular(corr)[0]:
        warnings.warn(
            "The correlation matrix is singular (collinear variables or fewer "
            "samples than variables): the partial correlations come from its "
            "pseudo-inverse.", UserWarning, stacklevel=2,
        )
    inverse = linalg.pinvh(corr, check_finite=False)
    diag = np.sqrt(np.clip(np.diag(inverse), np.finfo(float).tiny, None))
    partial = -inverse / np.outer(diag, diag)
    np.fill_diagonal(corr, 0.0)
    np.fill_diagonal(partial, 0.0)
    corr_sq = np.sum(corr**2, axis=0)
    partial_sq = np.sum(partial**2, axis=0)
    msa = corr_sq / (corr_sq + partial_sq)
    overall = corr_sq.sum() / (corr_sq.sum() + partial_sq.sum())
    return msa, float(overall)


def _initial_communalities(S):
    """Squared multiple correlations (times the variances): the usual start."""
    d = np.diag(S)
    if not is_singular(S)[0]:
        h = d - 1.0 / np.diag(linalg.inv(S, check_finite=False))
    else:
        corr = np.abs(_correlation_from_covariance(S))
        np.fill_diagonal(corr, 0.0)
        h = d * corr.max(axis=1)
    return np.clip(h, 0.0, d)


def _start(S, start):
    """Initial uniquenesses: ``start`` (fractions of the variances) or, by
    default, one minus the squared multiple correlations."""
    d = np.diag(S)
    return d - _initial_communalities(S) if start is None else start * d


def _top_eigen(S, n_factors):
    """Leading eigenpairs of a symmetric matrix, in decreasing order."""
    p = S.shape[0]
    values, vectors = linalg.eigh(
        S, subset_by_index=[p - n_factors, p - 1], check_finite=False
    )
    return values[::-1], vectors[:, ::-1]


def _principal_axis_step(S, h, n_factors, ceiling):
    """One principal-axis step from communalities ``h``."""
    p = S.shape[0]
    reduced = S.copy()
    reduced[np.diag_indices_from(reduced)] = h
    values, vectors = linalg.eigh(reduced, check_finite=False)
    top = np.clip(values[p - n_factors :][::-1], 0.0, None)
    loadings = vectors[:, p - n_factors :][:, ::-1] * np.sqrt(top)
    residual = values.copy()
    residual[p - n_factors :] = np.minimum(residual[p - n_factors :], 0.0)
    h_new = np.einsum("ij,ij->i", loadings, loadings)
    heywood = h_new > ceiling
    return np.minimum(h_new, ceiling), loadings, heywood, residual @ residual


def _principal_axis(S, n_factors, tol, max_iter, task=NO_TASK, start=None):
    """Iterated principal-axis factoring, accelerated by SQUAREM.

    Communalities on the diagonal, leading eigenvectors, new communalities,
    until they change by less than ``tol`` (relative to the variances). SQUAREM
    (Varadhan & Roland 2008) extrapolates from two steps, kept when it lowers
    the residual. ``max_iter`` counts eigendecompositions, each a subtask of
    ``task`` (scikit-learn's callbacks, which may stop it).
    """
    d = np.diag(S).copy()
    ceiling = (1.0 - _MIN_UNIQUENESS) * d
    h = np.clip(d - _start(S, start), 0.0, ceiling)
    n_iter, converged, stop = 0, False, False

    def step(h):
        nonlocal n_iter, stop
        n_iter += 1
        iteration = task.subtask("iteration")
        result = _principal_axis_step(S, h, n_factors, ceiling)
        stop = iteration.end() or n_iter >= max_iter
        return result

    def small(a, b):
        return np.max(np.abs(a - b) / d) < tol

    while True:
        h1, loadings, heywood, _ = step(h)
        if small(h1, h) or stop:
            converged = small(h1, h)
            break
        h2, loadings, heywood, merit1 = step(h1)
        if small(h2, h1) or stop:
            h, h1 = h1, h2
            converged = small(h1, h)
            break
        r = h1 - h
        v = h2 - h1 - r
        norm_v = np.linalg.norm(v)
        alpha = min(-np.linalg.norm(r) / norm_v, -1.0) if norm_v > 0 else -1.0
        extrapolated = np.clip(h - 2 * alpha * r + alpha**2 * v, 0.0, ceiling)
        h3, loadings3, heywood3, merit3 = step(extrapolated)
        if merit3 < merit1:
            h, h1, loadings, heywood = extrapolated, h3, loadings3, heywood3
        else:
            h, h1 = h1, h2
        if small(h1, h) or stop:
            converged = small(h1, h)
            break
        h = h1
    h = h1
    return loadings, d - h, n_iter, converged, heywood


def _fit_heywood_rows(loadings, communalities, heywood):
    """The loadings, their Heywood rows scaled to the capped communality."""
    row = np.sqrt(np.einsum("ij,ij->i", loadings, loadings))
    scale = np.sqrt(communalities) / np.where(row > 0, row, 1.0)
    return loadings * np.where(heywood, scale, 1.0)[:, None]


def _minres_objective(psi, S, n_factors):
    """Unweighted least squares: half the squared eigenvalues of ``S - Psi``
    the loadings leave (and any negative leading one); ``dλ_j / dψ_i = -v_ij^2``."""
    reduced = S.copy()
    reduced[np.diag_indices_from(reduced)] -= psi
    values, vectors = linalg.eigh(reduced, check_finite=False)
    p = S.shape[0]
    residual = values.copy()
    residual[p - n_factors :] = np.minimum(residual[p - n_factors :], 0.0)
    return 0.5 * residual @ residual, -(vectors**2) @ residual


def _minres_loadings(S, psi, n_factors):
    reduced = S.copy()
    reduced[np.diag_indices_from(reduced)] -= psi
    values, vectors = _top_eigen(reduced, n_factors)
    return vectors * np.sqrt(np.clip(values, 0.0, None))


def _ml_objective(psi, R, n_factors):
    """Discrepancy of the normal likelihood, as R's factanal: ``sum_{j>k} (θ_j -
    ln θ_j - 1)``, θ the eigenvalues of ``Psi^{-1/2} R Psi^{-1/2}``."""
    scale = 1.0 / np.sqrt(psi)
    values, vectors = linalg.eigh(R * np.outer(scale, scale), check_finite=False)
    p = R.shape[0]
    rest = np.maximum(values[: p - n_factors], np.finfo(float).tiny)
    f = np.sum(rest - np.log(rest) - 1.0)
    top = np.clip(values[p - n_factors :] - 1.0, 0.0, None)
    communality = psi * ((vectors[:, p - n_factors :] ** 2) @ top)
    return f, (communality + psi - np.diag(R)) / psi**2


def _ml_loadings(R, psi, n_factors):
    root = np.sqrt(psi)
    values, vectors = _top_eigen(R / np.outer(root, root), n_factors)
    return root[:, None] * vectors * np.sqrt(np.clip(values - 1.0, 0.0, None))


def _minimise_uniquenesses(objective, S, n_factors, tol, max_iter, *, ml,
                           task=NO_TASK, start=None):
    """L-BFGS-B over the uniquenesses within [0.5 % of the variance, variance];
    each iteration a subtask of ``task`` (scikit-learn's callbacks)."""
    d = np.diag(S)
    lower = _MIN_UNIQUENESS * d

    def criterion(psi):
        _, gradient = objective(psi, S, n_factors)
        at_lower = psi <= lower * (1.0 + 1e-9)
        at_upper = psi >= d * (1.0 - 1e-12)
        # At a bound only a gradient pointing inside the box counts.
        gradient = np.where(at_lower, np.minimum(gradient, 0.0), gradient)
        gradient = np.where(at_upper, np.maximum(gradient, 0.0), gradient)
        residual = gradient * psi**2 if ml else gradient
        return np.max(np.abs(residual) / d)

    state = {"x": np.clip(_start(S, start), lower, d), "nit": 0}

    def callback(x):
        state["x"] = x
        state["nit"] += 1
        if task.subtask("iteration").end() or criterion(x) <= tol:
            raise StopIteration

    # A longer memory than the default 10 halves the iterations on
    # ill-conditioned correlations; more than p pairs cannot help.
    options = {"maxiter": max_iter, "gtol": 0.0, "ftol": 0.0,
               "maxcor": min(max(d.shape[0], 10), 50)}
    # scipy >= 1.11 ends the run itself on StopIteration; older versions let
    # it through, and the callback has kept the iterate.
    try:
        psi = optimize.minimize(
            objective, state["x"], args=(S, n_factors), jac=True,
            method="L-BFGS-B", bounds=optimize.Bounds(lower, d),
            callback=callback, options=options,
        ).x
    except StopIteration:
        psi = state["x"]
    psi = np.clip(psi, lower, d)
    converged = criterion(psi) <= tol
    heywood = psi <= lower * (1.0 + 1e-6)
    # A start that is already optimal counts as one iteration.
    return psi, max(state["nit"], 1), bool(converged), heywood


def _orient(loadings, explained):
    """Order factors by decreasing ``explained``, make column sums positive."""
    order = np.argsort(-explained, kind="stable")
    signs = np.sign(loadings[:, order].sum(axis=0))
    signs[signs == 0] = 1.0
    return loadings[:, order] * signs, (order, signs)


def _n_factors_from_rule(rule, eigenvalues, reference):
    """Number of factors a rule asks for (at least one)."""
    if isinstance(rule, str) and rule == "kaiser":
        return kaiser(eigenvalues, 1.0)
    if isinstance(rule, str) and rule == "parallel":
        # The leading run of eigenvalues above the random-data reference.
        above = eigenvalues > reference
        run = above.shape[0] if above.all() else int(np.argmin(above))
        return max(1, run)
    return contribution_fraction(eigenvalues, rule)


def _parallel_reference(n_samples, n_features, percentile, random_state):
    """Horn's reference: a percentile of the eigenvalues of random correlations."""
    rng = check_random_state(random_state)
    if n_samples - 1 >= n_features:
        scatter = stats.wishart(df=n_samples - 1, scale=np.eye(n_features)).rvs(
            size=_PARALLEL_DRAWS, random_state=rng
        )
        scale = 1.0 / np.sqrt(np.einsum("kii->ki", scatter))
        corr = scatter * scale[:, :, None] * scale[:, None, :]
        values = np.linalg.eigvalsh(corr)[:, ::-1]
    else:
        values = np.zeros((_PARALLEL_DRAWS, n_features))
        block = max(1, _BLOCK_BYTES // (8 * n_samples * n_features))
        for start in range(0, _PARALLEL_DRAWS, block):
            stop = min(start + block, _PARALLEL_DRAWS)
            Z = rng.standard_normal((stop - start, n_samples, n_features))
            Z -= Z.mean(axis=1, keepdims=True)
            Z /= np.linalg.norm(Z, axis=1, keepdims=True)
            # The nonzero eigenvalues of Z^T Z are those of the small Z Z^T.
            gram = Z @ np.swapaxes(Z, 1, 2)
            values[start:stop, :n_samples] = np.linalg.eigvalsh(gram)[:, ::-1]
    return np.percentile(values, percentile, axis=0)


@dataclass(frozen=True, eq=False, repr=False)
class FactorTable:
    """Loadings with communalities and uniquenesses, as statistics packages print.

    Returned by :meth:`CommonFactorAnalysis.factor_table`; ``print(table)``
    shows a row per variable, then the variance each factor explains.

    Attributes
    ----------
    loadings : ndarray of shape (n_features, n_factors)
    communalities, uniquenesses : ndarray of shape (n_features,)
    explained_variance, explained_variance_ratio : ndarray of shape (n_factors,)
        The fitted attributes of the same names, read-only.
    feature_names : ndarray of shape (n_features,)
        Row labels.
    factor_names : ndarray of shape (n_factors,)
        Column labels.
    """

    loadings: np.ndarray
    communalities: np.ndarray
    uniquenesses: np.ndarray
    explained_variance: np.ndarray
    explained_variance_ratio: np.ndarray
    feature_names: np.ndarray
    factor_names: np.ndarray

    def to_string(self, max_rows=30, hide_below=None):
        """Format the table.

        Parameters
        ----------
        max_rows : int or None, default=30
            Show at most this many variables; None shows all of them.
        hide_below : float or None, default=None
            Leave loadings smaller than this in absolute value blank.

        Returns
        -------
        text : str
        """
        n_rows = self.loadings.shape[0]
        shown = n_rows if max_rows is None else min(n_rows, max_rows)

        def loading(value):
            hidden = hide_below is not None and abs(value) < hide_below
            return "" if hidden else f"{value:.3f}"

        rows = [
            [str(self.feature_names[i]), *(loading(v) for v in self.loadings[i]),
             f"{self.communalities[i]:.3f}", f"{self.uniquenesses[i]:.3f}"]
            for i in range(shown)
        ]
        ratio = self.explained_variance_ratio
        footer = [
            ["SS loadings", *(f"{v:.3f}" for v in self.explained_variance)],
            ["% of variance", *(f"{100 * v:.2f}" for v in ratio)],
            ["cumulative %", *(f"{100 * v:.2f}" for v in np.cumsum(ratio))],
        ]
        return format_table(
            ["variable", *self.factor_names, "communality", "uniqueness"], rows,
            [row + [""] * 2 for row in footer], left=True,
            more=f"... {n_rows - shown} more variables" if shown < n_rows else "",
        )

    def __str__(self):
        return self.to_string()

    __repr__ = __str__


@fill_moment_doc
class CommonFactorAnalysis(CallbackSupportMixin, _LikelihoodMixin, _MomentModel):
    """Common factor analysis with the lecture's extraction and rotation choices.

    The model ``x = Λ f + ε``: k shared factors and a unique part per variable,
    so the correlation (or covariance) matrix is ``R = Λ Λ^T + Ψ``, Ψ diagonal.
    Unlike PCA only the shared variance is explained: variable i keeps its
    uniqueness ``ψ_i``; its communality ``h_i = Σ_j λ_ij^2`` is the part the
    factors explain. Loadings by principal axes, minres or maximum likelihood,
    then rotated. A drop-in for :class:`sklearn.decomposition.FactorAnalysis`:
    its parameters, attributes and methods, with the lecture's defaults.

    Parameters
    ----------
    n_components : int, float, {"kaiser", "parallel"}, default="kaiser"
        Number of factors:

        - int: that many, from 0 (no factor: independent variables, Ψ alone)
          to n_features;
        - ``"kaiser"``: the eigenvalues of the correlation matrix above 1;
        - ``"parallel"``: Horn's parallel analysis, the leading eigenvalues above
          the ``parallel_percentile``-th percentile of those of random normal
          data of the same shape (100 draws, seeded by ``random_state``);
        - float in (0, 1]: the fewest factors whose eigenvalues' cumulative
          share of the total variance reaches it (PCA's rule).

        The model identifies k factors while ``((p - k)^2 - (p + k)) / 2 >= 0``:
        an int beyond that is fitted with a warning (the loadings are then one
        of infinitely many that fit equally well), a rule is capped there (at
        least one factor). scikit-learn's default None, as many factors as
        features, is not one: no factor analysis identifies it.
    tol : float, default=1e-6
        Extraction tolerance: largest change of a communality (principal axis)
        or projected gradient (minres, ml), relative to the variances.
    copy : bool, default=True
        scikit-learn's parameter; X is never modified (the fit reads its
        moments), so both values give the same fit.
    max_iter : int, default=100
        Maximum number of iterations of the extraction.
    noise_variance_init : array-like of shape (n_features,), default=None
        Initial uniquenesses, in X's units; None starts from one minus the
        squared multiple correlations (times the variances).
    svd_method : {"lapack", "randomized"}, default="lapack"
        scikit-learn's SVD of the data at each iteration. The extractions here
        decompose the p × p correlation (or covariance) matrix, exactly, with
        LAPACK: both values give the same fit.
    iterated_power : int, default=3
        Power iterations of scikit-learn's randomized SVD; unused, as
        ``svd_method``.
    rotation : {"varimax", "quartimax", "promax", "oblimin"} or None, \
            default="varimax"
        Varimax (Kaiser-normalised) and quartimax are orthogonal; promax (power
        4) and oblimin (direct quartimin) oblique (``factor_correlation_`` Φ).
    random_state : int, RandomState instance or None, default=None
        Seed of parallel analysis' random data; nothing else is random.
    method : {"principal_axis", "minres", "ml"}, default="principal_axis"
        Extraction: iterated principal axes, minimum residuals (unweighted
        least squares) or normal maximum likelihood (both by L-BFGS-B).
    scores : {"regression", "bartlett"}, default="regression"
        Scores of :meth:`transform`: Thurstone's ``Z R^{-1} S`` (S the structure
        matrix) or Bartlett's ``Z Ψ^{-1} Λ (Λ^T Ψ^{-1} Λ)^{-1}``.
    standardize : bool, default=True
        Analyse the correlation matrix (True) or the covariance matrix (False;
        of divisor n - 1, or n for ``"ml"``, whose fit is then the
        maximum-likelihood estimate).
    parallel_percentile : float, default=95
        Percentile of the random-data eigenvalues parallel analysis compares to.
    n_factors : int, float or {"kaiser", "parallel"}
        Deprecated: the former name of ``n_components`` (a FutureWarning); it
        will be removed in the next release.

    Attributes
    ----------
    loadings_ : ndarray of shape (n_features, `n_factors_`)
        Rotated loadings (the pattern matrix if oblique), by decreasing
        explained variance, each column's sum positive.
    components_ : ndarray of shape (`n_factors_`, n_features)
        ``loadings_.T``, scikit-learn's name.
    noise_variance_ : ndarray of shape (n_features,)
        ``uniquenesses_``, scikit-learn's name.
    structure_ : ndarray of shape (n_features, `n_factors_`) or None
        Correlations of the variables with the factors, ``loadings_ @ Φ``
        (oblique rotations only, else None).
    factor_correlation_ : ndarray of shape (`n_factors_`, `n_factors_`) or None
        Φ, the factor correlations (oblique rotations only, else None).
    rotation_matrix_ : ndarray of shape (`n_factors_`, `n_factors_`)
        ``loadings_ = unrotated @ rotation_matrix_`` (the identity without
        rotation).
    communalities_ : ndarray of shape (n_features,)
        Variance of each variable explained by the factors.
    uniquenesses_ : ndarray of shape (n_features,)
        The fitted ``ψ``, at least 0.5 % of each variance (a Heywood case).
    eigenvalues_ : ndarray of shape (n_features,)
        Eigenvalues of the correlation matrix (whatever ``standardize``),
        decreasing.
    parallel_eigenvalues_ : ndarray of shape (n_features,) or None
        Parallel analysis' reference curve when ``n_components="parallel"``.
    explained_variance_ : ndarray of shape (`n_factors_`,)
        Sum of squared loadings of each factor (``diag(Φ Λ^T Λ)`` if oblique).
    explained_variance_ratio_ : ndarray of shape (`n_factors_`,)
        The same, as a fraction of the total variance.
    n_factors_ : int
        Number of factors.
    n_iter_ : int
        Iterations of the extraction.
    loglike_ : list of float
        The log-likelihood of the training data under the fitted model (see
        :meth:`score_samples`), one value: the extractions other than ``"ml"``
        do not maximise it, so their iterations are not recorded.
    {moment_attributes}

    Notes
    -----
    ``"ml"`` needs a non-singular correlation matrix; the other methods report
    the Heywood cases a singular one causes (:class:`HeywoodWarning`). ``fit``
    on dask and ``partial_fit`` give the model of ``fit`` (exact moments).

    The model of X is the normal ``N(mean_, D (Λ Λ^T + Ψ) D)``, ``D =
    diag(scale_)`` with ``standardize=True`` (the factor model of the
    correlations in X's units, as :class:`PCA` does), else the identity:
    :meth:`get_covariance`, :meth:`get_precision` and :meth:`score_samples` are
    those of X whatever ``standardize``. scikit-learn's FactorAnalysis is the
    ``method="ml", standardize=False, rotation=None`` model, here fitted to the
    likelihood's maximum within the tolerance (each uniqueness at least 0.5 %
    of its variance), where scikit-learn's iteration often stops earlier.

    See Also
    --------
    sklearn.decomposition.FactorAnalysis : Maximum likelihood by an SVD-based
        iteration, varimax/quartimax only.
    PCA : Principal components, which explain the whole variance.
    CorrelationMerging : The lecture's merging of the most correlated
        variables.

    References
    ----------
    .. [1] H. H. Harman, "Modern Factor Analysis", 3rd ed., University of
       Chicago Press, 1976 (principal axes, minres).
    .. [2] D. N. Lawley and A. E. Maxwell, "Factor Analysis as a Statistical
       Method", 2nd ed., Butterworths, 1971 (maximum likelihood).
    .. [3] J. L. Horn, "A rationale and test for the number of factors in
       factor analysis", Psychometrika 30, 1965.
    .. [4] C. A. Bernaards and R. I. Jennrich, "Gradient projection algorithms
       and software for arbitrary rotation criteria in factor analysis",
       Educational and Psychological Measurement 65, 2005.

    Examples
    --------
    >>> from sklearn.datasets import load_wine
    >>> from sklearn_lecture.decomposition import CommonFactorAnalysis
    >>> X, _ = load_wine(return_X_y=True)
    >>> fa = CommonFactorAnalysis(n_components="kaiser", method="minres").fit(X)
    >>> fa.n_factors_
    3
    >>> fa.transform(X).shape
    (178, 3)
    >>> print(fa.factor_table().to_string(max_rows=3))
    variable       factor1  factor2  factor3  communality  uniqueness
    x0               0.035    0.798   -0.066        0.642       0.358
    x1              -0.495    0.093    0.228        0.305       0.695
    x2               0.026    0.312    0.727        0.627       0.373
    ... 10 more variables
    SS loadings      3.998    2.319    1.271
    % of variance    30.75    17.84     9.77
    cumulative %     30.75    48.59    58.37
    """

    _n_options = [
        Interval(Integral, 0, None, closed="left"),
        Interval(RealNotInt, 0, 1, closed="right"),
        StrOptions({"kaiser", "parallel"}),
    ]
    _parameter_constraints: dict = {
        "n_components": _n_options,
        "tol": [Interval(Real, 0, None, closed="left")],
        "copy": ["boolean"],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "noise_variance_init": ["array-like", None],
        "svd_method": [StrOptions({"lapack", "randomized"})],
        "iterated_power": [Interval(Integral, 0, None, closed="left")],
        "rotation": [StrOptions({"varimax", "quartimax", "promax", "oblimin"}), None],
        "random_state": ["random_state"],
        "method": [StrOptions({"principal_axis", "minres", "ml"})],
        "scores": [StrOptions({"regression", "bartlett"})],
        "standardize": ["boolean"],
        "parallel_percentile": [Interval(Real, 0, 100, closed="both")],
        "n_factors": [*_n_options, Hidden(StrOptions({"deprecated"}))],
    }

    def __init__(self, n_components="kaiser", *, tol=1e-6, copy=True, max_iter=100,
                 noise_variance_init=None, svd_method="lapack", iterated_power=3,
                 rotation="varimax", random_state=None, method="principal_axis",
                 scores="regression", standardize=True, parallel_percentile=95,
                 n_factors="deprecated"):
        store_params(self, locals())

    _min_samples = 3

    def _fit_moments(self, moments, dtype=None):
        """The factor model of the samples whose statistics ``moments`` holds."""
        n_samples, n_features = int(moments.n_samples), moments.means.shape[1]
        if n_features < 2:
            raise ValueError(
                "A factor model explains the correlations between variables; "
                f"it needs at least 2 features, got n_features={n_features}."
            )
        requested = self.n_components
        if not (isinstance(self.n_factors, str) and self.n_factors == "deprecated"):
            warnings.warn(
                "n_factors was renamed n_components (scikit-learn's name) and "
                "will be removed in the next release; pass n_components.",
                FutureWarning, stacklevel=4,
            )
            requested = self.n_factors
        covariance = _covariance(moments, type(self).__name__)
        corr = _correlation_from_covariance(covariance)
        eigenvalues = np.clip(linalg.eigvalsh(corr, check_finite=False)[::-1], 0, None)

        reference = None
        if requested == "parallel":
            reference = _parallel_reference(
                n_samples, n_features, self.parallel_percentile, self.random_state
            )
        n_factors = self._choose_n_factors(requested, eigenvalues, reference)
        S = corr if self.standardize else covariance
        if self.method == "ml" and not self.standardize:
            # The maximum of the likelihood is that of the covariance of divisor
            # n (the normal model's own estimate), as scikit-learn's.
            S = covariance * ((n_samples - 1) / n_samples)
        start = self._start(covariance if self.standardize else S)
        loadings, psi, n_iter, heywood = self._extract(S, corr, n_factors, start)
        if heywood.any():
            names = getattr(self, "feature_names_in_", None)
            variables = np.flatnonzero(heywood).tolist()
            if names is not None:
                variables = [str(names[j]) for j in variables]
            warnings.warn(
                f"Heywood case: the communality of variable(s) {variables} reached "
                f"the variable's variance; their uniqueness is held at "
                f"{_MIN_UNIQUENESS:.1%} of it. Fewer factors or more samples usually "
                "help.", HeywoodWarning, stacklevel=2,
            )
        self._set_rotation(loadings)

        d = np.diag(S)
        self.communalities_ = np.einsum("ij,ij->i", loadings, loadings)
        self.uniquenesses_ = psi
        self.noise_variance_ = psi
        self.eigenvalues_ = eigenvalues
        self.parallel_eigenvalues_ = reference
        self.explained_variance_ratio_ = self.explained_variance_ / d.sum()
        self.n_factors_ = n_factors
        self.n_iter_ = n_iter
        self.mean_ = moments.means[0]
        self.scale_ = np.sqrt(np.diag(covariance)) if self.standardize else None
        self._weights = self._score_weights(S)
        # The sum of score_samples over the training data, from its scatter.
        scatter = moments.within
        if self.scale_ is not None:
            scatter = scatter / np.outer(self.scale_, self.scale_)
        cholesky, constant = self._density()
        quadratic = np.trace(linalg.cho_solve((cholesky, True), scatter))
        self.loglike_ = [float(-0.5 * (quadratic + n_samples * constant))]

    def _start(self, covariance):
        """``noise_variance_init`` validated, as fractions of the variances of X
        in ``covariance``."""
        if self.noise_variance_init is None:
            return None
        init = np.asarray(self.noise_variance_init, dtype=np.float64)
        if init.shape != covariance.shape[:1]:
            raise ValueError(
                f"noise_variance_init has shape {init.shape}; X has "
                f"{covariance.shape[0]} features, so it needs shape "
                f"({covariance.shape[0]},)."
            )
        if not np.all(np.isfinite(init) & (init > 0)):
            raise ValueError("noise_variance_init must be positive and finite.")
        return init / np.diag(covariance)

    def _choose_n_factors(self, requested, eigenvalues, reference):
        n_features = eigenvalues.shape[0]
        identified = _max_identified_factors(n_features)
        if isinstance(requested, Integral):
            if requested > n_features:
                raise ValueError(
                    f"n_components={requested} factors are more than the "
                    f"{n_features} features of X."
                )
            n_factors = int(requested)
        else:
            n_factors = _n_factors_from_rule(requested, eigenvalues, reference)
            if n_factors > max(1, identified):
                warnings.warn(
                    f"n_components={requested!r} asks for {n_factors} factors, but "
                    f"{n_features} features identify at most {identified} (the "
                    "degrees of freedom ((p - k)^2 - (p + k)) / 2 must not be "
                    f"negative); keeping {max(1, identified)}.",
                    UserWarning, stacklevel=4,
                )
                n_factors = max(1, identified)
        dof = _degrees_of_freedom(n_features, n_factors)
        if dof < 0:
            head = (f"{n_features} features do not identify even one factor"
                    if identified == 0 else f"{n_factors} factors are more than "
                    f"{n_features} features can identify")
            warnings.warn(
                f"{head}: the degrees of freedom ((p - k)^2 - (p + k)) / 2 are "
                f"{dof:g} < 0, so these loadings are one of infinitely many that "
                f"fit equally well. At most {identified} factor(s) are identified.",
                UserWarning, stacklevel=4,
            )
        return n_factors

    def _extract(self, S, corr, n_factors, start):
        """Unrotated loadings, uniquenesses, iterations and Heywood mask."""
        if n_factors == 0:
            return np.zeros((S.shape[0], 0)), np.diag(S).copy(), 0, np.zeros(
                S.shape[0], dtype=bool)
        unit = float(np.mean(np.diag(S)))
        task = begin_fit(self, self.max_iter)
        if self.method == "principal_axis":
            loadings, psi, n_iter, converged, heywood = _principal_axis(
                S / unit, n_factors, self.tol, self.max_iter, task, start
            )
        elif self.method == "minres":
            psi, n_iter, converged, heywood = _minimise_uniquenesses(
                _minres_objective, S / unit, n_factors, self.tol, self.max_iter,
                ml=False, task=task, start=start,
            )
            loadings = _minres_loadings(S / unit, psi, n_factors)
        if self.method != "ml":
            loadings, psi = loadings * np.sqrt(unit), psi * unit
        else:
            if is_singular(corr)[0]:
                raise ValueError(
                    "method='ml' needs a non-singular correlation matrix, but this "
                    "one is singular (collinear columns, or no more samples than "
                    "features): the likelihood is unbounded. Drop the redundant "
                    "columns or use method='minres' or 'principal_axis'."
                )
            # The likelihood is scale-free: fit the correlations, rescale after.
            psi, n_iter, converged, heywood = _minimise_uniquenesses(
                _ml_objective, corr, n_factors, self.tol, self.max_iter, ml=True,
                task=task, start=start,
            )
            loadings = _ml_loadings(corr, psi, n_factors)
            d = np.diag(S)
            loadings = loadings * np.sqrt(d)[:, None]
            psi = psi * d
        task.end({})
        loadings = _fit_heywood_rows(loadings, np.diag(S) - psi, heywood)
        if not converged:
            warnings.warn(
                f"The {self.method} extraction did not converge in "
                f"max_iter={self.max_iter} iterations (tol={self.tol:g}); "
                "increase max_iter.", ConvergenceWarning, stacklevel=3,
            )
        return loadings, psi, n_iter, heywood

    def _set_rotation(self, raw):
        """Orient the extracted loadings, rotate them, orient the result."""
        unrotated, _ = _orient(raw, np.einsum("ij,ij->j", raw, raw))
        loadings, rotation, phi, converged = rotate(unrotated, self.rotation)
        if not converged:
            warnings.warn(f"The {self.rotation} rotation did not converge.",
                          ConvergenceWarning, stacklevel=3)
        if phi is None:
            explained = np.einsum("ij,ij->j", loadings, loadings)
        else:
            explained = np.einsum("ij,ij->j", loadings, loadings @ phi)
        loadings, (order, signs) = _orient(loadings, explained)
        self.loadings_ = loadings
        self.components_ = loadings.T.copy()
        self.rotation_matrix_ = rotation[:, order] * signs
        self.explained_variance_ = explained[order]
        if self.rotation in OBLIQUE_ROTATIONS:
            phi = phi[np.ix_(order, order)] * np.outer(signs, signs)
            self.factor_correlation_ = phi
            self.structure_ = loadings @ phi
        else:
            self.factor_correlation_ = None
            self.structure_ = None

    def _score_weights(self, S):
        """Matrix mapping the standardized (or centred) data to the scores."""
        if self.scores == "regression":
            structure = self.loadings_ if self.structure_ is None else self.structure_
            # A singular S (collinear columns, fewer samples than features)
            # would give huge weights: the pseudo-inverse keeps them finite.
            return linalg.pinvh(S, check_finite=False) @ structure
        weighted = self.loadings_ / self.uniquenesses_[:, None]
        if self.n_factors_ == 0:
            return weighted
        return weighted @ linalg.pinvh(self.loadings_.T @ weighted, check_finite=False)

    def transform(self, X):
        """Factor scores of X.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Data to score.

        Returns
        -------
        X_new : ndarray of shape (n_samples, `n_factors_`)
            Regression or Bartlett scores (see ``scores``).
        """
        check_is_fitted(self)
        return affine_scores(self, X, self._weights, mean=self.mean_,
                             scale=self.scale_, dtype=np.float64)

    def _density(self):
        """Cholesky factor of ``Λ Λ^T + Ψ`` (lower) and the constant of the log
        density of X, ``p ln 2π + ln det`` of the covariance of X."""
        cholesky = linalg.cholesky(
            self.loadings_ @ self.loadings_.T + np.diag(self.uniquenesses_),
            lower=True, check_finite=False,
        )
        log_det = 2.0 * np.sum(np.log(np.diag(cholesky)))
        if self.scale_ is not None:
            log_det += 2.0 * np.sum(np.log(self.scale_))
        return cholesky, cholesky.shape[0] * np.log(2.0 * np.pi) + log_det

    def get_covariance(self):
        """Covariance of X under the factor model.

        ``components_.T @ components_ + diag(noise_variance_)``, times ``scale_``
        on both sides with ``standardize=True``.

        Returns
        -------
        cov : ndarray of shape (n_features, n_features)
            The model's covariance of X.
        """
        check_is_fitted(self)
        cov = self.loadings_ @ self.loadings_.T + np.diag(self.uniquenesses_)
        return cov if self.scale_ is None else cov * np.outer(self.scale_, self.scale_)

    def get_precision(self):
        """Inverse of :meth:`get_covariance`.

        Returns
        -------
        precision : ndarray of shape (n_features, n_features)
            The model's precision matrix of X.
        """
        check_is_fitted(self)
        cholesky, _ = self._density()
        precision = linalg.cho_solve((cholesky, True), np.eye(cholesky.shape[0]))
        if self.scale_ is None:
            return precision
        return precision / np.outer(self.scale_, self.scale_)

    def score_samples(self, X):
        """Log-likelihood of each sample under the factor model.

        The normal density of :meth:`get_covariance` around ``mean_``: with
        ``standardize=True`` still the density of X (the model of the
        correlations in X's units), so scores compare across ``standardize``
        and with :class:`PCA`'s.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Data.

        Returns
        -------
        log_likelihood : ndarray of shape (n_samples,)
        """
        check_is_fitted(self)
        X = validate_data(self, X, dtype=np.float64, reset=False)
        Z = X - self.mean_
        if self.scale_ is not None:
            Z = Z / self.scale_
        cholesky, constant = self._density()
        whitened = linalg.solve_triangular(cholesky, Z.T, lower=True,
                                           check_finite=False)
        return -0.5 * (np.einsum("ij,ij->j", whitened, whitened) + constant)

    def factor_table(self):
        """Loadings, communalities and uniquenesses in one printable table.

        Returns
        -------
        table : FactorTable
            ``print(table)`` shows a row per variable (named after
            ``feature_names_in_``), then the variance each factor explains.
        """
        check_is_fitted(self)
        names = getattr(self, "feature_names_in_", None)
        if names is None:
            names = np.array([f"x{i}" for i in range(self.n_features_in_)])
        factor_names = np.array([f"factor{j + 1}" for j in range(self.n_factors_)])
        arrays = [
            np.array(a, dtype=np.float64)
            for a in (self.loadings_, self.communalities_, self.uniquenesses_,
                      self.explained_variance_, self.explained_variance_ratio_)
        ]
        for array in arrays:
            array.flags.writeable = False
        return FactorTable(*arrays, feature_names=names, factor_names=factor_names)

    @property
    def _n_features_out(self):
        return self.n_factors_

