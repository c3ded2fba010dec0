"""Fuzzy k-means: the step (:func:`fuzzy_step`) and one iteration
(:func:`fuzzy_iterate`), run by ``fit`` through the drivers of
:mod:`..utils._fitting` and by ``partial_fit`` on a batch and the centroids."""

import warnings
from numbers import Real

import numpy as np
from scipy.linalg import eigh
from scipy.sparse.linalg import svds
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils import check_random_state
from sklearn.utils.validation import validate_data

from ..utils._callbacks import NO_TASK, begin_fit
from ..utils._compat import Interval, StrOptions
from ..utils._dask import is_dask_array
from ..utils._fitting import reduce_rows
from ..utils._linalg import row_norms, squared_distances
from ..utils._params import store_params
from ..utils._validation import fit_guard
from ._base import _BaseKMeans, fill_cluster_doc
from ._common import _check_squares, _init_centroids, _is_seeded
from ._kmeans import KMeans, _add, _add_max, _block, _spread_step, _sum_step


def _rounding(n_features):
    """Relative rounding bound of ``||x||^2 - 2 x.c + ||c||^2`` in float64."""
    return 4.0 * (n_features + 4) * float(np.finfo(np.float64).eps)


def _fcm_memberships(d2, m, out=None):
    """Fuzzy c-means memberships ``u_jt ∝ d2_jt^(-1/(m-1))`` (K, n); a sample on
    a centroid belongs to it fully (ratios to the nearest keep u in [0, 1])."""
    d2min = d2.min(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        u = np.divide(d2min, d2, out=out)
    if m != 2.0:
        np.power(u, 1.0 / (m - 1.0), out=u)
    on_center = d2min == 0
    if on_center.any():
        u[:, on_center] = d2[:, on_center] == 0
    u /= u.sum(axis=0)
    return u


def _soft_memberships(d2, beta, out=None):
    """``softmax_j(-beta d2_jt)`` (log-sum-exp) and the free energy per sample."""
    d2min = d2.min(axis=0)
    out = np.subtract(d2, d2min, out=out)
    out *= -beta
    np.exp(out, out=out)
    s = out.sum(axis=0)
    out /= s
    return out, d2min - np.log(s) / beta


def _memberships(d2, model):
    fcm = model[0] == "fcm"
    return _fcm_memberships(d2, model[1]) if fcm else _soft_memberships(d2, model[1])[0]


def fuzzy_step(X, w, centers, model, floor=None, origin=None):
    """The step on a block: ``sum_t v_jt x_t``, ``sum_t v_jt``, ``sum_t v_jt
    ||x_t||^2`` and the free energy (0 for fcm), ``v_jt = w_t u_jt^m`` (``model``
    ``("fcm", m)``, distances raised to ``floor``) or ``w_t r_jt`` (``("soft", beta)``).
    """
    X, x_sq, d2 = _distances(X, centers, origin)
    w = np.ones(X.shape[0]) if w is None else w
    if model[0] == "fcm":
        d2 = d2 if floor is None else np.maximum(d2, floor[:, None])
        u = _fcm_memberships(d2, model[1])
        v, free_energy = np.power(u, model[1], out=u), 0.0
    else:
        v, f = _soft_memberships(d2, model[1])
        free_energy = float(f @ w)
    v *= w
    return v @ X, v.sum(axis=1), v @ x_sq, free_energy


def _distances(X, centers, origin):
    X = _block(X, origin).astype(np.float64, copy=False)
    x_sq = row_norms(X, squared=True)
    return X, x_sq, squared_distances(centers, X, Y_sq=x_sq)


def _first_floor_step(X, centers, origin=None):
    """Per centroid, the smallest distance to a sample not on it (fcm's start)."""
    X, x_sq, d2 = _distances(X, centers, origin)
    c_sq = row_norms(centers, squared=True)
    noise = _rounding(X.shape[1]) * (c_sq[:, None] + x_sq[None, :])
    return np.where(d2 > noise, d2, np.inf).min(axis=1, initial=np.inf)


def _fcm_floor(nearest, centers):
    """The floor of fuzzy c-means' first distances: a seed's nearest other sample,
    at most a quarter of the way to the nearest distinct centroid (a seed on a
    sample, of membership 1, would outweigh every ``u^m`` and never leave)."""
    c_sq = row_norms(centers, squared=True)
    between = squared_distances(centers, centers, X_sq=c_sq, Y_sq=c_sq)
    distinct = between > _rounding(centers.shape[1]) * (c_sq[:, None] + c_sq[None, :])
    between = np.where(distinct, between, np.inf).min(axis=1)
    nearest = np.minimum(nearest, 0.25 * between)
    return np.where(np.isfinite(nearest), nearest, 0.0)


def fuzzy_iterate(step, centers, model, *, max_iter, tol, floor=None, task=NO_TASK):
    """Memberships (``step(centers, floor)``), then means, until a summed squared
    shift of at most ``tol``: the centroids, objectives and last statistics
    (each iteration a subtask of ``task`` for scikit-learn's callbacks)."""
    stats = step(centers, floor)
    history = []
    for _ in range(max_iter):
        iteration = task.subtask("iteration")
        S, W, Q, _ = stats
        filled, new = W > 0, centers.copy()
        new[filled] = S[filled] / W[filled, None]
        stats = step(new, None)
        explained = np.sum(row_norms(S[filled], True) / W[filled])
        history.append(float(Q.sum() - explained) if model[0] == "fcm" else stats[3])
        shift, centers = float(np.sum((new - centers) ** 2)), new
        if iteration.end() or shift <= tol:
            break
    return centers, np.asarray(history), stats


@fill_cluster_doc
class FuzzyKMeans(_BaseKMeans):
    r"""Fuzzy k-means: every sample belongs to every cluster with a membership.

    ``method="soft"``, the lecture's soft k-means: responsibilities
    :math:`r_{jt} \propto \exp(-\beta \|x_t - \mu_j\|^2)` and centroids at the
    responsibility-weighted means (EM of an equal-weight Gaussian mixture of
    variance :math:`1/(2\beta)`), never increasing the free energy :math:`F`.
    ``method="fcm"``, Bezdek's fuzzy c-means as scikit-fuzzy's ``cmeans``:
    :math:`u_{jt} \propto \|x_t - \mu_j\|^{-2/(m-1)}` and centroids at the
    :math:`u^m`-weighted means, lowering :math:`J_m = \sum_{t,j} u_{jt}^m
    \|x_t - \mu_j\|^2`.

    Parameters
    ----------
    n_clusters : int, default=8
        Number of clusters.
    method : {"soft", "fcm"}, default="soft"
        Soft k-means (stiffness ``beta``) or fuzzy c-means (fuzzifier ``m``).
    beta : "auto" or float > 0, default="auto"
        Stiffness of ``"soft"`` (one over squared distance); too small a one
        merges the centroids. ``"auto"``: :math:`1/\lambda_{max}` of the pooled
        within-cluster covariance of :class:`KMeans` from the same start, twice
        the critical value. Stored in ``beta_``.
    m : float > 1, default=2.0
        Fuzzifier of ``"fcm"``: near 1 hard, large values equal memberships.
    {cluster_parameters}

    Attributes
    ----------
    cluster_centers_ : ndarray of shape (n_clusters, n_features)
        Centroids.
    membership_ : ndarray of shape (n_samples, n_clusters)
        Memberships of the training samples; rows sum to 1.
    labels_ : ndarray of shape (n_samples,)
        Cluster of largest membership of each training sample.
    objective_history_ : ndarray of shape (`n_iter_`,)
        Objective after each iteration, non-increasing: :math:`F` (``"soft"``) or
        scikit-fuzzy's ``jm`` (``"fcm"``).
    n_iter_ : int
        Number of iterations run.
    beta_ : float or None
        ``beta`` used by ``"soft"``; None for ``"fcm"``.
    partition_coefficient_ : float
        Bezdek's :math:`\frac{1}{n}\sum_{t,j} u_{jt}^2`: 1/K (equal) to 1 (hard).
    partition_entropy_ : float
        :math:`-\frac{1}{n}\sum_{t,j} u_{jt}\log u_{jt}`: 0 (hard) to log K.
    {cluster_attributes}

    Notes
    -----
    :meth:`score` (minus the hard inertia) compares fits of any ``method``, ``m``
    or ``beta``; :meth:`fuzzy_score`, the method's own objective, does not.

    See Also
    --------
    KMeans : The hard k-means of the lecture.
    sklearn.mixture.GaussianMixture : Soft clustering with learnt covariances.

    References
    ----------
    .. [1] D. J. C. MacKay, "Information Theory, Inference, and Learning
       Algorithms", 2003, ch. 20 (soft k-means).
    .. [2] J. C. Bezdek, "Pattern Recognition with Fuzzy Objective Function
       Algorithms", 1981.
    .. [3] K. Rose, "Deterministic annealing for clustering...", Proc. IEEE, 1998.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_lecture import FuzzyKMeans
    >>> X = np.array([[0.0, 0.0], [0.0, 2.0], [2.0, 0.0], [2.0, 2.0],
    ...               [8.0, 8.0], [8.0, 10.0], [10.0, 8.0], [10.0, 10.0]])
    >>> fkm = FuzzyKMeans(n_clusters=2, init=[[0.0, 0.0], [10.0, 10.0]]).fit(X)
    >>> fkm.labels_
    array([0, 0, 0, 0, 1, 1, 1, 1])
    >>> fkm.cluster_centers_
    array([[1., 1.],
           [9., 9.]])
    >>> fkm.predict_proba([[5.0, 5.0], [4.9, 4.9]]).round(3)  # at the boundary
    array([[0.5  , 0.5  ],
           [0.961, 0.039]])
    >>> fcm = FuzzyKMeans(n_clusters=2, method="fcm", init=[[0.0, 0.0], [10.0, 10.0]])
    >>> fcm.fit(X).predict_proba([[5.0, 5.0], [4.9, 4.9]]).round(3)
    array([[0.5  , 0.5  ],
           [0.525, 0.475]])
    """

    _parameter_constraints: dict = {
        **_BaseKMeans._parameter_constraints,
        "method": [StrOptions({"soft", "fcm"})],
        "beta": [StrOptions({"auto"}), Interval(Real, 0, None, closed="neither")],
        "m": [Interval(Real, 1, None, closed="neither")],
    }

    def __init__(
        self, n_clusters=8, *, method="soft", beta="auto", m=2.0,
        init="k-means++", max_iter=300, tol=1e-4, random_state=None, verbose=0,
    ):
        store_params(self, locals())

    @fit_guard
    def fit(self, X, y=None):
        """Compute the fuzzy clustering.

        Parameters
        ----------
        X : array-like or dask array of shape (n_samples, n_features)
            Training data.
        y : Ignored
            Not used, present for API consistency.

        Returns
        -------
        self : object
            Fitted estimator.
        """
        return self._fit(*self._check_fit_data(X))

    def _fit(self, X, sample_weight=None):
        for name in ("_center_weights", "n_steps_"):
            self.__dict__.pop(name, None)
        dask = is_dask_array(X)
        rng = check_random_state(self.random_state)
        n_samples, n_features = X.shape
        # Centred: the expanded distances lose far less to cancellation.
        w_total, sums = reduce_rows(_sum_step, _add, X)
        mean = sums / w_total
        X_c, origin = (X, mean) if dask else (X.astype(np.float64) - mean, None)
        variance, largest, peak = reduce_rows(_spread_step, _add_max, X_c,
                                              args=(None, origin))
        _check_squares(largest, peak, np.float64)
        if not _is_seeded(self.init):
            centers = _init_centroids(X[:0], self.n_clusters, self.init, None) - mean
        else:
            sample = X_c
            if dask:  # seeded on a subsample
                rows = rng.choice(n_samples, min(n_samples, 2000), replace=False)
                sample = X[np.sort(rows)].compute().astype(np.float64) - mean
            centers = _init_centroids(sample, self.n_clusters, self.init, rng)
        tol = self.tol * variance / (n_samples * n_features)
        model, floor, self.beta_ = ("fcm", float(self.m)), None, None
        if self.method == "fcm":
            floor = _fcm_floor(reduce_rows(_first_floor_step, np.minimum, X_c,
                                           args=(centers, origin)), centers)
        else:
            beta = self.beta
            if beta == "auto":
                beta = _auto_beta(X, X_c, origin, mean, centers + mean, self.max_iter,
                                  self.tol, variance, n_samples)
            model, self.beta_ = ("soft", float(beta)), float(beta)

        def step(centers, floor):
            return reduce_rows(fuzzy_step, _add, X_c,
                               args=(None, centers, model, floor, origin))

        task = begin_fit(self, self.max_iter, X=None if dask else X)
        centers, history, _ = fuzzy_iterate(step, centers, model, floor=floor,
                                            max_iter=self.max_iter, tol=tol, task=task)
        task.end({})
        # What predict, score and partial_fit read, whatever set_params changes.
        self._model, self._fitted_params = model, self._model_params()
        self.cluster_centers_ = (centers + mean).astype(X.dtype)
        self.objective_history_, self.n_iter_ = history, len(history)
        name = "J_m" if self.method == "fcm" else "free energy F"
        for i, value in enumerate(history if self.verbose else [], start=1):
            print(f"Iteration {i}: {name} = {value:.6g}")
        self.membership_ = u = self.predict_proba(X)
        self.labels_ = u.argmax(axis=1)
        pc, pe = reduce_rows(_partition_step, _add, u)
        self.partition_coefficient_ = pc / n_samples
        self.partition_entropy_ = pe / n_samples
        return self

    def _model_params(self):
        """The parameters that define the model partial_fit continues."""
        if self.method == "fcm":
            return {"method": "fcm", "m": float(self.m)}
        return {"method": "soft", "beta": self.beta}

    @fit_guard
    def partial_fit(self, X, y=None):
        """Update the fuzzy clustering with one batch (single-pass fuzzy k-means).

        The first call is a ``fit``. Each later call iterates on the batch and
        the centroids, weighted by the memberships they gathered (Hore, Hall &
        Goldgof's single-pass fuzzy c-means, 2007). After ``fit`` it continues
        it; changing ``method``, ``m`` or ``beta`` since is refused.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            A batch; the first one needs at least ``n_clusters`` samples.
        y : Ignored
            Not used, present for API consistency.

        Returns
        -------
        self : object
            The updated estimator; ``membership_`` and ``labels_`` describe the
            last batch, ``n_steps_`` counts the batches.
        """
        if not hasattr(self, "_model"):
            self.fit(X)
            self._center_weights, self.n_steps_ = self.membership_.sum(axis=0), 1
            return self
        X = validate_data(self, X, dtype=[np.float64, np.float32], order="C",
                          reset=False)
        if self._fitted_params != self._model_params():
            raise ValueError(
                f"partial_fit continues the model of {self._fitted_params}, but the "
                f"parameters now say {self._model_params()}; call fit to start anew."
            )
        if not hasattr(self, "_center_weights"):  # continuing a fit
            self._center_weights, self.n_steps_ = self.membership_.sum(axis=0), 1
        # Centred on the centroids' mean, the centroids are points of the batch.
        origin = self.cluster_centers_.astype(np.float64).mean(axis=0)
        centers = self.cluster_centers_ - origin  # float64
        points = np.vstack([X.astype(np.float64) - origin, centers])
        x_sq = row_norms(points, squared=True)
        _check_squares(x_sq.max(), 1.0, np.float64, "this batch")
        _check_resolvable(x_sq[: len(X)], centers)
        weights = np.concatenate([np.ones(len(X)), self._center_weights])
        variance = np.var(points[: len(X)], axis=0).mean() if len(X) > 1 else 0.0
        centers, _, _ = fuzzy_iterate(
            lambda c, floor: fuzzy_step(points, weights, c, self._model, floor),
            centers, self._model, max_iter=self.max_iter, tol=self.tol * variance)
        u = _memberships(squared_distances(centers, points, Y_sq=x_sq), self._model)
        self._center_weights = u @ weights
        self.cluster_centers_ = (centers + origin).astype(X.dtype)
        self.membership_ = self.predict_proba(X)
        self.labels_ = self.membership_.argmax(axis=1)
        self.n_steps_ += 1
        return self

    def _distances_t(self, X):
        """Squared distances (float64, K x n) to the centroids, about their mean."""
        centers = self.cluster_centers_.astype(np.float64)
        origin = centers.mean(axis=0)
        d2 = squared_distances(centers - origin, X.astype(np.float64) - origin)
        if not np.isfinite(d2).all():
            _check_squares(np.inf, 1.0, np.float64, "these samples")
        return d2

    def _squared_distances(self, X):
        return np.ascontiguousarray(self._distances_t(X).T)

    def _predict_validated(self, X):
        return np.argmax(_memberships(self._distances_t(X), self._model), axis=0)

    def predict_proba(self, X):
        """Memberships of samples in the fitted clusters (no refit).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            New data.

        Returns
        -------
        membership : ndarray of shape (n_samples, n_clusters)
            Memberships; each row sums to 1.
        """
        X = self._check_test_data(X)
        u = _memberships(self._distances_t(X), self._model)
        return np.ascontiguousarray(u.T).astype(X.dtype, copy=False)

    def fuzzy_score(self, X):
        r"""Mean goodness of fit of X under the method's own model (higher is better).

        ``"soft"``: the mean log-likelihood of X under the equal-weight Gaussian
        mixture of variance :math:`1/(2\beta)` (cross-validation can tune
        ``beta`` and ``n_clusters`` on it). ``"fcm"``: minus the mean :math:`J_m`
        at the best memberships, comparable for one ``m`` only.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Data to score.

        Returns
        -------
        score : float
            Higher is better.
        """
        d2 = self._distances_t(self._check_test_data(X))
        method, param = self._model
        if method == "fcm":
            u = _fcm_memberships(d2, param)
            return -float(np.vdot(u**param, d2)) / d2.shape[1]
        free_energy = _soft_memberships(d2, param)[1]
        return float(np.mean(-param * free_energy - np.log(len(self.cluster_centers_))
                             + 0.5 * self.n_features_in_ * np.log(param / np.pi)))


def _partition_step(u):
    """Bezdek's partition coefficient and entropy, summed over the rows."""
    with np.errstate(divide="ignore", invalid="ignore"):
        plogp = np.where(u > 0, u * np.log(u), 0.0)
    return float(np.vdot(u, u)), float(-plogp.sum())


def _check_resolvable(x_sq, centers):
    """Refuse a batch so far from the centroids (``delta`` apart) that the
    rounding of its squared distances exceeds ``2 delta (||x|| + ||c||)``."""
    c_sq = row_norms(centers, squared=True).max()
    delta = np.sqrt(squared_distances(centers, centers).max())
    noise = _rounding(centers.shape[1])
    if delta**2 <= noise * c_sq:
        return
    far = x_sq.max(initial=0.0)
    if noise * (far + c_sq) >= 2.0 * delta * (np.sqrt(far) + np.sqrt(c_sq)):
        raise ValueError(
            "This batch lies so far from the fitted centroids (about "
            f"{np.sqrt(far) / delta:.1e} times the distance between them) that "
            "float64 cannot tell its distances to them apart; pass batches "
            "of the first one's range, or fit anew.")


def _scatter_step(X, centers, origin):
    """Scatter of the rows around their nearest centroid (d x d)."""
    X = _block(X, origin).astype(np.float64, copy=False)
    R = X - centers[squared_distances(X, centers, X_sq=0).argmin(axis=1)]
    return R.T @ R


def _auto_beta(X, X_c, origin, mean, init, max_iter, tol, variance, n_samples):
    """``1 / lambda_max`` of k-means' pooled within-cluster covariance (``beta``)."""
    with warnings.catch_warnings():  # beta needs only the final spread
        warnings.simplefilter("ignore", ConvergenceWarning)
        km = KMeans(len(init), init=init.astype(X.dtype), n_init=1,
                    max_iter=max_iter, tol=tol).fit(X)
    centers, d = km.cluster_centers_.astype(np.float64) - mean, X.shape[1]
    if origin is not None or d <= 64 or d >= n_samples:
        within = reduce_rows(_scatter_step, np.add, X_c, args=(centers, origin))
        lam = eigh(within, eigvals_only=True)[-1] / n_samples
    else:
        # Forming the d x d scatter costs n d^2; Lanczos needs a few n d.
        labels = squared_distances(X_c, centers, X_sq=0).argmin(axis=1)
        sigma = svds(X_c - centers[labels], k=1, return_singular_vectors=False,
                     random_state=0)
        lam = float(sigma[0]) ** 2 / n_samples
    # All samples on their centroid: a stiffness far above the data's scale.
    lam = max(lam, np.finfo(X.dtype).eps * variance / n_samples)
    return 1.0 if lam <= 0 else 1.0 / lam
