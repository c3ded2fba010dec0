"""Principal component analysis with the lecture's contribution-based selection."""

from ._factor import (
    CommonFactorAnalysis,
    FactorTable,
    HeywoodWarning,
    bartlett_sphericity,
    kmo,
)
from ._merging import CorrelationMerging
from ._pca import PCA, ContributionTable, IncrementalPCA
from ._plot import ScreeDisplay

__all__ = [
    "PCA",
    "IncrementalPCA",
    "ContributionTable",
    "ScreeDisplay",
    "CommonFactorAnalysis",
    "FactorTable",
    "HeywoodWarning",
    "CorrelationMerging",
    "bartlett_sphericity",
    "kmo",
]
