"""The compiled k-means kernels (numba, released GIL), on a part of the rows.

Few features: one fused loop per pass, distances by differences. Many: the
squared distances of blocks of rows come from a matrix product (BLAS) and
:func:`finish` does the rest. Sums in float64. Imported on first use.
"""

import numpy as np
from numba import njit

_JIT = dict(nogil=True, cache=True, fastmath={"reassoc", "contract", "nsz"})


@njit(inline="always", **_JIT)
def _sq(X, i, C, k):
    acc = 0.0
    for j in range(X.shape[1]):
        t = X[i, j] - C[k, j]
        acc += t * t
    return acc


@njit(inline="always", **_JIT)
def _all(X, i, CT, acc):
    """``acc[k] = ||x_i - c_k||^2`` for every k (``CT``: the centroids by column,
    so that the inner loop runs over the centroids, in SIMD lanes; under 8
    centroids, too few lanes, each distance is summed in a register)."""
    if CT.shape[1] < 8:
        for k in range(CT.shape[1]):
            total = 0.0
            for j in range(CT.shape[0]):
                t = X[i, j] - CT[j, k]
                total += t * t
            acc[k] = total
        return
    acc[:] = 0.0
    for j in range(CT.shape[0]):
        xj = X[i, j]
        for k in range(CT.shape[1]):
            t = xj - CT[j, k]
            acc[k] += t * t


@njit(inline="always", **_JIT)
def _two_smallest(acc, offset=0.0):
    """The smallest value of ``offset + acc`` (at least 0), its index and the
    second smallest (without branches: they mispredict)."""
    best, second, b = np.inf, np.inf, 0
    for k in range(acc.shape[0]):
        v = acc[k]
        second = min(second, max(best, v))
        b = k if v < best else b
        best = min(best, v)
    return max(best + offset, 0.0), b, max(second + offset, 0.0)


@njit(inline="always", **_JIT)
def _add(X, w, i, k, sign, S, W, N):
    for j in range(X.shape[1]):
        S[k, j] += sign * w[i] * X[i, j]
    W[k] += sign * w[i]
    N[k] += 1 if sign > 0 else -1


@njit(inline="always", **_JIT)
def _move(X, w, rows, new, labels, moves, S, W, N):
    """Rows ``rows`` to clusters ``new``, added to ``S, W, N`` (``moves``: only
    those that change cluster, moved from their old one). In a loop of its own:
    inside the distance loop the sums cost twice as much."""
    for r in range(rows.shape[0]):
        i = rows[r]
        if not moves:
            _add(X, w, i, new[r], 1.0, S, W, N)
        elif new[r] != labels[i]:
            _add(X, w, i, labels[i], -1.0, S, W, N)
            _add(X, w, i, new[r], 1.0, S, W, N)
        labels[i] = new[r]


@njit(**_JIT)
def full_pass(X, w, C, labels, bounds, upper, lower, x_sq, rel, moves, S, W, N):
    """Every row to its nearest centroid, added to ``S, W, N`` (zeros on entry;
    ``moves``: as in :func:`_move`); with ``bounds``, Hamerly's bounds set too.
    Returns the weighted inertia."""
    CT, acc = np.ascontiguousarray(C.T), np.empty(C.shape[0])
    c_sq = (C**2).sum(axis=1).max()
    rows = np.arange(X.shape[0])
    new = np.empty_like(labels)
    inertia = 0.0
    for i in range(X.shape[0]):
        _all(X, i, CT, acc)
        best, new[i], second = _two_smallest(acc)
        inertia += w[i] * best
        if bounds:
            err = rel * (x_sq[i] + c_sq)
            upper[i], lower[i] = np.sqrt(best + err), np.sqrt(max(second - err, 0.0))
    _move(X, w, rows, new, labels, moves, S, W, N)
    return inertia


@njit(**_JIT)
def finish(D, products, c_sq, rows, X, w, labels, upper, lower, x_sq, rel, moves, S,
           W, N):
    """The rows ``rows`` of X to their nearest centroid: bounds and :func:`_move`.
    Their squared distances are the rows of D or, with ``products``,
    ``x_sq + D + c_sq`` (D: ``-2 x.c`` from a matrix product)."""
    c_sq_max = c_sq.max()
    new, scores = np.empty_like(rows), np.empty(c_sq.shape[0])
    for r in range(rows.shape[0]):
        i = rows[r]
        for k in range(c_sq.shape[0]):
            scores[k] = D[r, k] + c_sq[k] if products else D[r, k]
        best, new[r], second = _two_smallest(scores, x_sq[i] if products else 0.0)
        err = rel * (x_sq[i] + c_sq_max)
        upper[i], lower[i] = np.sqrt(best + err), np.sqrt(max(second - err, 0.0))
    _move(X, w, rows, new, labels, moves, S, W, N)


@njit(**_JIT)
def settle(X, C, labels, upper, lower, shift, s_half, rel, tighten):
    """Hamerly's test: the bounds moved by the centroids' ``shift``; returns the
    rows they do not settle (``upper > max(lower, s_half)``, ``s_half`` half the
    distance of a centroid to its nearest other), after recomputing their upper
    bound if ``tighten``."""
    K, n = C.shape[0], X.shape[0]
    # The nearest other centroid moved at most by the largest other shift.
    top = np.argmax(shift)
    other = np.full(K, shift[top] * (1.0 + rel))
    other[top] = (np.partition(shift, K - 2)[K - 2] if K > 1 else 0.0) * (1.0 + rel)
    own = shift * (1.0 + rel)
    # Without branches: on few features a mispredicted branch costs as much as
    # the distances.
    candidates, n_cand = np.empty(n, dtype=np.intp), 0
    for i in range(n):
        a = labels[i]
        upper[i] += own[a]
        lower[i] -= other[a]
        candidates[n_cand] = i
        n_cand += upper[i] > max(s_half[a], lower[i])
    if not tighten:
        return candidates[:n_cand]
    kept = 0
    for c in range(n_cand):
        i = candidates[c]
        a = labels[i]
        upper[i] = np.sqrt(_sq(X, i, C, a)) * (1.0 + rel)
        candidates[kept] = i
        kept += upper[i] > max(s_half[a], lower[i])
    return candidates[:kept]


@njit(**_JIT)
def bounded_pass(X, w, C, labels, upper, lower, x_sq, shift, s_half, rel, S, W, N):
    """Hamerly's pass on few features: the rows :func:`settle` leaves recomputed,
    those that change cluster moved in ``S, W, N`` (differences). Returns the
    number of rows recomputed."""
    rows = settle(X, C, labels, upper, lower, shift, s_half, rel,
                  C.shape[0] * X.shape[1] > 64)
    CT, D = np.ascontiguousarray(C.T), np.empty((4096, C.shape[0]))
    c_sq = (C**2).sum(axis=1)
    for start in range(0, rows.shape[0], 4096):
        block = rows[start : start + 4096]
        for r in range(block.shape[0]):
            _all(X, block[r], CT, D[r])
        finish(D, False, c_sq, block, X, w, labels, upper, lower, x_sq, rel, True,
               S, W, N)
    return rows.shape[0]


@njit(**_JIT)
def nearest(X, w, C, labels):
    """Nearest centroid of each row into ``labels``; the weighted inertia."""
    CT, acc = np.ascontiguousarray(C.T), np.empty(C.shape[0])
    inertia = 0.0
    for i in range(X.shape[0]):
        _all(X, i, CT, acc)
        best, labels[i], _ = _two_smallest(acc)
        inertia += w[i] * best
    return inertia


@njit(**_JIT)
def smallest(D, bias, labels):
    """``labels[t]`` the index of the smallest ``D[t, k] + bias[k]``."""
    for i in range(D.shape[0]):
        best, b = np.inf, 0
        for k in range(D.shape[1]):
            v = D[i, k] + bias[k]
            b = k if v < best else b
            best = min(best, v)
        labels[i] = b


@njit(**_JIT)
def own_inertia(X, w, C, labels):
    """``sum_t w_t ||x_t - c_{labels_t}||^2``."""
    total = 0.0
    for i in range(X.shape[0]):
        total += w[i] * _sq(X, i, C, labels[i])
    return total


@njit(**_JIT)
def trial_potentials(X, w, trials, closest, potentials):
    """k-means++: ``potentials[j] += sum_t w_t min(closest_t, ||x_t - trial_j||^2)``."""
    for i in range(X.shape[0]):
        for j in range(trials.shape[0]):
            potentials[j] += w[i] * min(closest[i], _sq(X, i, trials, j))


@njit(**_JIT)
def move_closest(X, center, closest):
    """k-means++: ``closest_t = min(closest_t, ||x_t - center||^2)``."""
    for i in range(X.shape[0]):
        closest[i] = min(closest[i], _sq(X, i, center, 0))


@njit(**_JIT)
def has_copies(X):
    """Whether two rows of X are equal (a hash table of the rows)."""
    n, d = X.shape
    size = 16
    while size < 2 * n:
        size *= 2
    mask = np.uint64(size - 1)
    table = np.full(size, -1, dtype=np.intp)
    value = np.empty(1)
    bits, golden = value.view(np.uint64), np.uint64(0x9E3779B97F4A7C15)
    for i in range(n):
        h = np.uint64(0)
        for j in range(d):
            value[0] = X[i, j] + 0.0  # -0.0 and 0.0 alike
            h = (h ^ bits[0]) * golden
        slot = (h ^ (h >> np.uint64(29))) & mask
        while table[slot] >= 0:
            k = table[slot]
            same = True
            for j in range(d):
                same = same and X[k, j] == X[i, j]
            if same:
                return True
            slot = (slot + np.uint64(1)) & mask
        table[slot] = i
    return False
