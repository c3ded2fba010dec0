"""K-means clustering: the lecture's Lloyd iteration.

Besides :class:`KMeans`, this module holds the private building blocks that the other
clustering estimators share: seeding (:func:`_init_centroids`,
:func:`_kmeans_plusplus`), squared Euclidean distances (:func:`_squared_distances`),
the check of ``n_clusters`` against the data (:func:`_check_n_clusters`) and the
merging of identical rows into weighted rows (:func:`_collapse_duplicates`).
"""

import os
import warnings
from concurrent.futures import ThreadPoolExecutor
from numbers import Integral, Real

import numpy as np
import scipy.sparse as sp
from sklearn.base import (
    BaseEstimator,
    ClassNamePrefixFeaturesOutMixin,
    ClusterMixin,
    TransformerMixin,
)
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils import check_array, check_random_state
from sklearn.utils.validation import check_is_fitted, validate_data

from ..utils._compat import (
    Interval,
    StrOptions,
    _check_sample_weight,
    _fit_context,
)

# Rows per block of the assignment step: a block of X (4096 x 32 float64 = 1 MiB)
# and its block of scores stay in the L2 cache between the GEMM and the argmin.
_CHUNK_ROWS = 4096

# Below this many rows a second thread costs more than it saves.
_MIN_ROWS_PER_THREAD = 2 * _CHUNK_ROWS

# Up to this many entries the cluster indicator of the update step is a dense
# matrix; beyond, a sparse one.
_DENSE_INDICATOR_SIZE = 2**16

# When more than this fraction of the samples may change cluster, one pass over
# all of X costs less than gathering the candidates.
_FULL_PASS_FRACTION = 0.75

_THREADPOOL_CONTROLLER = None


def _blas_single_thread():
    """Context manager limiting BLAS to one thread (our own threads share the work).

    The threadpoolctl controller inspects the loaded libraries once, which takes
    milliseconds, so it is created lazily and kept.
    """
    global _THREADPOOL_CONTROLLER
    if _THREADPOOL_CONTROLLER is None:
        from threadpoolctl import ThreadpoolController

        _THREADPOOL_CONTROLLER = ThreadpoolController()
    return _THREADPOOL_CONTROLLER.limit(limits=1, user_api="blas")


def _n_threads(n_samples):
    """Threads for the Lloyd passes: the usable cores, one per two chunks at most."""
    try:
        n_cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        n_cpus = os.cpu_count() or 1
    env = os.environ.get("OMP_NUM_THREADS")
    if env and env.isdigit() and int(env) > 0:
        n_cpus = min(n_cpus, int(env))
    return max(1, min(n_cpus, n_samples // _MIN_ROWS_PER_THREAD))


def _check_n_clusters(n_clusters, n_samples):
    """Raise a ValueError when there are fewer samples than requested clusters."""
    if n_samples < n_clusters:
        raise ValueError(
            f"n_samples={n_samples} should be >= n_clusters={n_clusters}: "
            "k-means needs at least one sample per cluster."
        )


def _row_sq_norms(X):
    return np.einsum("ij,ij->i", X, X)


def _squared_distances(X, centers):
    """Squared Euclidean distances between the rows of X and the centers.

    Computed as ``||x||^2 - 2 x.c + ||c||^2`` with one matrix product and clipped at
    zero, which rounding can undershoot. float32 input is computed in float64 (the
    expansion loses too many digits in single precision) and returned as float32.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
    centers : ndarray of shape (n_centers, n_features)

    Returns
    -------
    distances : ndarray of shape (n_samples, n_centers), dtype of X
    """
    dtype = X.dtype
    X64 = np.asarray(X, dtype=np.float64)
    C64 = np.asarray(centers, dtype=np.float64)
    D = X64 @ (-2.0 * C64.T)
    D += _row_sq_norms(X64)[:, None]
    D += _row_sq_norms(C64)
    np.maximum(D, 0, out=D)
    return D.astype(dtype, copy=False)


_HASH_KEYS = {}


def _row_hashes(X, seed):
    """A 64-bit hash of each row's bit pattern (identical rows, identical hashes)."""
    if X.dtype == np.float64:
        V = X.view(np.uint64)
    else:
        V = X.view(np.uint32).astype(np.uint64)
    # Fold the high bits (sign, exponent) into the low ones before the linear mix,
    # so that rows differing only there do not collide systematically.
    V = V ^ (V >> np.uint64(31))
    key = (seed, X.shape[1])
    if key not in _HASH_KEYS:
        keys = np.random.RandomState(seed).randint(
            0, 2**62, size=X.shape[1], dtype=np.uint64
        )
        _HASH_KEYS[key] = keys * np.uint64(2) + np.uint64(1)
    return V @ _HASH_KEYS[key]


def _collapse_duplicates(X, sample_weight):
    """Merge identical rows into one row carrying their summed weight.

    Rows with zero weight are dropped. The distinct rows come back in a canonical
    order (sorted by a hash of their bits) that depends only on the set of distinct
    rows and their total weights, not on the order, repetition or weighting of the
    input: fitting on integer weights and fitting on repeated rows then see exactly
    the same data, and a seeded initialisation picks the same points.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
    sample_weight : ndarray of shape (n_samples,)
        Non-negative, with a positive sum.

    Returns
    -------
    X_distinct : ndarray of shape (n_distinct, n_features)
    weight : ndarray of shape (n_distinct,), dtype of X
        The summed weight of each distinct row.
    index : ndarray of shape (n_samples,)
        For each row of X the row of ``X_distinct`` that holds it, -1 for rows of
        zero weight.
    """
    positive = sample_weight > 0
    kept = np.flatnonzero(positive) if not positive.all() else None
    Xk = X[kept] if kept is not None else X
    wk = sample_weight[kept] if kept is not None else sample_weight
    hashes = _row_hashes(Xk, seed=0)
    order = np.argsort(hashes, kind="stable")
    sorted_h = hashes[order]
    starts = np.flatnonzero(np.r_[True, sorted_h[1:] != sorted_h[:-1]])
    group = np.empty(len(Xk), dtype=np.intp)
    group[order] = np.cumsum(np.r_[True, sorted_h[1:] != sorted_h[:-1]]) - 1
    first = order[starts]
    if len(first) < len(Xk):
        # Equal hashes claim identical rows: verify them (a hash collision is
        # astronomically rare, but then fall back to an exact sort of the rows).
        dup = group != np.arange(len(Xk))[first][group]
        if not np.array_equal(Xk[dup], Xk[first[group[dup]]]):
            _, first, group = np.unique(
                Xk, axis=0, return_index=True, return_inverse=True
            )
            group = group.ravel()
    weight = np.bincount(group, weights=wk, minlength=len(first)).astype(X.dtype)
    index = np.full(X.shape[0], -1, dtype=np.intp)
    if kept is not None:
        index[kept] = group
    else:
        index[:] = group
    return Xk[first], weight, index


def _kmeans_plusplus(
    X, n_clusters, random_state, sample_weight=None, n_local_trials=None
):
    """Choose initial centers by greedy k-means++ seeding.

    The first center is a sample drawn with probability proportional to its weight;
    each next one is the best, by the resulting potential, of ``n_local_trials``
    samples drawn with probability proportional to weight times the squared
    distance to the nearest chosen center (Arthur and Vassilvitskii, 2007). This is
    the rule, and the sequence of random draws, of scikit-learn's ``kmeans_plusplus``.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
    n_clusters : int
    random_state : int, RandomState instance or None
    sample_weight : ndarray of shape (n_samples,), default=None
    n_local_trials : int, default=None
        ``2 + int(log(n_clusters))`` when None.

    Returns
    -------
    centers : ndarray of shape (n_clusters, n_features)
    indices : ndarray of shape (n_clusters,)
        Rows of X chosen as centers.
    """
    random_state = check_random_state(random_state)
    n_samples, n_features = X.shape
    if sample_weight is None:
        sample_weight = np.ones(n_samples, dtype=X.dtype)
    if n_local_trials is None:
        n_local_trials = 2 + int(np.log(n_clusters))
    x_sq = _row_sq_norms(X)

    def sq_dist_to(rows):
        D = (-2.0 * X[rows]) @ X.T
        D += x_sq
        D += x_sq[rows][:, None]
        return np.maximum(D, 0, out=D)

    centers = np.empty((n_clusters, n_features), dtype=X.dtype)
    indices = np.full(n_clusters, -1, dtype=np.intp)
    center_id = random_state.choice(n_samples, p=sample_weight / sample_weight.sum())
    centers[0] = X[center_id]
    indices[0] = center_id
    closest_dist_sq = sq_dist_to([center_id])[0]
    current_pot = closest_dist_sq @ sample_weight
    for c in range(1, n_clusters):
        rand_vals = random_state.uniform(size=n_local_trials) * current_pot
        candidate_ids = np.searchsorted(
            np.cumsum(sample_weight * closest_dist_sq), rand_vals
        )
        # Rounding in the cumulative sum can push a draw one past the end.
        np.clip(candidate_ids, None, n_samples - 1, out=candidate_ids)
        dist = np.minimum(closest_dist_sq, sq_dist_to(candidate_ids))
        candidates_pot = dist @ sample_weight
        best = np.argmin(candidates_pot)
        current_pot = candidates_pot[best]
        closest_dist_sq = dist[best]
        centers[c] = X[candidate_ids[best]]
        indices[c] = candidate_ids[best]
    return centers, indices


def _init_centroids(X, n_clusters, init, random_state, sample_weight=None):
    """Initial centroids for k-means and fuzzy k-means.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
    n_clusters : int
    init : {"k-means++", "random"} or array-like of shape (n_clusters, n_features)
        ``"random"`` picks ``n_clusters`` distinct rows with probability proportional
        to their weight (all rows, repeated at random, when X holds fewer rows of
        positive weight); ``"k-means++"`` see :func:`_kmeans_plusplus`; an array is
        checked and copied.
    random_state : int, RandomState instance or None
    sample_weight : ndarray of shape (n_samples,), default=None

    Returns
    -------
    centers : ndarray of shape (n_clusters, n_features), dtype of X
    """
    n_samples, n_features = X.shape
    if isinstance(init, str) and init == "k-means++":
        return _kmeans_plusplus(X, n_clusters, random_state, sample_weight)[0]
    if isinstance(init, str) and init == "random":
        random_state = check_random_state(random_state)
        if sample_weight is None:
            sample_weight = np.ones(n_samples)
        p = sample_weight / sample_weight.sum()
        n_positive = int(np.count_nonzero(p))
        seeds = random_state.choice(
            n_samples, size=min(n_clusters, n_positive), replace=False, p=p
        )
        if n_positive < n_clusters:
            extra = random_state.choice(n_samples, size=n_clusters - n_positive, p=p)
            seeds = np.concatenate([seeds, extra])
        return X[seeds].copy()
    if isinstance(init, str):
        raise ValueError(
            f"init must be 'k-means++', 'random' or an array, got {init!r}."
        )
    centers = check_array(init, dtype=X.dtype, copy=True, input_name="init")
    if centers.shape != (n_clusters, n_features):
        raise ValueError(
            f"The init array has shape {centers.shape}; expected "
            f"(n_clusters, n_features) = ({n_clusters}, {n_features})."
        )
    return centers


def _run_parts(func, n_rows, pool, n_threads):
    """Call ``func(start, end)`` on contiguous parts of the rows, one per thread."""
    n_parts = min(n_threads, n_rows // _MIN_ROWS_PER_THREAD) if pool is not None else 1
    if n_parts <= 1:
        return [func(0, n_rows)]
    bounds = np.linspace(0, n_rows, n_parts + 1).astype(np.intp)
    return list(pool.map(func, bounds[:-1], bounds[1:]))


def _assign(X, centers, labels, pool=None, n_threads=1, best=None, second=None):
    """Nearest center of each row of X, written into ``labels``.

    The argmin drops ``||x||^2``, common to all centers: the scores
    ``||c||^2 - 2 x.c`` come from one GEMM per block of rows small enough to stay
    in cache. With ``best`` and ``second`` (float64 arrays) given, the smallest and
    second smallest scores are stored too, for the distance bounds.
    """
    n_clusters = centers.shape[0]
    neg2_ct = -2.0 * centers.T
    c_sq = _row_sq_norms(centers)
    # numpy's row-wise argmin is more than twice as fast on float64 as on float32.
    upcast = X.dtype != np.float64

    def part(start, end):
        rows = min(_CHUNK_ROWS, end - start)
        buf = np.empty((rows, n_clusters), dtype=X.dtype)
        buf64 = np.empty((rows, n_clusters)) if upcast else buf
        for s in range(start, end, _CHUNK_ROWS):
            e = min(s + _CHUNK_ROWS, end)
            block = buf[: e - s]
            np.matmul(X[s:e], neg2_ct, out=block)
            block += c_sq
            if upcast:
                np.copyto(buf64[: e - s], block)
                block = buf64[: e - s]
            lab = labels[s:e]
            block.argmin(axis=1, out=lab)
            if best is not None:
                index = np.arange(e - s)
                best[s:e] = block[index, lab]
                block[index, lab] = np.inf
                second[s:e] = block.min(axis=1)

    _run_parts(part, X.shape[0], pool, n_threads)


def _cluster_sums(X, w, labels, n_clusters, pool=None, n_threads=1):
    """Weighted sum of the rows, total weight and count of each cluster.

    One sparse (n_clusters x rows) indicator product per part of X (a dense one
    for small data, where building the sparse matrix costs more). The sums come
    back in float64 whatever the dtype of X.
    """

    def part(start, end):
        lab = labels[start:end]
        m = end - start
        wp = np.ones(m, dtype=X.dtype) if w is None else w[start:end]
        if m * n_clusters <= _DENSE_INDICATOR_SIZE:
            indicator = np.zeros((n_clusters, m), dtype=X.dtype)
            indicator[lab, np.arange(m)] = wp
        else:
            indicator = sp.csc_array(
                (wp, lab, np.arange(m + 1)), shape=(n_clusters, m)
            )
        S = np.asarray(indicator @ X[start:end], dtype=np.float64)
        N = np.bincount(lab, minlength=n_clusters)
        W = N.astype(np.float64) if w is None else np.bincount(
            lab, weights=wp, minlength=n_clusters
        )
        return S, W, N

    results = _run_parts(part, X.shape[0], pool, n_threads)
    S, W, N = results[0]
    for S_part, W_part, N_part in results[1:]:
        S += S_part
        W += W_part
        N += N_part
    return S, W, N


def _inertia(X, w, centers, labels, pool=None, n_threads=1):
    """Exact weighted sum of squared distances of the rows to their centers."""

    def part(start, end):
        total = 0.0
        for s in range(start, end, _CHUNK_ROWS):
            e = min(s + _CHUNK_ROWS, end)
            diff = X[s:e] - centers[labels[s:e]]
            # Summed in float64: float32 sums over many rows lose digits.
            d = np.einsum("ij,ij->i", diff, diff).astype(np.float64, copy=False)
            total += float(d.sum() if w is None else d @ w[s:e])
        return total

    return sum(_run_parts(part, X.shape[0], pool, n_threads))


def _relocate_empty(X, w, centers_old, S, W, N, labels):
    """Re-seed empty clusters at the samples farthest from their centers.

    The rule of scikit-learn's Lloyd: each empty cluster takes one of the farthest
    samples (largest squared distance to its assigned center), which leaves its old
    cluster. Samples already on their center are not moved (that happens only when
    there are more clusters than distinct samples). Works in place on S, W, N and
    returns the number of samples moved.
    """
    empty = np.flatnonzero(N == 0)
    dist = _row_sq_norms(X - centers_old[labels])
    n_move = min(len(empty), int(np.count_nonzero(dist > 0)))
    if n_move == 0:
        return 0
    far = np.argpartition(dist, -n_move)[: -n_move - 1 : -1]
    for new, idx in zip(empty[:n_move], far):
        weight = 1.0 if w is None else float(w[idx])
        old = labels[idx]
        S[old] -= X[idx] * weight
        S[new] = X[idx] * weight
        W[new] = weight
        W[old] -= weight
        N[new] = 1
        N[old] -= 1
    return n_move


def _lloyd(X, w, centers, **kwargs):
    """Lloyd's iteration from the given centers on centred data.

    Parameters
    ----------
    X : C-contiguous ndarray of shape (n_samples, n_features)
    w : ndarray of shape (n_samples,) or None
        None means unit weights (a faster path).
    centers : ndarray of shape (n_clusters, n_features)
    **kwargs
        ``max_iter``, ``tol`` (absolute, on the summed squared center shift),
        ``empty_cluster``, ``x_sq`` (the ``||x||^2`` of the rows), ``x_sq_total``
        (their weighted sum) and ``w_total``.

    Returns
    -------
    labels, centers, inertia, n_iter, distortion_history
    """
    n_threads = _n_threads(X.shape[0])
    if X.shape[0] < _CHUNK_ROWS:
        return _lloyd_loop(X, w, centers, None, 1, **kwargs)
    # Our threads split the rows; a multi-threaded BLAS inside each of them would
    # oversubscribe the cores (and on blocks of a few thousand rows BLAS threads
    # cost more than they bring, even without ours).
    with _blas_single_thread():
        if n_threads == 1:
            return _lloyd_loop(X, w, centers, None, 1, **kwargs)
        with ThreadPoolExecutor(n_threads) as pool:
            return _lloyd_loop(X, w, centers, pool, n_threads, **kwargs)


def _lloyd_loop(
    X,
    w,
    centers,
    pool,
    n_threads,
    *,
    max_iter,
    tol,
    empty_cluster,
    x_sq,
    x_sq_total,
    w_total,
):
    """The iterations of :func:`_lloyd`, with Hamerly-style distance bounds.

    Each sample keeps an upper bound on the distance to its own center and a
    lower bound on the distance to any other; when the centers move, the bounds
    move by the shifts (triangle inequality). A sample whose upper bound stays
    below its lower bound cannot change cluster, so only the others are assigned
    again, and the cluster sums are updated by the samples that moved. The
    partition of every iteration is the one full Lloyd would compute: the bounds
    are widened by the rounding error of the distances, so a sample within
    rounding of a tie is always assigned again.
    """
    n_samples, n_features = X.shape
    eps = float(np.finfo(X.dtype).eps)
    # Rounding bound on ||x||^2 - 2 x.c + ||c||^2, relative to ||x||^2 + ||c||^2.
    rel_err = 4.0 * (n_features + 4) * eps
    labels = np.full(n_samples, -1, dtype=np.intp)
    upper = np.empty(n_samples)
    lower = np.empty(n_samples)
    history = []
    bounds_valid = False
    retry_bounds_at, backoff = 0, 2
    strict_convergence = False
    for i in range(max_iter):
        n_clusters = centers.shape[0]
        c_sq_max = float(_row_sq_norms(centers).max())
        candidates = None
        if bounds_valid:
            candidates = np.flatnonzero(upper >= lower)
            if len(candidates) > _FULL_PASS_FRACTION * n_samples:
                # The bounds do not pay (centers still moving a lot, or no
                # cluster structure): plain passes for a while, then try again
                # after twice as long.
                candidates = None
                bounds_valid = False
                retry_bounds_at = i + backoff
                backoff *= 2
        if candidates is None:
            previous = labels.copy()
            if i >= retry_bounds_at:
                best, second = np.empty(n_samples), np.empty(n_samples)
                _assign(X, centers, labels, pool, n_threads, best, second)
                err = rel_err * (x_sq + c_sq_max)
                upper[:] = np.sqrt(np.maximum(best + x_sq + err, 0.0))
                lower[:] = np.sqrt(np.maximum(second + x_sq - err, 0.0))
                bounds_valid = True
            else:
                _assign(X, centers, labels, pool, n_threads)
            n_changed = int(np.count_nonzero(labels != previous))
            S, W, N = _cluster_sums(X, w, labels, n_clusters, pool, n_threads)
        else:
            X_cand = X[candidates]
            old = labels[candidates]
            new = np.empty(len(candidates), dtype=np.intp)
            best, second = np.empty(len(candidates)), np.empty(len(candidates))
            _assign(X_cand, centers, new, pool, n_threads, best, second)
            x_sq_cand = x_sq[candidates]
            err = rel_err * (x_sq_cand + c_sq_max)
            upper[candidates] = np.sqrt(np.maximum(best + x_sq_cand + err, 0.0))
            lower[candidates] = np.sqrt(np.maximum(second + x_sq_cand - err, 0.0))
            moved = np.flatnonzero(new != old)
            n_changed = len(moved)
            if n_changed:
                X_moved = X_cand[moved]
                w_moved = None if w is None else w[candidates[moved]]
                S_in, W_in, N_in = _cluster_sums(
                    X_moved, w_moved, new[moved], n_clusters
                )
                S_out, W_out, N_out = _cluster_sums(
                    X_moved, w_moved, old[moved], n_clusters
                )
                S += S_in - S_out
                W += W_in - W_out
                N += N_in - N_out
                labels[candidates[moved]] = new[moved]

        relocated = 0
        empty = N == 0
        if empty.any():
            # Both remedies change the sums behind the labels' back: the next
            # iteration recomputes everything.
            bounds_valid = False
            if empty_cluster == "reinit":
                relocated = _relocate_empty(X, w, centers, S, W, N, labels)
            else:
                keep = ~empty
                remap = np.full(n_clusters, -1, dtype=np.intp)
                remap[keep] = np.arange(np.count_nonzero(keep))
                labels[:] = remap[labels]
                S, W, N, centers = S[keep], W[keep], N[keep], centers[keep]
        filled = N > 0
        new_centers = centers.copy()
        new_centers[filled] = S[filled] / W[filled, None]
        # J after the update, sum w||x||^2 - sum_k ||S_k||^2 / W_k, comes free from
        # the sums the update needs anyway.
        j = x_sq_total - float(np.sum(_row_sq_norms(S[filled]) / W[filled]))
        history.append(max(j, 0.0) / w_total)
        shift = np.sqrt(
            _row_sq_norms(new_centers.astype(np.float64) - centers.astype(np.float64))
        )
        centers = new_centers
        # A relocation moves samples that keep their old label until the next
        # assignment, so unchanged labels do not mean convergence then.
        if not relocated and n_changed == 0:
            strict_convergence = True
            break
        if float(np.sum(shift**2)) <= tol:
            break
        if bounds_valid:
            # Triangle inequality; the factor covers the rounding of the shifts.
            upper += shift[labels] * (1.0 + 1e-9)
            # The nearest other center moved at most by the largest shift among
            # the other centers: the second largest for the samples of the center
            # that moved most (Hamerly, 2010).
            if n_clusters > 1:
                top2 = np.partition(shift, -2)[-2:]
                others_max = np.full(len(shift), top2[1])
                others_max[np.argmax(shift)] = top2[0]
                lower -= others_max[labels] * (1.0 + 1e-9)
            else:
                lower -= shift.max() * (1.0 + 1e-9)
    if strict_convergence:
        # The labels already are the assignment to the final centers.
        inertia = _inertia(X, w, centers, labels, pool, n_threads)
    else:
        # A last assignment to the final centers, as scikit-learn.
        _assign(X, centers, labels, pool, n_threads)
        inertia = _inertia(X, w, centers, labels, pool, n_threads)
    return labels, centers, inertia, i + 1, np.asarray(history)


class KMeans(
    ClassNamePrefixFeaturesOutMixin, ClusterMixin, TransformerMixin, BaseEstimator
):
    """K-means clustering by Lloyd's iteration, as in the lecture.

    Each iteration assigns every sample to its nearest centroid and moves every
    centroid to the (weighted) mean of its samples, which never increases the
    distortion ``J = (1 / n) sum_t ||x_t - mu_{c(t)}||^2``; it stops when the
    assignment no longer changes, when the centroids move less than the tolerance,
    or after ``max_iter`` iterations. From the same initial centroids it computes
    what scikit-learn's ``KMeans(algorithm="lloyd")`` computes.

    Parameters
    ----------
    n_clusters : int, default=8
        The number K of clusters.

    init : {"k-means++", "random"} or array-like of shape (n_clusters, n_features), \
            default="k-means++"
        ``"random"``: the lecture's start, K distinct samples chosen at random
        (with probability proportional to their weight). ``"k-means++"``: greedy
        k-means++ seeding, samples far from the chosen centroids being likelier.
        An array: the initial centroids themselves.

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
        (``n_clusters_``) and predict never returns a removed label.

    random_state : int, RandomState instance or None, default=None
        Seeds the initialisation.

    Attributes
    ----------
    cluster_centers_ : ndarray of shape (n_clusters_, n_features)
        The centroids.

    labels_ : ndarray of shape (n_samples,)
        The cluster of each training sample.

    inertia_ : float
        Weighted sum of squared distances of the samples to their centroid.

    distortion_ : float
        The lecture's J: ``inertia_ / n_samples``; with ``sample_weight`` the
        weighted mean, ``inertia_ / sum(sample_weight)``.

    distortion_history_ : ndarray of shape (n_iter_,)
        J after the centroid update of each iteration of the kept run;
        non-increasing (up to rounding). The final ``distortion_``, measured after
        a last assignment, is at most its last value.

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
    Rows of zero weight are dropped before fitting. For the seeded starts
    (``"k-means++"``, ``"random"``) identical rows are first merged into one row
    carrying their summed weight, in an order that does not depend on the order of
    X: integer weights then give exactly the model that repeating rows gives, with
    the same seed. An array ``init`` needs no such merge.

    The assignment step computes ``||c||^2 - 2 x.c`` by blocks of rows (a matrix
    product that stays in cache), on two or more threads for large X; the update
    sums each cluster with one sparse indicator product. Once the centroids
    settle, distance bounds (Hamerly, 2010) skip the samples that cannot change
    cluster and the sums are updated by the samples that moved; every iteration
    still yields the partition of plain Lloyd. The data are centred first, as
    scikit-learn does, to keep the expansions accurate.

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

    _parameter_constraints: dict = {
        "n_clusters": [Interval(Integral, 1, None, closed="left")],
        "init": [StrOptions({"k-means++", "random"}), "array-like"],
        "n_init": [StrOptions({"auto"}), Interval(Integral, 1, None, closed="left")],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "tol": [Interval(Real, 0, None, closed="left")],
        "empty_cluster": [StrOptions({"reinit", "remove"})],
        "random_state": ["random_state"],
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
        random_state=None,
    ):
        self.n_clusters = n_clusters
        self.init = init
        self.n_init = n_init
        self.max_iter = max_iter
        self.tol = tol
        self.empty_cluster = empty_cluster
        self.random_state = random_state

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        return tags

    @property
    def _n_features_out(self):
        return self.cluster_centers_.shape[0]

    def _resolved_n_init(self, seeded):
        if self.n_init == "auto":
            return 10 if (seeded and self.init == "random") else 1
        if not seeded and self.n_init != 1:
            warnings.warn(
                f"An explicit init array was given, so n_init={self.n_init} runs "
                "would all be the same; doing one.",
                RuntimeWarning,
                stacklevel=3,
            )
            return 1
        return self.n_init

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None, sample_weight=None):
        """Compute the k-means clustering.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data. float32 stays float32.
        y : Ignored
            Not used, present for API consistency.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights of the samples; None means all ones.

        Returns
        -------
        self : KMeans
            The fitted estimator.
        """
        X = validate_data(self, X, dtype=[np.float64, np.float32], order="C")
        sample_weight = _check_sample_weight(
            sample_weight, X, dtype=X.dtype, ensure_non_negative=True
        )
        return self._fit_validated(X, sample_weight)

    def _fit_validated(self, X, sample_weight, collapsed=None):
        """Fit on validated X and sample_weight.

        ``collapsed`` may hold ``_collapse_duplicates(X, sample_weight)`` computed
        already, as ElbowKMeans does for its many K on the same data.
        """
        _check_n_clusters(self.n_clusters, X.shape[0])
        seeded = isinstance(self.init, str)
        if seeded:
            if collapsed is None:
                collapsed = _collapse_duplicates(X, sample_weight)
            X_fit, w_fit, index = collapsed
        else:
            init = _init_centroids(X, self.n_clusters, self.init, None)
            positive = sample_weight > 0
            index = np.full(X.shape[0], -1, dtype=np.intp)
            index[positive] = np.arange(np.count_nonzero(positive))
            X_fit = X if positive.all() else X[positive]
            w_fit = sample_weight[positive]
        n_init = self._resolved_n_init(seeded)
        random_state = check_random_state(self.random_state)

        w_total = float(w_fit.sum(dtype=np.float64))
        mean = (w_fit @ X_fit.astype(np.float64, copy=False)) / w_total
        # Centring keeps ||c||^2 - 2 x.c accurate for data far from the origin.
        X_c = X_fit - mean.astype(X.dtype)
        unit = bool(np.all(w_fit == 1))
        w = None if unit else w_fit
        x_sq = _row_sq_norms(X_c).astype(np.float64, copy=False)
        x_sq_total = float(x_sq.sum() if unit else x_sq @ w_fit)
        # scikit-learn's tolerance: tol times the mean variance of the features.
        tol = self.tol * x_sq_total / (w_total * X.shape[1])
        if seeded and X_fit.shape[0] < self.n_clusters:
            warnings.warn(
                f"X has only {X_fit.shape[0]} distinct samples (of positive weight) "
                f"for n_clusters={self.n_clusters}; some clusters stay empty.",
                ConvergenceWarning,
                stacklevel=2,
            )

        best = None
        for _ in range(n_init):
            if seeded:
                centers = _init_centroids(
                    X_c, self.n_clusters, self.init, random_state, w_fit
                )
            else:
                centers = init - mean.astype(X.dtype)
            run = _lloyd(
                X_c,
                w,
                centers,
                max_iter=self.max_iter,
                tol=tol,
                empty_cluster=self.empty_cluster,
                x_sq=x_sq,
                x_sq_total=x_sq_total,
                w_total=w_total,
            )
            if best is None or run[2] < best[2]:
                best = run
        labels, centers, inertia, n_iter, history = best

        self.cluster_centers_ = (centers + mean).astype(X.dtype, copy=False)
        self.n_clusters_ = self.cluster_centers_.shape[0]
        self.inertia_ = float(inertia)
        self.distortion_ = self.inertia_ / w_total
        self.distortion_history_ = history
        self.n_iter_ = int(n_iter)
        dropped = index < 0
        self.labels_ = np.empty(X.shape[0], dtype=np.intp)
        self.labels_[~dropped] = labels[index[~dropped]]
        if dropped.any():
            self.labels_[dropped] = self._predict_labels(X[dropped])
        n_used = np.unique(labels).size
        if self.empty_cluster == "reinit" and n_used < self.n_clusters_ and not (
            seeded and X_fit.shape[0] < self.n_clusters
        ):
            warnings.warn(
                f"Number of distinct clusters ({n_used}) found smaller than "
                f"n_clusters ({self.n_clusters_}). Possibly due to duplicate points "
                "in X.",
                ConvergenceWarning,
                stacklevel=2,
            )
        return self

    def _predict_labels(self, X):
        labels = np.empty(X.shape[0], dtype=np.intp)
        centers = self.cluster_centers_.astype(X.dtype, copy=False)
        n_threads = _n_threads(X.shape[0])
        if X.shape[0] < _CHUNK_ROWS:
            _assign(X, centers, labels)
            return labels
        # As in _lloyd: our threads, each with a single-threaded BLAS.
        with _blas_single_thread():
            if n_threads == 1:
                _assign(X, centers, labels)
            else:
                with ThreadPoolExecutor(n_threads) as pool:
                    _assign(X, centers, labels, pool, n_threads)
        return labels

    def fit_predict(self, X, y=None, sample_weight=None):
        """Fit, then return the cluster of each training sample.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data.
        y : Ignored
            Not used, present for API consistency.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights of the samples.

        Returns
        -------
        labels : ndarray of shape (n_samples,)
            ``labels_``.
        """
        return self.fit(X, sample_weight=sample_weight).labels_

    def predict(self, X):
        """Return the index of the nearest centroid of each sample.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            New data.

        Returns
        -------
        labels : ndarray of shape (n_samples,)
            Values in ``range(n_clusters_)``.
        """
        check_is_fitted(self)
        X = validate_data(
            self, X, dtype=[np.float64, np.float32], order="C", reset=False
        )
        return self._predict_labels(X)

    def transform(self, X):
        """Return the Euclidean distance of each sample to each centroid.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            New data.

        Returns
        -------
        distances : ndarray of shape (n_samples, n_clusters_)
            Same float dtype as X.
        """
        check_is_fitted(self)
        X = validate_data(self, X, dtype=[np.float64, np.float32], reset=False)
        return np.sqrt(_squared_distances(X, self.cluster_centers_))

    def score(self, X, y=None, sample_weight=None):
        """Opposite of the inertia of X on the fitted centroids (higher is better).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            New data.
        y : Ignored
            Not used, present for API consistency.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights of the samples.

        Returns
        -------
        score : float
            ``-sum_t w_t min_k ||x_t - mu_k||^2``.
        """
        check_is_fitted(self)
        X = validate_data(self, X, dtype=[np.float64, np.float32], reset=False)
        sample_weight = _check_sample_weight(
            sample_weight, X, dtype=np.float64, ensure_non_negative=True
        )
        d = _squared_distances(X, self.cluster_centers_).min(axis=1)
        return -float(d.astype(np.float64) @ sample_weight)
