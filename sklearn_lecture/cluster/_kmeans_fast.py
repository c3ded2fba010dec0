"""The accelerated step of :class:`KMeans` (``algorithm="hamerly"``), with the
interface of :func:`._kmeans.lloyd_step`: cache-sized blocks by one matrix
product each, one thread per core, skipping the samples that Hamerly's bounds
(2010), widened by the rounding, show cannot change cluster."""

import os
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager, nullcontext

import numpy as np

from ..utils._linalg import group_sums, row_norms, squared_distances
from ..utils._threads import blas_single_thread

_CHUNK_ROWS = 4096  # rows per block of the assignment: they stay in L2 cache
# A thread gets at least this many rows and this much work (rows times
# n_clusters * (n_features + 8)): below, a second thread costs more than it saves.
_MIN_ROWS_PER_THREAD = 256
_MIN_WORK_PER_THREAD = 2 * 4096 * 16 * (32 + 8)
# Below this much work per pass (n * K * (d + 12)) the bounds do not pay.
_MIN_BOUNDS_WORK = 2_000_000
# Beyond this fraction of candidates, a full pass costs less than gathering them.
_FULL_PASS_FRACTION = 0.75


def _min_rows_per_thread(row_cost):
    return max(_MIN_ROWS_PER_THREAD, _MIN_WORK_PER_THREAD // max(int(row_cost), 1))


@contextmanager
def threads(n_samples, row_cost):
    """``(pool, n_threads)`` for the passes over X: as many as the work pays."""
    if n_samples < _CHUNK_ROWS and n_samples < 2 * _min_rows_per_thread(row_cost):
        yield None, 1
        return
    linux = hasattr(os, "sched_getaffinity")
    n_cpus = len(os.sched_getaffinity(0)) if linux else os.cpu_count() or 1
    env = os.environ.get("OMP_NUM_THREADS", "")
    n_cpus = min(n_cpus, int(env)) if env.isdigit() and int(env) > 0 else n_cpus
    n_threads = max(1, min(n_cpus, n_samples // _min_rows_per_thread(row_cost)))
    with blas_single_thread():
        if n_threads == 1:
            yield None, 1
            return
        with ThreadPoolExecutor(n_threads) as pool:
            yield pool, n_threads


def _run_parts(func, n_rows, pool, n_threads, row_cost):
    """``func(start, end)`` on contiguous parts of the rows, one per thread."""
    n_parts = pool and min(n_threads, n_rows // _min_rows_per_thread(row_cost))
    if not n_parts or n_parts <= 1:
        return [func(0, n_rows)]
    bounds = np.linspace(0, n_rows, n_parts + 1).astype(np.intp)
    return list(pool.map(func, bounds[:-1], bounds[1:]))


def _assign(X, centers, labels, pool=None, n_threads=1, best=None, second=None,
            c_sq=None):
    """Nearest center (by ``c_sq - 2 x.c``) of each row into ``labels``, and the
    smallest and second smallest scores into ``best`` and ``second`` if given."""
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
            block = squared_distances(X[s:e], centers, X_sq=0, Y_sq=c_sq,
                                      out=buf[: e - s])
            if upcast:
                block = buf64[: e - s]
                np.copyto(block, buf[: e - s])
            lab = labels[s:e]
            block.argmin(axis=1, out=lab)
            if best is not None:
                # A second argmin with the smallest masked (faster than partition).
                flat = block.reshape(-1)
                index = row_start[: e - s] + lab
                best[s:e] = flat[index]
                flat[index] = np.inf
                index += block.argmin(axis=1) - lab
                second[s:e] = flat[index]

    _run_parts(part, X.shape[0], pool, n_threads, n_clusters * (X.shape[1] + 8))


def nearest_centers(X, centers, pool=None, n_threads=1):
    """Index of the nearest center of each row of X (predict's assignment), scored
    as ``||c - o||^2 + 2 o.(c - o) - 2 x.(c - o)`` about the centers' mean ``o``
    (the rounding grows with their spread; X is not copied)."""
    labels = np.empty(X.shape[0], dtype=np.intp)
    centers = centers.astype(np.float64)
    origin = centers.mean(axis=0)
    shifted = centers - origin
    c_sq = row_norms(shifted, squared=True) + 2.0 * (shifted @ origin)
    shifted, c_sq = shifted.astype(X.dtype), c_sq.astype(X.dtype)
    own = pool is not None or X.shape[0] < _CHUNK_ROWS  # the caller's threads
    with (nullcontext((pool, n_threads)) if own
          else threads(X.shape[0], len(centers) * (X.shape[1] + 8))) as (p, n):
        _assign(X, shifted, labels, p, n, c_sq=c_sq)
    return labels


def own_center_inertia(X, w, centers, labels, pool=None, n_threads=1):
    """``sum_t w_t ||x_t - c_{labels_t}||^2`` in float64, by cache-sized blocks."""
    rows = max(64, 2**15 // max(X.shape[1], 1))

    def part(start, end):
        total = 0.0
        for s in range(start, end, rows):
            e = min(s + rows, end)
            d = row_norms(X[s:e] - centers[labels[s:e]], True).astype(float, copy=False)
            total += float(d.sum() if w is None else d @ w[s:e])
        return total

    return sum(_run_parts(part, X.shape[0], pool, n_threads, X.shape[1] + 8))


def _cluster_sums(X, w, labels, n_clusters, pool=None, n_threads=1):
    """Weighted sums (float64), total weights and counts of each cluster."""

    def part(start, end):
        lab = labels[start:end]
        wp = None if w is None else w[start:end]
        N = np.bincount(lab, minlength=n_clusters)
        W = N.astype(np.float64) if w is None else np.bincount(lab, wp, n_clusters)
        return group_sums(X[start:end], lab, n_clusters, wp), W, N

    # Parts of the same size whatever the shape: the split decides the rounding.
    results = _run_parts(part, X.shape[0], pool, n_threads, 16 * (32 + 8))
    return tuple(sum(r[i] for r in results) for i in range(3))


class HamerlyStep:
    """The accelerated step: ``step(centers) -> (S, W, N, x_sq)``.

    Keeps the labels and, per sample, bounds on the distance to its center and
    to any other, moved by the shifts; samples whose bounds do not cross keep
    their cluster. ``forget`` (sums changed outside) makes the next a full pass.
    """

    def __init__(self, X, w, pool, n_threads):
        self.X, self.w, self.pool, self.n_threads = X, w, pool, n_threads
        self.x_sq = x_sq = row_norms(X, squared=True).astype(np.float64, copy=False)
        n, d = X.shape
        self.x_sq_total = float(x_sq.sum() if w is None else x_sq @ w)
        # Rounding bound of ||x||^2 - 2 x.c + ||c||^2, relative to ||x||^2 + ||c||^2.
        self.rel_err = 4.0 * (d + 4) * float(np.finfo(X.dtype).eps)
        self.labels, self.upper, self.lower = np.full(n, -1), np.empty(n), np.empty(n)
        self.use_bounds, self.n_calls, self.backoff = None, 0, 2
        self.forget()

    def forget(self):
        self.valid, self.previous = False, None

    def _bounds(self, rows, best, second, c_sq_max):
        index = slice(None) if rows is None else rows
        x_sq = self.x_sq[index]
        err = self.rel_err * (x_sq + c_sq_max)
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
            # The factor covers the rounding of the shifts; the nearest other
            # center moved at most by the largest other shift.
            self.upper += np.take(shift * (1.0 + 1e-9), self.labels)
            others = np.full(K, shift.max())
            if K > 1:
                others[np.argmax(shift)] = np.partition(shift, -2)[-2]
            self.lower -= np.take(others * (1.0 + 1e-9), self.labels)
            candidates = np.flatnonzero(self.upper >= self.lower)
            if len(candidates) > _FULL_PASS_FRACTION * X.shape[0]:
                # Plain passes for a while, then retry after twice as long.
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
            old, X_cand = self.labels[candidates], X[candidates]
            new = np.empty(len(candidates), dtype=np.intp)
            best, second = np.empty(len(candidates)), np.empty(len(candidates))
            _assign(X_cand, centers, new, pool, nt, best, second)
            self._bounds(candidates, best, second, c_sq_max)
            moved = np.flatnonzero(new != old)
            if len(moved):
                X_moved = X_cand[moved]
                w_moved = None if w is None else w[candidates[moved]]
                into = _cluster_sums(X_moved, w_moved, new[moved], K)
                out = _cluster_sums(X_moved, w_moved, old[moved], K)
                self.S, self.W, self.N = (a + b - c for a, b, c in zip(
                    (self.S, self.W, self.N), into, out))
                self.labels[candidates[moved]] = new[moved]
        self.previous, self.n_calls = centers, self.n_calls + 1
        return self.S, self.W, self.N, self.x_sq_total
