"""Fuzzy k-means: the lecture's soft k-means and Bezdek's fuzzy c-means.

The model is written once: :func:`fuzzy_step` turns a block of rows into the
membership-weighted sums, the total weights and the objective's terms at given
centroids; :func:`fuzzy_iterate` is the iteration (step, then every centroid
to its weighted mean) that ``fit`` runs through the drivers of
:mod:`sklearn_lecture.utils._fitting` (numpy in memory, dask blocks on the
workers) and ``partial_fit`` runs on a batch together with the weighted
centroids.
"""

import functools
import warnings
from numbers import Real

import numpy as np
from scipy.linalg import eigh
from scipy.sparse.linalg import svds
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils import check_random_state
from sklearn.utils.validation import validate_data

from ..utils._compat import Interval, StrOptions
from ..utils._dask import is_dask_array
from ..utils._fitting import reduce_rows
from ..utils._linalg import row_norms, squared_distances
from ..utils._params import store_params
from ..utils._validation import fit_guard
from ._base import _BaseKMeans
from ._common import _check_squares, _init_centroids
from ._kmeans import KMeans, _add, _block


def _rounding(n_features):
    """Relative rounding bound of ``||x||^2 - 2 x.c + ||c||^2`` in float64."""
    return 4.0 * (n_features + 4) * float(np.finfo(np.float64).eps)


def _fcm_memberships(d2, m, out=None):
    """Fuzzy c-means memberships ``u_jt ∝ d2_jt^(-1/(m-1))``, shape (K, n).

    A sample at distance zero from a centroid gets full membership of it (shared
    equally between coinciding centroids), never 0/0. Ratios to the nearest
    centroid lie in [0, 1], so nothing overflows.
    """
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
    """Lecture's soft assignments ``softmax_j(-beta d2_jt)`` by log-sum-exp.

    Subtracting each sample's smallest distance keeps every exponent in
    ``(-inf, 0]`` with one exponent exactly 0, so neither a huge ``beta`` nor a
    far point can produce 0/0. Returns the memberships and the per-sample free
    energy ``-log(sum_j exp(-beta d2_jt)) / beta``.
    """
    d2min = d2.min(axis=0)
    out = np.subtract(d2, d2min, out=out)
    out *= -beta
    np.exp(out, out=out)
    s = out.sum(axis=0)
    out /= s
    return out, d2min - np.log(s) / beta


def _memberships(d2, model):
    method, param = model
    if method == "fcm":
        return _fcm_memberships(d2, param)
    return _soft_memberships(d2, param)[0]


def fuzzy_step(X, w, centers, model, floor=None, origin=None):
    """The step on a block of rows: memberships at ``centers``, as statistics.

    ``model`` is ``("fcm", m)`` or ``("soft", beta)``; ``floor`` (fuzzy c-means'
    first step only) raises each centroid's distances to at least that value.
    With ``v_jt = u_jt^m`` (fcm) or ``r_jt`` (soft) and the row weights ``w``:

    Returns
    -------
    sums : ndarray of shape (n_clusters, n_features)
        ``sum_t w_t v_jt x_t``.
    weights, spread : ndarray of shape (n_clusters,)
        ``sum_t w_t v_jt`` and ``sum_t w_t v_jt ||x_t||^2``: J_m after the
        update is ``sum_j spread_j - ||sums_j||^2 / weights_j``.
    free_energy : float
        ``sum_t w_t F_t`` at ``centers`` (soft k-means' objective).
    """
    X = _block(X, origin).astype(np.float64, copy=False)
    w = np.ones(X.shape[0]) if w is None else w
    x_sq = row_norms(X, squared=True)
    d2 = squared_distances(centers, X, Y_sq=x_sq)
    if model[0] == "fcm":
        if floor is not None:
            d2 = np.maximum(d2, floor[:, None])
        u = _fcm_memberships(d2, model[1])
        v = np.square(u, out=u) if model[1] == 2.0 else np.power(u, model[1], out=u)
        free_energy = 0.0
    else:
        v, f = _soft_memberships(d2, model[1])
        free_energy = float(f @ w)
    v *= w
    return v @ X, v.sum(axis=1), v @ x_sq, free_energy


def _first_floor_step(X, centers, origin=None):
    """Per centroid, the smallest distance to a sample not on it (fcm's start)."""
    X = _block(X, origin).astype(np.float64, copy=False)
    x_sq = row_norms(X, squared=True)
    d2 = squared_distances(centers, X, Y_sq=x_sq)
    c_sq = row_norms(centers, squared=True)
    noise = _rounding(X.shape[1]) * (c_sq[:, None] + x_sq[None, :])
    return np.where(d2 > noise, d2, np.inf).min(axis=1, initial=np.inf)


def _fcm_floor(nearest, centers):
    """The first memberships' floor of fuzzy c-means' distances.

    A seed on a data point would give that point membership 1, which outweighs
    every ``u^m < 1`` of the others for large m: the centroid could never leave
    its seed. For the first memberships only, a sample on a centroid counts as
    being at the distance of that centroid's nearest other sample, at most a
    quarter of the squared distance to the nearest distinct centroid (when the
    seed's cluster is all copies of its point, its nearest other sample lies
    in another cluster).
    """
    c_sq = row_norms(centers, squared=True)
    between = squared_distances(centers, centers, X_sq=c_sq, Y_sq=c_sq)
    distinct = between > _rounding(centers.shape[1]) * (c_sq[:, None] + c_sq[None, :])
    between = np.where(distinct, between, np.inf).min(axis=1)
    nearest = np.minimum(nearest, 0.25 * between)
    return np.where(np.isfinite(nearest), nearest, 0.0)


def fuzzy_iterate(step, centers, model, *, max_iter, tol, floor=None):
    """The fuzzy iteration: memberships (``step``), then weighted means.

    ``step(centers, floor)`` returns :func:`fuzzy_step`'s statistics. The
    objective after each iteration is J_m of the previous memberships and the
    new centroids (scikit-fuzzy's ``jm``) for fcm, the free energy at the new
    centroids for soft k-means. Stops when the summed squared shift of the
    centroids is at most ``tol``. Returns the centroids, the objectives and the
    statistics at the final centroids.
    """
    stats = step(centers, floor)
    history = []
    for _ in range(max_iter):
        S, W, Q, _ = stats
        filled = W > 0
        new = centers.copy()
        new[filled] = S[filled] / W[filled, None]
        stats = step(new, None)
        if model[0] == "fcm":
            explained = np.sum(row_norms(S[filled], True) / W[filled])
            history.append(float(Q.sum() - explained))
        else:
            history.append(stats[3])
        shift = float(np.sum((new - centers) ** 2))
        centers = new
        if shift <= tol:
            break
    return centers, np.asarray(history), stats


class FuzzyKMeans(_BaseKMeans):
    r"""Fuzzy k-means: every sample belongs to every cluster with a membership.

    ``method="soft"`` is the lecture's fuzzy (soft) k-means. Each sample ``x_t``
    gets the responsibilities

    .. math:: r_{jt} = \frac{\exp(-\beta \|x_t - \mu_j\|^2)}
                           {\sum_l \exp(-\beta \|x_t - \mu_l\|^2)},

    and each centroid moves to the responsibility-weighted mean
    :math:`\mu_j = \sum_t r_{jt} x_t / \sum_t r_{jt}`. These are the E and M steps
    of an equal-weight Gaussian mixture with fixed variance :math:`1/(2\beta)`,
    so the iteration never increases the free energy
    :math:`F = -\frac{1}{\beta}\sum_t \log \sum_j \exp(-\beta\|x_t-\mu_j\|^2)`.
    Large ``beta`` gives back hard k-means; too small a ``beta`` merges every
    centroid onto the data mean (a phase transition), which the default
    ``beta="auto"`` avoids.

    ``method="fcm"`` is Bezdek's fuzzy c-means with fuzzifier ``m > 1``: it
    alternates :math:`\mu_j = \sum_t u_{jt}^m x_t / \sum_t u_{jt}^m` and
    :math:`u_{jt} \propto \|x_t - \mu_j\|^{-2/(m-1)}`, lowering
    :math:`J_m = \sum_{t,j} u_{jt}^m \|x_t - \mu_j\|^2`. It computes what
    scikit-fuzzy's ``cmeans`` computes, in the same order.

    Parameters
    ----------
    n_clusters : int, default=8
        Number of clusters.

    method : {"soft", "fcm"}, default="soft"
        ``"soft"``: the lecture's exponential responsibilities with stiffness
        ``beta``. ``"fcm"``: fuzzy c-means with fuzzifier ``m``.

    beta : "auto" or float > 0, default="auto"
        Stiffness of ``method="soft"`` (ignored by ``"fcm"``), in units of one
        over squared distance. ``"auto"`` runs hard k-means (:class:`KMeans`)
        from the same initial centroids, takes the largest eigenvalue
        :math:`\lambda_{max}` of the pooled within-cluster covariance
        :math:`W = \frac{1}{n}\sum_t (x_t - c_{k(t)})(x_t - c_{k(t)})^T` and sets
        :math:`\beta = 1/\lambda_{max}`: twice the critical value
        :math:`1/(2\lambda_{max})` below which soft k-means starts merging the
        centroids of a cluster with that covariance. It scales with the data
        (multiplying X by ``a`` divides ``beta`` by ``a**2``) and, unlike
        ``1 / total variance``, measures the spread within clusters rather than
        between them. The value used is stored in ``beta_``.

    m : float > 1, default=2.0
        Fuzzifier of ``method="fcm"`` (ignored by ``"soft"``). Near 1 the
        partition becomes hard; large values make all memberships equal.

    init : {"k-means++", "random"} or array-like of shape (n_clusters, n_features), \
            default="k-means++"
        Initial centroids, as for :class:`KMeans`: k-means++ seeding, K distinct
        data points drawn at random, or given centroids. The first memberships
        are those of the initial centroids.

    max_iter : int, default=300
        Maximum number of iterations.

    tol : float, default=1e-4
        Stop when the summed squared movement of the centroids in one iteration
        is at most ``tol`` times the mean variance of the features (scikit-learn's
        KMeans criterion). ``tol=0`` stops only at an exact fixed point.

    random_state : int, RandomState instance or None, default=None
        Seed of the initialisation.

    verbose : int, default=0
        Print the objective (see ``objective_history_``) after each
        iteration, when > 0.

    Attributes
    ----------
    cluster_centers_ : ndarray of shape (n_clusters, n_features)
        Centroids.

    membership_ : ndarray of shape (n_samples, n_clusters)
        Memberships of the training samples in the final centroids; rows sum
        to 1.

    labels_ : ndarray of shape (n_samples,)
        Cluster of largest membership of each training sample.

    objective_history_ : ndarray of shape (n_iter_,)
        Objective after each iteration: the free energy :math:`F` for
        ``"soft"``; :math:`J_m` of the previous memberships and the new centroids
        for ``"fcm"`` (scikit-fuzzy's ``jm``). Both are non-increasing.

    n_iter_ : int
        Number of iterations run.

    beta_ : float or None
        ``beta`` used by ``method="soft"``; None for ``"fcm"``.

    partition_coefficient_ : float
        Bezdek's partition coefficient :math:`\frac{1}{n}\sum_{t,j} u_{jt}^2`,
        from ``1/n_clusters`` (all memberships equal) to 1 (hard partition).

    partition_entropy_ : float
        :math:`-\frac{1}{n}\sum_{t,j} u_{jt}\log u_{jt}` (natural log), from 0
        (hard partition) to ``log(n_clusters)``.

    n_features_in_ : int
        Number of features seen during fit.

    feature_names_in_ : ndarray of shape (n_features_in_,)
        Names of features seen during fit, when X has string feature names.

    Notes
    -----
    :meth:`score` is that of :class:`KMeans`, the opposite of the hard inertia
    :math:`-\sum_t \min_j \|x_t - \mu_j\|^2` of X on the centroids: it
    measures the centroids alone, not the memberships, so it compares fits of
    any ``m``, ``beta`` and ``method`` (and with KMeans) on the same data. Each
    method's own objective does not (:math:`J_m` falls as ``m`` grows, so a grid
    search over ``m`` on it would always pick the largest ``m``); it is
    :meth:`fuzzy_score`, the soft model's log-likelihood or minus the mean
    :math:`J_m`.

    See Also
    --------
    KMeans : The hard k-means of the lecture.
    sklearn.mixture.GaussianMixture : Soft clustering with learnt covariances.

    References
    ----------
    .. [1] D. J. C. MacKay, "Information Theory, Inference, and Learning
       Algorithms", Cambridge University Press, 2003, ch. 20 (soft k-means).
    .. [2] J. C. Bezdek, "Pattern Recognition with Fuzzy Objective Function
       Algorithms", Plenum Press, 1981.
    .. [3] K. Rose, "Deterministic annealing for clustering, compression,
       classification, regression, and related optimization problems",
       Proc. IEEE 86(11), 1998 (the critical temperature).

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

    _fits_dask = True

    _parameter_constraints: dict = {
        **_BaseKMeans._parameter_constraints,
        "method": [StrOptions({"soft", "fcm"})],
        "beta": [StrOptions({"auto"}), Interval(Real, 0, None, closed="neither")],
        "m": [Interval(Real, 1, None, closed="neither")],
    }

    def __init__(
        self,
        n_clusters=8,
        *,
        method="soft",
        beta="auto",
        m=2.0,
        init="k-means++",
        max_iter=300,
        tol=1e-4,
        random_state=None,
        verbose=0,
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
        return self._fit_checked(X)

    def _fit(self, X, sample_weight=None):
        for name in ("_center_weights", "n_steps_"):
            self.__dict__.pop(name, None)
        dask = is_dask_array(X)
        random_state = check_random_state(self.random_state)
        n_samples, n_features = X.shape
        # Centred: the expanded distances lose far less to cancellation.
        w_total, sums = reduce_rows(_sum_step, _add, X)
        mean = sums / w_total
        if dask:
            X_c, origin = X, mean
            if isinstance(self.init, str):
                rows = np.sort(random_state.choice(n_samples, min(n_samples, 2000),
                                                   replace=False))
                sample = X[rows].compute().astype(np.float64) - mean
        else:
            X_c, origin = X.astype(np.float64) - mean, None
            sample = X_c
        variance, largest, peak = reduce_rows(
            _variance_step, _add_max, X_c, args=(origin,)
        )
        _check_squares(largest, peak, np.float64)
        if isinstance(self.init, str):
            centers = _init_centroids(sample, self.n_clusters, self.init, random_state)
        else:
            centers = _init_centroids(X[:0], self.n_clusters, self.init, None) - mean
        tol = self.tol * variance / (n_samples * n_features)

        if self.method == "fcm":
            model, floor = ("fcm", float(self.m)), None
            nearest = reduce_rows(_first_floor_step, np.minimum, X_c,
                                  args=(centers, origin))
            floor = _fcm_floor(nearest, centers)
            self.beta_ = None
        else:
            beta = self.beta
            if beta == "auto":
                beta = _auto_beta(X, X_c, origin, mean, centers + mean, self.max_iter,
                                  self.tol, variance, n_samples)
            model, floor = ("soft", float(beta)), None
            self.beta_ = float(beta)

        def step(centers, floor):
            return reduce_rows(fuzzy_step, _add_sum, X_c,
                               args=(None, centers, model, floor, origin))

        centers, history, _ = fuzzy_iterate(
            step, centers, model, max_iter=self.max_iter, tol=tol, floor=floor
        )
        # The model predict, score and partial_fit read, whatever set_params
        # changes after the fit.
        self._model = model
        self._fitted_params = self._model_params()
        self.cluster_centers_ = (centers + mean).astype(X.dtype)
        self.objective_history_ = history
        self.n_iter_ = len(history)
        if self.verbose:
            name = "J_m" if self.method == "fcm" else "free energy F"
            for i, value in enumerate(history, start=1):
                print(f"Iteration {i}: {name} = {value:.6g}")
        u = self.predict_proba(X)
        self.membership_ = u
        self.labels_ = u.argmax(axis=1)
        if dask:
            pc, pe = reduce_rows(_partition_step, _add, u)
        else:
            pc, pe = _partition_step(u)
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

        The first call is a ``fit`` on its batch. Each later call runs the fuzzy
        iteration on the batch together with the current centroids, each centroid
        counting as a point whose weight is the total membership it has gathered
        so far, and then adds the batch's memberships to those weights: Hore,
        Hall & Goldgof's single-pass fuzzy c-means (2007), used for both
        ``method="fcm"`` and ``"soft"`` (whose ``beta_`` is fixed by the first
        batch). After ``fit``, ``partial_fit`` continues from the fitted
        centroids, each weighted by the memberships of the fit; changing
        ``method``, ``m`` or ``beta`` since is refused (call ``fit`` to start
        anew).

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
            self._center_weights = self.membership_.sum(axis=0)
            self.n_steps_ = 1
            return self
        X = validate_data(
            self, X, dtype=[np.float64, np.float32], order="C", reset=False
        )
        if self._fitted_params != self._model_params():
            raise ValueError(
                f"partial_fit continues the model of {self._fitted_params}, but "
                f"the parameters now say {self._model_params()}; call fit to start "
                "anew."
            )
        if not hasattr(self, "_center_weights"):  # continuing a fit
            self._center_weights = self.membership_.sum(axis=0)
            self.n_steps_ = 1
        # Centred on the centroids' mean, the centroids are points of the batch.
        centers = self.cluster_centers_.astype(np.float64)
        origin = centers.mean(axis=0)
        centers = centers - origin
        points = np.vstack([X.astype(np.float64) - origin, centers])
        x_sq = row_norms(points, squared=True)
        _check_squares(x_sq.max(), 1.0, np.float64, "this batch, centred on the "
                       "first batch's centroids,")
        _check_resolvable(x_sq[: len(X)], centers)
        weights = np.concatenate([np.ones(len(X)), self._center_weights])
        variance = np.var(points[: len(X)], axis=0).mean() if len(X) > 1 else 0.0
        step = functools.partial(_weighted_step, points, weights, self._model)
        centers, _, _ = fuzzy_iterate(
            step, centers, self._model, max_iter=self.max_iter,
            tol=self.tol * variance,
        )
        d2 = squared_distances(centers, points, Y_sq=x_sq)
        u = _memberships(d2, self._model)
        self._center_weights = u @ weights
        self.cluster_centers_ = (centers + origin).astype(X.dtype)
        self.membership_ = self.predict_proba(X)
        self.labels_ = self.membership_.argmax(axis=1)
        self.n_steps_ += 1
        return self

    def _distances_t(self, X):
        """Squared distances of validated samples to the centroids, (K, n).

        In float64, relative to the centroids' mean (accurate far from the
        origin); fit's memberships are computed by the same function.
        """
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
        """Memberships of samples in the fitted clusters.

        The centroids stay as fitted: this is one membership step, not a refit.

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

        ``method="soft"``: the mean log-likelihood of X under the equal-weight
        Gaussian mixture whose posterior the soft assignments are, with centroids
        ``cluster_centers_`` and variance :math:`1/(2\beta)` per feature,
        :math:`\frac{1}{n}\sum_t \log \frac{1}{K}\sum_j
        \left(\frac{\beta}{\pi}\right)^{d/2} e^{-\beta\|x_t-\mu_j\|^2}`.
        Being a proper density, it lets cross-validation tune ``beta`` and
        ``n_clusters`` on held-out data (``scoring=lambda est, X, y:
        est.fuzzy_score(X)``).

        ``method="fcm"``: minus the mean fuzzy c-means objective at the best
        memberships for the fitted centroids,
        :math:`-\frac{1}{n}\sum_t \min_u \sum_j u_{jt}^m\|x_t-\mu_j\|^2`;
        it depends on ``m``, so compare fits of one ``m`` only.

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
        _, free_energy = _soft_memberships(d2, param)
        loglik = (
            -param * free_energy
            - np.log(len(self.cluster_centers_))
            + 0.5 * self.n_features_in_ * np.log(param / np.pi)
        )
        return float(np.mean(loglik))


def _sum_step(X):
    X = _block(X, np.zeros(X.shape[1]))
    return float(X.shape[0]), X.sum(axis=0)


def _variance_step(X, origin):
    X = _block(X, origin).astype(np.float64, copy=False)
    x_sq = row_norms(X, squared=True)
    peak = float(np.abs(X).max(initial=0))
    return float(x_sq.sum()), float(x_sq.max(initial=0)), peak


def _add_max(a, b):
    return a[0] + b[0], max(a[1], b[1]), max(a[2], b[2])


def _add_sum(a, b):
    return a[0] + b[0], a[1] + b[1], a[2] + b[2], a[3] + b[3]


def _partition_step(u):
    """Bezdek's partition coefficient and entropy, summed over the rows."""
    with np.errstate(divide="ignore", invalid="ignore"):
        plogp = np.where(u > 0, u * np.log(u), 0.0)
    return float(np.vdot(u, u)), float(-plogp.sum())


def _weighted_step(points, weights, model, centers, floor):
    return fuzzy_step(points, weights, centers, model, floor)


def _check_resolvable(x_sq, centers):
    """Refuse a batch too far from the centroids to tell its distances apart.

    The squared distances carry a rounding error of about ``4 (d + 4) eps
    (||x||^2 + ||c||^2)``, while two centroids ``delta`` apart change a row's
    distances by at most ``2 delta (||x|| + ||c||)``: once the first reaches
    the second, the batch's farthest rows are equally near all the centroids in
    float64, and would pull them all alike. Centroids that coincide within
    rounding are never told apart, and are not checked.
    """
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
            "of the first one's range, or fit anew."
        )


def _scatter_step(X, centers, origin):
    """Scatter of the rows around their nearest centroid (d x d)."""
    X = _block(X, origin).astype(np.float64, copy=False)
    R = X - centers[squared_distances(X, centers, X_sq=0).argmin(axis=1)]
    return R.T @ R


def _auto_beta(X, X_c, origin, mean, init, max_iter, tol, variance, n_samples):
    """``1 / lambda_max`` of the pooled within-cluster covariance of k-means.

    :class:`KMeans` from the initial centroids gives the partition (on the
    blocks, for a dask X); the rule is explained in the ``beta`` parameter of
    :class:`FuzzyKMeans`.
    """
    with warnings.catch_warnings():
        # A cluster emptied on the way is KMeans's concern; beta only needs the
        # spread of the samples around the centroids it ends with.
        warnings.simplefilter("ignore", ConvergenceWarning)
        km = KMeans(len(init), init=init.astype(X.dtype), n_init=1,
                    max_iter=max_iter, tol=tol).fit(X)
    centers = km.cluster_centers_.astype(np.float64) - mean
    d = X.shape[1]
    if origin is not None or d <= 64 or d >= n_samples:
        within = reduce_rows(_scatter_step, np.add, X_c, args=(centers, origin))
        lam = eigh(within, eigvals_only=True)[-1] / n_samples
    else:
        # Forming the d x d scatter costs n d^2; Lanczos needs a few n d.
        labels = squared_distances(X_c, centers, X_sq=0).argmin(axis=1)
        sigma = svds(X_c - centers[labels], k=1, return_singular_vectors=False,
                     random_state=0)
        lam = float(sigma[0]) ** 2 / n_samples
    # Every sample on its centroid: the limit is hard k-means, so pick a
    # stiffness far above the data's scale; identical samples: any beta works.
    lam = max(lam, np.finfo(X.dtype).eps * variance / n_samples)
    return 1.0 if lam <= 0 else 1.0 / lam
