"""scikit-learn's private helpers, imported in one place.

``_fit_context`` and the parameter-constraint classes are private in scikit-learn;
keeping their imports here means a rename upstream touches only this file.
"""

from sklearn.base import _fit_context
from sklearn.utils._param_validation import (
    HasMethods,
    Hidden,
    Interval,
    InvalidParameterError,
    Options,
    RealNotInt,
    StrOptions,
)

__all__ = [
    "_fit_context",
    "HasMethods",
    "Hidden",
    "Interval",
    "InvalidParameterError",
    "Options",
    "RealNotInt",
    "StrOptions",
]

# Sample-weight validation with scikit-learn's own messages (private there).
from sklearn.utils.validation import _check_sample_weight  # noqa: E402

__all__ += ["_check_sample_weight"]

# The ImportError of scikit-learn's Displays when matplotlib is missing.
from sklearn.utils._optional_dependencies import check_matplotlib_support  # noqa: E402

__all__ += ["check_matplotlib_support"]
