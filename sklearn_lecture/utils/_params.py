"""Hyperparameters stored and documented once for every estimator."""

import inspect

__all__ = ["store_params"]


def store_params(estimator, params):
    """Store ``__init__``'s arguments (its ``locals()``) as attributes, unchanged.

    What scikit-learn's ``get_params`` reads back: every parameter of the
    signature, stored under its own name without validation or conversion.
    """
    for name in inspect.signature(type(estimator).__init__).parameters:
        if name != "self":
            setattr(estimator, name, params[name])
