"""Mini-batch k-means: KMeans' model fitted by Sculley's rule on random batches."""

import warnings
from numbers import Integral, Real

import numpy as np
from sklearn.utils import check_random_state

from ..utils._callbacks import begin_fit
from ..utils._compat import Interval, StrOptions
from ..utils._dask import is_dask_array
from ..utils._linalg import group_sums
from ..utils._params import store_params
from ..utils._validation import fit_guard
from ._base import _BaseKMeans, fill_cluster_doc
from ._common import _check_squares, _collapse_duplicates, _init_centroids, _is_seeded
from ._kmeans import KMeans, _spread_step, sculley_update
from ._kmeans_fast import nearest_centers


@fill_cluster_doc
class MiniBatchKMeans(KMeans):
    """Mini-batch k-means (Sculley, 2010), as scikit-learn's ``MiniBatchKMeans``.

    Each step draws ``batch_size`` rows at random, assigns them to their nearest
    centroid and moves every centroid towards the mean of its rows at the rate
    1 / (weight it has seen): :meth:`KMeans.partial_fit`'s rule. Centroids that
    have seen little weight are re-seeded on rows of the batch
    (``reassignment_ratio``); the fit stops after ``max_iter`` passes over the
    data, when the centroids stop moving (``tol``) or when the smoothed batch
    inertia stops falling (``max_no_improvement``). Far cheaper than
    :class:`KMeans` on many rows, at a slightly higher inertia.

    Parameters
    ----------
    {cluster_parameters}
    max_iter : int, default=100
        Passes over the data (epochs) at most.
    batch_size : int, default=1024
        Rows per mini-batch.
    compute_labels : bool, default=True
        Assign every row and compute the inertia on all of X once the centroids
        are fitted; False leaves ``labels_`` unset and estimates ``inertia_``
        from the smoothed batch inertia.
    tol : float, default=0.0
        Stop when the summed squared shift of the centroids in one step is at
        most ``tol`` times the mean variance of the features (0: never).
    max_no_improvement : int or None, default=10
        Stop after this many steps without a new minimum of the smoothed batch
        inertia (None: never).
    init_size : int or None, default=None
        Rows drawn to seed the centroids (and, as many again, to compare the
        ``n_init`` seedings): None means ``3 * batch_size``, at least
        ``3 * n_clusters``, at most ``n_samples``.
    n_init : "auto" or int, default="auto"
        Seedings compared on the validation rows; the best is kept. "auto": 3
        for "random" and a callable, 1 for "k-means++".
    reassignment_ratio : float, default=0.01
        A centroid whose seen weight is below this fraction of the largest is
        moved to a random row of the batch (about every ``10 * n_clusters``
        rows seen, and whenever a centroid has seen none).

    Attributes
    ----------
    cluster_centers_ : ndarray of shape (n_clusters, n_features)
        The centroids.
    labels_ : ndarray of shape (n_samples,)
        ``predict`` of the training samples (with ``compute_labels``).
    inertia_ : float
        Weighted sum of squared distances of the samples to their centroid.
    distortion_ : float
        The lecture's J: ``inertia_ / sum(sample_weight)``.
    distortion_history_ : ndarray of shape (`n_steps_`,)
        J of each mini-batch on the centroids before its step.
    n_iter_ : int
        Passes over the data started.
    n_steps_ : int
        Mini-batches processed.
    n_clusters_ : int
        ``n_clusters``.
    {cluster_attributes}

    See Also
    --------
    KMeans : Lloyd's iteration on all the rows; its ``partial_fit`` applies the
        same rule to batches the caller gives.
    sklearn.cluster.MiniBatchKMeans : scikit-learn's, the same algorithm.

    References
    ----------
    D. Sculley, "Web-scale k-means clustering", WWW 2010.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_lecture import MiniBatchKMeans
    >>> X = np.array([[1, 2], [1, 4], [1, 0], [4, 2], [4, 0], [4, 4],
    ...               [4, 5], [0, 1], [2, 2], [3, 2], [5, 5], [1, -1]])
    >>> km = MiniBatchKMeans(n_clusters=2, batch_size=6, random_state=0).fit(X)
    >>> km.cluster_centers_.shape
    (2, 2)
    >>> bool(km.predict([[0, 0]])[0] != km.predict([[4, 4]])[0])
    True
    """

    _accepts_sparse = True
    _parameter_constraints: dict = {
        **_BaseKMeans._parameter_constraints,
        "n_init": [StrOptions({"auto"}), Interval(Integral, 1, None, closed="left")],
        "batch_size": [Interval(Integral, 1, None, closed="left")],
        "compute_labels": ["boolean"],
        "max_no_improvement": [Interval(Integral, 0, None, closed="left"), None],
        "init_size": [Interval(Integral, 1, None, closed="left"), None],
        "reassignment_ratio": [Interval(Real, 0, None, closed="left")],
    }

    def __init__(
        self, n_clusters=8, *, init="k-means++", max_iter=100, batch_size=1024,
        verbose=0, compute_labels=True, random_state=None, tol=0.0,
        max_no_improvement=10, init_size=None, n_init="auto", reassignment_ratio=0.01,
    ):
        store_params(self, locals())

    def _sizes(self, n_samples):
        """The batch and seeding sizes for ``n_samples`` rows."""
        self._batch_size = min(self.batch_size, n_samples)
        init_size = self.init_size
        if init_size is None:
            init_size = 3 * self._batch_size
            if init_size < self.n_clusters:
                init_size = 3 * self.n_clusters
        elif init_size < self.n_clusters:
            warnings.warn(f"init_size={init_size} should be larger than n_clusters="
                          f"{self.n_clusters}. Setting it to min(3*n_clusters, "
                          "n_samples)", RuntimeWarning, stacklevel=4)
            init_size = 3 * self.n_clusters
        self._init_size = min(init_size, n_samples)

    def _seed(self, X, sample_weight, rng):
        """Centroids seeded on ``_init_size`` rows drawn at random."""
        if _is_seeded(self.init) and self._init_size < X.shape[0]:
            rows = rng.randint(0, X.shape[0], self._init_size)
            X, sample_weight = X[rows], sample_weight[rows]
        return _init_centroids(X, self.n_clusters, self.init, rng, sample_weight)

    def _step(self, X, w, centers, counts, rng):
        """One mini-batch: the new centroids and counts, and the batch's inertia
        on the centroids before."""
        self._since_reassign += self._batch_size
        reassign = (counts == 0).any() or self._since_reassign >= 10 * self.n_clusters
        labels, inertia = nearest_centers(X, centers, w=w, inertia=True)
        K = centers.shape[0]
        centers, counts = sculley_update(centers, counts, group_sums(X, labels, K, w),
                                         np.bincount(labels, w, K))
        if reassign and self.reassignment_ratio > 0:
            self._since_reassign = 0
            low = counts < self.reassignment_ratio * counts.max()
            if low.sum() > 0.5 * X.shape[0]:  # at most half the batch re-seeds
                low[np.argsort(counts)[int(0.5 * X.shape[0]):]] = False
            if low.any():
                rows = rng.choice(X.shape[0], size=int(low.sum()), replace=False)
                if self.verbose:
                    print(f"[MiniBatchKMeans] Reassigning {low.sum()} cluster "
                          "centers.")
                centers[low] = X[rows]
            if not low.all():  # not so light that they are re-seeded at once
                counts[low] = counts[~low].min()
        return centers, counts, inertia

    def _converged(self, step, n_steps, n_samples, shift, inertia):
        """The stopping rules after a step, from the batch's mean inertia."""
        inertia /= self._batch_size
        if step == 1:
            if self.verbose:
                print(f"Minibatch step {step}/{n_steps}: mean batch inertia: "
                      f"{inertia}")
            return False
        alpha = min(1.0, self._batch_size * 2.0 / (n_samples + 1))
        self._ewa_inertia = (inertia if self._ewa_inertia is None else
                             self._ewa_inertia * (1 - alpha) + inertia * alpha)
        if self.verbose:
            print(f"Minibatch step {step}/{n_steps}: mean batch inertia: {inertia}, "
                  f"ewa inertia: {self._ewa_inertia}")
        if self._tol > 0 and shift <= self._tol:
            if self.verbose:
                print(f"Converged (small centers change) at step {step}/{n_steps}")
            return True
        if self._ewa_inertia_min is None or self._ewa_inertia < self._ewa_inertia_min:
            self._no_improvement, self._ewa_inertia_min = 0, self._ewa_inertia
        else:
            self._no_improvement += 1
        if (self.max_no_improvement is not None
                and self._no_improvement >= self.max_no_improvement):
            if self.verbose:
                print("Converged (lack of improvement in inertia) at step "
                      f"{step}/{n_steps}")
            return True
        return False

    def _check_batch(self, X, what):
        """X in float64, refused where its squared norms overflow or underflow
        (KMeans' check: its largest coordinate read only where that can be)."""
        X64 = X.astype(np.float64, copy=False)
        _, largest, peak = _spread_step(X64, None, None)
        _check_squares(largest, peak, X.dtype, what)
        return X64

    def _fit(self, X, sample_weight):
        if is_dask_array(X):
            raise ValueError("MiniBatchKMeans draws its batches from an in-memory X; "
                             "for a dask array use KMeans, or partial_fit on blocks.")
        self.__dict__.pop("_counts", None)
        dtype, X_all = X.dtype, self._check_batch(X, "X")
        w_all = sample_weight.astype(np.float64)
        # Copies merged into one row of their summed weight, zero weights dropped
        # (rows of weight 1 without copies stay as given): repeated rows and
        # integer weights give the same batches.
        X, w, _ = _collapse_duplicates(X_all, w_all)
        n_samples = X.shape[0]
        self._sizes(n_samples)
        n_init = self._n_init = self._resolved_n_init(_is_seeded(self.init), 3)
        rng = check_random_state(self.random_state)
        mean = w @ X / w.sum()
        spread = float(np.sum(w @ (X - mean) ** 2))
        self._tol = self.tol * spread / (w.sum() * X.shape[1])
        valid = rng.randint(0, n_samples, self._init_size)
        best = None
        for i in range(n_init):
            if self.verbose:
                print(f"Init {i + 1}/{n_init} with method {self.init}")
            centers = self._seed(X, w, rng).astype(np.float64)
            inertia = nearest_centers(X[valid], centers, w=w[valid], inertia=True)[1]
            if self.verbose:
                print(f"Inertia for init {i + 1}/{n_init}: {inertia}")
            if best is None or inertia < best[1]:
                best = centers, inertia
        centers, counts = best[0], np.zeros(self.n_clusters)
        self._since_reassign, self._no_improvement = 0, 0
        self._ewa_inertia = self._ewa_inertia_min = None
        n_steps = (self.max_iter * n_samples) // self._batch_size
        history, task = [], begin_fit(self, n_steps, X=X_all)
        # Batches drawn by weight, their rows then of weight 1 (scikit-learn's way):
        # RandomState.choice(n, size, p=p)'s draws, its cumulative sum done once.
        cdf, ones = np.cumsum(w / w.sum()), np.ones(self._batch_size)
        cdf /= cdf[-1]
        for step in range(1, n_steps + 1):
            subtask = task.subtask("step")
            rows = cdf.searchsorted(rng.random_sample(self._batch_size), "right")
            new, counts, inertia = self._step(X[rows], ones, centers, counts, rng)
            history.append(inertia / self._batch_size)
            shift = float(np.sum((new - centers) ** 2)) if self._tol > 0 else 0.0
            centers = new
            if subtask.end() or self._converged(step, n_steps, n_samples, shift,
                                                inertia):
                break
        task.end({})
        self.cluster_centers_, self.n_clusters_ = centers.astype(dtype), len(centers)
        self._counts, self.distortion_history_ = counts, np.asarray(history)
        self.n_steps_ = step if n_steps else 0
        self.n_iter_ = int(np.ceil(self.n_steps_ * self._batch_size / n_samples))
        if self.compute_labels:
            self.labels_, self.inertia_ = nearest_centers(X_all, centers, w=w_all,
                                                          inertia=True)
        else:
            self.__dict__.pop("labels_", None)
            self.inertia_ = (self._ewa_inertia or 0.0) * float(w_all.sum())
        self.distortion_ = self.inertia_ / float(w_all.sum())
        return self

    @fit_guard
    def partial_fit(self, X, y=None, sample_weight=None):
        """Update the centroids with one mini-batch.

        The first call seeds the centroids on ``init_size`` rows of its batch.

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
            The updated estimator; ``labels_`` and ``inertia_`` describe the
            batch (with ``compute_labels``), ``n_steps_`` counts the batches.
        """
        first = not hasattr(self, "cluster_centers_")
        X, sample_weight = self._check_batch_data(X, sample_weight, first)
        dtype, w = X.dtype, sample_weight.astype(np.float64)
        X = self._check_batch(X, "this batch")
        if first or not hasattr(self, "_random_state"):
            self._random_state = check_random_state(self.random_state)
        if first:
            self._sizes(X.shape[0])
            centers = self._seed(X, w, self._random_state).astype(np.float64)
            counts, self._since_reassign, self.n_steps_ = np.zeros(len(centers)), 0, 0
        else:
            centers, counts = self.cluster_centers_.astype(np.float64), self._counts
        centers, counts, _ = self._step(X, w, centers, counts, self._random_state)
        self.cluster_centers_, self.n_clusters_ = centers.astype(dtype), len(centers)
        self._counts, self.n_steps_ = counts, self.n_steps_ + 1
        if self.compute_labels:
            self.labels_, self.inertia_ = nearest_centers(X, centers, w=w,
                                                          inertia=True)
            self.distortion_ = self.inertia_ / max(float(w.sum()), np.finfo(float).tiny)
        return self
