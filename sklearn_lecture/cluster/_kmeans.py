"""K-means: the step (:func:`lloyd_step`, accelerated in
:class:`._kmeans_fast.HamerlyStep`), the update rule that owns every parameter's
meaning (:func:`update`), the lecture's iteration (:func:`lloyd`), the estimator.
The drivers of :mod:`..utils._fitting` run the step on numpy or dask X."""

import functools
import warnings
from numbers import Integral

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils import check_array, check_random_state

from ..utils._callbacks import NO_TASK, begin_fit
from ..utils._compat import Interval, StrOptions
from ..utils._dask import is_dask_array, map_reduce_blocks
from ..utils._fitting import reduce_rows
from ..utils._linalg import group_sums, row_norms, squared_distances
from ..utils._params import store_params
from ..utils._validation import fit_guard
from ._base import _BaseKMeans, fill_cluster_doc
from ._common import _check_squares, _collapse_duplicates, _init_centroids, _is_seeded
from ._kmeans_fast import HamerlyStep, block_sums, nearest_centers, threads


def _block(X, origin):
    """X itself, or a dask block checked and centred on ``origin``."""
    if origin is None:
        return X
    return check_array(X, dtype=origin.dtype, ensure_min_samples=0) - origin


def _add(a, b):
    return tuple(x + y for x, y in zip(a, b))


def _nearest(X, w, centers, origin):
    X = _block(X, origin)
    w = np.ones(X.shape[0]) if w is None else w
    return X, w, squared_distances(X, centers, X_sq=0).argmin(axis=1)


def lloyd_step(X, w, centers, origin=None):
    """The assignment step on a block: ``S_k = sum_{c(t)=k} w_t x_t`` (float64),
    its weight ``W_k``, its rows ``N_k`` and ``sum_t w_t ||x_t||^2``."""
    X, w, labels = _nearest(X, w, centers, origin)
    K = centers.shape[0]
    return (group_sums(X, labels, K, w), np.bincount(labels, w, K),
            np.bincount(labels, minlength=K),
            float(row_norms(X, squared=True).astype(np.float64) @ w))


def fused_step(X, w, centers, origin=None):
    """:func:`lloyd_step` by the compiled engine: one pass over the block."""
    X = _block(X, origin)
    return block_sums(X, np.ones(X.shape[0]) if w is None else w, centers)


def farthest_step(X, w, centers, origin, n):
    """``(distances, rows, weights, labels)`` of the ``n`` rows of a block farthest
    from their centroid, never one on it (copies would move between coinciding
    centroids at every iteration)."""
    X = _block(X, origin)
    w = np.ones(X.shape[0]) if w is None else w
    labels = nearest_centers(X, centers)
    d = row_norms(X - centers[labels], squared=True).astype(np.float64)
    rounding = X.shape[0] * np.finfo(np.float64).eps + 4 * np.finfo(X.dtype).eps
    on_centroid = d <= rounding**2 * (row_norms(X, squared=True)
                                      + row_norms(centers, squared=True)[labels])
    key = np.where(on_centroid, 1.0, -d)
    # The n smallest keys in a stable order: a partition, then the few sorted.
    rows = (np.flatnonzero(key <= np.partition(key, n - 1)[n - 1])
            if 0 < n < len(key) else np.arange(len(key)))
    top = rows[np.argsort(key[rows], kind="stable")[:n]]
    top = top[~on_centroid[top]]
    return d[top], X[top].astype(np.float64), w[top], labels[top]


def _merge_farthest(a, b, n):
    merged = [np.concatenate([x, y]) for x, y in zip(a, b)]
    top = np.argsort(-merged[0], kind="stable")[:n]
    return tuple(x[top] for x in merged)


def empty_clusters(stats, centers, empty, empty_cluster, farthest):
    """``empty_cluster``'s meaning, for fit and partial_fit alike: the statistics,
    the centroids and whether anything changed."""
    if not empty.any():
        return stats, centers, False
    S, W, N, x_sq = stats
    if empty_cluster == "remove":
        return (S[~empty], W[~empty], N[~empty], x_sq), centers[~empty], True
    _, rows, weights, old = farthest(centers, int(empty.sum()))
    S, W, N = S.copy(), W.astype(np.float64), N.copy()
    for k, x, wt, o in zip(np.flatnonzero(empty), rows, weights, old):
        S[o], W[o], N[o] = S[o] - wt * x, W[o] - wt, N[o] - 1
        S[k], W[k], N[k] = wt * x, wt, 1
    return (S, W, N, x_sq), centers, len(rows) > 0


def sculley_update(centers, counts, S, W):
    """Mini-batch k-means' rule (Sculley, 2010): each centroid moves towards the
    mean of its new rows at the rate 1 / (weight it has seen), ``W`` of summed
    rows ``S`` added to its ``counts``. New centroids and counts."""
    new, centers, seen = counts + W, centers.copy(), W > 0
    centers[seen] = (centers[seen] * counts[seen, None] + S[seen]) / new[seen, None]
    return centers, new


def update(stats, centers, *, tol, empty_cluster, farthest, w_total):
    """Every centroid to the weighted mean of its rows: the centroids, J after the
    update, whether the summed squared shift is at most ``tol`` and whether an
    emptied cluster changed the statistics."""
    (S, W, _, x_sq), centers, changed = empty_clusters(
        stats, centers, stats[2] == 0, empty_cluster, farthest)
    filled = W > 0
    if filled.all():  # the usual case, without the masks (small data pays them)
        means = S / W[:, None]
        new = means.astype(centers.dtype, copy=False)
    else:
        S, means, new = S[filled], S[filled] / W[filled, None], centers.copy()
        new[filled] = means
    j = x_sq - float(np.einsum("ij,ij->", S, means))  # sum_k ||S_k||^2 / W_k
    moved = new - centers
    shift = float(np.einsum("ij,ij->", moved, moved, dtype=np.float64))
    return new, max(j, 0.0) / w_total, shift <= tol, changed


def lloyd(step, centers, *, max_iter, verbose=0, task=NO_TASK, **rule):
    """Lloyd's iteration, ``step(centers)`` then :func:`update` with ``rule``: the
    centroids, J after each iteration and the number of iterations (each one a
    subtask of ``task`` for scikit-learn's callbacks, which may stop it)."""
    history = []
    if verbose:
        print("Initialization complete")
    for n_iter in range(1, max_iter + 1):
        iteration = task.subtask("iteration")
        previous = centers
        centers, j, converged, changed = update(step(centers), centers, **rule)
        if changed and hasattr(step, "forget"):
            step.forget()
        history.append(j)
        if verbose:  # scikit-learn's lines, the lecture's J beside the inertia
            print(f"Iteration {n_iter - 1}, inertia {j * rule['w_total']:.6g}, the "
                  f"iteration's J = {j:.6g}")
            shift = float(np.sum((centers - previous) ** 2))
            if converged and shift == 0:
                print(f"Converged after {n_iter} steps: strict convergence.")
            elif converged:
                print(f"Converged after {n_iter} steps: center shift {shift:.6g} "
                      f"within tolerance {rule['tol']:.6g}.")
        if iteration.end() or converged:
            break
    return centers, np.asarray(history), n_iter


@fill_cluster_doc
class KMeans(_BaseKMeans):
    """K-means clustering by Lloyd's iteration, as in the lecture.

    Each iteration assigns every sample to its nearest centroid and moves every
    centroid to the (weighted) mean of its samples, never increasing the
    distortion ``J = (1 / n) sum_t ||x_t - mu_{c(t)}||^2``: from the same initial
    centroids, scikit-learn's ``KMeans(algorithm="lloyd")``.

    Parameters
    ----------
    {cluster_parameters}

    Attributes
    ----------
    cluster_centers_ : ndarray of shape (`n_clusters_`, n_features)
        The centroids.
    labels_ : ndarray of shape (n_samples,)
        ``predict`` of the training samples (lazy after a dask fit).
    inertia_ : float
        Weighted sum of squared distances of the samples to their centroid.
    distortion_ : float
        The lecture's J: ``inertia_ / sum(sample_weight)``.
    distortion_history_ : ndarray of shape (`n_iter_`,)
        J after each iteration of the kept run (per mini-batch in partial_fit).
    n_iter_ : int
        Iterations of the kept run.
    n_clusters_ : int
        ``n_clusters``, less those ``empty_cluster="remove"`` dropped.
    {cluster_attributes}

    See Also
    --------
    ElbowKMeans : Chooses K by the elbow of J(K).
    FuzzyKMeans : Soft memberships instead of hard assignments.
    sklearn.cluster.KMeans : scikit-learn's k-means (Lloyd or Elkan).

    Notes
    -----
    Sparse X is densified, rows of zero weight dropped and, for seeded starts,
    identical rows merged (integer weights give the model of repeated rows). Data
    whose squared distances overflow or underflow the dtype are refused.

    References
    ----------
    S. Lloyd, "Least squares quantization in PCM", IEEE Trans. Inf. Theory, 1982.
    D. Arthur and S. Vassilvitskii, "k-means++: the advantages of careful
    seeding", SODA 2007. G. Hamerly, "Making k-means even faster", SDM 2010.
    B. Bahmani et al., "Scalable k-means++", VLDB 2012 (k-means||).

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
    _parameter_constraints: dict = {
        **_BaseKMeans._parameter_constraints,
        "n_init": [StrOptions({"auto"}), Interval(Integral, 1, None, closed="left")],
        "empty_cluster": [StrOptions({"reinit", "remove"})],
        "algorithm": [StrOptions({"hamerly", "elkan", "lloyd"})],
        "copy_x": ["boolean"],
    }

    def __init__(
        self, n_clusters=8, *, init="k-means++", n_init="auto", max_iter=300,
        tol=1e-4, empty_cluster="reinit", algorithm="hamerly",
        random_state=None, verbose=0, copy_x=True,
    ):
        store_params(self, locals())

    def _resolved_n_init(self, seeded, default=10):
        if self.n_init == "auto":
            return default if seeded and self.init != "k-means++" else 1
        if not seeded and self.n_init != 1:
            warnings.warn("Explicit initial center position passed: performing only "
                          f"one init in {type(self).__name__} instead of n_init="
                          f"{self.n_init} (the runs would all be the same).",
                          RuntimeWarning, stacklevel=5)
            return 1
        return self.n_init

    def _fit(self, X, sample_weight):
        for name in ("_counts", "n_steps_"):  # a fit starts anew
            self.__dict__.pop(name, None)
        seeded, dask = _is_seeded(self.init), is_dask_array(X)
        X_fit, w_fit, dtype = X, sample_weight, X.dtype
        if not dask and seeded:
            X_fit, w_fit, _ = _collapse_duplicates(X, sample_weight)
        elif not dask and not (sample_weight > 0).all():
            X_fit, w_fit = X[sample_weight > 0], sample_weight[sample_weight > 0]
        n_init = self._n_init = self._resolved_n_init(seeded)
        rng = check_random_state(self.random_state)
        # Centred on the weighted mean (||c||^2 - 2 x.c stays accurate), as
        # scikit-learn, with its tolerance: tol times the mean feature variance.
        rows, nones = ((), (None,)) if dask else ((w_fit,), ())  # dask: no weights
        w_total, sums = reduce_rows(_sum_step, _add, X_fit, *rows)
        mean = (sums / w_total).astype(dtype)
        # copy_x=False: X centred in place (no copy) and given back after.
        in_place = not (dask or self.copy_x) and X_fit is X and X.flags.writeable
        X_c, origin = ((X_fit, mean) if dask else (
            np.subtract(X_fit, mean, out=X_fit) if in_place else X_fit - mean, None))

        def stats(step, *args, merge=_add):
            return reduce_rows(step, merge, X_c, *rows, args=(*nones, *args, origin))

        # The rows' squared norms, once for the checks and every run's bounds.
        x_sq = None if dask else np.einsum("ij,ij->i", X_c, X_c, dtype=np.float64)
        spread, largest, peak = (stats(_spread_step, merge=_add_max) if dask else
                                 _spread_step(X_c, w_fit, None, x_sq))
        _check_squares(largest, peak, dtype)

        def farthest(centers, n):
            return reduce_rows(farthest_step, functools.partial(_merge_farthest, n=n),
                               X_c, *rows, args=(*nones, centers, origin, n))

        rule = dict(tol=self.tol * spread / (w_total * X.shape[1]), w_total=w_total,
                    empty_cluster=self.empty_cluster, farthest=farthest)
        if self.algorithm == "elkan" and self.n_clusters == 1:
            warnings.warn("algorithm='elkan' doesn't make sense for a single cluster. "
                          "Using 'lloyd' instead.", RuntimeWarning, stacklevel=4)
        hamerly = not dask and self.algorithm in ("hamerly", "elkan")
        weights = None if dask or np.all(w_fit == 1) else w_fit
        try:
            best, task = None, begin_fit(self, n_init, X=None if dask else X)
            with threads(0 if dask else X.shape[0],
                         self.n_clusters * (X.shape[1] + 8)) as (pool, n_threads):
                for r in range(n_init):
                    if not seeded:
                        centers = _init_centroids(X[:0], self.n_clusters, self.init,
                                                  None) - mean
                    elif dask:
                        centers = _dask_seeds(X, self.n_clusters, self.init, rng, mean)
                    else:
                        centers = _init_centroids(X_c, self.n_clusters, self.init, rng,
                                                  w_fit)
                    step = (HamerlyStep(X_c, weights, pool, n_threads, x_sq) if hamerly
                            else functools.partial(stats, _STEPS[self.algorithm]))
                    run = task.subtask("run", self.max_iter)
                    centers, history, n_iter = lloyd(
                        step, centers, max_iter=self.max_iter, verbose=self.verbose,
                        task=run,
                        **rule,
                    )
                    run.end()
                    C = (centers + mean).astype(dtype)
                    if dask:  # the inertia on the final centroids, from one more step
                        S, W, _, xx = step(centers)
                        c64, labels = centers.astype(np.float64), None
                        inertia = xx - 2 * float(np.sum(S * c64)) + float(
                            W @ row_norms(c64, squared=True))
                    else:  # predict's assignment, so that labels_ is predict(X)
                        labels, inertia = nearest_centers(
                            *((X_c, centers) if in_place else (X, C)), pool,
                            n_threads, sample_weight, inertia=True)
                    if not dask:
                        W = np.bincount(labels, weights=sample_weight, minlength=len(C))
                    if self.verbose:
                        print(f"Run {r + 1}/{n_init} done after {n_iter} iterations: "
                              f"inertia = {inertia:.6g}, J = {inertia / w_total:.6g}")
                    # A run of the same partition is not better, whatever the rounding
                    # (scikit-learn's rule): the engines then keep the same run.
                    if best is None or (inertia < best[1] and not (
                            labels is not None and _same_partition(labels, best[5]))):
                        best = (C, inertia, history, n_iter, W, labels)
            task.end({})
        finally:  # copy_x=False: X as given back
            if in_place:
                X_fit += mean
        C, inertia, history, n_iter, counts, labels = best
        self.cluster_centers_, self.n_clusters_ = C, C.shape[0]
        self.inertia_ = max(float(inertia), 0.0)
        self.distortion_ = self.inertia_ / w_total
        self.distortion_history_, self.n_iter_ = history, int(n_iter)
        self._counts = counts
        self.labels_ = self.predict(X) if dask else labels  # lazy after dask
        few = not dask and seeded and X_fit.shape[0] < self.n_clusters
        if few or not dask and self.empty_cluster == "reinit":
            n_used = np.count_nonzero(np.bincount(labels[sample_weight > 0]))
            if n_used < self.n_clusters:
                warnings.warn(
                    f"Number of distinct clusters ({n_used}) found smaller than "
                    f"n_clusters ({self.n_clusters}). Possibly due to duplicate "
                    "points in X." + (f" X has only {X_fit.shape[0]} distinct "
                                      "samples (of positive weight); some clusters"
                                      " stay empty." if few else ""),
                    ConvergenceWarning, stacklevel=4)
        return self

    @fit_guard
    def partial_fit(self, X, y=None, sample_weight=None):
        """Update the centroids with one mini-batch (mini-batch k-means).

        The first call seeds the centroids on its batch (best of three runs, or
        ``n_init``). Each call moves every centroid towards the mean of its new
        samples at the rate 1 / (weight it has seen), as scikit-learn's
        ``MiniBatchKMeans`` (Sculley, 2010). After ``fit`` it continues it.

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
        X, sample_weight = self._check_batch_data(X, sample_weight, first)
        if first:
            self._fit_n_clusters = self.n_clusters
            if _is_seeded(self.init):
                # A few runs: one unlucky seeding of a small batch is never undone.
                n_init = 3 if self.n_init == "auto" else self.n_init
                start = KMeans(**{**self.get_params(), "n_init": n_init, "verbose": 0})
                centers = start.fit(X, sample_weight=sample_weight).cluster_centers_
            else:
                centers = _init_centroids(X, self.n_clusters, self.init, None)
            centers = centers.astype(np.float64)
            counts, history = np.zeros(len(centers)), []
        else:
            if self.n_clusters != getattr(self, "_fit_n_clusters", self.n_clusters):
                raise ValueError(
                    f"partial_fit continues the model of {self._fit_n_clusters} "
                    f"clusters, but n_clusters={self.n_clusters}; call fit to start "
                    "anew.")
            centers, counts = self.cluster_centers_.astype(np.float64), self._counts
            history = list(self.distortion_history_)
        X64, w = X.astype(np.float64, copy=False), sample_weight.astype(np.float64)
        largest = max(row_norms(X64, True).max(), row_norms(centers, True).max())
        _check_squares(largest, np.ptp(X64, axis=0).max(), X.dtype, "this batch")

        stats = _STEPS[self.algorithm](X64, w, centers)
        empty = counts + stats[1] == 0
        (S, W, _, _), centers, _ = empty_clusters(
            stats, centers, empty, self.empty_cluster,
            lambda c, n: farthest_step(X64, w, c, None, n))
        centers, counts = sculley_update(
            centers, counts[~empty] if self.empty_cluster == "remove" else counts, S, W)

        # The batch on the new centroids.
        labels, inertia = nearest_centers(X64, centers, w=w, inertia=True)
        w_total = float(w.sum())
        self.cluster_centers_, self.n_clusters_ = centers.astype(X.dtype), len(centers)
        self._counts, self.labels_, self.inertia_ = counts, labels, inertia
        self.distortion_ = inertia / w_total if w_total > 0 else 0.0
        self.distortion_history_ = np.asarray([*history, self.distortion_])
        self.n_steps_ = self.n_iter_ = getattr(self, "n_steps_", 0) + 1
        return self


def _same_partition(a, b):
    pairs = np.unique(a * (max(a.max(), b.max()) + 1) + b).size
    return pairs == np.unique(a).size == np.unique(b).size


# The step on dask blocks and mini-batches: the compiled pass, or the lecture's.
_STEPS = {"hamerly": fused_step, "lloyd": lloyd_step}


def _sum_step(X, w=None):
    """Total weight and weighted column sums of a (dask: unchecked) block."""
    if w is not None:
        return float(w.sum(dtype=np.float64)), w @ X
    X = check_array(X, dtype=np.float64, ensure_min_samples=0)
    return float(X.shape[0]), X.sum(axis=0)


def _spread_step(X, w, origin, x_sq=None):
    """``sum w ||x - origin||^2``, its largest term and the largest ``|x - origin|``
    (read only where the largest term is small enough to need it: see
    :func:`._common._check_squares`); ``x_sq`` the rows' terms if known."""
    X = _block(X, origin)
    if x_sq is None:
        x_sq = np.einsum("ij,ij->i", X, X, dtype=np.float64)
    largest = float(x_sq.max(initial=0.0))
    info = np.finfo(X.dtype)
    peak = (max(float(X.max(initial=0)), -float(X.min(initial=0)))
            if largest < info.tiny / info.eps else np.inf)
    return float(x_sq.sum() if w is None else x_sq @ w), largest, peak


def _add_max(a, b):
    return a[0] + b[0], max(a[1], b[1]), max(a[2], b[2])


# k-means|| (Bahmani et al., 2012): rounds and oversampling factor l = 2K.
_ROUNDS = 5
_OVERSAMPLING = 2.0


def _seed_block(block, *, candidates, origin, what, rate=0, seed=0, block_index=0):
    """On a block: the summed squared distance to the candidates (``"cost"``), the
    rows kept with probability ``rate * d2`` (``"sample"``) or the count of rows
    nearest each candidate (``"count"``)."""
    X = _block(block, origin)
    d2 = np.maximum(squared_distances(X, candidates), 0)
    if what == "count":
        return np.bincount(d2.argmin(axis=1), minlength=len(candidates)) * 1.0
    d2 = d2.min(axis=1, initial=np.inf)
    if what == "cost":
        return float(d2.sum())
    return X[np.random.default_rng([seed, block_index]).random(len(X)) < rate * d2]


def _dask_seeds(X, n_clusters, init, rng, origin):
    """Seeds on a dask X, centred on ``origin``: random rows or k-means|| (rounds
    sampling about 2K rows by squared distance to the candidates so far, reduced
    to K by k-means weighted by their nearest rows)."""
    if init == "random":
        rows = np.sort(rng.choice(X.shape[0], n_clusters, replace=False))
        return X[rows].compute().astype(origin.dtype) - origin
    first = int(rng.randint(X.shape[0]))
    candidates = _block(X[first : first + 1].compute(), origin)
    for _ in range(_ROUNDS):
        on = functools.partial(_seed_block, candidates=candidates, origin=origin)
        cost = map_reduce_blocks(functools.partial(on, what="cost"), np.add, X)
        if cost <= 0:
            break
        sample = functools.partial(on, what="sample", seed=int(rng.randint(2**31 - 1)),
                                   rate=_OVERSAMPLING * n_clusters / cost)
        sampled = map_reduce_blocks(sample, lambda a, b: np.vstack([a, b]), X,
                                    with_index=True)
        candidates = np.vstack([candidates, sampled])
    count = functools.partial(_seed_block, candidates=candidates, origin=origin,
                              what="count")
    weights = map_reduce_blocks(count, np.add, X)
    candidates, weights = candidates[weights > 0], weights[weights > 0]
    if len(candidates) < n_clusters:  # tiny or duplicated data
        extra = rng.choice(X.shape[0], n_clusters - len(candidates), replace=False)
        return np.vstack([candidates, _block(X[np.sort(extra)].compute(), origin)])
    start = KMeans(n_clusters, random_state=rng).fit(candidates, sample_weight=weights)
    return start.cluster_centers_
