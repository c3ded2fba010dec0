"""The elbow method: choose the number of clusters K at the knee of J(K)."""

import warnings
from numbers import Integral

import numpy as np
from sklearn.metrics import pairwise_distances, silhouette_score
from sklearn.utils import check_random_state

from ..utils._callbacks import begin_fit
from ..utils._compat import Interval, StrOptions
from ..utils._dask import is_dask_array
from ..utils._params import store_params
from ..utils._rules import kneedle as _kneedle
from ..utils._rules import log_difference_curve as _difference_curve
from ._base import _BaseKMeans, fill_cluster_doc
from ._common import _collapse_duplicates
from ._kmeans import KMeans

_SILHOUETTE_MAX_SAMPLES = 2000  # O(n^2): beyond, the silhouette of a subsample


class NoElbowWarning(UserWarning):
    """Warning of :class:`ElbowKMeans` when J(K) shows no elbow: it says why, and
    which K the silhouette would pick (the smallest K of the range is used)."""


def _elbow_of(k_values, distortions, repeated):
    """Index of the elbow of J(K), or None and why: Kneedle on ``log J``.

    A last J of zero (no logarithm) is left out; it is the elbow when the rest
    bends nowhere below its chord and every distinct sample is ``repeated``.
    """
    m = len(k_values)
    if m < 2 or distortions[-1] > 1e-12 * distortions.max():
        return _kneedle(k_values, distortions)
    knee, reason = _kneedle(k_values[:-1], distortions[:-1])
    if knee is None and repeated:
        diff, _ = _difference_curve(k_values[:-1], distortions[:-1])
        if diff is not None and diff.max() <= 1e-9:
            return m - 1, None
    return knee, reason


class _Progress:
    """What ElbowKMeans(verbose=1) prints per K: a line, or a bar beyond 20 K."""

    def __init__(self, n_total, width=30):
        self.n_total, self.n_done, self.width = n_total, 0, width

    def update(self, k, distortion, silhouette):
        self.n_done += 1
        if self.n_total <= 20:
            sil = "" if silhouette is None else f", silhouette = {silhouette:.4f}"
            return print(f"K = {k}: J = {distortion:.6g}{sil}")
        bar = "#" * (self.width * self.n_done // self.n_total)
        line = f"[{bar.ljust(self.width, '.')}] {self.n_done}/{self.n_total} K = {k}"
        end = "\n" if self.n_done == self.n_total else ""  # padded over the last
        print("\r" + f"{line}: J = {distortion:.4g}".ljust(self.width + 40), end=end,
              flush=True)


# The parameters ElbowKMeans hands to each of its KMeans.
_KMEANS_PARAMS = ("init", "n_init", "max_iter", "tol", "empty_cluster", "algorithm")


@fill_cluster_doc
class ElbowKMeans(_BaseKMeans):
    """K-means with the number of clusters chosen by the elbow method.

    Fits :class:`KMeans` for every K in ``[k_min, k_max]`` and keeps the K at the
    knee of ``log J(K)`` (Kneedle, Satopaa et al., 2011): each added cluster is
    judged by the fraction of J it removes. The silhouette of each K >= 2 is
    reported beside it.

    Parameters
    ----------
    k_min : int, default=1
        Smallest K tried.
    k_max : int, default=10
        Largest K tried (at most the number of distinct samples).
    init : {"k-means++", "random"}, default="k-means++"
        Seeding of each KMeans (an array cannot serve every K).
    {cluster_parameters}
    random_state : int, RandomState instance or None, default=None
        Seeds every fit and the silhouette's subsample.
    verbose : int, default=0
        When > 0, each K's J and silhouette (a progress bar beyond 20 K);
        ``verbose - 1`` goes to each KMeans.

    Attributes
    ----------
    k_values_ : ndarray of shape (n_k,)
        The values of K fitted.
    distortions_ : ndarray of shape (n_k,)
        J(K) for each of ``k_values_`` (weighted mean with ``sample_weight``).
    n_clusters_ : int
        The chosen K: the elbow, else the smallest K (:class:`NoElbowWarning`).
    elbow_found_ : bool
        Whether J(K) had an elbow.
    silhouette_scores_ : dict of int to float
        Unweighted mean silhouette at each K >= 2 where defined, on at most
        2000 samples.
    silhouette_n_clusters_ : int or None
        The K of the largest silhouette, None when none is defined.
    estimator_ : KMeans
        The KMeans fitted at ``n_clusters_``.
    labels_ : ndarray of shape (n_samples,)
        ``estimator_.labels_``.
    cluster_centers_ : ndarray of shape (n_clusters, n_features)
        ``estimator_.cluster_centers_``.
    n_iter_ : int
        ``estimator_.n_iter_``.
    {cluster_attributes}

    See Also
    --------
    KMeans : k-means at a given K.
    ElbowDisplay : Plots J(K) with the chosen K.

    Notes
    -----
    The knee: the first local maximum of ``1 - y - x`` (K and ``log J`` scaled to
    [0, 1]) after which it falls by at least ``1 / (n_k - 1)``. Without one (fewer
    than three K, a flat, straight or concave curve) a :class:`NoElbowWarning` is
    issued. Integer weights give the same J(K), K and model as repeated rows.

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
    _parameter_constraints: dict = {
        "k_min": [Interval(Integral, 1, None, closed="left")],
        "k_max": [Interval(Integral, 1, None, closed="left")],
        **{k: v for k, v in KMeans._parameter_constraints.items() if k != "n_clusters"},
        # One array of initial centroids cannot serve every K of the range.
        "init": [StrOptions({"k-means++", "random"})],
    }

    def __init__(
        self, k_min=1, k_max=10, *, init="k-means++", n_init="auto",
        max_iter=300, tol=1e-4, empty_cluster="reinit", algorithm="hamerly",
        random_state=None, verbose=0,
    ):
        store_params(self, locals())

    def _fit(self, X, sample_weight):
        if self.k_min > self.k_max:
            raise ValueError(f"k_min={self.k_min} must not exceed k_max={self.k_max}.")
        dask = is_dask_array(X)
        if dask:  # distinct rows unknown without gathering X: the range as given
            point_weight, sample_weight = np.ones(X.shape[0]), None
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
        kmeans_params["verbose"], fits, silhouettes = max(0, self.verbose - 1), [], {}
        progress = _Progress(len(k_values)) if self.verbose else None
        task = begin_fit(self, len(k_values), X=None if dask else X)
        for k, seed in zip(k_values, seeds):
            km = KMeans(int(k), random_state=int(seed), **kmeans_params)
            scan = task.subtask(f"K={k}")
            with scan.propagate(km):  # KMeans' own progress nests under K
                fits.append(km.fit(X, sample_weight=sample_weight))
            scan.end()
            labels = km.predict(X_sil) if dask else km.labels_[rows]
            if 2 <= np.unique(labels).size <= len(rows) - 1:
                silhouettes[int(k)] = float(silhouette_score(
                    sil_distances, labels, metric="precomputed"))
            if progress is not None:
                progress.update(int(k), km.distortion_, silhouettes.get(int(k)))

        task.end({})
        self.k_values_, self.silhouette_scores_ = k_values, silhouettes
        self.distortions_ = np.asarray([km.distortion_ for km in fits])
        self.silhouette_n_clusters_ = (
            max(silhouettes, key=silhouettes.get) if silhouettes else None)
        knee, reason = _elbow_of(
            k_values, self.distortions_, k_hi == n_distinct and point_weight.min() > 1
        )
        self.elbow_found_ = knee is not None
        if knee is None:  # no evidence for more clusters (the silhouette is unweighted)
            knee, sil_k = 0, self.silhouette_n_clusters_
            hint = "" if sil_k is None else f" (the silhouette would pick K={sil_k})"
            warnings.warn(
                f"No elbow in J(K) for K in [{k_lo}, {k_hi}]: {reason}. Falling back "
                f"to the smallest K of the range, K={k_values[0]}{hint}.",
                NoElbowWarning, stacklevel=4,
            )
        self.n_clusters_, self.estimator_ = int(k_values[knee]), fits[knee]
        self.labels_ = self.estimator_.labels_
        self.cluster_centers_ = self.estimator_.cluster_centers_
        self.n_iter_ = self.estimator_.n_iter_
        return self
