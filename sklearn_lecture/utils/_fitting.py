"""The ways of fitting a classical model: one driver each, the model written once.

A classical family's model is a pure *step* that turns a block of rows into
sufficient statistics, ``step(block, *row_arrays, *args) -> stats``, and a
``merge(a, b)`` of two blocks' statistics (``GroupMoments.merge`` for PCA,
FisherLDA and the factor models; per-centre sums, counts and inertia for the
k-means family). The estimator owns what the statistics mean (its update rule
and the fitted attributes); the drivers own how the rows are visited:

- in memory: one step over all the rows (:func:`reduce_rows` on a numpy array);
- dask: the step on every row block on the workers, the statistics merged
  pairwise in a tree (:func:`reduce_rows` on a dask array), so that X is never
  gathered in one process;
- ``partial_fit``: the step on the new block, merged into the statistics kept
  from the earlier calls (:func:`accumulate`).

An iterative method (Lloyd's iteration) calls :func:`reduce_rows` once per
iteration with the current parameters in ``args``; the same update rule then
serves every way of fitting.
"""

from functools import partial

from ._dask import is_dask_array, map_reduce_blocks

__all__ = ["accumulate", "reduce_rows"]


def _apply(step, args, block, *row_blocks):
    return step(block, *row_blocks, *args)


def reduce_rows(step, merge, X, *row_arrays, args=()):
    """The merged statistics of all the rows of X.

    Parameters
    ----------
    step : callable
        ``step(block, *row_blocks, *args) -> stats``, pure: it must not depend
        on how X is cut into blocks beyond what ``merge`` adds up.
    merge : callable
        ``merge(a, b) -> stats`` of the union of two blocks.
    X : ndarray or dask array of shape (n_samples, n_features)
        Validated data.
    *row_arrays : ndarray or dask array of shape (n_samples, ...)
        Arrays with one entry per row of X (sample weights, labels), cut with
        the rows.
    args : tuple, default=()
        Arguments passed whole to every step (centroids, a model's parameters).

    Returns
    -------
    stats
        What ``step`` returns, for all the rows.
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
