"""Dask arrays in and out, without importing dask unless one is passed.

:class:`DaskInferenceMixin` makes ``predict``, ``transform``, ``predict_proba``,
``decision_function``, ``score_samples`` and ``inverse_transform`` of an estimator
return a lazy dask array, computed block by block, when they are given a dask
array (what dask-ml's ``ParallelPostFit`` does from outside). It wraps the methods
a class defines when the class is created, as scikit-learn's ``_SetOutputMixin``
wraps ``transform``. The fit side lives with each estimator: PCA, FisherLDA and
KMeans reduce per-block statistics computed on the workers.
"""

import functools

import numpy as np

__all__ = [
    "DaskInferenceMixin",
    "is_dask_array",
    "partial_fit_blocks",
    "row_blocks",
]

_BLOCKWISE_METHODS = (
    "predict",
    "transform",
    "inverse_transform",
    "predict_proba",
    "predict_log_proba",
    "decision_function",
    "score_samples",
)


def is_dask_array(X):
    """True for a ``dask.array.Array``, checked without importing dask."""
    return type(X).__module__.startswith("dask.") and hasattr(X, "map_blocks")


def row_blocks(X):
    """``X`` chunked along rows only (one chunk across the other axes).

    Raises
    ------
    ValueError
        When ``X`` has unknown chunk sizes (e.g. after boolean indexing).
    """
    if any(np.isnan(c) for chunks in X.chunks for c in chunks):
        raise ValueError(
            "The dask array has unknown chunk sizes; call X.compute_chunk_sizes() "
            "first."
        )
    if any(len(chunks) > 1 for chunks in X.chunks[1:]):
        # Features split across chunks: each row block must hold whole rows.
        X = X.rechunk({axis: -1 for axis in range(1, X.ndim)})
    return X


def _blockwise(method):
    @functools.wraps(method)
    def wrapper(self, X, *args, **kwargs):
        if not is_dask_array(X):
            return method(self, X, *args, **kwargs)
        X = row_blocks(X)

        def apply(block):
            return method(self, block, *args, **kwargs)

        # The output's shape per row and dtype, from the first row.
        probe = np.asarray(apply(X[:1].compute()))
        chunks = (X.chunks[0], *((size,) for size in probe.shape[1:]))
        extra = {}
        if probe.ndim < X.ndim:
            extra["drop_axis"] = list(range(probe.ndim, X.ndim))
        elif probe.ndim > X.ndim:
            extra["new_axis"] = list(range(X.ndim, probe.ndim))
        return X.map_blocks(
            apply, dtype=probe.dtype, chunks=chunks, meta=probe[:0], **extra
        )

    wrapper._dask_blockwise = True
    return wrapper


class DaskInferenceMixin:
    """Inference methods that map dask arrays block by block to dask arrays."""

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        for name in _BLOCKWISE_METHODS:
            method = cls.__dict__.get(name)
            if callable(method) and not getattr(method, "_dask_blockwise", False):
                setattr(cls, name, _blockwise(method))


def _row_block_slices(X, block_size):
    if is_dask_array(X):
        X = row_blocks(X)
        starts = np.cumsum((0, *X.chunks[0]))
        return X, list(zip(starts[:-1], starts[1:]))
    n = len(X)
    size = n if block_size is None else int(block_size)
    return X, [(start, min(start + size, n)) for start in range(0, n, size)]


def _materialise(block):
    return block.compute() if is_dask_array(block) else block


def partial_fit_blocks(estimator, X, y=None, *, epochs=1, block_size=None, **kwargs):
    """Stream the row blocks of X (and y) into ``estimator.partial_fit``.

    The way to train on data larger than memory whatever its number of axes:
    dask-ml's ``Incremental`` feeds only 2-D blocks, while sequences are 3-D
    ``(n_samples, n_timesteps, n_features)``. Each block of a dask array (its
    chunks along the rows) is computed and passed on in turn, ``epochs`` times;
    a numpy array is cut into blocks of ``block_size`` rows.

    Parameters
    ----------
    estimator : estimator with ``partial_fit``
    X : dask array or ndarray of shape (n_samples, ...)
    y : dask array, ndarray or None
        Cut into the same row blocks as X.
    epochs : int, default=1
        Passes over all the blocks.
    block_size : int, default=None
        Rows per block of a numpy X (None: all at once); a dask X keeps its chunks.
    **kwargs
        Passed to every ``partial_fit`` call (e.g. ``classes``).

    Returns
    -------
    estimator
        The estimator, trained.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_lecture import KMeans
    >>> from sklearn_lecture.utils import partial_fit_blocks
    >>> X = np.random.RandomState(0).rand(1000, 2)
    >>> km = partial_fit_blocks(KMeans(3, random_state=0), X, block_size=100)
    >>> km.cluster_centers_.shape
    (3, 2)
    """
    X, slices = _row_block_slices(X, block_size)
    for _ in range(int(epochs)):
        for start, stop in slices:
            Xb = _materialise(X[start:stop])
            yb = None if y is None else _materialise(y[start:stop])
            if yb is None:
                estimator.partial_fit(Xb, **kwargs)
            else:
                estimator.partial_fit(Xb, yb, **kwargs)
    return estimator
