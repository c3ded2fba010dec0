"""The accelerated engine of :class:`KMeans` (``algorithm="hamerly"``).

The same iteration as the readable :func:`sklearn_lecture.cluster._kmeans._lloyd`,
with the same partition at every step, made fast by:

- blocked assignment: the scores ``||c||^2 - 2 x.c`` of a block of rows come from
  one matrix product small enough to stay in cache, then the argmin;
- threads: large X is cut into parts, one per core, each on a single-threaded
  BLAS (our threads share the work, BLAS threads inside them would
  oversubscribe the cores); how large depends on the work of a row, so wide
  data take threads from a few hundred rows;
- Hamerly's bounds (2010): once the centroids settle, a sample whose distance to
  its centroid stays below its distance to any other cannot change cluster and
  is not assigned again; the cluster sums are then updated by the samples that
  moved instead of recomputed. On small data, where their upkeep costs more
  than a pass, every iteration is a plain pass.

The bounds are widened by the rounding error of the distances, so a sample within
rounding of a tie is always assigned again: each iteration yields the partition
the readable iteration computes.
"""

import os
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from ..utils._linalg import (
    expansion_rounding,
    group_sums,
    row_norms,
    squared_distances,
)
from ..utils._threads import blas_single_thread
from ._common import _distances_to_own_center, _farthest_samples

# Rows per block of the assignment step: a block of X (4096 x 32 float64 = 1 MiB)
# and its block of scores stay in the L2 cache between the GEMM and the argmin.
_CHUNK_ROWS = 4096

# A thread gets at least this many rows, and at least this much work (rows
# times the cost of a row, about n_clusters * (n_features + 8) for an
# assignment): below, a second thread costs more than it saves. The work
# threshold is 2 blocks of 4096 rows at 32 features and 16 clusters; wide data
# take threads from far fewer rows than narrow data.
_MIN_ROWS_PER_THREAD = 256
_MIN_WORK_PER_THREAD = 2 * 4096 * 16 * (32 + 8)

# Below this much work per pass (see :func:`_bounds_pay`) every iteration is a
# plain pass.
_MIN_BOUNDS_WORK = 2_000_000

# When more than this fraction of the samples may change cluster, one pass over
# all of X costs less than gathering the candidates.
_FULL_PASS_FRACTION = 0.75

def _min_rows_per_thread(row_cost):
    """Rows a thread needs to pay for itself when each row costs ``row_cost``."""
    return max(_MIN_ROWS_PER_THREAD, _MIN_WORK_PER_THREAD // max(int(row_cost), 1))


def _assign_cost(n_features, n_clusters):
    """The cost of assigning one row, in the units of ``_MIN_WORK_PER_THREAD``."""
    return n_clusters * (n_features + 8)


def _bounds_pay(n_samples, n_features, n_clusters):
    """Whether Hamerly's bounds can save more than their upkeep costs.

    Keeping the bounds costs some twenty numpy calls per iteration; on small
    data (a pass of ``n_samples * n_clusters * (n_features + 12)`` below
    ``_MIN_BOUNDS_WORK``, about half a millisecond) the calls alone cost more
    than the pass they could save, and plain passes are faster.
    """
    return n_samples * n_clusters * (n_features + 12) >= _MIN_BOUNDS_WORK


def _n_threads(n_samples, row_cost):
    """Threads for the Lloyd passes: the usable cores, as many as the work pays."""
    try:
        n_cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        n_cpus = os.cpu_count() or 1
    env = os.environ.get("OMP_NUM_THREADS")
    if env and env.isdigit() and int(env) > 0:
        n_cpus = min(n_cpus, int(env))
    return max(1, min(n_cpus, n_samples // _min_rows_per_thread(row_cost)))


def _with_threads(func, n_samples, row_cost, *args, **kwargs):
    """Call ``func(..., pool, n_threads)`` with the threads large data deserve.

    ``row_cost``: the cost of the assignment of one row (:func:`_assign_cost`).
    """
    if n_samples < _CHUNK_ROWS and n_samples < 2 * _min_rows_per_thread(row_cost):
        return func(*args, None, 1, **kwargs)
    n_threads = _n_threads(n_samples, row_cost)
    # BLAS limited to one thread: our own threads share the work.
    with blas_single_thread():
        if n_threads == 1:
            return func(*args, None, 1, **kwargs)
        with ThreadPoolExecutor(n_threads) as pool:
            return func(*args, pool, n_threads, **kwargs)


def _run_parts(func, n_rows, pool, n_threads, row_cost):
    """Call ``func(start, end)`` on contiguous parts of the rows, one per thread.

    ``row_cost``: the work of one row, as for :func:`_min_rows_per_thread`.
    """
    n_parts = 1
    if pool is not None:
        n_parts = min(n_threads, n_rows // _min_rows_per_thread(row_cost))
    if n_parts <= 1:
        return [func(0, n_rows)]
    bounds = np.linspace(0, n_rows, n_parts + 1).astype(np.intp)
    return list(pool.map(func, bounds[:-1], bounds[1:]))


def _assign(
    X, centers, labels, pool=None, n_threads=1, best=None, second=None, origin=None
):
    """Nearest center of each row of X, written into ``labels``.

    With ``best`` and ``second`` (float64 arrays) given, the smallest and second
    smallest scores ``||c||^2 - 2 x.c`` are stored too, for the distance bounds.
    With ``origin`` given (a point, in the dtype of X), the rows are scored
    relative to it, ``centers`` being given relative to it too: each block is
    shifted in cache, and X is not copied.
    """
    n_clusters = centers.shape[0]
    c_sq = row_norms(centers, squared=True)
    # numpy's row-wise argmin is more than twice as fast on float64 as on float32.
    upcast = X.dtype != np.float64

    def part(start, end):
        rows = min(_CHUNK_ROWS, end - start)
        buf = np.empty((rows, n_clusters), dtype=X.dtype)
        buf64 = np.empty((rows, n_clusters)) if upcast else buf
        if origin is not None:
            shifted = np.empty((rows, X.shape[1]), dtype=X.dtype)
        if best is not None:
            # Flat positions of the first entry of each row of a block.
            row_start = np.arange(0, rows * n_clusters, n_clusters)
        for s in range(start, end, _CHUNK_ROWS):
            e = min(s + _CHUNK_ROWS, end)
            rows_x = X[s:e]
            if origin is not None:
                rows_x = np.subtract(rows_x, origin, out=shifted[: e - s])
            block = squared_distances(
                rows_x, centers, X_sq=0, Y_sq=c_sq, out=buf[: e - s]
            )
            if upcast:
                np.copyto(buf64[: e - s], block)
                block = buf64[: e - s]
            lab = labels[s:e]
            block.argmin(axis=1, out=lab)
            if best is not None:
                # The second smallest by a second argmin with the smallest
                # masked: numpy's row-wise argmin is several times faster than
                # its row-wise min on short rows, and flat indexing than 2-D.
                flat = block.reshape(-1)
                index = row_start[: e - s] + lab
                best[s:e] = flat[index]
                flat[index] = np.inf
                index += block.argmin(axis=1) - lab
                second[s:e] = flat[index]

    _run_parts(
        part, X.shape[0], pool, n_threads, _assign_cost(X.shape[1], n_clusters)
    )


def _assignment_origin(centers, dtype):
    """The point :func:`_nearest_centers` scores relative to, or None (the origin).

    The rounding of ``||c||^2 - 2 x.c`` in ``dtype`` grows with ``||x||^2 +
    ||c||^2``: for centers so far from the origin, compared with their spread,
    that it would exceed 1e-8 of that spread (float32 data off the origin,
    float64 data thousands of spreads away), the rows are scored relative to
    the mean of the centers, as the fit scores them relative to the mean of
    the data.
    """
    if centers.shape[0] < 2:
        return None
    middle = centers.mean(axis=0, dtype=np.float64)
    spread = float(row_norms(centers - middle, squared=True).max())
    limit = max(1.0, 1e-8 / float(np.finfo(dtype).eps))
    if float(middle @ middle) <= limit * spread:
        return None
    return middle


def _nearest_centers(X, centers):
    """Index of the nearest center of each row of X (blocked, threaded if large)."""
    labels = np.empty(X.shape[0], dtype=np.intp)
    cost = _assign_cost(X.shape[1], centers.shape[0])
    origin = _assignment_origin(centers, X.dtype)
    if origin is not None:
        origin = origin.astype(X.dtype)
        centers = centers - origin
    _with_threads(
        _assign,
        X.shape[0],
        cost,
        X,
        centers.astype(X.dtype, copy=False),
        labels,
        origin=origin,
    )
    return labels


def _cluster_sums(X, w, labels, n_clusters, pool=None, n_threads=1):
    """Weighted sum of the rows, total weight and count of each cluster.

    One indicator product per part of X; the sums come back in float64.
    """

    def part(start, end):
        lab = labels[start:end]
        wp = None if w is None else w[start:end]
        S = group_sums(X[start:end], lab, n_clusters, wp)
        N = np.bincount(lab, minlength=n_clusters)
        W = N.astype(np.float64) if w is None else np.bincount(
            lab, weights=wp, minlength=n_clusters
        )
        return S, W, N

    # The split decides the rounding of the sums: parts of the same size
    # whatever the shape (two blocks of rows per thread at least), so that
    # the threads a shape gets change the sums no more than they must.
    results = _run_parts(part, X.shape[0], pool, n_threads, _assign_cost(32, 16))
    S, W, N = results[0]
    for S_part, W_part, N_part in results[1:]:
        S += S_part
        W += W_part
        N += N_part
    return S, W, N


def _inertia(X, w, centers, labels, pool=None, n_threads=1):
    """Exact weighted sum of squared distances of the rows to their centers."""

    def part(start, end):
        # Summed in float64: float32 sums over many rows lose digits.
        d = _distances_to_own_center(X, centers, labels, start, end)
        d = d.astype(np.float64, copy=False)
        return float(d.sum() if w is None else d @ w[start:end])

    return sum(_run_parts(part, X.shape[0], pool, n_threads, X.shape[1] + 8))


def _weighted_column_sums(X, w):
    """``sum_t w_t x_t`` in float64.

    float32 X is converted block by block: a float64 copy of all of X would
    cost more than the sum.
    """
    w = w.astype(np.float64, copy=False)
    if X.dtype == np.float64:
        return w @ X
    total = np.zeros(X.shape[1])
    rows = max(64, _CHUNK_ROWS * 32 // max(X.shape[1], 1))
    for s in range(0, X.shape[0], rows):
        total += w[s : s + rows] @ X[s : s + rows].astype(np.float64)
    return total


def _relocate_empty(X, w, centers_old, S, W, N, labels):
    """Move the farthest samples into the empty clusters, in the sums S, W, N.

    The samples keep their old label until the next assignment. Works in place
    and returns the number of samples moved.
    """
    empty = np.flatnonzero(N == 0)
    far = _farthest_samples(X, centers_old, labels, len(empty))
    for new, idx in zip(empty, far):
        weight = 1.0 if w is None else float(w[idx])
        old = labels[idx]
        S[old] -= X[idx] * weight
        S[new] = X[idx] * weight
        W[new] = weight
        W[old] -= weight
        N[new] = 1
        N[old] -= 1
    return len(far)


def _lloyd_hamerly(X, w, centers, *, max_iter, tol, empty_cluster, x_sq=None):
    """Lloyd's iteration from the given centers on centred data, accelerated.

    Parameters
    ----------
    X : C-contiguous ndarray of shape (n_samples, n_features)
    w : ndarray of shape (n_samples,) or None
        None means unit weights (a faster path).
    centers : ndarray of shape (n_clusters, n_features)
    max_iter : int
    tol : float
        Absolute, on the summed squared center shift.
    empty_cluster : {"reinit", "remove"}
    x_sq : ndarray of shape (n_samples,), default=None
        The ``||x||^2`` of the rows (float64), when the caller has them.

    Returns
    -------
    labels, centers, inertia, n_iter, distortion_history
    margin : ndarray of shape (n_samples,) or None
        A lower bound on how much farther (in squared distance) each sample
        lies from its second nearest center than from its own; at most zero
        where the two may be tied within rounding. None after a strict
        convergence without bounds (small data), where no last pass was made.
    """
    if x_sq is None:
        x_sq = row_norms(X, squared=True).astype(np.float64, copy=False)
    return _with_threads(
        _hamerly_loop,
        X.shape[0],
        _assign_cost(X.shape[1], centers.shape[0]),
        X,
        w,
        centers,
        max_iter=max_iter,
        tol=tol,
        empty_cluster=empty_cluster,
        x_sq=x_sq,
    )


def _hamerly_loop(
    X, w, centers, pool, n_threads, *, max_iter, tol, empty_cluster, x_sq
):
    """The iterations of :func:`_lloyd_hamerly`.

    Each sample keeps an upper bound on the distance to its own center and a
    lower bound on the distance to any other; when the centers move, the bounds
    move by the shifts (triangle inequality). A sample whose upper bound stays
    below its lower bound cannot change cluster, so only the others are assigned
    again, and the cluster sums are updated by the samples that moved.
    """
    n_samples, n_features = X.shape
    w_total = float(n_samples if w is None else w.sum(dtype=np.float64))
    x_sq_total = float(x_sq.sum() if w is None else x_sq @ w)
    # Rounding bound on ||x||^2 - 2 x.c + ||c||^2, relative to ||x||^2 + ||c||^2.
    rel_err = expansion_rounding(n_features, X.dtype)
    labels = np.full(n_samples, -1, dtype=np.intp)
    upper = np.empty(n_samples)
    lower = np.empty(n_samples)
    history = []
    bounds_valid = False
    use_bounds = _bounds_pay(n_samples, n_features, centers.shape[0])
    retry_bounds_at, backoff = (0 if use_bounds else max_iter), 2
    strict_convergence = False
    for i in range(max_iter):
        n_clusters = centers.shape[0]
        if use_bounds:
            c_sq_max = float(row_norms(centers, squared=True).max())
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
        # J after the update, sum w||x||^2 - sum_k ||S_k||^2 / W_k, comes free from
        # the sums the update needs anyway.
        filled = N > 0
        if filled.all():
            new_centers = (S / W[:, None]).astype(centers.dtype, copy=False)
            j = x_sq_total - float(np.sum(row_norms(S, squared=True) / W))
        else:
            new_centers = centers.copy()
            new_centers[filled] = S[filled] / W[filled, None]
            j = x_sq_total - float(
                np.sum(row_norms(S[filled], squared=True) / W[filled])
            )
        history.append(max(j, 0.0) / w_total)
        shift = row_norms(np.subtract(new_centers, centers, dtype=np.float64))
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
            # (The factor on the K shifts, then one gather: the same values.)
            upper += np.take(shift * (1.0 + 1e-9), labels)
            # The nearest other center moved at most by the largest shift among
            # the other centers: the second largest for the samples of the center
            # that moved most (Hamerly, 2010).
            if n_clusters > 1:
                top2 = np.partition(shift, -2)[-2:]
                others_max = np.full(len(shift), top2[1])
                others_max[np.argmax(shift)] = top2[0]
                lower -= np.take(others_max * (1.0 + 1e-9), labels)
            else:
                lower -= shift.max() * (1.0 + 1e-9)
    if strict_convergence and bounds_valid:
        # The bounds hold for the centers of the last assignment, which the
        # update left in place but for rounding (their shift).
        moved = float(shift.max()) * (1.0 + 1e-9)
        margin = np.maximum(lower - moved, 0.0) ** 2 - (upper + moved) ** 2
    elif strict_convergence:
        # The labels are those of the final centers already; without bounds
        # the margins are unknown, and the estimator checks the labels of the
        # chosen run against predict (one pass, not one per run).
        margin = None
    else:
        # A last assignment to the final centers, as scikit-learn (its two
        # best scores give the margins).
        best, second = np.empty(n_samples), np.empty(n_samples)
        _assign(X, centers, labels, pool, n_threads, best, second)
        c_sq_max = float(row_norms(centers, squared=True).max())
        margin = second - best - 2.0 * rel_err * (x_sq + c_sq_max)
    inertia = _inertia(X, w, centers, labels, pool, n_threads)
    return labels, centers, inertia, i + 1, np.asarray(history), margin
