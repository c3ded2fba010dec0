"""KMeans on a dask array: map-reduce Lloyd and k-means|| seeding.

Used by :meth:`KMeans.fit` when X is a dask array chunked along rows: each
iteration of the lecture's Lloyd step is one map-reduce (on each block: assign to
the nearest centroid, per-cluster sums, counts and inertia; then add them up), so
X is never gathered in one process. The ``"k-means++"`` start becomes k-means||
(Bahmani et al., 2012): a few rounds that each sample about ``2 K`` rows with
probability proportional to their squared distance to the candidates so far, the
candidates weighted by the rows nearest to them, reduced to K centroids by
weighted k-means++ and Lloyd.

Every block is computed on in the units of the in-memory fit (:func:`fit_units`):
centred on the mean of the data, times the power of two that
:class:`~sklearn_lecture.utils._moments.GroupMoments` merges their statistics
at, so that data whose squares would overflow or underflow are clustered
exactly as the others.
"""

import functools

import numpy as np
from sklearn.utils import check_array, check_random_state

from ..utils._dask import map_reduce_blocks
from ..utils._linalg import group_sums, squared_distances
from ..utils._moments import GroupMoments

# k-means|| rounds and oversampling factor (Bahmani et al. use 5 rounds, l = 2K).
_ROUNDS = 5
_OVERSAMPLING = 2.0


def _checked(block, units=None):
    """One block of X validated, as float64, in the units of the fit.

    ``units`` is ``(factor, origin)``: the block is computed on as ``X * factor
    - origin``, as :meth:`KMeans.fit` computes on the centred data times a
    power of two (see :func:`fit_units`); None leaves it as it is. An empty
    block (a chunk emptied by boolean filtering) gives 0 rows, so zero sums,
    counts and costs.
    """
    X = check_array(block, dtype=[np.float64, np.float32], ensure_min_samples=0)
    X = X.astype(np.float64)
    if units is None:
        return X
    factor, origin = units
    if factor != 1.0:
        X *= factor
    X -= origin
    return X


def _lloyd_block(block, *, centers, units):
    """Sums, counts and inertia of one block on the given centroids."""
    X = _checked(block, units)
    d2 = squared_distances(X, centers)
    labels = d2.argmin(axis=1)
    sums = group_sums(X, labels, len(centers))
    counts = np.bincount(labels, minlength=len(centers)).astype(np.float64)
    inertia = float(np.maximum(d2[np.arange(len(X)), labels], 0).sum())
    return sums, counts, inertia


def _add(a, b):
    return tuple(x + y for x, y in zip(a, b))


def _min_d2_sum(block, *, candidates, units):
    return float(
        np.maximum(squared_distances(_checked(block, units), candidates), 0)
        .min(axis=1)
        .sum()
    )


def _sample_block(block, *, candidates, rate, seed, units, block_index):
    """Rows kept with probability min(1, rate * d²(x, candidates))."""
    X = _checked(block, units)
    d2 = np.maximum(squared_distances(X, candidates), 0).min(axis=1)
    rng = np.random.default_rng([seed, block_index])
    return X[rng.random(len(X)) < rate * d2]


def _nearest_counts(block, *, candidates, units):
    labels = squared_distances(_checked(block, units), candidates).argmin(axis=1)
    return np.bincount(labels, minlength=len(candidates)).astype(np.float64)


def _block_moments(block):
    return GroupMoments.of(_checked(block))


def fit_units(X):
    """The units the fit computes in, from one map-reduce over the blocks of X.

    Returns ``(factor, origin)`` and the mean variance of the features there
    (scikit-learn's scale of ``tol``): ``factor`` the power of two of
    :func:`power_of_two_scale` of X (1.0 but for data whose squares overflow
    or underflow), which the blocks' statistics are merged at, and ``origin``
    the mean of ``X * factor``, on which the data are centred to keep
    ``||x||^2 - 2 x.c + ||c||^2`` accurate far from the origin. The same units
    as the in-memory fit's.
    """
    moments = map_reduce_blocks(_block_moments, GroupMoments.merge, X)
    variance = float(np.trace(moments.within)) / (moments.n_samples * X.shape[1])
    return (moments.factor, moments.means[0]), variance


def kmeans_parallel_init(X, n_clusters, random_state, units):
    """k-means|| initial centroids of the dask array X (weighted correctly).

    In the units of the fit (``units``, see :func:`fit_units`).
    """
    from ._kmeans import KMeans

    rng = check_random_state(random_state)
    first = int(rng.randint(X.shape[0]))
    candidates = _checked(X[first : first + 1].compute(), units)
    for _ in range(_ROUNDS):
        cost = map_reduce_blocks(
            functools.partial(_min_d2_sum, candidates=candidates, units=units),
            np.add,
            X,
        )
        if cost <= 0:
            break
        sampled = map_reduce_blocks(
            functools.partial(
                _sample_block,
                candidates=candidates,
                rate=_OVERSAMPLING * n_clusters / cost,
                seed=int(rng.randint(np.iinfo(np.int32).max)),
                units=units,
            ),
            lambda a, b: np.vstack([a, b]),
            X,
            with_index=True,
        )
        candidates = np.vstack([candidates, sampled])
    # Each candidate weighs as many rows as are nearest to it.
    weights = map_reduce_blocks(
        functools.partial(_nearest_counts, candidates=candidates, units=units),
        np.add,
        X,
    )
    keep = weights > 0
    candidates, weights = candidates[keep], weights[keep]
    if len(candidates) < n_clusters:
        # Fewer distinct candidates than clusters (tiny or duplicated data).
        extra = rng.choice(X.shape[0], n_clusters - len(candidates), replace=False)
        rows = _checked(X[np.sort(extra)].compute(), units)
        return np.vstack([candidates, rows])
    start = KMeans(n_clusters, random_state=rng).fit(candidates, sample_weight=weights)
    return start.cluster_centers_.astype(np.float64)


def lloyd_dask(X, centers, *, units, max_iter, tol):
    """Lloyd's iteration, one map-reduce a step, from ``centers``.

    Computed in the units of the fit (``units``, see :func:`fit_units`), as
    ``centers`` and ``tol`` are given. Returns the centroids, the inertia, the
    number of iterations and the samples of each cluster at the centroids
    returned. A centroid left without samples stays where it was.
    """
    centers = np.asarray(centers, dtype=np.float64)
    for n_iter in range(1, max_iter + 1):
        sums, counts, _ = map_reduce_blocks(
            functools.partial(_lloyd_block, centers=centers, units=units), _add, X
        )
        new = centers.copy()
        filled = counts > 0
        new[filled] = sums[filled] / counts[filled, None]
        shift = float(np.sum((new - centers) ** 2))
        centers = new
        if shift <= tol:
            break
    _, counts, inertia = map_reduce_blocks(
        functools.partial(_lloyd_block, centers=centers, units=units), _add, X
    )
    return centers, inertia, n_iter, counts
