"""The methods of an introductory machine-learning lecture as scikit-learn estimators.

The classical estimators (k-means, fuzzy k-means, PCA, Fisher's discriminant) need
only numpy, scipy and scikit-learn. The neural estimators live in
:mod:`sklearn_lecture.neural` and need the ``neural`` extra (torch and skorch); they
are exposed here lazily so that ``import sklearn_lecture`` stays light. The same
holds for the reinforcement-learning agents of :mod:`sklearn_lecture.reinforcement`,
which need the ``rl`` extra (Gymnasium).
"""

from importlib import import_module
from importlib.util import find_spec

from .cluster import (
    ElbowDisplay,
    ElbowKMeans,
    FuzzyKMeans,
    KMeans,
    MiniBatchKMeans,
    NoElbowWarning,
)
from .decomposition import (
    PCA,
    CommonFactorAnalysis,
    ContributionTable,
    CorrelationMerging,
    FactorTable,
    HeywoodWarning,
    IncrementalPCA,
    ScreeDisplay,
    bartlett_sphericity,
    kmo,
)
from .discriminant_analysis import FisherLDA, SingularScatterWarning

# The neural subpackage lists its estimators itself; importing it loads no torch
# (its names load on first use).
from .neural import ESTIMATORS as _NEURAL

__version__ = "0.1.0"

_REINFORCEMENT = (
    "QLearning",
    "SARSA",
    "ExpectedSARSA",
    "DoubleQLearning",
    "ValueIteration",
    "RobotVacuumEnv",
    "MaximizationBiasEnv",
)

# Subpackage loaded on first use -> (its public names, what it imports).
_LAZY = {
    "neural": (_NEURAL, ("torch", "skorch")),
    "reinforcement": (_REINFORCEMENT, ("gymnasium",)),
}


def _installed(modules):
    return all(find_spec(module) is not None for module in modules)


__all__ = [
    "KMeans",
    "MiniBatchKMeans",
    "ElbowKMeans",
    "FuzzyKMeans",
    "NoElbowWarning",
    "PCA",
    "IncrementalPCA",
    "CommonFactorAnalysis",
    "CorrelationMerging",
    "FactorTable",
    "HeywoodWarning",
    "bartlett_sphericity",
    "kmo",
    "FisherLDA",
    "SingularScatterWarning",
    "ContributionTable",
    "ElbowDisplay",
    "ScreeDisplay",
    "datasets",
    "metrics",
    # Only what can be imported, so that `from sklearn_lecture import *` works
    # without the optional extras.
    *(
        name
        for names, needs in _LAZY.values()
        if _installed(needs)
        for name in names
    ),
]


def __getattr__(name):
    # PEP 562: torch and Gymnasium are loaded on first use of a name that needs them.
    for subpackage, (names, _) in _LAZY.items():
        if name in names:
            return getattr(import_module(f".{subpackage}", __name__), name)
    if name in ("datasets", "metrics"):
        return import_module(f".{name}", __name__)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(__all__))
