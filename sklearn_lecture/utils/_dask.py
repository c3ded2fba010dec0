"""Dask arrays in and out, without importing dask unless one is passed.

:class:`DaskInferenceMixin` makes ``predict``, ``transform``, ``predict_proba``,
``decision_function``, ``score_samples`` and ``inverse_transform`` of an estimator
return a lazy dask array, computed block by block, when they are given a dask
array (what dask-ml's ``ParallelPostFit`` does from outside). It wraps the methods
a class defines when the class is created, as scikit-learn's ``_SetOutputMixin``
wraps ``transform``. The fit side lives with each estimator: PCA, FisherLDA and
KMeans reduce per-block statistics computed on the workers.
"""

import copy
import functools

import numpy as np

__all__ = [
    "DaskInferenceMixin",
    "is_dask_array",
    "map_reduce_blocks",
    "partial_fit_blocks",
    "row_blocks",
    "validate_dask_head",
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


def map_reduce_blocks(map_fn, merge_fn, X, *others, with_index=False):
    """``merge_fn`` over ``map_fn(block, *other_blocks)`` of every row block of X.

    The map runs on the workers (one task per block of the dask array X, with
    the matching blocks of the arrays in ``others``, rechunked to X's rows; with
    ``with_index`` also ``block_index=i``, e.g. to seed a block's random draws);
    the results are merged pairwise in a tree, so that X is never gathered in
    one process. Returns the merged result, computed.
    """
    import dask

    X = row_blocks(X)
    blocks = X.to_delayed().ravel()
    other_blocks = [
        row_blocks(o.rechunk({0: X.chunks[0]})).to_delayed().ravel() for o in others
    ]
    parts = [
        dask.delayed(map_fn)(
            block,
            *(ob[i] for ob in other_blocks),
            **({"block_index": i} if with_index else {}),
        )
        for i, block in enumerate(blocks)
    ]
    merge = dask.delayed(merge_fn)
    while len(parts) > 1:
        pairs = [merge(a, b) for a, b in zip(parts[::2], parts[1::2])]
        parts = pairs + ([parts[-1]] if len(parts) % 2 else [])
    return parts[0].compute()


def validate_dask_head(estimator, X, **check_params):
    """Validate the first rows of a dask X: n_features_in_, dtype, dimensions.

    The blocks are checked again on the workers (finiteness, dtype); this sets
    the fitted attributes that describe the input, as ``validate_data`` does.
    """
    from sklearn.utils.validation import validate_data

    X = row_blocks(X)
    if X.ndim != 2:
        raise ValueError(f"Expected a 2-D dask array, got {X.ndim} dimensions.")
    if X.shape[0] < 2:
        raise ValueError(f"Found array with {X.shape[0]} sample(s); at least 2 needed.")
    validate_data(estimator, X[:2].compute(), **check_params)
    return X


def _blockwise(method):
    @functools.wraps(method)
    def wrapper(self, X, *args, **kwargs):
        if not is_dask_array(X):
            return method(self, X, *args, **kwargs)
        X = row_blocks(X)
        # What the tasks carry: the estimator without its own lazy attributes
        # (a dask labels_ would put a graph inside the graph).
        estimator = copy.copy(self)
        for name, value in list(vars(estimator).items()):
            if is_dask_array(value):
                delattr(estimator, name)

        def apply(block):
            return method(estimator, block, *args, **kwargs)

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
