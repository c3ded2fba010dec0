"""Exact sufficient statistics of blocks of rows, merged pairwise.

PCA needs the count, the mean and the centred scatter matrix of the data;
Fisher's discriminant the same per class. Both are sums over samples, so they can
be computed block by block (``partial_fit``, the blocks of a dask array on several
workers) and merged exactly. The merge is Chan, Golub & LeVeque's pairwise update
(1979), which adds centred scatters and a correction for the shift of the means,
instead of raw sums of squares that cancel catastrophically for data far from the
origin.
"""

import numpy as np

from ._linalg import group_sums, scatter_matrix

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
    """

    def __init__(self, counts, means, within, second_moments):
        self.counts = counts
        self.means = means
        self.within = within
        self.second_moments = second_moments

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
        """The statistics of one block ``X`` (rows labelled by ``groups``)."""
        X = np.asarray(X)
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
        return cls(counts, means, within, np.diag(raw).astype(np.float64))

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

    def total(self):
        """Statistics of all groups pooled into one (mean and total scatter)."""
        n = self.n_samples
        mean = self.counts @ self.means / n
        delta = self.means - mean
        between = (delta * self.counts[:, None]).T @ delta
        return GroupMoments(
            np.array([n]), mean[None, :], self.within + between, self.second_moments
        )
