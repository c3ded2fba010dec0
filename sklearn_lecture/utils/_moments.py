"""Exact sufficient statistics of blocks of rows, merged pairwise.

Count, mean and centred scatter (per class for Fisher's discriminant), computed
block by block (:func:`block_moments`, the step of ``utils._fitting``'s drivers)
and merged exactly by Chan, Golub & LeVeque's pairwise update (1979).
"""

import numpy as np
from sklearn.utils.validation import assert_all_finite, check_array

from ._linalg import group_sums, scatter_matrix

__all__ = ["GroupMoments", "block_moments", "check_magnitude"]

# A mean square this many times the smallest normal number keeps the squares of
# the values near it normal, with all their digits.
_UNDERFLOW_MARGIN = 2.0**16


def check_magnitude(squares, sums, n_samples, dtype):
    """Refuse data whose per-column sums of ``squares`` (in ``dtype``) overflow or
    underflow ``dtype``; ``sums`` are the per-column sums."""
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

    float64 ``counts`` (n_groups,), ``means`` (n_groups, n_features, 0 for an
    empty group), ``within`` (the summed scatter around each group's mean) and
    ``second_moments`` (sum of x_j², to tell variance from rounding noise).
    """

    def __init__(self, counts, means, within, second_moments):
        self.counts = counts
        self.means = means
        self.within = within
        self.second_moments = second_moments

    @classmethod
    def of(cls, X, groups=None, n_groups=1):
        """The statistics of one block ``X`` (rows labelled by ``groups``); NaN and
        infinity show in the sums of squares, which are checked."""
        # Squares beyond the dtype give inf - inf inside the product.
        with np.errstate(over="ignore", invalid="ignore"):
            if groups is None:
                counts = np.array([float(X.shape[0])])
                sums = np.einsum("ij->j", X, dtype=np.float64)[None, :]
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

    Checked where it runs (a validated array of one of ``dtype`` as it is); an
    empty block gives zero counts. With ``classes``, one group per class of ``y``.
    """
    if not (isinstance(block, np.ndarray) and block.dtype in dtype):
        block = check_array(
            block, dtype=list(dtype), ensure_min_samples=0, ensure_all_finite=False
        )
    if classes is None:
        return GroupMoments.of(block)
    return GroupMoments.of(block, np.searchsorted(classes, y), len(classes))
