"""The accelerated step of :class:`KMeans` (``algorithm="hamerly"``), with the
interface of :func:`._kmeans.lloyd_step`: compiled passes (:mod:`._kernels`),
one thread per core on contiguous parts of the rows, skipping the samples that
Hamerly's bounds (2010) show cannot change cluster. The same kernels assign new
data (predict, score) and seed k-means++."""

import functools
import os
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

import numpy as np

from ..utils._threads import blas_single_thread

_CHUNK_ROWS = 4096  # rows per part of a pass below which a thread does not pay
# A thread gets at least this many rows and this much work (rows times
# n_clusters * (n_features + 8)): below, a second thread costs more than it saves.
_MIN_ROWS_PER_THREAD = 256
_MIN_WORK_PER_THREAD = 2 * 4096 * 16 * (32 + 8)
# Below this much work per pass (n * K * (d + 12)) the bounds do not pay.
_MIN_BOUNDS_WORK = 2_000_000
# Beyond this fraction of rows recomputed, plain passes cost less than bounds.
_FULL_PASS_FRACTION = 0.75
# From this many features on, distances come from matrix products (BLAS).
_GEMM_FEATURES = 16


@functools.cache
def _kernels():
    from . import _kernels

    return _kernels


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


def _weights(w, n):
    return np.ones(n) if w is None else np.asarray(w, dtype=np.float64)


def nearest_centers(X, centers, pool=None, n_threads=1, w=None, inertia=False):
    """Index of the nearest centroid of each row (and the weighted inertia)."""
    labels, w = np.empty(X.shape[0], dtype=np.intp), _weights(w, X.shape[0])
    C = np.ascontiguousarray(centers, dtype=np.float64)
    # Many features: matrix products about the centroids' mean (less rounding).
    origin = C.mean(axis=0) if X.shape[1] >= _GEMM_FEATURES else None
    cost, block = len(C) * (X.shape[1] + 8), max(64, 2**16 // len(C))

    def part(s, e):
        if origin is None:
            return _kernels().nearest(X[s:e], w[s:e], C, labels[s:e])
        # ||x - c||^2 - ||x - o||^2 = ||c - o||^2 + 2 o.(c - o) - 2 x.(c - o).
        minus_2CT, c_sq = _products(C - origin, X.dtype)
        bias = c_sq - minus_2CT.T.astype(np.float64) @ origin
        for b in range(s, e, block):
            _kernels().smallest(X[b : min(b + block, e)] @ minus_2CT, bias,
                                labels[b : b + block])
        return own_center_inertia(X[s:e], w[s:e], C, labels[s:e]) if inertia else 0

    if pool is None and X.shape[0] >= _CHUNK_ROWS:
        with threads(X.shape[0], cost) as (pool, n_threads):
            total = sum(_run_parts(part, X.shape[0], pool, n_threads, cost))
    else:
        total = sum(_run_parts(part, X.shape[0], pool, n_threads, cost))
    return (labels, float(total)) if inertia else labels


def block_sums(X, w, centers):
    """One compiled pass over X: :func:`._kmeans.lloyd_step`'s statistics."""
    K, (n, d) = len(centers), X.shape
    S, W, N = np.zeros((K, d)), np.zeros(K), np.zeros(K, dtype=np.intp)
    w = np.asarray(w, dtype=np.float64)
    _kernels().full_pass(X, w, np.ascontiguousarray(centers, dtype=np.float64),
                         np.zeros(n, dtype=np.intp), False, w, w, w, 0.0, False, S, W,
                         N)
    return S, W, N, float(np.einsum("ij,ij->i", X, X, dtype=np.float64) @ w)


def has_copies(X):
    """Whether two rows of X are equal."""
    return bool(_kernels().has_copies(X))


def own_center_inertia(X, w, centers, labels):
    """``sum_t w_t ||x_t - c_{labels_t}||^2`` (by differences, float64)."""
    return _kernels().own_inertia(X, _weights(w, X.shape[0]),
                                  np.ascontiguousarray(centers, dtype=np.float64),
                                  labels)


def closest_distances(X, center, closest=None):
    """k-means++: ``min(closest, ||x - center||^2)`` of every row (in place)."""
    closest = np.full(X.shape[0], np.inf) if closest is None else closest
    _kernels().move_closest(X, np.asarray(center, dtype=np.float64)[None], closest)
    return closest


def trial_potentials(X, w, closest, trials):
    """k-means++: each trial's potential ``sum w min(closest, ||x - trial||^2)``."""
    potentials = np.zeros(len(trials))
    _kernels().trial_potentials(X, _weights(w, X.shape[0]),
                                np.asarray(trials, dtype=np.float64), closest,
                                potentials)
    return potentials


def _products(C, dtype):
    """``-2 C^T`` in the dtype of X (the matrix product's operand) and ``||c||^2``."""
    return np.ascontiguousarray(-2.0 * C.T, dtype=dtype), (C**2).sum(axis=1)


class HamerlyStep:
    """The accelerated step: ``step(centers) -> (S, W, N, x_sq)``.

    Keeps the labels and, per sample, bounds on the distance to its centroid and
    to any other, moved by the shifts; samples whose bounds do not cross keep
    their cluster. ``forget`` (sums changed outside) makes the next a full pass.
    """

    def __init__(self, X, w, pool, n_threads, x_sq=None):
        self.X, self.pool, self.n_threads = X, pool, n_threads
        self.w = _weights(w, X.shape[0])
        n, d = X.shape
        if x_sq is None:
            x_sq = np.einsum("ij,ij->i", X, X, dtype=np.float64)
        self.x_sq = x_sq
        self.x_sq_total = float(self.x_sq @ self.w)
        # Rounding margin of a squared distance, relative to ||x||^2 + ||c||^2.
        self.rel = 4.0 * (d + 4) * float(np.finfo(X.dtype).eps)
        self.labels = np.zeros(n, dtype=np.intp)
        self.upper, self.lower = np.empty(n), np.empty(n)
        self.use_bounds, self.n_calls, self.backoff = None, 0, 2
        self.forget()

    def forget(self):
        self.valid, self.previous = False, None

    def _add(self, differences):
        dS, dW, dN, n_computed = differences
        self.S, self.W, self.N = self.S + dS, self.W + dW, self.N + dN
        return n_computed

    def _pass(self, C, bounds, moves, shift=None, s_half=None):
        """A full pass (``shift`` None; with or without bounds) or a bounded one,
        over the parts of the rows: the sums (``moves``: their differences, so
        that they change only when a row changes cluster) and the number of
        rows recomputed."""
        K, d = C.shape
        kern, rel, gemm = _kernels(), self.rel, d >= _GEMM_FEATURES
        block = max(64, 2**16 // K)
        minus_2CT, c_sq = _products(C, self.X.dtype)

        def part(s, e):
            S, W, N = np.zeros((K, d)), np.zeros(K), np.zeros(K, dtype=np.intp)
            X, w, x_sq = self.X[s:e], self.w[s:e], self.x_sq[s:e]
            labels, upper, lower = self.labels[s:e], self.upper[s:e], self.lower[s:e]
            if not gemm and shift is None:
                kern.full_pass(X, w, C, labels, bounds, upper, lower, x_sq, rel,
                               moves, S, W, N)
                out = e - s
            elif not gemm:
                out = kern.bounded_pass(X, w, C, labels, upper, lower, x_sq, shift,
                                        s_half, rel, S, W, N)
            else:
                rows = (np.arange(e - s) if shift is None else kern.settle(
                    X, C, labels, upper, lower, shift, s_half, rel, True))
                out = len(rows)
                for b in range(0, len(rows), block):
                    r = rows[b : b + block]
                    Xr = X[b : b + len(r)] if shift is None else X[r]
                    kern.finish(Xr @ minus_2CT, True, c_sq, r, X, w, labels, upper,
                                lower, x_sq, rel, moves, S, W, N)
            return S, W, N, out

        parts = _run_parts(part, self.X.shape[0], self.pool, self.n_threads,
                           K * (d + 8))
        return parts[0] if len(parts) == 1 else tuple(map(sum, zip(*parts)))

    def __call__(self, centers):
        X = self.X
        C = np.ascontiguousarray(centers, dtype=np.float64)
        K = C.shape[0]
        if self.use_bounds is None:
            self.use_bounds = X.shape[0] * K * (X.shape[1] + 12) >= _MIN_BOUNDS_WORK
            self.retry_at = 0 if self.use_bounds else np.inf
        if self.previous is not None and self.previous.shape != C.shape:
            self.forget()
        if self.valid:
            shift = np.sqrt(((C - self.previous) ** 2).sum(axis=1))
            # Squared distances between the centroids by one product, less their
            # rounding: half the nearest other is a bound that must not grow.
            c_sq = (C**2).sum(axis=1)
            between = c_sq[:, None] + c_sq - 2.0 * (C @ C.T)
            between -= self.rel * (c_sq[:, None] + c_sq)
            np.fill_diagonal(between, np.inf)
            s_half = 0.5 * np.sqrt(np.maximum(between.min(axis=1), 0.0))
            n_computed = self._add(self._pass(C, True, True, shift, s_half))
            if n_computed > _FULL_PASS_FRACTION * X.shape[0]:
                # Plain passes for a while, then retry after twice as long.
                self.valid, self.retry_at = False, self.n_calls + self.backoff
                self.backoff *= 2
        else:
            bounds, moves = self.n_calls >= self.retry_at, self.previous is not None
            if moves:
                self._add(self._pass(C, bounds, True))
            else:
                self.S, self.W, self.N, _ = self._pass(C, bounds, False)
            self.valid = bounds
        self.previous, self.n_calls = C, self.n_calls + 1
        return self.S, self.W, self.N, self.x_sq_total
