"""Exact sufficient statistics of blocks of rows, merged pairwise.

PCA, the factor models and CorrelationMerging need the count, the mean and the
centred scatter matrix of the data; Fisher's discriminant the same per class.
They are sums over samples, so every way of fitting computes them block by
block (:func:`block_moments`, the step of ``utils._fitting``'s drivers) and
merges them exactly with Chan, Golub & LeVeque's pairwise update (1979), which
adds centred scatters and a correction for the shift of the means instead of
raw sums of squares that cancel for data far from the origin.
"""

import numpy as np
from sklearn.utils.validation import assert_all_finite, check_array

from ._linalg import group_sums, scatter_matrix

__all__ = ["GroupMoments", "block_moments", "check_magnitude"]

# A mean square this many times the smallest normal number keeps the squares of
# the values near it normal, with all their digits.
_UNDERFLOW_MARGIN = 2.0**16


def check_magnitude(squares, sums, n_samples, dtype):
    """Refuse data whose squares the dtype cannot represent.

    Parameters
    ----------
    squares, sums : ndarray of shape (n_features,)
        Per-column sums of squares (computed in ``dtype``) and sums of the
        finite data.
    n_samples : float
    dtype : numpy dtype
        The dtype the squares were computed in.
    """
    finfo = np.finfo(dtype)
    if not np.all(squares <= finfo.max):
        raise ValueError(
            f"The variances of X overflow {np.dtype(dtype).name}: its squares "
            f"exceed {finfo.max:.1e}. Scale the data (divide by a constant, or "
            "StandardScaler) before fitting."
        )
    small = squares < n_samples * finfo.tiny * _UNDERFLOW_MARGIN
    if np.any(small & ((squares > 0) | (sums != 0))):
        raise ValueError(
            f"The squares of X underflow {np.dtype(dtype).name} (values below "
            f"about {np.sqrt(finfo.tiny * _UNDERFLOW_MARGIN):.0e}), so its "
            "variances lose their digits. Scale the data (multiply by a "
            "constant, or StandardScaler) before fitting."
        )


class GroupMoments:
    """Count, mean and centred scatter of each group of rows, and their merge.

    A single group (``n_groups=1``) holds PCA's statistics; one group per class
    Fisher's. All statistics are float64.

    Attributes
    ----------
    counts : ndarray of shape (n_groups,)
        Rows per group.
    means : ndarray of shape (n_groups, n_features)
        Mean of each group (zero for an empty group).
    within : ndarray of shape (n_features, n_features)
        Sum over groups of the scatter around the group's mean.
    second_moments : ndarray of shape (n_features,)
        Sum over all rows of x_j², kept to tell real variance from rounding noise.
    """

    def __init__(self, counts, means, within, second_moments):
        self.counts = counts
        self.means = means
        self.within = within
        self.second_moments = second_moments

    @classmethod
    def of(cls, X, groups=None, n_groups=1):
        """The statistics of one block ``X`` (rows labelled by ``groups``).

        X need not have been checked for NaN and infinity: they show in the sums
        of squares, which are checked (and their overflow or underflow refused).
        """
        # Squares beyond the dtype give inf - inf inside the product.
        with np.errstate(over="ignore", invalid="ignore"):
            if groups is None:
                counts = np.array([float(X.shape[0])])
                sums = X.sum(axis=0, dtype=np.float64)[None, :]
            else:
                counts = np.bincount(groups, minlength=n_groups).astype(np.float64)
                sums = group_sums(X, groups, n_groups)
            raw = X.T @ X
        squares = np.diag(raw)
        total = sums.sum(axis=0)
        if not (np.all(np.isfinite(squares)) and np.all(np.isfinite(total))):
            assert_all_finite(X, input_name="X")
        check_magnitude(squares, total, X.shape[0], X.dtype)
        means = np.divide(
            sums, counts[:, None], out=np.zeros_like(sums), where=counts[:, None] > 0
        )
        within = scatter_matrix(X, means, counts, groups, raw=raw)
        return cls(counts, means, within, squares.astype(np.float64))

    def merge(self, other):
        """The statistics of the union of both blocks (exact, pairwise update)."""
        counts = self.counts + other.counts
        safe = np.where(counts > 0, counts, 1.0)
        delta = other.means - self.means
        means = self.means + delta * (other.counts / safe)[:, None]
        weight = self.counts * other.counts / safe
        within = self.within + other.within + (delta * weight[:, None]).T @ delta
        return GroupMoments(
            counts, means, within, self.second_moments + other.second_moments
        )

    @property
    def n_samples(self):
        return float(self.counts.sum())


def block_moments(block, y=None, classes=None, *, dtype=(np.float64, np.float32)):
    """The step of every moment-based fit: the statistics of one block of rows.

    Checked where it runs (on a worker for a dask array's block); an empty
    block (a chunk emptied by boolean filtering) gives zero counts. With
    ``classes``, one group per class of the labels ``y``.
    """
    block = check_array(
        block, dtype=list(dtype), ensure_min_samples=0, ensure_all_finite=False
    )
    if classes is None:
        return GroupMoments.of(block)
    return GroupMoments.of(block, np.searchsorted(classes, y), len(classes))
