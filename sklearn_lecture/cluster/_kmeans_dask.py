"""k-means|| seeding of :class:`KMeans` on a dask array (Bahmani et al., 2012).

The ``"k-means++"`` start on a dask X: a few rounds that each sample about
``2 K`` rows with probability proportional to their squared distance to the
candidates so far, the candidates weighted by the rows nearest to them, reduced
to K centroids by weighted k-means++ and Lloyd. Each round is one map-reduce
over the row blocks, in the centred units of the fit; X is never gathered.
"""

import functools

import numpy as np

from ..utils._dask import map_reduce_blocks
from ..utils._linalg import squared_distances
from ._kmeans import _block

# k-means|| rounds and oversampling factor (Bahmani et al. use 5 rounds, l = 2K).
_ROUNDS = 5
_OVERSAMPLING = 2.0


def _min_d2(block, candidates, origin):
    X = _block(block, origin)
    d2 = np.maximum(squared_distances(X, candidates), 0)
    return X, d2.min(axis=1, initial=np.inf)


def _cost(block, *, candidates, origin):
    return float(_min_d2(block, candidates, origin)[1].sum())


def _sample(block, *, candidates, origin, rate, seed, block_index):
    """Rows kept with probability min(1, rate * d²(x, candidates))."""
    X, d2 = _min_d2(block, candidates, origin)
    rng = np.random.default_rng([seed, block_index])
    return X[rng.random(len(X)) < rate * d2]


def _nearest_counts(block, *, candidates, origin):
    labels = squared_distances(_block(block, origin), candidates).argmin(axis=1)
    return np.bincount(labels, minlength=len(candidates)).astype(np.float64)


def kmeans_parallel_init(X, n_clusters, rng, origin):
    """k-means|| initial centroids of the dask array X, centred on ``origin``."""
    from ._kmeans import KMeans

    first = int(rng.randint(X.shape[0]))
    candidates = _block(X[first : first + 1].compute(), origin)
    options = {"candidates": candidates, "origin": origin}
    for _ in range(_ROUNDS):
        options["candidates"] = candidates
        cost = map_reduce_blocks(functools.partial(_cost, **options), np.add, X)
        if cost <= 0:
            break
        sampled = map_reduce_blocks(
            functools.partial(
                _sample,
                **options,
                rate=_OVERSAMPLING * n_clusters / cost,
                seed=int(rng.randint(np.iinfo(np.int32).max)),
            ),
            lambda a, b: np.vstack([a, b]),
            X,
            with_index=True,
        )
        candidates = np.vstack([candidates, sampled])
    # Each candidate weighs as many rows as are nearest to it.
    options["candidates"] = candidates
    count = functools.partial(_nearest_counts, **options)
    weights = map_reduce_blocks(count, np.add, X)
    candidates, weights = candidates[weights > 0], weights[weights > 0]
    if len(candidates) < n_clusters:
        # Fewer distinct candidates than clusters (tiny or duplicated data).
        extra = rng.choice(X.shape[0], n_clusters - len(candidates), replace=False)
        rows = _block(X[np.sort(extra)].compute(), origin)
        return np.vstack([candidates, rows])
    start = KMeans(n_clusters, random_state=rng).fit(candidates, sample_weight=weights)
    return start.cluster_centers_
