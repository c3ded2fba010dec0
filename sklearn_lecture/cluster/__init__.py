"""Clustering: the lecture's k-means, the elbow method and fuzzy k-means."""

from ._elbow import ElbowKMeans, NoElbowWarning
from ._fuzzy import FuzzyKMeans
from ._kmeans import KMeans
from ._minibatch import MiniBatchKMeans
from ._plot import ElbowDisplay

__all__ = [
    "KMeans",
    "MiniBatchKMeans",
    "ElbowKMeans",
    "FuzzyKMeans",
    "NoElbowWarning",
    "ElbowDisplay",
]
