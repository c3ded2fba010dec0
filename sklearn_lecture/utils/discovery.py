"""Find every public estimator, so that none escapes the checks."""

import inspect
from importlib import import_module

from sklearn.base import BaseEstimator

_FAMILIES = ("cluster", "decomposition", "discriminant_analysis")
_NEURAL_FAMILIES = ("neural",)


def all_estimators(include_neural=True):
    """Return the public estimators of sklearn_lecture.

    Parameters
    ----------
    include_neural : bool, default=True
        Include the estimators of :mod:`sklearn_lecture.neural`. They are skipped
        silently when torch or skorch is not installed.

    Returns
    -------
    estimators : list of (name, class) tuples
        Sorted by name.
    """
    families = list(_FAMILIES)
    if include_neural:
        try:
            import skorch  # noqa: F401
            import torch  # noqa: F401
        except ImportError:
            pass
        else:
            families += _NEURAL_FAMILIES
    found = {}
    for family in families:
        module = import_module(f"sklearn_lecture.{family}")
        for name in getattr(module, "__all__", ()):
            obj = getattr(module, name)
            if (
                inspect.isclass(obj)
                and issubclass(obj, BaseEstimator)
                and not inspect.isabstract(obj)
                and not name.startswith("_")
                and not name.startswith("Base")
            ):
                found[name] = obj
    return sorted(found.items())
