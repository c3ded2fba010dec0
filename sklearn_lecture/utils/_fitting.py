"""The ways of fitting a classical model: one driver each, the model written once.

A family's model is a pure *step*, ``step(block, *row_arrays, *args) -> stats``,
and a ``merge(a, b)`` of two blocks' statistics; the estimator owns what they
mean, the drivers how the rows are visited: in memory (:func:`reduce_rows` on a
numpy array), dask (:func:`reduce_rows` on a dask array: steps on the workers,
merged in a tree) and ``partial_fit`` (:func:`accumulate`). An iterative method
calls :func:`reduce_rows` once per iteration with its parameters in ``args``.
"""

from functools import partial

from ._dask import is_dask_array, map_reduce_blocks

__all__ = ["accumulate", "reduce_rows"]


def _apply(step, args, block, *row_blocks):
    return step(block, *row_blocks, *args)


def reduce_rows(step, merge, X, *row_arrays, args=()):
    """``step(X, *row_arrays, *args)`` of all the rows of a numpy or dask X.

    ``row_arrays`` (one entry per row: weights, labels) are cut with X's rows;
    ``args`` go whole to every step; ``merge`` joins two blocks' statistics.
    """
    if not is_dask_array(X):
        return step(X, *row_arrays, *args)
    import dask.array as da

    row_arrays = [
        a if is_dask_array(a) else da.from_array(a, chunks=(X.chunks[0],) + a.shape[1:])
        for a in row_arrays
    ]
    return map_reduce_blocks(partial(_apply, step, tuple(args)), merge, X, *row_arrays)


def accumulate(previous, stats, merge):
    """``partial_fit``'s driver: the statistics so far merged with a new block's."""
    return stats if previous is None else merge(previous, stats)
