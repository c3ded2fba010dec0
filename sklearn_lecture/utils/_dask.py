"""Dask arrays in and out, without importing dask unless one is passed.

:class:`DaskInferenceMixin` maps the inference methods over the blocks of a dask
array or the partitions of a dask DataFrame (dask-ml's ``ParallelPostFit``, from
inside); :func:`map_reduce_blocks` is the dask driver of ``utils._fitting``.
"""

import copy
import functools
import numbers
import warnings

import numpy as np
from sklearn.utils import check_consistent_length, check_scalar

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
    """``X`` chunked along rows only; a ValueError for unknown chunk sizes."""
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

    One task per block on the workers (``others`` rechunked to X's rows; with
    ``with_index`` also ``block_index=i``), merged pairwise in a tree, computed.
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
    """Validate the first rows of a dask X (sets n_features_in_, as validate_data).

    The blocks themselves are checked on the workers.
    """
    from sklearn.utils.validation import validate_data

    X = row_blocks(X)
    if X.ndim != 2:
        raise ValueError(f"Expected a 2-D dask array, got {X.ndim} dimensions.")
    if X.shape[0] < 2:
        raise ValueError(f"Found array with {X.shape[0]} sample(s); at least 2 needed.")
    validate_data(estimator, X[:2].compute(), **check_params)
    return X


def _is_dask_frame(X):
    """True for a dask DataFrame or Series, checked without importing dask."""
    module = type(X).__module__.split(".")[0]
    return module in ("dask", "dask_expr") and hasattr(X, "map_partitions")


def _is_pandas(out):
    """True for a pandas container; a ValueError for polars (no dask counterpart)."""
    module = type(out).__module__.split(".")[0]
    if module == "polars":
        raise ValueError(
            "A dask input has no polars counterpart: call "
            'set_output(transform="pandas") for a dask DataFrame, or '
            'set_output(transform="default") for a dask array.'
        )
    return module == "pandas"


def _task_copy(estimator):
    """The estimator without its lazy attributes (no graph inside the graph)."""
    estimator = copy.copy(estimator)
    for name, value in list(vars(estimator).items()):
        if is_dask_array(value) or _is_dask_frame(value):
            delattr(estimator, name)
    return estimator


def _call_method(owner, name, estimator, args, block, **kwargs):
    """``owner.name`` undecorated on one block (module level, hence picklable)."""
    return vars(owner)[name].__wrapped__(estimator, block, *args, **kwargs)


def _n_rows(value):
    """The length of an array-like's first axis (nan if unknown); None otherwise."""
    shape = getattr(value, "shape", None)
    if shape is not None:
        return shape[0] if len(shape) else None
    if isinstance(value, (list, tuple)):
        return len(value)
    return None


def _split_per_sample(kwargs, n_samples, whole=()):
    """``(per_sample, others)``: the keyword arguments cut with X's rows, the rest.

    Per-sample: an array-like with one entry per row of X (scikit-learn's rule
    for cross-validation's fit parameters); the names in ``whole`` never are.
    """
    per_sample, others = {}, {}
    for key, value in kwargs.items():
        cut = key not in whole and _n_rows(value) == n_samples
        (per_sample if cut else others)[key] = value
    return per_sample, others


def _on_block(call, empty, names, block, *per_sample):
    """``call(block)`` with its rows of the ``names`` arguments, as ``empty``."""
    if block.shape[0] == 0:
        # An empty chunk (boolean filtering, then compute_chunk_sizes): there is
        # nothing to validate, and the estimators refuse 0 samples.
        return empty if isinstance(empty, np.ndarray) else empty.set_axis(block.index)
    out = call(block, **dict(zip(names, per_sample)))
    # pandas output of an array block: dask assembles the frame (see _map_blocks).
    return np.asarray(out) if isinstance(empty, np.ndarray) else out


def _map_blocks(call, X, kwargs):
    """The method mapped over the row blocks of a dask array (per-sample
    arguments cut with them); a dask DataFrame out for pandas output."""
    import dask.array as da

    X = row_blocks(X)
    per_sample, others = _split_per_sample(kwargs, X.shape[0])
    call = functools.partial(call, **others)
    # The output's shape per row, dtype and container, from the first row; an
    # X without rows is probed on a row of zeros, without per-sample arguments.
    if X.shape[0]:
        first = {key: _rows(value, 0, 1) for key, value in per_sample.items()}
        probe = call(X[:1].compute(), **first)
    else:
        probe = call(np.zeros((1, *X.shape[1:]), dtype=X.dtype))
    frame = _is_pandas(probe)
    empty = np.asarray(probe)[:0]
    # One index per axis: the rows, shared by X, the per-sample arguments and
    # the output; the other axes of the inputs (one chunk each) are contracted,
    # those of the output are new.
    inputs = [X, ("row", *(f"x{i}" for i in range(1, X.ndim)))]
    for k, value in enumerate(per_sample.values()):
        value = row_blocks(da.asarray(value).rechunk({0: X.chunks[0]}))
        inputs += [value, ("row", *(f"a{k}_{i}" for i in range(1, value.ndim)))]
    out = da.blockwise(
        functools.partial(_on_block, call, empty, tuple(per_sample)),
        ("row", *(f"out{i}" for i in range(1, empty.ndim))),
        *inputs,
        new_axes={f"out{i}": size for i, size in enumerate(empty.shape) if i},
        concatenate=True,
        dtype=empty.dtype,
        meta=empty,
    )
    if not frame:
        return out
    import dask.dataframe as dd

    return dd.from_dask_array(out, columns=list(probe.columns))


def _first_row(X):
    """The first row of a dask DataFrame, computing partitions one at a time up
    to the first non-empty one; a stand-in row where all are empty."""
    from dask.dataframe.utils import meta_nonempty

    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "Insufficient elements", UserWarning)
        for i in range(X.npartitions):
            row = X.get_partition(i).head(1, npartitions=1)
            if len(row):
                return row
    return meta_nonempty(row).iloc[:1]


def _map_partitions(call, X, kwargs):
    """The method mapped over the partitions of a dask DataFrame, as pandas.

    A ValueError for array-like keyword arguments: the partitions' numbers of
    rows are unknown, so they cannot be cut with them.
    """
    arrays = [key for key, value in kwargs.items() if _n_rows(value) is not None]
    if arrays:
        raise ValueError(
            f"The array-like arguments {arrays} cannot be cut with the partitions "
            "of a dask DataFrame, whose numbers of rows are unknown; pass a dask "
            "array (.to_dask_array(lengths=True))."
        )
    call = functools.partial(call, **kwargs)
    probe = call(_first_row(X))
    empty = probe.iloc[:0] if _is_pandas(probe) else np.asarray(probe)[:0]
    return X.map_partitions(functools.partial(_on_block, call, empty, ()), meta=empty)


def _blockwise(owner, name):
    """``owner.name``, mapped block by block when given a dask collection."""
    method = vars(owner)[name]

    @functools.wraps(method)
    def wrapper(self, X, *args, **kwargs):
        if is_dask_array(X):
            mapper = _map_blocks
        elif _is_dask_frame(X):
            mapper = _map_partitions
        else:
            return method(self, X, *args, **kwargs)
        call = functools.partial(_call_method, owner, name, _task_copy(self), args)
        return mapper(call, X, kwargs)

    wrapper._dask_blockwise = True
    return wrapper


class DaskInferenceMixin:
    """Inference methods that map dask collections block by block.

    A dask array gives a dask array chunked as its rows; a dask DataFrame is
    mapped partition by partition (column names checked) and gives a dask array
    of unknown chunk sizes, or a dask DataFrame with pandas output. Empty blocks
    give empty outputs; the tasks pickle. Per-sample keyword arguments are cut
    with a dask array's rows and refused with a dask DataFrame.
    """

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        for name in _BLOCKWISE_METHODS:
            method = cls.__dict__.get(name)
            if callable(method) and not getattr(method, "_dask_blockwise", False):
                setattr(cls, name, _blockwise(cls, name))


def _row_block_slices(X, block_size):
    """X's blocks as (start, stop): a dask array's chunks, else ``block_size`` rows."""
    if is_dask_array(X):
        starts = np.cumsum((0, *X.chunks[0]))
        return X, list(zip(starts[:-1], starts[1:]))
    n = len(X)
    size = n if block_size is None else block_size
    return X, [(start, min(start + size, n)) for start in range(0, n, size)]


def _rows(a, start, stop):
    """Rows ``start:stop`` of an array, list or pandas object, by position, computed."""
    block = a.iloc[start:stop] if hasattr(a, "iloc") else a[start:stop]
    return block.compute() if is_dask_array(block) else block


def _check_blocks_input(X, y, epochs, block_size):
    """X and y validated (dask chunk sizes known), or an error saying why not."""
    check_scalar(epochs, "epochs", numbers.Integral, min_val=1)
    if block_size is not None:
        check_scalar(block_size, "block_size", numbers.Integral, min_val=1)
    if _is_dask_frame(X) or _is_dask_frame(y):
        raise ValueError(
            "partial_fit_blocks cuts dask arrays into their row chunks; convert a "
            "dask DataFrame or Series with .to_dask_array(lengths=True)."
        )
    if is_dask_array(X):
        X = row_blocks(X)
    if is_dask_array(y):
        y = row_blocks(y)
    n_samples = X.shape[0] if hasattr(X, "shape") else len(X)
    if n_samples == 0:
        raise ValueError("X has 0 samples; partial_fit_blocks needs at least one.")
    if y is not None:
        # As partial_fit would refuse them at once: blocks cut from X's rows
        # would otherwise drop the extra labels silently.
        check_consistent_length(X, y)
    return X, y


def partial_fit_blocks(estimator, X, y=None, *, epochs=1, block_size=None, **kwargs):
    """Stream the row blocks of X (and y) into ``estimator.partial_fit``.

    Training on data larger than memory whatever its number of axes (dask-ml's
    ``Incremental`` feeds only 2-D blocks): each row chunk of a dask array is
    computed and passed on in turn, ``epochs`` times; a numpy array is cut into
    blocks of ``block_size`` rows.

    Parameters
    ----------
    estimator : estimator with ``partial_fit``
    X : dask array or ndarray of shape (n_samples, ...)
    y : dask array, ndarray or None
        Cut into the same row blocks as X.
    epochs : int >= 1, default=1
        Passes over all the blocks.
    block_size : int >= 1, default=None
        Rows per block of a numpy X (None: all at once); a dask X keeps its chunks
        (its empty ones skipped).
    **kwargs
        Passed to the ``partial_fit`` calls; an array-like with one entry per
        row of X (``sample_weight``, ``sample_lengths``) is cut into X's row
        blocks, anything else (``classes`` always) goes whole to every call.

    Returns
    -------
    estimator
        The estimator, trained.

    Raises
    ------
    TypeError
        For an ``epochs`` or ``block_size`` that is not an integer.
    ValueError
        For ``epochs`` or ``block_size`` below 1, an X without rows, a y of
        another length than X, or a dask DataFrame (pass a dask array).

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
    X, y = _check_blocks_input(X, y, epochs, block_size)
    X, slices = _row_block_slices(X, block_size)
    # Empty chunks (boolean filtering, then compute_chunk_sizes) hold no rows.
    slices = [(start, stop) for start, stop in slices if stop > start]
    per_sample, others = _split_per_sample(kwargs, _n_rows(X), whole=("classes",))
    for _ in range(epochs):
        for start, stop in slices:
            Xb = _rows(X, start, stop)
            rows = {key: _rows(value, start, stop) for key, value in per_sample.items()}
            if y is None:
                estimator.partial_fit(Xb, **rows, **others)
            else:
                estimator.partial_fit(Xb, _rows(y, start, stop), **rows, **others)
    return estimator
