"""The methods of an introductory machine-learning lecture as scikit-learn estimators.

The classical estimators (k-means, fuzzy k-means, PCA, Fisher's discriminant) need
only numpy, scipy and scikit-learn. The neural estimators live in
:mod:`sklearn_lecture.neural` and need the ``neural`` extra (torch and skorch); they
are exposed here lazily so that ``import sklearn_lecture`` stays light.
"""

from importlib import import_module

from .cluster import ElbowDisplay, ElbowKMeans, FuzzyKMeans, KMeans, NoElbowWarning
from .decomposition import PCA, ContributionTable, ScreeDisplay
from .discriminant_analysis import FisherLDA, SingularScatterWarning

__version__ = "0.1.0"

_NEURAL = (
    "Autoencoder",
    "SparseAutoencoder",
    "DenoisingAutoencoder",
    "StackedAutoencoder",
    "StackedAutoencoderClassifier",
    "RNNRegressor",
    "StyleTransfer",
    "FeatureInversion",
)

__all__ = [
    "KMeans",
    "ElbowKMeans",
    "FuzzyKMeans",
    "NoElbowWarning",
    "PCA",
    "FisherLDA",
    "SingularScatterWarning",
    "ContributionTable",
    "ElbowDisplay",
    "ScreeDisplay",
    "datasets",
    *_NEURAL,
]


def __getattr__(name):
    # PEP 562: the neural estimators import torch, so load them on first use only.
    if name in _NEURAL:
        neural = import_module(".neural", __name__)
        return getattr(neural, name)
    if name == "datasets":
        return import_module(".datasets", __name__)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(__all__))
