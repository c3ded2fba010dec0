"""Fuzzy k-means: the lecture's soft k-means and Bezdek's fuzzy c-means."""

import warnings
from numbers import Real

import numpy as np
from scipy.linalg import eigh
from scipy.sparse.linalg import svds
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils import check_random_state
from sklearn.utils.validation import validate_data

from ..utils._compat import Interval, StrOptions
from ..utils._linalg import (
    expansion_rounding,
    power_of_two_scale,
    row_norms,
    squared_distances,
)
from ..utils._params import store_params
from ..utils._validation import fit_guard
from ._base import _BaseKMeans
from ._common import _init_centroids
from ._kmeans import KMeans


def _transposed_with_ones(Xc):
    """Return ``[Xc, 1]`` transposed, shape (n_features + 1, n_samples).

    ``Xt @ U.T`` then gives the weighted sums of the samples and, in its last
    row, the total weight of each cluster, in one product. The (d, n) layout is
    what BLAS handles fastest for these long, thin products (measured: about
    twice as fast as ``U @ X``); the distances use it too.
    """
    n, d = Xc.shape
    Xt = np.empty((d + 1, n), dtype=Xc.dtype)
    Xt[:d] = Xc.T
    Xt[d] = 1.0
    return Xt


def _distances_t(Xt, x_sq, centers, out=None):
    """Squared distances, shape (n_clusters, n_samples).

    The (K, n) layout keeps the reductions over clusters as sums of contiguous
    rows, which numpy vectorises far better than short reductions along axis 1.
    """
    return squared_distances(centers, Xt[:-1].T, Y_sq=x_sq, out=out)


def _weighted_means(weights, Xt, previous):
    """Centroids ``sum_t w_jt x_t / sum_t w_jt``; a cluster without weight stays put."""
    d = previous.shape[1]
    sums = np.asarray(Xt @ weights.T).T
    total = sums[:, d]
    empty = ~(total > 0)
    if empty.any():
        sums = sums.copy()
        total = sums[:, d]
        sums[empty, :d] = previous[empty]
        total[empty] = 1.0
    return sums[:, :d] / total[:, None]


def _check_no_overflow(x_sq, dtype, advice="rescale the data"):
    if not np.isfinite(x_sq).all() or x_sq.max() > np.finfo(dtype).max / 8:
        raise ValueError(
            f"X has values so large that squared distances overflow {dtype}; "
            f"{advice}."
        )


def _check_resolvable(x_sq, centers, extent, dtype):
    """Refuse a batch too far from the centroids to tell its distances apart.

    ``x_sq`` are the squared norms of the batch's rows and ``extent`` the
    largest of the first batch's, in the units of the model (centred, times
    its power of two). The squared distances carry a rounding error of about
    ``4 (d + 4) eps (||x||^2 + ||c||^2)`` (the bound ``fit`` uses), while two
    centroids ``delta`` apart change a row's distances by at most ``2 delta
    (||x|| + ||c||)``: once the first reaches the second, the batch's farthest
    rows are equally near all the centroids in float64, and would pull them
    all alike where their true memberships differ. Centroids that coincide
    within the model's own rounding (a collapsed fuzzy c-means) are never told
    apart, and are not checked.
    """
    c_sq = row_norms(centers, squared=True).max()
    delta = np.sqrt(squared_distances(centers, centers).max())
    noise = expansion_rounding(centers.shape[1], dtype)
    if delta**2 <= noise * (extent + c_sq):
        return
    far = x_sq.max(initial=0.0)
    if noise * (far + c_sq) >= 2.0 * delta * (np.sqrt(far) + np.sqrt(c_sq)):
        raise ValueError(
            "This batch lies so far from the fitted centroids (about "
            f"{np.sqrt(far) / delta:.1e} times the distance between them) that "
            f"{np.dtype(dtype)} cannot tell its distances to them apart; the "
            "first batch fixed the scale the model computes in: pass batches "
            "of the first one's range, or fit anew."
        )


def _fcm_memberships(d2, m, out=None):
    """Fuzzy c-means memberships ``u_jt ∝ d2_jt^(-1/(m-1))``, shape (K, n).

    A sample at distance zero from a centroid gets full membership of it (shared
    equally between coinciding centroids), never 0/0.
    """
    if out is None:
        out = np.empty_like(d2)
    if m == 2.0:
        # d^(-2/(m-1)) = 1/d^2 for m = 2: a reciprocal instead of a power.
        with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
            np.divide(1.0, d2, out=out)
            s = out.sum(axis=0)
            ok = np.isfinite(s)
            np.multiply(out, 1.0 / s, out=out)
        if ok.all():
            return out
        bad = ~ok
        out[:, bad] = _fcm_memberships_safe(d2[:, bad], m)
        return out
    out[...] = _fcm_memberships_safe(d2, m)
    return out


def _fcm_memberships_safe(d2, m):
    """Overflow-free memberships: ratios to the nearest centroid lie in [0, 1]."""
    d2min = d2.min(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        u = np.divide(d2min, d2)
    if m != 2.0:
        np.power(u, 1.0 / (m - 1.0), out=u)
    on_center = d2min == 0
    if on_center.any():
        u[:, on_center] = d2[:, on_center] == 0
    u /= u.sum(axis=0)
    return u


def _soft_memberships(d2, beta, out=None):
    """Lecture's soft assignments ``softmax_j(-beta d2_jt)`` by log-sum-exp.

    Subtracting each sample's smallest distance before scaling by ``beta`` keeps
    every exponent in ``(-inf, 0]`` with one exponent exactly 0, so neither a huge
    ``beta`` nor a far point can produce 0/0. Returns the memberships and the
    per-sample free energy ``-log(sum_j exp(-beta d2_jt)) / beta``.
    """
    d2min = d2.min(axis=0)
    out = np.subtract(d2, d2min, out=out)
    out *= -beta
    np.exp(out, out=out)
    s = out.sum(axis=0)
    out /= s
    free_energy = d2min - np.log(s) / beta
    return out, free_energy


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
        X : array-like of shape (n_samples, n_features)
            Training data.

        y : Ignored
            Not used, present for API consistency.

        Returns
        -------
        self : object
            Fitted estimator.
        """
        X, _ = self._check_fit_data(X)
        for name in ("_center_weights", "n_steps_"):
            self.__dict__.pop(name, None)
        n_samples = X.shape[0]
        random_state = check_random_state(self.random_state)

        # Centring makes the expanded distance formula lose far less to
        # cancellation when the data sit far from the origin.
        offset = X.mean(axis=0)
        Xc = X - offset
        # Data whose squares overflow or underflow (magnitude ~1e155 or
        # ~1e-155) are fitted times a power of two: exact, and both methods are
        # scale-equivariant (beta scaling as one over squared distance).
        scale = power_of_two_scale(Xc)
        if scale != 1.0:
            Xc *= X.dtype.type(scale)
        x_sq = row_norms(Xc, squared=True)
        _check_no_overflow(x_sq, X.dtype)
        Xt = _transposed_with_ones(Xc)
        if isinstance(self.init, str):
            centers = _init_centroids(Xc, self.n_clusters, self.init, random_state)
        else:
            centers = _init_centroids(X, self.n_clusters, self.init, random_state)
            centers = (centers - offset) * X.dtype.type(scale)
        tol = self.tol * np.mean(np.var(Xc, axis=0))

        if self.method == "fcm":
            centers, u, history = self._fit_fcm(Xt, x_sq, centers, tol)
            self.beta_ = None
            self._scaled_beta = None
        else:
            if self.beta == "auto":
                beta = _auto_beta(Xc, centers, self.max_iter, self.tol)
            else:
                beta = float(self.beta) / scale / scale
            self._scaled_beta = beta
            with np.errstate(over="ignore"):
                # inf only where the true value exceeds float64 (data ~1e-155).
                self.beta_ = beta * scale * scale
            centers, u, history = self._fit_soft(Xt, x_sq, centers, beta, tol)

        # The model predict, score and partial_fit read, whatever set_params
        # changes after the fit.
        self._model = (self.method, float(self.m))
        self._fitted_params = self._model_params()
        self._offset = offset
        self._scale = scale
        # How far the samples reach, for partial_fit's check of later batches.
        self._extent = float(x_sq.max())
        self._centers_centered = centers
        self.cluster_centers_ = (centers / X.dtype.type(scale) + offset).astype(
            X.dtype, copy=False
        )
        self.membership_ = np.ascontiguousarray(u.T)
        self.labels_ = np.argmax(u, axis=0)
        with np.errstate(over="ignore"):
            # Objectives have the units of a squared distance.
            self.objective_history_ = (
                np.asarray(history, dtype=np.float64) / scale / scale
            )
        self.n_iter_ = len(history)
        if self.verbose:
            name = "J_m" if self.method == "fcm" else "free energy F"
            for i, value in enumerate(self.objective_history_, start=1):
                print(f"Iteration {i}: {name} = {value:.6g}")
        self.partition_coefficient_ = float(np.vdot(u, u)) / n_samples
        with np.errstate(divide="ignore", invalid="ignore"):
            plogp = np.where(u > 0, u * np.log(u), 0.0)
        self.partition_entropy_ = float(-plogp.sum()) / n_samples
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
        batch). After one pass over blobs the centroids are close to a full fit's.
        After ``fit``, ``partial_fit`` continues from the fitted centroids, each
        weighted by the memberships of the fit; changing ``method``, ``m`` or
        ``beta`` since is refused (call ``fit`` to start anew).

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
        # In the units of the first batch: centred on its mean, times the
        # power of two it was fitted at (see fit).
        Xc = X - self._offset
        with np.errstate(over="ignore"):
            if self._scale != 1.0:
                Xc *= X.dtype.type(self._scale)
            points = np.vstack([Xc, self._centers_centered.astype(X.dtype)])
            x_sq = row_norms(points, squared=True)
        weights = np.concatenate([np.ones(len(Xc)), self._center_weights])
        centers = self._centers_centered
        _check_no_overflow(
            x_sq,
            X.dtype,
            "the first batch fixed the scale the model computes in, and this "
            "one lies too far from it; pass batches of the first one's magnitude",
        )
        _check_resolvable(x_sq[: len(Xc)], centers, self._extent, X.dtype)
        Pt = _transposed_with_ones(points)
        tol = self.tol * np.mean(np.var(Xc, axis=0)) if len(Xc) > 1 else 0.0
        method, m = self._model
        power = m if method == "fcm" else 1.0
        for _ in range(self.max_iter):
            u = self._memberships_t(_distances_t(Pt, x_sq, centers))
            w = (u**power if power != 1.0 else u) * weights
            new = _weighted_means(w, Pt, centers)
            shift = float(np.sum((new - centers) ** 2))
            centers = new
            if shift <= tol:
                break
        u = self._memberships_t(_distances_t(Pt, x_sq, centers))
        self._center_weights = u @ weights
        self._centers_centered = centers
        self.cluster_centers_ = (
            centers / X.dtype.type(self._scale) + self._offset
        ).astype(X.dtype)
        self.membership_ = np.ascontiguousarray(u[:, : len(Xc)].T)
        self.labels_ = np.argmax(self.membership_, axis=1)
        self.n_steps_ += 1
        return self

    def _fit_fcm(self, Xt, x_sq, centers, tol):
        """Bezdek's loop in scikit-fuzzy's order: u -> centroids -> d -> new u."""
        m = float(self.m)
        d2 = _distances_t(Xt, x_sq, centers)
        # A seed on a data point would give that point membership 1, which
        # outweighs every u^m < 1 of the others for large m: the centroid could
        # never leave its seed. For the first memberships only, a sample on a
        # centroid counts as being at the distance of that centroid's nearest
        # other sample. (Zero within the rounding of the expanded distance, or
        # float32 and float64 would take different first steps.)
        rounding = expansion_rounding(centers.shape[1], d2.dtype)
        c_sq = row_norms(centers, squared=True)
        noise = rounding * (c_sq[:, None] + x_sq[None, :])
        nearest = np.where(d2 > noise, d2, np.inf).min(axis=1)
        # At most half way to the nearest other (distinct) centroid: when the
        # seed's cluster is all copies of its point, its nearest other sample
        # lies in another cluster, and the copies would get equal memberships
        # of both, a symmetric start that merges the centroids.
        between = squared_distances(centers, centers, X_sq=c_sq, Y_sq=c_sq)
        distinct = between > rounding * (c_sq[:, None] + c_sq[None, :])
        nearest = np.minimum(
            nearest, 0.25 * np.where(distinct, between, np.inf).min(axis=1)
        )
        floor = np.where(np.isfinite(nearest), nearest, 0.0)
        u = _fcm_memberships(np.maximum(d2, floor[:, None]), m)
        um = np.empty_like(u)
        history = []
        for _ in range(self.max_iter):
            if m == 2.0:
                np.square(u, out=um)
            else:
                np.power(u, m, out=um)
            new_centers = _weighted_means(um, Xt, centers)
            _distances_t(Xt, x_sq, new_centers, out=d2)
            history.append(float(np.vdot(um, d2)))
            _fcm_memberships(d2, m, out=u)
            shift = np.sum((new_centers - centers) ** 2)
            centers = new_centers
            if shift <= tol:
                break
        return centers, u, history

    def _fit_soft(self, Xt, x_sq, centers, beta, tol):
        """The lecture's soft k-means: responsibilities -> weighted means."""
        d2 = _distances_t(Xt, x_sq, centers)
        r, _ = _soft_memberships(d2, beta)
        history = []
        for _ in range(self.max_iter):
            new_centers = _weighted_means(r, Xt, centers)
            _distances_t(Xt, x_sq, new_centers, out=d2)
            _, free_energy = _soft_memberships(d2, beta, out=r)
            history.append(float(free_energy.sum()))
            shift = np.sum((new_centers - centers) ** 2)
            centers = new_centers
            if shift <= tol:
                break
        return centers, r, history

    def _test_distances_t(self, X):
        """Squared distances of validated new samples to the centroids, (K, n).

        Computed as in fit (centred, same layout), so that the training samples
        get back exactly their training memberships.
        """
        Xc = X - self._offset
        if self._scale != 1.0:
            Xc *= Xc.dtype.type(self._scale)
        x_sq = row_norms(Xc, squared=True)
        _check_no_overflow(x_sq, Xc.dtype)
        return _distances_t(_transposed_with_ones(Xc), x_sq, self._centers_centered)

    def _scaled_squared_distances(self, X):
        return np.ascontiguousarray(self._test_distances_t(X).T)

    def _memberships_t(self, d2):
        method, m = self._model
        if method == "fcm":
            return _fcm_memberships(d2, m)
        return _soft_memberships(d2, self._scaled_beta)[0]

    def _predict_validated(self, X):
        return np.argmax(self._memberships_t(self._test_distances_t(X)), axis=0)

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
        d2 = self._test_distances_t(self._check_test_data(X))
        return np.ascontiguousarray(self._memberships_t(d2).T)

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
        d2 = self._test_distances_t(self._check_test_data(X))
        scale = self._scale
        method, m = self._model
        if method == "fcm":
            u = _fcm_memberships(d2, m)
            if m == 2.0:
                objective = np.vdot(u * u, d2)
            else:
                objective = np.vdot(u**m, d2)
            with np.errstate(over="ignore"):
                return -float(objective) / d2.shape[1] / scale / scale
        beta = self._scaled_beta
        _, free_energy = _soft_memberships(d2, beta)
        n_features = self.n_features_in_
        # beta * F is scale-free; the density's normalisation carries the scale.
        loglik = (
            -beta * free_energy
            - np.log(len(self.cluster_centers_))
            + 0.5 * n_features * (np.log(beta / np.pi) + 2.0 * np.log(scale))
        )
        return float(np.mean(loglik))


def _auto_beta(Xc, centers, max_iter, tol):
    """``1 / lambda_max`` of the pooled within-cluster covariance of k-means.

    :class:`KMeans` from the initial centroids gives the partition; the rule is
    explained in the ``beta`` parameter of :class:`FuzzyKMeans`.
    """
    n_samples, n_features = Xc.shape
    with warnings.catch_warnings():
        # A cluster emptied on the way is KMeans's concern; beta only needs the
        # spread of the samples around the centroids it ends with.
        warnings.simplefilter("ignore", ConvergenceWarning)
        km = KMeans(
            centers.shape[0], init=centers, n_init=1, max_iter=max_iter, tol=tol
        ).fit(Xc)
    residuals = (Xc - km.cluster_centers_[km.labels_]).astype(np.float64)
    if n_features <= 64 or n_features >= n_samples:
        within = residuals.T @ residuals
        lam = eigh(within, eigvals_only=True)[-1] / n_samples
    else:
        # Forming the d x d covariance costs n d^2; Lanczos needs a few n d.
        sigma = svds(residuals, k=1, return_singular_vectors=False, random_state=0)
        lam = float(sigma[0]) ** 2 / n_samples
    total = float(np.sum(np.var(Xc, axis=0, dtype=np.float64)))
    # Every sample on its centroid: the limit is hard k-means, so pick a
    # stiffness far above the data's scale; identical samples: any beta works.
    lam = max(lam, np.finfo(Xc.dtype).eps * total)
    if lam <= 0:
        return 1.0
    return 1.0 / lam
