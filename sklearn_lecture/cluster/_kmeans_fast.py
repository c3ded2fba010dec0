"""The accelerated engine of :class:`KMeans` (``algorithm="hamerly"``).

:class:`HamerlyStep` is a step with the interface of the readable one
(:func:`~sklearn_lecture.cluster._kmeans.lloyd_step`): given the centroids it
returns the per-centre sums, weights, counts and ``sum w ||x||^2`` of the
assignment to them, so the update rule of :mod:`._kmeans` serves both (and a
compiled kernel could replace this one without touching the estimator). It is
made fast by:

- blocked assignment: the scores ``||c||^2 - 2 x.c`` of a block of rows come from
  one matrix product small enough to stay in cache, then the argmin;
- threads: large X is cut into parts, one per core, each on a single-threaded
  BLAS; how large depends on the work of a row;
- Hamerly's bounds (2010): once the centroids settle, a sample whose distance to
  its centroid stays below its distance to any other cannot change cluster and
  is not assigned again; the sums are then updated by the samples that moved.
  The bounds are widened by the rounding error of the distances, so each step
  yields the partition of the readable step. On small data every step is a
  plain pass.
"""

import os
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

import numpy as np

from ..utils._linalg import group_sums, row_norms, squared_distances
from ..utils._threads import blas_single_thread

# Rows per block of the assignment: a block of X (4096 x 32 float64 = 1 MiB)
# and its scores stay in the L2 cache between the GEMM and the argmin.
_CHUNK_ROWS = 4096

# A thread gets at least this many rows, and at least this much work (rows
# times the cost of a row, about n_clusters * (n_features + 8)): below, a second
# thread costs more than it saves.
_MIN_ROWS_PER_THREAD = 256
_MIN_WORK_PER_THREAD = 2 * 4096 * 16 * (32 + 8)

# Below this much work per pass (n * K * (d + 12)) the upkeep of the bounds
# (some twenty numpy calls per step) costs more than it saves.
_MIN_BOUNDS_WORK = 2_000_000

# When more than this fraction of the samples may change cluster, one pass over
# all of X costs less than gathering the candidates.
_FULL_PASS_FRACTION = 0.75


def _min_rows_per_thread(row_cost):
    return max(_MIN_ROWS_PER_THREAD, _MIN_WORK_PER_THREAD // max(int(row_cost), 1))


def _assign_cost(n_features, n_clusters):
    return n_clusters * (n_features + 8)


@contextmanager
def threads(n_samples, row_cost):
    """``(pool, n_threads)`` for the passes over X: as many as the work pays."""
    if n_samples < _CHUNK_ROWS and n_samples < 2 * _min_rows_per_thread(row_cost):
        yield None, 1
        return
    try:
        n_cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        n_cpus = os.cpu_count() or 1
    env = os.environ.get("OMP_NUM_THREADS")
    if env and env.isdigit() and int(env) > 0:
        n_cpus = min(n_cpus, int(env))
    n_threads = max(1, min(n_cpus, n_samples // _min_rows_per_thread(row_cost)))
    # BLAS limited to one thread: our own threads share the work.
    with blas_single_thread():
        if n_threads == 1:
            yield None, 1
        else:
            with ThreadPoolExecutor(n_threads) as pool:
                yield pool, n_threads


def _run_parts(func, n_rows, pool, n_threads, row_cost):
    """``func(start, end)`` on contiguous parts of the rows, one per thread."""
    n_parts = 1
    if pool is not None:
        n_parts = min(n_threads, n_rows // _min_rows_per_thread(row_cost))
    if n_parts <= 1:
        return [func(0, n_rows)]
    bounds = np.linspace(0, n_rows, n_parts + 1).astype(np.intp)
    return list(pool.map(func, bounds[:-1], bounds[1:]))


def _assign(X, centers, labels, pool=None, n_threads=1, best=None, second=None,
            c_sq=None):
    """Nearest center of each row of X, written into ``labels``.

    The scores are ``c_sq - 2 x.c`` (``c_sq`` defaults to ``||c||^2``). With
    ``best`` and ``second`` (float64 arrays) the smallest and second smallest
    scores are stored too, for the distance bounds.
    """
    n_clusters = centers.shape[0]
    c_sq = row_norms(centers, squared=True) if c_sq is None else c_sq
    # numpy's row-wise argmin is more than twice as fast on float64 as on float32.
    upcast = X.dtype != np.float64

    def part(start, end):
        rows = min(_CHUNK_ROWS, end - start)
        buf = np.empty((rows, n_clusters), dtype=X.dtype)
        buf64 = np.empty((rows, n_clusters)) if upcast else buf
        row_start = np.arange(0, rows * n_clusters, n_clusters)
        for s in range(start, end, _CHUNK_ROWS):
            e = min(s + _CHUNK_ROWS, end)
            block = squared_distances(
                X[s:e], centers, X_sq=0, Y_sq=c_sq, out=buf[: e - s]
            )
            if upcast:
                block = buf64[: e - s]
                np.copyto(block, buf[: e - s])
            lab = labels[s:e]
            block.argmin(axis=1, out=lab)
            if best is not None:
                # The second smallest by a second argmin with the smallest
                # masked: faster than a row-wise partition on short rows.
                flat = block.reshape(-1)
                index = row_start[: e - s] + lab
                best[s:e] = flat[index]
                flat[index] = np.inf
                index += block.argmin(axis=1) - lab
                second[s:e] = flat[index]

    _run_parts(part, X.shape[0], pool, n_threads, _assign_cost(X.shape[1], n_clusters))


def nearest_centers(X, centers, pool=None, n_threads=1):
    """Index of the nearest center of each row of X (predict's assignment).

    Scored relative to the mean ``o`` of the centers, ``||x - c||^2 - ||x - o||^2
    = ||c - o||^2 + 2 o.(c - o) - 2 x.(c - o)``: the rounding then grows with
    the spread of the centers, not with their distance from the origin, and X
    is not copied.
    """
    labels = np.empty(X.shape[0], dtype=np.intp)
    centers = centers.astype(np.float64)
    origin = centers.mean(axis=0)
    shifted = centers - origin
    c_sq = row_norms(shifted, squared=True) + 2.0 * (shifted @ origin)
    shifted, c_sq = shifted.astype(X.dtype), c_sq.astype(X.dtype)
    if pool is not None or X.shape[0] < _CHUNK_ROWS:
        _assign(X, shifted, labels, pool, n_threads, c_sq=c_sq)
        return labels
    with threads(X.shape[0], _assign_cost(X.shape[1], len(centers))) as (p, n):
        _assign(X, shifted, labels, p, n, c_sq=c_sq)
    return labels


def own_center_inertia(X, w, centers, labels, pool=None, n_threads=1):
    """``sum_t w_t ||x_t - c_{labels_t}||^2`` in float64, by cache-sized blocks."""
    rows = max(64, 2**15 // max(X.shape[1], 1))

    def part(start, end):
        total = 0.0
        for s in range(start, end, rows):
            e = min(s + rows, end)
            d = row_norms(X[s:e] - centers[labels[s:e]], squared=True)
            d = d.astype(np.float64, copy=False)
            total += float(d.sum() if w is None else d @ w[s:e])
        return total

    return sum(_run_parts(part, X.shape[0], pool, n_threads, X.shape[1] + 8))


def _cluster_sums(X, w, labels, n_clusters, pool=None, n_threads=1):
    """Weighted sums (float64), total weights and counts of each cluster."""

    def part(start, end):
        lab = labels[start:end]
        wp = None if w is None else w[start:end]
        N = np.bincount(lab, minlength=n_clusters)
        W = N.astype(np.float64) if w is None else np.bincount(
            lab, weights=wp, minlength=n_clusters
        )
        return group_sums(X[start:end], lab, n_clusters, wp), W, N

    # Parts of the same size whatever the shape: the split decides the rounding.
    results = _run_parts(part, X.shape[0], pool, n_threads, _assign_cost(32, 16))
    return tuple(sum(r[i] for r in results) for i in range(3))


class HamerlyStep:
    """The step of the accelerated engine: ``step(centers) -> (S, W, N, x_sq)``.

    Keeps the labels and Hamerly's bounds between calls: each sample has an
    upper bound on the distance to its own center and a lower bound on the
    distance to any other; when the centers move, the bounds move by the shifts
    (triangle inequality). A sample whose upper bound stays below its lower
    bound cannot change cluster; the sums are updated by the samples that moved.
    ``forget()`` (after the update rule changed the sums behind its back: a
    re-seeded or removed cluster) makes the next call a full pass.
    """

    def __init__(self, X, w, x_sq, pool, n_threads):
        self.X, self.w, self.x_sq = X, w, x_sq
        self.pool, self.n_threads = pool, n_threads
        n, d = X.shape
        self.x_sq_total = float(x_sq.sum() if w is None else x_sq @ w)
        # Rounding bound of ||x||^2 - 2 x.c + ||c||^2, relative to ||x||^2 + ||c||^2.
        self.rel_err = 4.0 * (d + 4) * float(np.finfo(X.dtype).eps)
        self.labels = np.full(n, -1, dtype=np.intp)
        self.upper, self.lower = np.empty(n), np.empty(n)
        self.use_bounds = None
        self.n_calls, self.backoff = 0, 2
        self.forget()

    def forget(self):
        self.valid, self.previous = False, None

    def _bounds(self, rows, best, second, c_sq_max):
        x_sq = self.x_sq if rows is None else self.x_sq[rows]
        err = self.rel_err * (x_sq + c_sq_max)
        index = slice(None) if rows is None else rows
        self.upper[index] = np.sqrt(np.maximum(best + x_sq + err, 0.0))
        self.lower[index] = np.sqrt(np.maximum(second + x_sq - err, 0.0))

    def __call__(self, centers):
        X, w, pool, nt = self.X, self.w, self.pool, self.n_threads
        K = centers.shape[0]
        if self.use_bounds is None:
            self.use_bounds = X.shape[0] * K * (X.shape[1] + 12) >= _MIN_BOUNDS_WORK
            self.retry_at = 0 if self.use_bounds else np.inf
        if self.previous is not None and self.previous.shape != centers.shape:
            self.forget()
        candidates = None
        if self.valid:
            shift = row_norms(np.subtract(centers, self.previous, dtype=np.float64))
            # Triangle inequality; the factor covers the rounding of the shifts.
            # The nearest other center moved at most by the largest shift among
            # the other centers (Hamerly, 2010).
            self.upper += np.take(shift * (1.0 + 1e-9), self.labels)
            if K > 1:
                top2 = np.partition(shift, -2)[-2:]
                others = np.full(K, top2[1])
                others[np.argmax(shift)] = top2[0]
                self.lower -= np.take(others * (1.0 + 1e-9), self.labels)
            else:
                self.lower -= shift.max() * (1.0 + 1e-9)
            candidates = np.flatnonzero(self.upper >= self.lower)
            if len(candidates) > _FULL_PASS_FRACTION * X.shape[0]:
                # The bounds do not pay (centers still moving a lot): plain
                # passes for a while, then try again after twice as long.
                candidates, self.valid = None, False
                self.retry_at = self.n_calls + self.backoff
                self.backoff *= 2
        c_sq_max = float(row_norms(centers, squared=True).max())
        if candidates is None:
            if self.n_calls >= self.retry_at:
                best, second = np.empty(X.shape[0]), np.empty(X.shape[0])
                _assign(X, centers, self.labels, pool, nt, best, second)
                self._bounds(None, best, second, c_sq_max)
                self.valid = True
            else:
                _assign(X, centers, self.labels, pool, nt)
            self.S, self.W, self.N = _cluster_sums(X, w, self.labels, K, pool, nt)
        elif len(candidates):
            old = self.labels[candidates]
            new = np.empty(len(candidates), dtype=np.intp)
            best, second = np.empty(len(candidates)), np.empty(len(candidates))
            X_cand = X[candidates]
            _assign(X_cand, centers, new, pool, nt, best, second)
            self._bounds(candidates, best, second, c_sq_max)
            moved = np.flatnonzero(new != old)
            if len(moved):
                X_moved = X_cand[moved]
                w_moved = None if w is None else w[candidates[moved]]
                into = _cluster_sums(X_moved, w_moved, new[moved], K)
                out = _cluster_sums(X_moved, w_moved, old[moved], K)
                self.S = self.S + into[0] - out[0]
                self.W = self.W + into[1] - out[1]
                self.N = self.N + into[2] - out[2]
                self.labels[candidates[moved]] = new[moved]
        self.previous = centers
        self.n_calls += 1
        return self.S, self.W, self.N, self.x_sq_total
