"""The elbow method: choose the number of clusters K at the knee of J(K)."""

import warnings
from numbers import Integral

import numpy as np
from sklearn.metrics import pairwise_distances
from sklearn.utils import check_random_state

from ..utils._compat import Interval, StrOptions
from ..utils._dask import is_dask_array
from ..utils._params import store_params
from ..utils._rules import kneedle as _kneedle
from ..utils._rules import log_difference_curve as _difference_curve
from ._base import _BaseKMeans
from ._common import _collapse_duplicates
from ._kmeans import KMeans

# The silhouette costs O(n^2): above this many samples it is computed on a random
# subsample of this size (it is reported beside the elbow, never used to choose).
_SILHOUETTE_MAX_SAMPLES = 2000


class NoElbowWarning(UserWarning):
    """Warning raised by :class:`ElbowKMeans` when J(K) shows no elbow.

    The message says why (too few values of K, a flat curve, or a curve without a
    knee), which K was used instead (the smallest of the range) and which K the
    silhouette would pick.
    """


def _elbow_of(k_values, distortions, repeated):
    """Index of the elbow of J(K), or None and why.

    Kneedle on ``log J`` (:func:`_kneedle`), but for a J of zero at the end of
    the range: there every distinct sample is its own cluster, J has no
    logarithm, and any stand-in for it would decide the knee. That point is
    left out of the search. When the rest has no knee and ``repeated`` (the
    range ends at the number of distinct samples, each of them repeated, or
    weighing more than one) it is the elbow: the data are that many clusters
    of copies, the limit of ever tighter clusters, whose last cluster removes
    all that is left of J and whose J stays zero beyond. That takes a rest of
    three values or more whose ``log J`` bends nowhere below its chord: a bend
    that Kneedle's threshold did not confirm (two clusters of copies a hair
    apart) leaves the question open. For distinct single samples a zero says
    only that n points fit n centroids.
    """
    m = len(k_values)
    exact = m >= 2 and distortions[-1] <= 1e-12 * distortions.max()
    if not exact:
        return _kneedle(k_values, distortions)
    knee, reason = _kneedle(k_values[:-1], distortions[:-1])
    if knee is None and repeated:
        diff, _ = _difference_curve(k_values[:-1], distortions[:-1])
        if diff is not None and diff.max() <= 1e-9:
            return m - 1, None
    return knee, reason


def _silhouette(distances, labels):
    """Mean silhouette coefficient from a precomputed distance matrix.

    As :func:`sklearn.metrics.silhouette_score`: ``s = (b - a) / max(a, b)`` with
    ``a`` the mean distance to the other members of the own cluster and ``b`` the
    smallest mean distance to another cluster; 0 for a sample alone in its cluster.
    """
    _, labels = np.unique(labels, return_inverse=True)
    n_labels = labels.max() + 1
    counts = np.bincount(labels, minlength=n_labels)
    onehot = np.zeros((len(labels), n_labels))
    onehot[np.arange(len(labels)), labels] = 1.0
    sums = distances @ onehot
    own = sums[np.arange(len(labels)), labels]
    own_count = counts[labels] - 1
    a = np.divide(own, own_count, out=np.zeros_like(own), where=own_count > 0)
    means = sums / counts
    means[np.arange(len(labels)), labels] = np.inf
    b = means.min(axis=1)
    denom = np.maximum(a, b)
    # Zero for singletons, and for 0/0 (duplicates all at one place).
    ok = (own_count > 0) & (denom > 0)
    s = np.zeros_like(a)
    s[ok] = (b[ok] - a[ok]) / denom[ok]
    return float(s.mean())


# Up to this many values of K, verbose prints one line per K; beyond, a bar.
_PROGRESS_BAR_MIN_K = 20


class _Progress:
    """What ElbowKMeans(verbose=1) prints as each K is fitted."""

    def __init__(self, n_total, width=30):
        self.n_total, self.n_done, self.width = n_total, 0, width
        self.bar = n_total > _PROGRESS_BAR_MIN_K

    def update(self, k, distortion, silhouette):
        self.n_done += 1
        if not self.bar:
            sil = "" if silhouette is None else f", silhouette = {silhouette:.4f}"
            print(f"K = {k}: J = {distortion:.6g}{sil}")
            return
        filled = self.width * self.n_done // self.n_total
        bar = "#" * filled + "." * (self.width - filled)
        end = "\n" if self.n_done == self.n_total else ""
        line = f"[{bar}] {self.n_done}/{self.n_total} K = {k}: J = {distortion:.4g}"
        # Padded: a shorter line must cover the previous one.
        print("\r" + line.ljust(self.width + 40), end=end, flush=True)


# The parameters ElbowKMeans hands to each of its KMeans.
_KMEANS_PARAMS = ("init", "n_init", "max_iter", "tol", "empty_cluster", "algorithm")


class ElbowKMeans(_BaseKMeans):
    """K-means with the number of clusters chosen by the elbow method.

    Fits :class:`KMeans` for every K in ``[k_min, k_max]``, records the distortion
    ``J(K) = inertia / n_samples`` and keeps the K at the elbow of J(K): the knee
    found by Kneedle (Satopaa et al., 2011) on ``log J(K)`` scaled to the unit
    square. On the log scale each added cluster is judged by the fraction of J it
    removes, so the large first drops do not hide a later elbow (plain Kneedle on
    J often stops one cluster short).
    The silhouette of each K >= 2 is reported beside it, so that one sees when the
    two criteria disagree; the chosen K stays the elbow's.

    Parameters
    ----------
    k_min : int, default=1
        Smallest K tried.

    k_max : int, default=10
        Largest K tried. The range is clipped to what the data allow: K never
        exceeds the number of distinct samples (of positive weight), and when
        ``k_min`` exceeds that too, the range is that single K.

    init : {"k-means++", "random"}, default="k-means++"
        Seeding of each KMeans (see :class:`KMeans`); an array cannot serve every K.

    n_init : "auto" or int, default="auto"
        Runs per K (see :class:`KMeans`).

    max_iter : int, default=300
        Maximum iterations of each run.

    tol : float, default=1e-4
        Relative convergence tolerance of each run (see :class:`KMeans`).

    empty_cluster : {"reinit", "remove"}, default="reinit"
        Remedy for emptied clusters (see :class:`KMeans`).

    algorithm : {"hamerly", "lloyd"}, default="hamerly"
        How each KMeans computes its iteration (see :class:`KMeans`).

    random_state : int, RandomState instance or None, default=None
        Seeds every fit (each K gets its own seed drawn from it) and the subsample
        of the silhouette.

    verbose : int, default=0
        Report each K as it is fitted, when > 0: one line per K (its J and
        silhouette), or a progress bar for ranges of more than 20 values of K;
        ``verbose > 1`` also passes ``verbose - 1`` to each KMeans.

    Attributes
    ----------
    k_values_ : ndarray of shape (n_k,)
        The values of K fitted.

    distortions_ : ndarray of shape (n_k,)
        J(K) for each of ``k_values_`` (weighted mean with ``sample_weight``).

    n_clusters_ : int
        The chosen K: the elbow, or the smallest K of the range when there is
        none (see :class:`NoElbowWarning`).

    elbow_found_ : bool
        Whether J(K) had an elbow in the range.

    silhouette_scores_ : dict of int to float
        Mean silhouette coefficient of the fit at each K >= 2 where it is defined
        (2 <= number of clusters found <= n_samples - 1), computed without weights
        on at most 2000 samples of positive weight (a random subsample beyond).

    silhouette_n_clusters_ : int or None
        The K of the largest silhouette, None when none is defined.

    estimator_ : KMeans
        The KMeans fitted at ``n_clusters_``.

    labels_ : ndarray of shape (n_samples,)
        Labels of the training samples by ``estimator_``.

    cluster_centers_ : ndarray of shape (n_clusters, n_features)
        Centroids of ``estimator_``.

    n_iter_ : int
        Iterations of ``estimator_``.

    n_features_in_ : int
        Number of features seen during fit.

    feature_names_in_ : ndarray of shape (n_features_in_,)
        Names of features seen during fit, when X has feature names that are all
        strings.

    See Also
    --------
    KMeans : k-means at a given K.
    ElbowDisplay : Plots J(K) with the chosen K.

    Notes
    -----
    The knee: with ``x`` the K scaled to [0, 1] and ``y`` the scaled ``log J(K)``,
    the difference curve ``1 - y - x`` measures how far the curve lies below the
    chord joining its ends; its first local maximum after which it falls by at
    least ``1 / (n_k - 1)`` (Kneedle's threshold at sensitivity 1) is the elbow.

    When the range holds no elbow (fewer than three K, a flat curve, or no knee,
    as for a straight or concave J(K)), a :class:`NoElbowWarning` is issued and
    the smallest K of the range is used (the curve shows no evidence for more
    clusters); the warning also names the silhouette's K.

    A J of zero, at the end of a range clipped to the number of distinct
    samples, has no logarithm: the knee is sought among the other K. When they
    hold none and every distinct sample is repeated (its total weight above
    one), that last K is the elbow: the data are that many clusters of
    identical points, which the log scale sees as the limit of ever tighter
    clusters (J falls to nothing there and stays zero beyond). Distinct single
    samples make no such case: n points always fit n centroids.

    Sample weights act as repetitions: integer weights give the same J(K), the
    same K and the same model as repeated rows. The silhouette is computed
    without weights.

    References
    ----------
    V. Satopaa, J. Albrecht, D. Irwin and B. Raghavan, "Finding a 'Kneedle' in a
    Haystack: Detecting Knee Points in System Behavior", ICDCS Workshops, 2011.

    Examples
    --------
    >>> from sklearn.datasets import make_blobs
    >>> from sklearn_lecture import ElbowKMeans
    >>> X, _ = make_blobs(n_samples=300, centers=4, cluster_std=0.5, random_state=0)
    >>> elbow = ElbowKMeans(k_max=8, random_state=0).fit(X)
    >>> elbow.n_clusters_
    4
    >>> elbow.k_values_
    array([1, 2, 3, 4, 5, 6, 7, 8])
    >>> elbow.predict(X[:3]).shape
    (3,)
    """

    _accepts_sparse = True
    _fits_dask = True

    _parameter_constraints: dict = {
        "k_min": [Interval(Integral, 1, None, closed="left")],
        "k_max": [Interval(Integral, 1, None, closed="left")],
        **{
            name: constraint
            for name, constraint in KMeans._parameter_constraints.items()
            if name != "n_clusters"
        },
        # One array of initial centroids cannot serve every K of the range.
        "init": [StrOptions({"k-means++", "random"})],
    }

    def __init__(
        self,
        k_min=1,
        k_max=10,
        *,
        init="k-means++",
        n_init="auto",
        max_iter=300,
        tol=1e-4,
        empty_cluster="reinit",
        algorithm="hamerly",
        random_state=None,
        verbose=0,
    ):
        store_params(self, locals())

    def _fit(self, X, sample_weight):
        if self.k_min > self.k_max:
            raise ValueError(
                f"k_min={self.k_min} must not exceed k_max={self.k_max}."
            )
        dask = is_dask_array(X)
        if dask:  # distinct rows unknown without gathering X: the range as given
            point_weight = np.ones(X.shape[0])
            sample_weight = None
        else:
            _, point_weight, _ = _collapse_duplicates(X, sample_weight)
        n_distinct = point_weight.shape[0]
        k_hi = min(self.k_max, n_distinct)
        k_lo = min(self.k_min, k_hi)
        k_values = np.arange(k_lo, k_hi + 1)

        rng = check_random_state(self.random_state)
        seeds = rng.randint(np.iinfo(np.int32).max, size=len(k_values))
        rows = np.arange(X.shape[0]) if dask else np.flatnonzero(sample_weight > 0)
        if len(rows) > _SILHOUETTE_MAX_SAMPLES:
            rows = np.sort(rng.choice(rows, _SILHOUETTE_MAX_SAMPLES, replace=False))
        X_sil = X[rows].compute() if dask else X[rows]
        # The silhouette of every K uses the same distances: compute them once.
        sil_distances = pairwise_distances(X_sil) if len(rows) > 2 else None
        kmeans_params = {name: getattr(self, name) for name in _KMEANS_PARAMS}
        fits, distortions, silhouettes = [], [], {}
        kmeans_params["verbose"] = max(0, self.verbose - 1)
        progress = _Progress(len(k_values)) if self.verbose else None
        for k, seed in zip(k_values, seeds):
            km = KMeans(int(k), random_state=int(seed), **kmeans_params)
            km.fit(X, sample_weight=sample_weight)
            fits.append(km)
            distortions.append(km.distortion_)
            labels = km.predict(X_sil) if dask else km.labels_[rows]
            if 2 <= np.unique(labels).size <= len(rows) - 1:
                silhouettes[int(k)] = _silhouette(sil_distances, labels)
            if progress is not None:
                progress.update(int(k), km.distortion_, silhouettes.get(int(k)))

        self.k_values_ = k_values
        self.distortions_ = np.asarray(distortions)
        self.silhouette_scores_ = silhouettes
        self.silhouette_n_clusters_ = (
            max(silhouettes, key=silhouettes.get) if silhouettes else None
        )
        knee, reason = _elbow_of(
            k_values, self.distortions_, k_hi == n_distinct and point_weight.min() > 1
        )
        self.elbow_found_ = knee is not None
        if knee is None:
            # The smallest K: without an elbow the curve gives no evidence for
            # more clusters. (Not the silhouette's K: that one is unweighted, and
            # the choice must not depend on whether weights or repeated rows
            # express the same data.)
            knee = 0
            hint = (
                f" (the silhouette would pick K={self.silhouette_n_clusters_})"
                if self.silhouette_n_clusters_ is not None
                else ""
            )
            warnings.warn(
                f"No elbow in J(K) for K in [{k_lo}, {k_hi}]: {reason}. Falling back "
                f"to the smallest K of the range, K={k_values[0]}{hint}.",
                NoElbowWarning,
                stacklevel=4,
            )
        self.n_clusters_ = int(k_values[knee])
        self.estimator_ = fits[knee]
        self.labels_ = self.estimator_.labels_
        self.cluster_centers_ = self.estimator_.cluster_centers_
        self.n_iter_ = self.estimator_.n_iter_
        return self
