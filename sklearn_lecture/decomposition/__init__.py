"""Principal component analysis with the lecture's contribution-based selection."""

from ._pca import PCA
from ._plot import ScreeDisplay

__all__ = ["PCA", "ScreeDisplay"]
