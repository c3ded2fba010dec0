"""What the clustering estimators share: checks, seeding, duplicate merging."""

import numpy as np
from sklearn.utils import check_array, check_random_state

from ..utils._linalg import row_norms, squared_distances
from ._kmeans_fast import closest_distances, has_copies, trial_potentials

# Up to this many features k-means++ uses the compiled passes.
_PLUSPLUS_COMPILED_FEATURES = 16


def _check_squares(largest, spread, dtype, what="X"):
    """Refuse data whose largest squared centred norm overflows ``dtype`` or, with
    distinct rows (``spread > 0``), falls to where distances round to 0."""
    info = np.finfo(dtype)
    if not np.isfinite(largest) or largest > info.max / 16:
        problem = "overflow"
    elif largest < info.tiny / info.eps and spread > 0:
        problem = "underflow"
    else:
        return
    raise ValueError(
        f"The squared distances of {what} {problem} {np.dtype(dtype).name}: its "
        "values are too large or too small for k-means in this precision. Scale "
        "the data first (e.g. with StandardScaler, or multiply them by a constant)."
    )


def _collapse_duplicates(X, sample_weight):
    """Identical rows merged into one of their summed weight, zero weights dropped.

    Returns the distinct rows, sorted (integer weights and repeated rows give the
    same seeds; rows of weight 1 without copies stay as given), their weights and
    each row's distinct row (-1 for weight 0).
    """
    keep = sample_weight > 0
    Xk, wk = (X, sample_weight) if keep.all() else (X[keep], sample_weight[keep])
    if np.all(wk == 1) and not has_copies(Xk):
        index = np.full(X.shape[0], -1, dtype=np.intp)
        index[keep] = np.arange(Xk.shape[0])
        return Xk, wk.astype(X.dtype, copy=False), index
    # Sorted on the first column; only tied runs that are not copies of one row
    # are lexsorted, so copies become neighbours (cheaper than a full lexsort).
    order = np.argsort(Xk[:, 0])
    if Xk.shape[1] > 1 and len(order) > 1:
        first = Xk[order, 0]
        tied = np.r_[False, first[1:] == first[:-1]]
        run = np.cumsum(~tied) - 1
        head = order[np.flatnonzero(~tied)]
        pos = np.flatnonzero(tied)
        differs = np.any(Xk[order[pos]] != Xk[head[run[pos]]], axis=1)
        if differs.any():
            to_sort = np.isin(run, np.unique(run[pos[differs]]))
            rows = order[to_sort]
            order[to_sort] = rows[np.lexsort(Xk[rows].T[::-1])]
    Xs = Xk[order]
    new = np.r_[True, Xs[1:, 0] != Xs[:-1, 0]]
    tied = np.flatnonzero(~new)
    new[tied] = np.any(Xs[tied] != Xs[tied - 1], axis=1)
    group = np.cumsum(new) - 1
    index = np.full(X.shape[0], -1, dtype=np.intp)
    index[np.flatnonzero(keep)[order]] = group
    if new.all():
        return Xs, wk[order].astype(X.dtype), index
    weight = np.bincount(group, weights=wk[order], minlength=group[-1] + 1)
    return Xs[new], weight.astype(X.dtype), index


def _kmeans_plusplus(X, n_clusters, random_state, sample_weight=None,
                     n_local_trials=None):
    """Greedy k-means++ seeding, scikit-learn's ``kmeans_plusplus`` draw for draw:
    ``(centers, indices of the rows chosen)``."""
    random_state = check_random_state(random_state)
    n_samples, n_features = X.shape
    if sample_weight is None:
        sample_weight = np.ones(n_samples, dtype=X.dtype)
    if n_local_trials is None:
        n_local_trials = 2 + int(np.log(n_clusters))
    # Few features: compiled passes; many: matrix products (BLAS wins there).
    compiled = n_features <= _PLUSPLUS_COMPILED_FEATURES
    x_sq = None if compiled else row_norms(X, squared=True)

    def sq_dist_to(rows):
        return squared_distances(X[rows], X, X_sq=x_sq[rows], Y_sq=x_sq)

    indices = np.full(n_clusters, -1, dtype=np.intp)
    indices[0] = random_state.choice(n_samples, p=sample_weight / sample_weight.sum())
    closest_dist_sq = (closest_distances(X, X[indices[0]]) if compiled
                       else sq_dist_to([indices[0]])[0])
    current_pot = closest_dist_sq @ sample_weight
    for c in range(1, n_clusters):
        rand_vals = random_state.uniform(size=n_local_trials) * current_pot
        candidate_ids = np.searchsorted(np.cumsum(sample_weight * closest_dist_sq),
                                        rand_vals)
        # Rounding in the cumulative sum can push a draw one past the end.
        np.clip(candidate_ids, None, n_samples - 1, out=candidate_ids)
        if compiled:
            candidates_pot = trial_potentials(X, sample_weight, closest_dist_sq,
                                              X[candidate_ids])
            best = int(np.argmin(candidates_pot))
            closest_dist_sq = closest_distances(X, X[candidate_ids[best]],
                                                closest_dist_sq)
        else:
            dist = np.minimum(closest_dist_sq, sq_dist_to(candidate_ids))
            candidates_pot = dist @ sample_weight
            best = int(np.argmin(candidates_pot))
            closest_dist_sq = dist[best]
        current_pot = candidates_pot[best]
        indices[c] = candidate_ids[best]
    return X[indices], indices


def _is_seeded(init):
    """Whether ``init`` draws its centroids (a name or a callable), not an array."""
    return isinstance(init, str) or callable(init)


def _init_centroids(X, n_clusters, init, random_state, sample_weight=None):
    """Initial centroids: ``"random"`` distinct points drawn by weight (repeated
    when too few), ``"k-means++"``, a callable's or an array (checked, copied)."""
    n_samples, n_features = X.shape
    if isinstance(init, str) and init == "k-means++":
        return _kmeans_plusplus(X, n_clusters, random_state, sample_weight)[0]
    if isinstance(init, str) and init == "random":
        random_state = check_random_state(random_state)
        if sample_weight is None:
            sample_weight = np.ones(n_samples, dtype=X.dtype)
        # Distinct points: two seeds on copies of one point would lose a cluster.
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
        raise ValueError(f"init must be 'k-means++', 'random' or an array: {init!r}.")
    if callable(init):  # scikit-learn's protocol: init(X, n_clusters, random_state)
        init = init(X, n_clusters, random_state=check_random_state(random_state))
    centers = check_array(init, dtype=X.dtype, copy=True, input_name="init")
    for axis, what, size in ((0, "clusters", n_clusters), (1, "features of the data",
                                                           n_features)):
        if centers.shape[axis] != size:
            raise ValueError(
                f"The shape of the initial centers {centers.shape} does not match "
                f"the number of {what} {size}: the init array has shape "
                f"{centers.shape}; expected (n_clusters, n_features) = "
                f"({n_clusters}, {n_features})."
            )
    return centers
