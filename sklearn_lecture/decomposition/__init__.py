"""Principal component analysis with the lecture's contribution-based selection."""

from ._pca import PCA, ContributionTable
from ._plot import ScreeDisplay

__all__ = ["PCA", "ContributionTable", "ScreeDisplay"]
