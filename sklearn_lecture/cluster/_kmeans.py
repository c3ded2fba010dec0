"""K-means clustering: the lecture's Lloyd iteration and the KMeans estimator.

The model is written once and every way of fitting uses it:

- the step, :func:`lloyd_step`: the assignment of a block of rows to the nearest
  centroid, summarised as per-centre sums, weights and counts (and ``sum w
  ||x||^2``); :class:`._kmeans_fast.HamerlyStep` is the same step, accelerated;
- the update rule, :func:`update`: new centroids from the statistics, and every
  parameter's meaning (``empty_cluster``, ``tol``);
- :func:`lloyd`: the iteration, step then update, as the lecture writes it.

The drivers of :mod:`sklearn_lecture.utils._fitting` run the step on numpy X in
memory or on the blocks of a dask X; ``partial_fit`` applies the same step and
the same empty-cluster rule to each mini-batch.
"""

import functools
import warnings
from numbers import Integral

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils import check_array, check_random_state

from ..utils._compat import Interval, StrOptions
from ..utils._dask import is_dask_array
from ..utils._fitting import reduce_rows
from ..utils._linalg import group_sums, row_norms, squared_distances
from ..utils._params import store_params
from ..utils._validation import fit_guard
from ._base import _BaseKMeans
from ._common import (
    _check_squares,
    _collapse_duplicates,
    _init_centroids,
)
from ._kmeans_fast import HamerlyStep, nearest_centers, own_center_inertia, threads


def _block(X, origin):
    """A block as the step computes on it: X itself, or a dask block checked and
    centred on ``origin`` (an empty block gives zero statistics)."""
    if origin is None:
        return X
    X = check_array(X, dtype=origin.dtype, ensure_min_samples=0)
    return X - origin


def lloyd_step(X, w, centers, origin=None):
    """The assignment step on a block of rows, as sufficient statistics.

    Every row goes to its nearest centroid (``||x||^2`` is the same for all
    centroids, so the argmin needs only ``||c||^2 - 2 x.c``).

    Returns
    -------
    sums : ndarray of shape (n_clusters, n_features)
        ``S_k = sum_{c(t)=k} w_t x_t`` (float64).
    weights, counts : ndarray of shape (n_clusters,)
        ``W_k = sum_{c(t)=k} w_t`` and the number of rows of each cluster.
    x_sq : float
        ``sum_t w_t ||x_t||^2``: with the sums it gives J after the update.
    """
    X = _block(X, origin)
    K = centers.shape[0]
    w = np.ones(X.shape[0]) if w is None else w
    labels = squared_distances(X, centers, X_sq=0).argmin(axis=1)
    return (
        group_sums(X, labels, K, w),
        np.bincount(labels, weights=w, minlength=K),
        np.bincount(labels, minlength=K),
        float(row_norms(X, squared=True).astype(np.float64) @ w),
    )


def _add(a, b):
    return tuple(x + y for x, y in zip(a, b))


def farthest_step(X, w, centers, origin, n):
    """The ``n`` rows of a block farthest from their nearest centroid.

    scikit-learn's rule for re-seeding empty clusters takes those. A row on
    its centroid is never taken: a cluster of copies of one point has that
    point for centroid but for the rounding of the sum, and re-seeding from it
    would move copies between coinciding centroids at every iteration.

    Returns ``(distances, rows, weights, labels)``, farthest first.
    """
    X = _block(X, origin)
    w = np.ones(X.shape[0]) if w is None else w
    labels = squared_distances(X, centers, X_sq=0).argmin(axis=1)
    d = row_norms(X - centers[labels], squared=True).astype(np.float64)
    rounding = X.shape[0] * np.finfo(np.float64).eps + 4 * np.finfo(X.dtype).eps
    on_centroid = d <= rounding**2 * (
        row_norms(X, squared=True) + row_norms(centers, squared=True)[labels]
    )
    top = np.argsort(np.where(on_centroid, -1.0, -d), kind="stable")[:n]
    top = top[~on_centroid[top]]
    return d[top], X[top].astype(np.float64), w[top], labels[top]


def _merge_farthest(a, b, n):
    merged = [np.concatenate([x, y]) for x, y in zip(a, b)]
    top = np.argsort(-merged[0], kind="stable")[:n]
    return tuple(x[top] for x in merged)


def empty_clusters(stats, centers, empty, empty_cluster, farthest):
    """``empty_cluster``'s meaning, in one place (fit and partial_fit).

    ``"reinit"``: each empty cluster takes one of the rows farthest from their
    centroid (``farthest(centers, n)``), moved in the statistics; ``"remove"``:
    the empty centroids and their statistics are dropped.

    Returns the statistics, the centroids and whether anything changed.
    """
    if not empty.any():
        return stats, centers, False
    S, W, N, x_sq = stats
    if empty_cluster == "remove":
        keep = ~empty
        return (S[keep], W[keep], N[keep], x_sq), centers[keep], True
    _, rows, weights, old = farthest(centers, int(empty.sum()))
    S, W, N = S.copy(), W.astype(np.float64), N.copy()
    for k, x, wt, o in zip(np.flatnonzero(empty), rows, weights, old):
        S[o] -= wt * x
        W[o] -= wt
        N[o] -= 1
        S[k], W[k], N[k] = wt * x, wt, 1
    return (S, W, N, x_sq), centers, len(rows) > 0


def update(stats, centers, *, tol, empty_cluster, farthest, w_total):
    """The update step: every centroid to the weighted mean of its rows.

    Returns the new centroids, the lecture's distortion J after the update,
    ``J = (sum_t w_t ||x_t||^2 - sum_k ||S_k||^2 / W_k) / sum_t w_t``, whether
    the iteration has converged (summed squared shift at most ``tol``: zero
    when the assignment did not change) and whether the statistics were
    changed behind the step's back (an emptied cluster).
    """
    stats, centers, changed = empty_clusters(
        stats, centers, stats[2] == 0, empty_cluster, farthest
    )
    S, W, _, x_sq = stats
    filled = W > 0
    new = centers.copy()
    new[filled] = S[filled] / W[filled, None]
    j = x_sq - float(np.sum(row_norms(S[filled], squared=True) / W[filled]))
    shift = float(np.sum((new.astype(np.float64) - centers) ** 2))
    return new, max(j, 0.0) / w_total, shift <= tol, changed


def lloyd(step, centers, *, max_iter, verbose=0, run="", **rule):
    """Lloyd's iteration from ``centers``: the assignment step, then the update.

    ``step(centers)`` returns the statistics of :func:`lloyd_step`; ``rule``
    holds :func:`update`'s parameters. Returns the centroids, J after each
    iteration and the number of iterations.
    """
    history = []
    for n_iter in range(1, max_iter + 1):
        stats = step(centers)  # assignment step
        centers, j, converged, changed = update(stats, centers, **rule)
        if changed and hasattr(step, "forget"):
            step.forget()
        history.append(j)
        if verbose:
            print(f"{run}iteration {n_iter}: J = {j:.6g}")
        if converged:
            break
    return centers, np.asarray(history), n_iter


class KMeans(_BaseKMeans):
    """K-means clustering by Lloyd's iteration, as in the lecture.

    Each iteration assigns every sample to its nearest centroid and moves every
    centroid to the (weighted) mean of its samples, which never increases the
    distortion ``J = (1 / n) sum_t ||x_t - mu_{c(t)}||^2``; it stops when the
    centroids move less than the tolerance (not at all when the assignment no
    longer changes) or after ``max_iter`` iterations. From the same initial
    centroids it computes what scikit-learn's ``KMeans(algorithm="lloyd")``
    computes.

    Parameters
    ----------
    n_clusters : int, default=8
        The number K of clusters.

    init : {"k-means++", "random"} or array-like of shape (n_clusters, n_features), \
            default="k-means++"
        ``"random"``: the lecture's start, K distinct samples chosen at random
        (with probability proportional to their weight). ``"k-means++"``: greedy
        k-means++ seeding (k-means|| on a dask array). An array: the initial
        centroids themselves.

    n_init : "auto" or int, default="auto"
        Number of runs from different seeds; the run of lowest inertia is kept.
        ``"auto"``: 1 for ``"k-means++"`` and for an array, 10 for ``"random"``.

    max_iter : int, default=300
        Maximum number of iterations of one run.

    tol : float, default=1e-4
        Convergence tolerance on the summed squared centroid shift, relative to the
        mean variance of the features (as scikit-learn). ``tol=0`` iterates until
        the assignment stops changing or ``max_iter``.

    empty_cluster : {"reinit", "remove"}, default="reinit"
        What to do when a cluster loses all its samples. ``"reinit"``: re-seed it
        at the sample farthest from its centroid (scikit-learn's rule).
        ``"remove"``: drop its centroid; the fitted model then has fewer clusters
        (``n_clusters_``) and predict never returns a removed label. In
        ``partial_fit`` a cluster is empty while it has gathered no sample.

    algorithm : {"hamerly", "lloyd"}, default="hamerly"
        The step that computes the assignment; both give the same partition at
        every iteration (up to ties within rounding). ``"lloyd"``: the lecture's
        step written to be read (:func:`lloyd_step`). ``"hamerly"``: the
        accelerated step of ``cluster/_kmeans_fast.py`` (blocked assignment on
        several threads, Hamerly's bounds to skip the samples that cannot change
        cluster), several times faster on large data. On a dask array every
        iteration is one map-reduce of the readable step over the blocks
        (Hamerly's bounds would keep per-row state between iterations), with
        the same partitions.

    random_state : int, RandomState instance or None, default=None
        Seeds the initialisation.

    verbose : int, default=0
        Print the lecture's J after each iteration of every run, then the
        inertia of each run, when > 0.

    Attributes
    ----------
    cluster_centers_ : ndarray of shape (n_clusters_, n_features)
        The centroids.

    labels_ : ndarray of shape (n_samples,)
        ``predict`` of the training samples (a lazy dask array after a fit on
        a dask array).

    inertia_ : float
        Weighted sum of squared distances of the samples to their centroid.

    distortion_ : float
        The lecture's J: ``inertia_ / n_samples``; with ``sample_weight`` the
        weighted mean, ``inertia_ / sum(sample_weight)``.

    distortion_history_ : ndarray of shape (n_iter_,)
        J after the centroid update of each iteration of the kept run;
        non-increasing (up to rounding); one value per mini-batch after
        ``partial_fit``.

    n_iter_ : int
        Iterations of the kept run.

    n_clusters_ : int
        Number of clusters of the fitted model: ``n_clusters`` unless
        ``empty_cluster="remove"`` dropped some.

    n_features_in_ : int
        Number of features seen during fit.

    feature_names_in_ : ndarray of shape (n_features_in_,)
        Names of features seen during fit, when X has feature names that are all
        strings.

    See Also
    --------
    ElbowKMeans : Chooses K by the elbow of J(K).
    FuzzyKMeans : Soft memberships instead of hard assignments.
    sklearn.cluster.KMeans : scikit-learn's k-means (Lloyd or Elkan).

    Notes
    -----
    scipy sparse X is densified first. Rows of zero weight are dropped before
    fitting. For the seeded starts identical rows are first merged into one row
    carrying their summed weight, in an order that does not depend on the order
    of X: integer weights then give the model that repeating rows gives, with
    the same seed. The data are centred first, as scikit-learn does, to keep
    ``||c||^2 - 2 x.c`` accurate; data whose squared distances overflow or
    underflow the dtype are refused with a ValueError that suggests scaling.

    References
    ----------
    S. Lloyd, "Least squares quantization in PCM", IEEE Trans. Information Theory,
    28(2), 1982.

    D. Arthur and S. Vassilvitskii, "k-means++: the advantages of careful seeding",
    SODA 2007.

    G. Hamerly, "Making k-means even faster", SDM 2010.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_lecture import KMeans
    >>> X = np.array([[1, 2], [1, 4], [1, 0], [10, 2], [10, 4], [10, 0]])
    >>> km = KMeans(n_clusters=2, random_state=0).fit(X)
    >>> km.cluster_centers_[np.argsort(km.cluster_centers_[:, 0])]
    array([[ 1.,  2.],
           [10.,  2.]])
    >>> km.distortion_
    2.666...
    >>> km.predict([[0, 0], [12, 3]]) == km.predict([[1, 2], [10, 2]])
    array([ True,  True])
    """

    _accepts_sparse = True
    _fits_dask = True

    _parameter_constraints: dict = {
        **_BaseKMeans._parameter_constraints,
        "n_init": [StrOptions({"auto"}), Interval(Integral, 1, None, closed="left")],
        "empty_cluster": [StrOptions({"reinit", "remove"})],
        "algorithm": [StrOptions({"hamerly", "lloyd"})],
    }

    def __init__(
        self,
        n_clusters=8,
        *,
        init="k-means++",
        n_init="auto",
        max_iter=300,
        tol=1e-4,
        empty_cluster="reinit",
        algorithm="hamerly",
        random_state=None,
        verbose=0,
    ):
        store_params(self, locals())

    def _resolved_n_init(self, seeded):
        if self.n_init == "auto":
            return 10 if (seeded and self.init == "random") else 1
        if not seeded and self.n_init != 1:
            warnings.warn(
                f"An explicit init array was given, so n_init={self.n_init} runs "
                "would all be the same; doing one.",
                RuntimeWarning,
                stacklevel=5,
            )
            return 1
        return self.n_init

    def _fit(self, X, sample_weight):
        for name in ("_counts", "n_steps_"):  # a fit starts anew
            self.__dict__.pop(name, None)
        seeded = isinstance(self.init, str)
        dask = is_dask_array(X)
        X_fit, w_fit = X, sample_weight
        if not dask and seeded:
            X_fit, w_fit, _ = _collapse_duplicates(X, sample_weight)
        elif not dask and not (sample_weight > 0).all():
            X_fit, w_fit = X[sample_weight > 0], sample_weight[sample_weight > 0]
        n_init = self._resolved_n_init(seeded)
        rng = check_random_state(self.random_state)
        dtype = X.dtype
        rows = () if w_fit is None else (w_fit,)
        nones = (None,) if w_fit is None else ()

        # Centred on the weighted mean (scikit-learn's habit: ||c||^2 - 2 x.c
        # stays accurate far from the origin), and scikit-learn's tolerance:
        # tol times the mean variance of the features.
        if dask:
            w_total, sums = reduce_rows(_mean_step, _add, X_fit, *rows, args=(*nones,))
            mean = (sums / w_total).astype(dtype)
            origin, X_c, x_sq = mean, X_fit, None
            spread, largest, peak = reduce_rows(
                _spread_step, _add_max, X_fit, *rows, args=(*nones, mean)
            )
        else:
            w_total = float(w_fit.sum(dtype=np.float64))
            mean = (w_fit @ X_fit / w_total).astype(dtype)
            origin, X_c = None, X_fit - mean
            x_sq = row_norms(X_c, squared=True).astype(np.float64, copy=False)
            spread, largest = float(x_sq @ w_fit), float(x_sq.max())
            peak = largest or float(np.abs(X_c).max())
        _check_squares(largest, peak, dtype)
        if not dask and seeded and X_fit.shape[0] < self.n_clusters:
            warnings.warn(
                f"X has only {X_fit.shape[0]} distinct samples (of positive weight) "
                f"for n_clusters={self.n_clusters}; some clusters stay empty.",
                ConvergenceWarning,
                stacklevel=4,
            )

        def stats(step, *args):
            return reduce_rows(step, _add, X_c, *rows, args=(*nones, *args, origin))

        def farthest(centers, n):
            merge = functools.partial(_merge_farthest, n=n)
            return reduce_rows(farthest_step, merge, X_c, *rows,
                               args=(*nones, centers, origin, n))

        rule = dict(
            tol=self.tol * spread / (w_total * X.shape[1]),
            empty_cluster=self.empty_cluster,
            farthest=farthest,
            w_total=w_total,
        )
        weights = None if dask or np.all(w_fit == 1) else w_fit
        cost = self.n_clusters * (X.shape[1] + 8)
        inits = []
        for _ in range(n_init):
            if not seeded:
                centers = _init_centroids(X[:0], self.n_clusters, self.init, None)
                inits.append(centers - mean)
            elif dask:
                inits.append(_dask_seeds(X, self.n_clusters, self.init, rng, mean))
            else:
                inits.append(
                    _init_centroids(X_c, self.n_clusters, self.init, rng, w_fit)
                )
        best = None
        with threads(0 if dask else X.shape[0], cost) as (pool, n_threads):
            for r, centers in enumerate(inits):
                if dask or self.algorithm == "lloyd":
                    step = functools.partial(stats, lloyd_step)
                else:
                    step = HamerlyStep(X_c, weights, x_sq, pool, n_threads)
                prefix = f"Run {r + 1}/{n_init}, " if self.verbose else ""
                centers, history, n_iter = lloyd(
                    step, centers, max_iter=self.max_iter, verbose=self.verbose,
                    run=prefix, **rule,
                )
                C = (centers + mean).astype(dtype)
                if dask:
                    S, W, _, xx = stats(lloyd_step, centers)
                    inertia = xx - 2 * float(np.sum(S * centers)) + float(
                        W @ row_norms(centers.astype(np.float64), squared=True)
                    )
                    labels, counts = None, W
                else:
                    labels = nearest_centers(X, C, pool, n_threads)
                    inertia = own_center_inertia(X, sample_weight, C, labels,
                                                 pool, n_threads)
                    counts = np.bincount(labels, weights=sample_weight,
                                         minlength=len(C))
                if self.verbose:
                    print(f"Run {r + 1}/{n_init} done after {n_iter} iterations: "
                          f"inertia = {inertia:.6g}, J = {inertia / w_total:.6g}")
                if best is None or inertia < best[1]:
                    best = (C, inertia, history, n_iter, labels, counts)
        C, inertia, history, n_iter, labels, counts = best
        self.cluster_centers_ = C
        self.n_clusters_ = C.shape[0]
        self.inertia_ = max(float(inertia), 0.0)
        self.distortion_ = self.inertia_ / w_total
        self.distortion_history_ = history
        self.n_iter_ = int(n_iter)
        self._counts = counts
        # Lazy, like the data, after a dask fit.
        self.labels_ = self.predict(X) if dask else labels
        if not dask and self.empty_cluster == "reinit":
            n_used = np.unique(labels[sample_weight > 0]).size
            if n_used < self.n_clusters_ and X_fit.shape[0] >= self.n_clusters:
                warnings.warn(
                    f"Number of distinct clusters ({n_used}) found smaller than "
                    f"n_clusters ({self.n_clusters_}). Possibly due to duplicate "
                    "points in X.",
                    ConvergenceWarning,
                    stacklevel=4,
                )
        return self

    @fit_guard
    def partial_fit(self, X, y=None, sample_weight=None):
        """Update the centroids with one mini-batch (mini-batch k-means).

        The first call seeds the centroids on its batch: the best of three
        k-means runs on it from ``init`` with ``random_state`` (``n_init`` runs
        when it is an int), or the ``init`` array itself. Every call assigns the
        batch to the nearest centroids (:func:`lloyd_step`) and moves each
        centroid towards the mean of its new samples with the per-centroid
        learning rate 1 / (weight it has seen), Sculley's (2010) update as
        scikit-learn's ``MiniBatchKMeans`` computes it. A cluster that has
        gathered no sample is handled by ``empty_cluster`` as in ``fit``. After
        ``fit``, ``partial_fit`` continues from the fitted centroids.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            A mini-batch; the first one needs at least ``n_clusters`` samples.
        y : Ignored
            Not used, present for API consistency.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights of the samples of the batch.

        Returns
        -------
        self : object
            The updated estimator; ``labels_``, ``inertia_`` and ``distortion_``
            describe the last batch, ``n_steps_`` counts the batches.
        """
        first = not hasattr(self, "cluster_centers_")
        X, sample_weight = self._check_fit_data(
            X, sample_weight, reset=first, check_k=first
        )
        if first:
            self._fit_n_clusters = self.n_clusters
            if isinstance(self.init, str):
                # Seeded on the first batch by the best of a few k-means runs on
                # it: one unlucky seeding of a small batch is never undone.
                params = self.get_params()
                params["n_init"] = 3 if self.n_init == "auto" else self.n_init
                start = KMeans(**{**params, "verbose": 0})
                start.fit(X, sample_weight=sample_weight)
                centers = start.cluster_centers_.astype(np.float64)
            else:
                centers = _init_centroids(X, self.n_clusters, self.init, None)
                centers = centers.astype(np.float64)
            counts, history = np.zeros(len(centers)), []
        else:
            if self.n_clusters != getattr(self, "_fit_n_clusters", self.n_clusters):
                raise ValueError(
                    f"partial_fit continues the model of {self._fit_n_clusters} "
                    f"clusters, but n_clusters={self.n_clusters}; call fit to start "
                    "anew."
                )
            centers = self.cluster_centers_.astype(np.float64)
            counts = self._counts
            history = list(self.distortion_history_)
        X64 = X.astype(np.float64, copy=False)
        w = sample_weight.astype(np.float64)
        largest = max(row_norms(X64, True).max(), row_norms(centers, True).max())
        _check_squares(largest, np.ptp(X64, axis=0).max(), X.dtype, "this batch")

        def farthest(c, n):
            return farthest_step(X64, w, c, None, n)

        stats = lloyd_step(X64, w, centers)
        empty = counts + stats[1] == 0
        stats, centers, _ = empty_clusters(
            stats, centers, empty, self.empty_cluster, farthest
        )
        if self.empty_cluster == "remove":
            counts = counts[~empty]
        S, W = stats[:2]
        centers, counts = centers.copy(), counts + W
        seen = W > 0
        centers[seen] += (S[seen] - W[seen, None] * centers[seen]) / counts[seen, None]

        # The batch on the updated centroids: labels and inertia.
        labels = nearest_centers(X64, centers)
        inertia = own_center_inertia(X64, w, centers, labels)
        w_total = float(w.sum())
        self.cluster_centers_ = centers.astype(X.dtype)
        self.n_clusters_ = len(centers)
        self._counts = counts
        self.labels_ = labels
        self.inertia_ = inertia
        self.distortion_ = inertia / w_total if w_total > 0 else 0.0
        self.distortion_history_ = np.asarray([*history, self.distortion_])
        self.n_steps_ = getattr(self, "n_steps_", 0) + 1
        self.n_iter_ = self.n_steps_
        return self


def _mean_step(X, w):
    X = check_array(X, dtype=[np.float64, np.float32], ensure_min_samples=0)
    w = np.ones(X.shape[0]) if w is None else w.astype(np.float64)
    return float(w.sum()), w @ X.astype(np.float64)


def _spread_step(X, w, mean):
    """``sum w ||x - mean||^2``, the largest ``||x - mean||^2`` and ``|x - mean|``."""
    X = _block(X, mean)
    x_sq = row_norms(X, squared=True).astype(np.float64)
    w = np.ones(X.shape[0]) if w is None else w
    peak = float(np.abs(X).max(initial=0))
    return float(x_sq @ w), float(x_sq.max(initial=0.0)), peak


def _add_max(a, b):
    return a[0] + b[0], max(a[1], b[1]), max(a[2], b[2])


def _dask_seeds(X, n_clusters, init, rng, mean):
    """Seeds on a dask X, centred: k-means|| or random rows."""
    from ._kmeans_dask import kmeans_parallel_init

    if init == "k-means++":
        return kmeans_parallel_init(X, n_clusters, rng, mean)
    rows = np.sort(rng.choice(X.shape[0], n_clusters, replace=False))
    return X[rows].compute().astype(mean.dtype) - mean
