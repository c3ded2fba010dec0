"""Exact sufficient statistics of blocks of rows, merged pairwise.

PCA needs the count, the mean and the centred scatter matrix of the data;
Fisher's discriminant the same per class. Both are sums over samples, so they can
be computed block by block (``partial_fit``, the blocks of a dask array on several
workers) and merged exactly. The merge is Chan, Golub & LeVeque's pairwise update
(1979), which adds centred scatters and a correction for the shift of the means,
instead of raw sums of squares that cancel catastrophically for data far from the
origin.

Data whose squares overflow or underflow (magnitude ~1e155 or ~1e-155) are
summed times a power of two (:func:`power_of_two_scale`), which is exact; blocks
summed at different powers merge at the one of the larger data, the other's
statistics rescaled exactly.
"""

import numpy as np

from ._linalg import group_sums, power_of_two_scale, scatter_matrix

__all__ = ["GroupMoments"]


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
    factor : float
        The power of two the rows were multiplied by (1.0 but for data whose
        squares would overflow or underflow): the statistics are those of
        ``X * factor``.
    """

    def __init__(self, counts, means, within, second_moments, factor=1.0):
        self.counts = counts
        self.means = means
        self.within = within
        self.second_moments = second_moments
        self.factor = factor

    @classmethod
    def empty(cls, n_groups, n_features):
        return cls(
            np.zeros(n_groups),
            np.zeros((n_groups, n_features)),
            np.zeros((n_features, n_features)),
            np.zeros(n_features),
        )

    @classmethod
    def of(cls, X, groups=None, n_groups=1):
        """The statistics of one block ``X`` (rows labelled by ``groups``).

        Computed on ``X`` times :func:`power_of_two_scale` of it.
        """
        X = np.asarray(X)
        factor = power_of_two_scale(X)
        if factor != 1.0:
            X = X * X.dtype.type(factor)
        if groups is None:
            counts = np.array([float(X.shape[0])])
            sums = X.sum(axis=0, dtype=np.float64)[None, :]
        else:
            counts = np.bincount(groups, minlength=n_groups).astype(np.float64)
            sums = group_sums(X, groups, n_groups)
        means = np.divide(
            sums, counts[:, None], out=np.zeros_like(sums), where=counts[:, None] > 0
        )
        raw = X.T @ X
        within = scatter_matrix(X, means, counts, groups, raw=raw)
        return cls(counts, means, within, np.diag(raw).astype(np.float64), factor)

    def rescaled(self, factor):
        """The same statistics at the power of two ``factor`` (exact)."""
        ratio = factor / self.factor
        if ratio == 1.0:
            return self
        # One factor at a time: the square of the ratio can overflow (a block
        # of zeros joining tiny data) or underflow where its products do not.
        with np.errstate(under="ignore"):
            return GroupMoments(
                self.counts,
                self.means * ratio,
                self.within * ratio * ratio,
                self.second_moments * ratio * ratio,
                factor,
            )

    def _is_zero(self):
        return not np.any(self.second_moments)

    def merge(self, other):
        """The statistics of the union of both blocks (exact, pairwise update).

        At the power of two of the block of larger data (the smaller factor),
        the one the union itself would be summed at; a block of zeros takes
        the other's.
        """
        if self.factor != other.factor:
            if self._is_zero() or (
                not other._is_zero() and other.factor < self.factor
            ):
                factor = other.factor
            else:
                factor = self.factor
            self, other = self.rescaled(factor), other.rescaled(factor)
        counts = self.counts + other.counts
        safe = np.where(counts > 0, counts, 1.0)
        delta = other.means - self.means
        means = self.means + delta * (other.counts / safe)[:, None]
        weight = self.counts * other.counts / safe
        within = self.within + other.within + (delta * weight[:, None]).T @ delta
        return GroupMoments(
            counts,
            means,
            within,
            self.second_moments + other.second_moments,
            self.factor,
        )

    @property
    def n_samples(self):
        return float(self.counts.sum())

    def total(self):
        """Statistics of all groups pooled into one (mean and total scatter)."""
        n = self.n_samples
        mean = self.counts @ self.means / n
        delta = self.means - mean
        between = (delta * self.counts[:, None]).T @ delta
        return GroupMoments(
            np.array([n]),
            mean[None, :],
            self.within + between,
            self.second_moments,
            self.factor,
        )
