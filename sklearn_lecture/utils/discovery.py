"""Find every public estimator, so that none escapes the checks."""

import inspect
from importlib import import_module

from sklearn.base import BaseEstimator
from sklearn.utils import get_tags

_FAMILIES = ("cluster", "decomposition", "discriminant_analysis")
_NEURAL_FAMILIES = ("neural",)


def all_estimators(include_neural=True, include_non_tabular=False):
    """Return the public estimators of sklearn_lecture.

    Parameters
    ----------
    include_neural : bool, default=True
        Include the estimators of :mod:`sklearn_lecture.neural`. They are skipped
        silently when torch or skorch is not installed.
    include_non_tabular : bool, default=False
        Include the estimators whose input is not a 2-D table (images of shape
        (H, W, 3), as for :class:`~sklearn_lecture.neural.StyleTransfer`). They
        say so with scikit-learn's own input tag, ``two_d_array=False`` (as its
        ``PatchExtractor`` does); scikit-learn's ``check_estimator`` tests only
        2-D input and skips them, so by default they are left out of the list
        that feeds it, and their own tests cover clone, parameters and pickling.

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
                and (include_non_tabular or _takes_a_table(obj))
            ):
                found[name] = obj
    return sorted(found.items())


def _takes_a_table(estimator_class):
    """scikit-learn's input tag: does the estimator take a 2-D array ``X``?"""
    return get_tags(estimator_class()).input_tags.two_d_array
