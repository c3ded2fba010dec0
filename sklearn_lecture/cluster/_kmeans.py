"""K-means clustering: the lecture's Lloyd iteration and the KMeans estimator.

:func:`_lloyd` is the iteration as the lecture writes it; ``algorithm="hamerly"``
(the default) runs the same iteration on the accelerated engine of
:mod:`._kmeans_fast`. Seeding, duplicate merging and the ``n_clusters`` check are
in :mod:`._common`, predict/transform/score in :class:`._base._BaseKMeans`.
"""

import warnings
from numbers import Integral

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils import check_random_state
from sklearn.utils.validation import validate_data

from ..utils._compat import Interval, StrOptions, _check_sample_weight
from ..utils._dask import validate_dask_head
from ..utils._linalg import (
    expansion_rounding,
    group_sums,
    power_of_two_scale,
    row_norms,
    squared_distances,
)
from ..utils._params import store_params
from ..utils._validation import fit_guard
from ._base import _BaseKMeans
from ._common import (
    _check_n_clusters,
    _collapse_duplicates,
    _distances_to_own_center,
    _farthest_samples,
    _init_centroids,
)
from ._kmeans_fast import (
    _assignment_origin,
    _lloyd_hamerly,
    _weighted_column_sums,
)


def _inertia(X, w, centers, labels):
    """``sum_t w_t ||x_t - mu_{c(t)}||^2``, summed in float64."""
    return float(_distances_to_own_center(X, centers, labels).astype(np.float64) @ w)


def _lloyd(X, w, centers, *, max_iter, tol, empty_cluster):
    """Lloyd's iteration from the given centroids, as the lecture writes it.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
    w : ndarray of shape (n_samples,) or None
        Sample weights; None means all ones.
    centers : ndarray of shape (n_clusters, n_features)
    max_iter : int
    tol : float
        Stop when the summed squared shift of the centroids is at most this.
    empty_cluster : {"reinit", "remove"}
        See :class:`KMeans`.

    Returns
    -------
    labels : ndarray of shape (n_samples,)
    centers : ndarray of shape (n_clusters, n_features)
    inertia : float
    n_iter : int
    distortion_history : ndarray of shape (n_iter,)
        J after each iteration.
    margin : None
        Where the accelerated engine returns how far each label is from a tie;
        not computed here, so the estimator checks every label against predict.
    """
    w = np.ones(X.shape[0]) if w is None else w
    w_total = float(w.sum(dtype=np.float64))
    labels = np.full(X.shape[0], -1)
    history = []
    for n_iter in range(1, max_iter + 1):
        # Assignment step: every sample to its nearest centroid (||x||^2 is the
        # same for all centroids, so the argmin needs only ||c||^2 - 2 x.c).
        previous = labels
        labels = squared_distances(X, centers, X_sq=0).argmin(axis=1)
        converged = np.array_equal(labels, previous)
        members = labels.copy()
        counts = np.bincount(labels, minlength=len(centers))
        empty = np.flatnonzero(counts == 0)
        if len(empty) and empty_cluster == "reinit":
            # Each empty cluster takes one of the samples farthest from their
            # centroid (scikit-learn's rule); the iteration goes on.
            far = _farthest_samples(X, centers, labels, len(empty))
            members[far] = empty[: len(far)]
            converged = converged and len(far) == 0
        elif len(empty):
            # Drop the centroids left without samples and renumber the others.
            keep = counts > 0
            labels = members = (np.cumsum(keep) - 1)[labels]
            centers = centers[keep]
        # Update step: every centroid moves to the weighted mean of its members
        # (one left without members stays where it is).
        sums = group_sums(X, members, len(centers), w)
        weights = np.bincount(members, weights=w, minlength=len(centers))
        filled = weights > 0
        new_centers = centers.copy()
        new_centers[filled] = sums[filled] / weights[filled, None]
        # The lecture's distortion J = (1 / n) sum_t ||x_t - mu_c(t)||^2.
        history.append(_inertia(X, w, new_centers, members) / w_total)
        shift = np.sum((new_centers.astype(np.float64) - centers) ** 2)
        centers = new_centers
        if converged or shift <= tol:
            break
    if not converged:
        labels = squared_distances(X, centers, X_sq=0).argmin(axis=1)
    inertia = _inertia(X, w, centers, labels)
    return labels, centers, inertia, n_iter, np.asarray(history), None


def _report_run(run, run_index, n_init, scale, w_total):
    """Print J after each iteration of one run, then its inertia (``verbose``)."""
    _, _, inertia, n_iter, history, _ = run
    with np.errstate(over="ignore"):
        for i, j in enumerate(history / scale / scale, start=1):
            print(f"Run {run_index + 1}/{n_init}, iteration {i}: J = {j:.6g}")
        inertia = inertia / scale / scale
    print(
        f"Run {run_index + 1}/{n_init} done after {n_iter} iterations: "
        f"inertia = {inertia:.6g}, J = {inertia / w_total:.6g}"
    )


class KMeans(_BaseKMeans):
    """K-means clustering by Lloyd's iteration, as in the lecture.

    Each iteration assigns every sample to its nearest centroid and moves every
    centroid to the (weighted) mean of its samples, which never increases the
    distortion ``J = (1 / n) sum_t ||x_t - mu_{c(t)}||^2``; it stops when the
    assignment no longer changes, when the centroids move less than the tolerance,
    or after ``max_iter`` iterations. From the same initial centroids it computes
    what scikit-learn's ``KMeans(algorithm="lloyd")`` computes.

    Parameters
    ----------
    n_clusters : int, default=8
        The number K of clusters.

    init : {"k-means++", "random"} or array-like of shape (n_clusters, n_features), \
            default="k-means++"
        ``"random"``: the lecture's start, K distinct samples chosen at random
        (with probability proportional to their weight). ``"k-means++"``: greedy
        k-means++ seeding, samples far from the chosen centroids being likelier.
        An array: the initial centroids themselves.

    n_init : "auto" or int, default="auto"
        Number of runs from different seeds; the run of lowest inertia is kept.
        ``"auto"``: 1 for ``"k-means++"`` and for an array, 10 for ``"random"``.

    max_iter : int, default=300
        Maximum number of iterations of one run.

    tol : float, default=1e-4
        Convergence tolerance on the summed squared centroid shift, relative to the
        mean variance of the features (as scikit-learn). ``tol=0`` iterates until
        the assignment stops changing or ``max_iter``.

    empty_cluster : {"reinit", "remove"}, default="reinit"
        What to do when a cluster loses all its samples. ``"reinit"``: re-seed it
        at the sample farthest from its centroid (scikit-learn's rule).
        ``"remove"``: drop its centroid; the fitted model then has fewer clusters
        (``n_clusters_``) and predict never returns a removed label.

    algorithm : {"hamerly", "lloyd"}, default="hamerly"
        How the iteration is computed; both give the same partition at every
        iteration (up to ties within rounding), as scikit-learn's ``"lloyd"``
        and ``"elkan"`` do. ``"lloyd"``: the lecture's iteration written to be
        read (``_lloyd`` in ``cluster/_kmeans.py``), one full assignment and one
        full update per iteration. ``"hamerly"``: the accelerated engine of
        ``cluster/_kmeans_fast.py`` (blocked assignment on several threads,
        Hamerly's distance bounds to skip the samples that cannot change
        cluster, incremental cluster sums), several times faster on large data.

    random_state : int, RandomState instance or None, default=None
        Seeds the initialisation.

    verbose : int, default=0
        Print the lecture's J after each iteration of every run, then the
        inertia of each run, when > 0.

    Attributes
    ----------
    cluster_centers_ : ndarray of shape (n_clusters_, n_features)
        The centroids.

    labels_ : ndarray of shape (n_samples,)
        The cluster of each training sample: what ``predict`` gives it, a
        sample tied within rounding between two centroids included.

    inertia_ : float
        Weighted sum of squared distances of the samples to their centroid.

    distortion_ : float
        The lecture's J: ``inertia_ / n_samples``; with ``sample_weight`` the
        weighted mean, ``inertia_ / sum(sample_weight)``.

    distortion_history_ : ndarray of shape (n_iter_,)
        J after the centroid update of each iteration of the kept run;
        non-increasing (up to rounding). The final ``distortion_``, measured after
        a last assignment, is at most its last value.

    n_iter_ : int
        Iterations of the kept run.

    n_clusters_ : int
        Number of clusters of the fitted model: ``n_clusters`` unless
        ``empty_cluster="remove"`` dropped some.

    n_features_in_ : int
        Number of features seen during fit.

    feature_names_in_ : ndarray of shape (n_features_in_,)
        Names of features seen during fit, when X has feature names that are all
        strings.

    See Also
    --------
    ElbowKMeans : Chooses K by the elbow of J(K).
    FuzzyKMeans : Soft memberships instead of hard assignments.
    sklearn.cluster.KMeans : scikit-learn's k-means (Lloyd or Elkan).

    Notes
    -----
    scipy sparse X (CSR, or any format, converted) is accepted by ``fit``,
    ``predict``, ``transform`` and ``score`` as by scikit-learn's KMeans, and
    gives the partition of the same data dense: it is densified first, since
    the centring, the seeding and the duplicate merge work on dense rows
    (memory ``n_samples * n_features`` floats).

    Rows of zero weight are dropped before fitting. For the seeded starts
    (``"k-means++"``, ``"random"``) identical rows are first merged into one row
    carrying their summed weight, in an order that does not depend on the order of
    X: integer weights then give exactly the model that repeating rows gives, with
    the same seed. An array ``init`` needs no such merge.

    With ``algorithm="hamerly"`` the assignment step computes ``||c||^2 - 2 x.c``
    by blocks of rows (a matrix product that stays in cache), on two or more
    threads for large X; the update sums each cluster with one sparse indicator
    product. Once the centroids settle, distance bounds (Hamerly, 2010) skip the
    samples that cannot change cluster and the sums are updated by the samples
    that moved; every iteration still yields the partition of plain Lloyd. The
    data are centred first, as scikit-learn does, to keep the expansions
    accurate.

    References
    ----------
    S. Lloyd, "Least squares quantization in PCM", IEEE Trans. Information Theory,
    28(2), 1982.

    D. Arthur and S. Vassilvitskii, "k-means++: the advantages of careful seeding",
    SODA 2007.

    G. Hamerly, "Making k-means even faster", SDM 2010.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_lecture import KMeans
    >>> X = np.array([[1, 2], [1, 4], [1, 0], [10, 2], [10, 4], [10, 0]])
    >>> km = KMeans(n_clusters=2, random_state=0).fit(X)
    >>> km.cluster_centers_[np.argsort(km.cluster_centers_[:, 0])]
    array([[ 1.,  2.],
           [10.,  2.]])
    >>> km.distortion_
    2.666...
    >>> km.predict([[0, 0], [12, 3]]) == km.predict([[1, 2], [10, 2]])
    array([ True,  True])
    """

    _accepts_sparse = True

    _parameter_constraints: dict = {
        **_BaseKMeans._parameter_constraints,
        "n_init": [StrOptions({"auto"}), Interval(Integral, 1, None, closed="left")],
        "empty_cluster": [StrOptions({"reinit", "remove"})],
        "algorithm": [StrOptions({"hamerly", "lloyd"})],
    }

    def __init__(
        self,
        n_clusters=8,
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

    def _resolved_n_init(self, seeded):
        if self.n_init == "auto":
            return 10 if (seeded and self.init == "random") else 1
        if not seeded and self.n_init != 1:
            warnings.warn(
                f"An explicit init array was given, so n_init={self.n_init} runs "
                "would all be the same; doing one.",
                RuntimeWarning,
                stacklevel=5,
            )
            return 1
        return self.n_init

    def _fit(self, X, sample_weight):
        # A fit starts anew: forget the mini-batch state of partial_fit.
        for name in ("_counts", "n_steps_"):
            self.__dict__.pop(name, None)
        seeded = isinstance(self.init, str)
        if seeded:
            X_fit, w_fit, index = _collapse_duplicates(X, sample_weight)
        else:
            init = _init_centroids(X, self.n_clusters, self.init, None)
            positive = sample_weight > 0
            index = np.full(X.shape[0], -1, dtype=np.intp)
            index[positive] = np.arange(np.count_nonzero(positive))
            X_fit = X if positive.all() else X[positive]
            w_fit = sample_weight[positive]
        n_init = self._resolved_n_init(seeded)
        random_state = check_random_state(self.random_state)

        # Data so large (~1e155) or small (~1e-155) that their squares overflow
        # or underflow are fitted times a power of two: exact, and k-means is
        # scale-equivariant, so the partition is that of the data themselves.
        scale = power_of_two_scale(X_fit)
        X_given = X_fit
        if scale != 1.0:
            X_fit = X_fit * X.dtype.type(scale)
            if not seeded:
                init = init * X.dtype.type(scale)
        w_total = float(w_fit.sum(dtype=np.float64))
        mean = _weighted_column_sums(X_fit, w_fit) / w_total
        # Centring keeps ||c||^2 - 2 x.c accurate for data far from the origin.
        X_c = X_fit - mean.astype(X.dtype)
        w = None if np.all(w_fit == 1) else w_fit
        x_sq = row_norms(X_c, squared=True).astype(np.float64, copy=False)
        # scikit-learn's tolerance: tol times the mean variance of the features.
        tol = self.tol * float(x_sq @ w_fit) / (w_total * X.shape[1])
        if seeded and X_fit.shape[0] < self.n_clusters:
            warnings.warn(
                f"X has only {X_fit.shape[0]} distinct samples (of positive weight) "
                f"for n_clusters={self.n_clusters}; some clusters stay empty.",
                ConvergenceWarning,
                stacklevel=4,
            )

        best = None
        rtol = 1e-5 if X.dtype == np.float32 else 1e-10
        for run_index in range(n_init):
            if seeded:
                centers = _init_centroids(
                    X_c, self.n_clusters, self.init, random_state, w_fit
                )
            else:
                centers = init - mean.astype(X.dtype)
            options = dict(
                max_iter=self.max_iter, tol=tol, empty_cluster=self.empty_cluster
            )
            if self.algorithm == "lloyd":
                run = _lloyd(X_c, w, centers, **options)
            else:
                run = _lloyd_hamerly(X_c, w, centers, **options, x_sq=x_sq)
            if self.verbose:
                _report_run(run, run_index, n_init, scale, w_total)
            # A later run must be better by more than rounding: runs ending in
            # the same partition (numbered otherwise) then keep the first, in
            # either engine and either dtype.
            if best is None or run[2] < best[2] * (1.0 - rtol):
                best = run
        labels, centers, inertia, n_iter, history, margin = best

        self._scale = scale
        self._scaled_inertia = float(inertia)
        self.cluster_centers_ = ((centers + mean) / scale).astype(X.dtype, copy=False)
        self.n_clusters_ = self.cluster_centers_.shape[0]
        with np.errstate(over="ignore"):
            # Can overflow to inf for data of magnitude ~1e155: the true value.
            self.inertia_ = float(inertia) / scale / scale
        self.distortion_ = self.inertia_ / w_total
        with np.errstate(over="ignore"):
            self.distortion_history_ = history / scale / scale
        self.n_iter_ = int(n_iter)
        labels = self._labels_as_predicted(X_given, labels, margin, x_sq, mean)
        dropped = index < 0
        self.labels_ = np.empty(X.shape[0], dtype=np.intp)
        self.labels_[~dropped] = labels[index[~dropped]]
        if dropped.any():
            self.labels_[dropped] = self._predict_validated(X[dropped])
        n_used = np.unique(labels).size
        if self.empty_cluster == "reinit" and n_used < self.n_clusters_ and not (
            seeded and X_fit.shape[0] < self.n_clusters
        ):
            warnings.warn(
                f"Number of distinct clusters ({n_used}) found smaller than "
                f"n_clusters ({self.n_clusters_}). Possibly due to duplicate points "
                "in X.",
                ConvergenceWarning,
                stacklevel=4,
            )
        return self

    def _labels_as_predicted(self, X_fit, labels, margin, x_sq, mean):
        """The fit's labels of the rows X_fit, with ties decided as predict does.

        The fit assigns the centred data to the centred centroids; predict the
        data to ``cluster_centers_``. Both are exact but for rounding, so only
        a sample whose nearest centroid beats the next by less than the
        rounding of either (``margin``, from the engine; None: unknown) can
        get two answers: those few are assigned again as predict assigns
        them, and ``labels_`` is ``predict`` of the training data.

        ``margin``, ``x_sq`` (squared norms of the rows centred on ``mean``)
        and ``mean`` are in the units of the fit, times ``_scale``.
        """
        if margin is None:
            return self._predict_validated(X_fit)
        rel_err = expansion_rounding(X_fit.shape[1], X_fit.dtype)
        # The squared norms predict's rounding is relative to, from the point
        # it scores relative to: the centroids' as stored, the rows' bounded by
        # ||x - o||^2 <= 2 (x_sq + ||mean - o||^2); times 4 for predict's two
        # scores and the rounding of the stored centroids.
        centers = self.cluster_centers_ * X_fit.dtype.type(self._scale)
        origin = _assignment_origin(centers, X_fit.dtype)
        if origin is not None:
            mean, centers = mean - origin, centers - origin
        c_sq_max = float(row_norms(centers, squared=True).max())
        window = (4.0 * rel_err) * (
            2.0 * x_sq + (2.0 * float(mean @ mean) + c_sq_max)
        )
        uncertain = np.flatnonzero(margin <= window)
        if len(uncertain):
            labels = labels.copy()
            labels[uncertain] = self._predict_validated(X_fit[uncertain])
        return labels

    def _fit_dask(self, X, sample_weight):
        """Lloyd's iteration as one map-reduce per step over the blocks of X.

        In the units of the in-memory fit: the data centred, times the power
        of two that keeps their squares within float64 (one map-reduce of the
        blocks' moments finds both, and the scale of ``tol``).
        """
        from ._kmeans_dask import _checked, fit_units, kmeans_parallel_init, lloyd_dask

        if sample_weight is not None:
            raise ValueError("sample_weight is not supported with a dask array X.")
        X = validate_dask_head(
            self, X, dtype=[np.float64, np.float32], ensure_min_samples=2
        )
        _check_n_clusters(self.n_clusters, X.shape[0])
        units, variance = fit_units(X)
        scale, mean = units
        if isinstance(self.init, str) and self.init == "k-means++":
            centers = kmeans_parallel_init(
                X, self.n_clusters, self.random_state, units
            )
        elif isinstance(self.init, str):
            rng = check_random_state(self.random_state)
            rows = np.sort(rng.choice(X.shape[0], self.n_clusters, replace=False))
            centers = _checked(X[rows].compute(), units)
        else:
            centers = _init_centroids(
                np.empty((0, X.shape[1])), self.n_clusters, self.init, None
            )
            centers = _checked(centers, units)
        centers, inertia, n_iter, counts = lloyd_dask(
            X, centers, units=units, max_iter=self.max_iter, tol=self.tol * variance
        )
        # A fit starts anew; partial_fit continues from these clusters' sizes.
        self.__dict__.pop("n_steps_", None)
        self._counts = counts
        self._scale = scale
        self._scaled_inertia = float(inertia)
        self.cluster_centers_ = ((centers + mean) / scale).astype(X.dtype, copy=False)
        self.n_clusters_ = self.n_clusters
        with np.errstate(over="ignore"):
            # Can overflow to inf for data of magnitude ~1e155: the true value.
            self.inertia_ = float(inertia) / scale / scale
        self.distortion_ = self.inertia_ / X.shape[0]
        self.distortion_history_ = np.array([self.distortion_])
        self.n_iter_ = n_iter
        # Lazy, like the data: the cluster of each row, block by block.
        self.labels_ = self.predict(X)
        return self

    @fit_guard
    def partial_fit(self, X, y=None, sample_weight=None):
        """Update the centroids with one mini-batch (mini-batch k-means).

        The first call seeds the centroids on its batch: the best of three
        k-means runs on it from ``init`` with ``random_state`` (``n_init`` runs
        when it is an int), or the ``init`` array itself. Every call assigns the
        batch to the nearest centroids and moves each centroid towards the mean
        of its new samples with the
        per-centroid learning rate 1 / (number of samples it has seen), Sculley's
        (2010) update as scikit-learn's ``MiniBatchKMeans`` computes it. After
        ``fit``, ``partial_fit`` continues from the fitted centroids.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            A mini-batch; the first one needs at least ``n_clusters`` samples.
        y : Ignored
            Not used, present for API consistency.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights of the samples of the batch.

        Returns
        -------
        self : object
            The updated estimator; ``labels_``, ``inertia_`` and ``distortion_``
            describe the last batch, ``n_steps_`` counts the batches.
        """
        first = not hasattr(self, "cluster_centers_")
        X = validate_data(
            self, X, dtype=[np.float64, np.float32], order="C", reset=first
        )
        sample_weight = _check_sample_weight(
            sample_weight, X, dtype=X.dtype, ensure_non_negative=True
        )
        if first:
            _check_n_clusters(self.n_clusters, X.shape[0])
            if isinstance(self.init, str):
                # Seeded on the first batch by the best of a few k-means runs on
                # it: one unlucky seeding of a small batch is never undone by the
                # mini-batch updates.
                start = KMeans(
                    self.n_clusters,
                    init=self.init,
                    n_init=3 if self.n_init == "auto" else self.n_init,
                    max_iter=self.max_iter,
                    tol=self.tol,
                    algorithm=self.algorithm,
                    random_state=self.random_state,
                ).fit(X, sample_weight=sample_weight)
                centers = start.cluster_centers_.astype(np.float64)
            else:
                centers = _init_centroids(X, self.n_clusters, self.init, None)
                centers = centers.astype(np.float64)
            counts = np.zeros(self.n_clusters)
            history = []
        else:
            if self.cluster_centers_.shape[0] != self.n_clusters:
                raise ValueError(
                    f"partial_fit continues the model of "
                    f"{self.cluster_centers_.shape[0]} clusters, but n_clusters="
                    f"{self.n_clusters}; call fit to start anew."
                )
            centers = self.cluster_centers_.astype(np.float64)
            counts = getattr(self, "_counts", None)
            if counts is None:  # continuing a fit: its clusters' weights
                counts = np.bincount(
                    self.labels_, minlength=self.n_clusters
                ).astype(np.float64)
            history = list(getattr(self, "distortion_history_", []))
        X64 = X.astype(np.float64, copy=False)
        # Batches and centroids whose squares overflow or underflow (magnitude
        # ~1e155 or ~1e-155) are updated times a power of two: exact, and the
        # assignment and the update are scale-equivariant.
        scale = power_of_two_scale(X64, centers)
        if scale != 1.0:
            X64, centers = X64 * scale, centers * scale
        labels = squared_distances(X64, centers, X_sq=0).argmin(axis=1)
        w = sample_weight.astype(np.float64)
        batch_weight = np.bincount(labels, weights=w, minlength=len(centers))
        sums = group_sums(X64, labels, len(centers), w)
        counts = counts + batch_weight
        seen = batch_weight > 0
        centers[seen] += (
            sums[seen] - batch_weight[seen, None] * centers[seen]
        ) / counts[seen, None]

        # The batch on the updated centroids: its labels and inertia from one
        # distance computation (||x||^2 added back only where it is needed).
        d2 = squared_distances(X64, centers, X_sq=0)
        labels = d2.argmin(axis=1)
        nearest = d2[np.arange(len(labels)), labels] + row_norms(X64, squared=True)
        w_total = float(w.sum())
        self.cluster_centers_ = (centers / scale).astype(X.dtype)
        self.n_clusters_ = self.n_clusters
        self._scale = scale
        self._counts = counts
        self.labels_ = labels
        with np.errstate(over="ignore"):
            # Can overflow to inf for data of magnitude ~1e155: the true value.
            self.inertia_ = float(np.maximum(nearest, 0) @ w) / scale / scale
        self.distortion_ = self.inertia_ / w_total if w_total > 0 else 0.0
        self.distortion_history_ = np.asarray([*history, self.distortion_])
        self.n_steps_ = getattr(self, "n_steps_", 0) + 1
        self.n_iter_ = self.n_steps_
        return self
