"""What every clustering estimator shares: seeding, the K check, duplicate merging.

- :func:`_check_n_clusters`: at least one sample per cluster;
- :func:`_init_centroids` and :func:`_kmeans_plusplus`: the initial centroids
  (``"random"``, ``"k-means++"`` or given);
- :func:`_collapse_duplicates`: identical rows merged into one weighted row, in an
  order that does not depend on the order of X (so that a seeded start picks the
  same points whether the data come weighted or repeated);
- :func:`_farthest_samples`: scikit-learn's rule for re-seeding empty clusters.

Squared distances come from :func:`sklearn_lecture.utils._linalg.squared_distances`.
"""

import numpy as np
from sklearn.utils import check_array, check_random_state

from ..utils._linalg import row_norms, squared_distances


def _check_n_clusters(n_clusters, n_samples):
    """Raise a ValueError when there are fewer samples than requested clusters."""
    if n_samples < n_clusters:
        raise ValueError(
            f"n_samples={n_samples} should be >= n_clusters={n_clusters}: "
            "k-means needs at least one sample per cluster."
        )


def _lexicographic_order(X):
    """Indices sorting the rows of X lexicographically (first column first).

    One argsort of the first column; only the runs of rows tied there that are
    not all one same row are sorted again, on all columns. The order depends on
    the values alone, not on their bits: it is the same for float32 and float64
    copies of the data and for the data times any positive factor, so a seeded
    start picks the same points for them all.
    """
    # Not a stable sort: rows tied on the first column are either copies of
    # one row (merged, their order does not matter) or sorted again below;
    # numpy's default sort is several times faster than its stable one.
    order = np.argsort(X[:, 0])
    if X.shape[1] == 1 or len(order) < 2:
        return order
    first = X[order, 0]
    tied = np.r_[False, first[1:] == first[:-1]]
    if not tied.any():
        return order
    run = np.cumsum(~tied) - 1
    head = order[np.flatnonzero(~tied)]
    # Copies of one row need no further sorting: only runs holding distinct
    # rows do (their positions are contiguous, and the first column stays the
    # primary key, so each run keeps its place).
    positions = np.flatnonzero(tied)
    differs = np.any(X[order[positions]] != X[head[run[positions]]], axis=1)
    if not differs.any():
        return order
    to_sort = np.isin(run, np.unique(run[positions[differs]]))
    rows = order[to_sort]
    order[to_sort] = rows[np.lexsort(X[rows].T[::-1])]
    return order


def _collapse_duplicates(X, sample_weight):
    """Merge identical rows into one row carrying their summed weight.

    Rows with zero weight are dropped. The distinct rows come back in
    lexicographic order, which depends only on the set of distinct rows, not on
    the order, repetition or weighting of the input (fitting on integer weights
    and fitting on repeated rows then see exactly the same data, and a seeded
    initialisation picks the same points), nor on the dtype or a positive scale
    factor of the data (so float32 and float64 data, or data times 1e150, give
    the same numbering).

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
    order = _lexicographic_order(Xk)
    # Sorted, identical rows are neighbours; rows whose first values differ
    # differ, so only the neighbours tied on the first column are compared.
    Xs = Xk[order]
    new = np.ones(len(Xs), dtype=bool)
    tied = np.flatnonzero(Xs[1:, 0] == Xs[:-1, 0]) + 1
    if len(tied):
        new[tied] = np.any(Xs[tied] != Xs[tied - 1], axis=1)
    group = np.empty(len(Xk), dtype=np.intp)
    if new.all():
        # No duplicates (the common case with continuous data): no copies.
        group[order] = np.arange(len(Xk))
        distinct = Xs
        weight = wk[order].astype(X.dtype)
    else:
        group[order] = np.cumsum(new) - 1
        distinct = Xs[new]
        weight = np.bincount(group, weights=wk, minlength=len(distinct)).astype(
            X.dtype
        )
    index = np.full(X.shape[0], -1, dtype=np.intp)
    if kept is not None:
        index[kept] = group
    else:
        index[:] = group
    return distinct, weight, index


def _kmeans_plusplus(
    X, n_clusters, random_state, sample_weight=None, n_local_trials=None
):
    """Choose initial centers by greedy k-means++ seeding.

    The first center is a sample drawn with probability proportional to its weight;
    each next one is the best, by the resulting potential, of ``n_local_trials``
    samples drawn with probability proportional to weight times the squared
    distance to the nearest chosen center (Arthur and Vassilvitskii, 2007). This is
    the rule, and the sequence of random draws, of scikit-learn's ``kmeans_plusplus``
    (but for candidates tied within rounding, where the first drawn wins).

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
    x_sq = row_norms(X, squared=True)
    tie_rtol = 1e-5 if X.dtype == np.float32 else 1e-9

    def sq_dist_to(rows):
        return squared_distances(X[rows], X, X_sq=x_sq[rows], Y_sq=x_sq)

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
        # Candidates within rounding of the best go to the first drawn: a tie
        # (two points placed symmetrically) is then broken the same way for
        # the data in either dtype and at any scale.
        best = int(np.argmax(candidates_pot <= candidates_pot.min() * (1 + tie_rtol)))
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
        ``"random"`` picks ``n_clusters`` distinct points (identical rows merged,
        their weights summed) with probability proportional to their weight (all
        points, repeated at random, when X holds fewer distinct points of
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
            sample_weight = np.ones(n_samples, dtype=X.dtype)
        # Distinct points, not rows: two seeds on copies of one point would start
        # two centroids together and lose a cluster.
        points, weight, _ = _collapse_duplicates(X, sample_weight)
        n_points = points.shape[0]
        p = weight.astype(np.float64) / weight.sum(dtype=np.float64)
        seeds = random_state.choice(
            n_points, size=min(n_clusters, n_points), replace=False, p=p
        )
        if n_points < n_clusters:
            extra = random_state.choice(n_points, size=n_clusters - n_points, p=p)
            seeds = np.concatenate([seeds, extra])
        return points[seeds].copy()
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


# Rows per block of :func:`_distances_to_own_center`: a block of differences
# of 256 KiB (float64) stays in cache.
_DIFF_BLOCK_ENTRIES = 2**15


def _distances_to_own_center(X, centers, labels, start=0, end=None):
    """``||x_t - c_{labels_t}||^2`` for the rows ``start:end`` of X, in its dtype.

    Computed by blocks of rows whose differences stay in cache (wide X would
    otherwise make a temporary the size of X).
    """
    end = X.shape[0] if end is None else end
    out = np.empty(end - start, dtype=X.dtype)
    rows = max(64, _DIFF_BLOCK_ENTRIES // max(X.shape[1], 1))
    for s in range(start, end, rows):
        e = min(s + rows, end)
        diff = X[s:e] - centers[labels[s:e]]
        out[s - start : e - start] = row_norms(diff, squared=True)
    return out


def _farthest_samples(X, centers, labels, n_empty):
    """The samples that re-seed ``n_empty`` empty clusters, farthest first.

    scikit-learn's rule for Lloyd: each empty cluster takes one of the samples
    farthest (in squared distance) from their assigned centroid. Samples already
    on their centroid are not taken, so fewer than ``n_empty`` may come back
    (only when there are more clusters than distinct samples). On it means
    within the rounding of the centroid, a mean of the samples: a cluster of
    copies of one point has that point for centroid but for the rounding of
    the sum, and re-seeding from it would move copies between coinciding
    centroids at every iteration.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
    centers : ndarray of shape (n_clusters, n_features)
    labels : ndarray of shape (n_samples,)
        The assignment that left clusters empty.
    n_empty : int

    Returns
    -------
    indices : ndarray of shape (n_moved,)
        Rows of X, in decreasing order of distance; the i-th goes to the i-th
        empty cluster.
    """
    dist = _distances_to_own_center(X, centers, labels)
    # The sum over up to n samples in float64 rounds by n eps64 of their
    # magnitude, the centroid's cast to the dtype of X by its eps.
    rounding = X.shape[0] * np.finfo(np.float64).eps + 4 * np.finfo(X.dtype).eps
    noise = rounding**2 * (
        row_norms(X, squared=True) + row_norms(centers, squared=True)[labels]
    )
    dist = np.where(dist > noise, dist, 0)
    n_move = min(n_empty, int(np.count_nonzero(dist)))
    if n_move == 0:
        return np.empty(0, dtype=np.intp)
    return np.argpartition(dist, -n_move)[: -n_move - 1 : -1]
