"""Input checks shared by the families."""

import functools
import warnings

import numpy as np
from sklearn.exceptions import DataConversionWarning

from ._callbacks import CALLBACK_STATE
from ._compat import _fit_context

__all__ = [
    "check_partial_fit_classes",
    "clear_fitted",
    "fit_guard",
    "ravel_column_vector",
]


def ravel_column_vector(y, *, stacklevel, reading=""):
    """A y of shape (n, 1) as (n,), with scikit-learn's DataConversionWarning.

    ``sklearn.utils.column_or_1d(y, warn=True)`` for any array with ``ndim`` and
    slicing (a dask array included); ``reading`` says how the estimator reads
    the column, ``stacklevel`` points the warning at the user's call.
    """
    if y.ndim != 2 or y.shape[1] != 1:
        return y
    warnings.warn(
        "A column-vector y was passed when a 1d array was expected"
        f"{': ' + reading if reading else ''}. Please change the shape of y to "
        "(n_samples,), for example using ravel().",
        DataConversionWarning,
        stacklevel=stacklevel + 1,
    )
    return y[:, 0]


def clear_fitted(estimator, private=()):
    """Delete the public attributes ending in ``_`` and the ``private`` ones.

    What a fit that failed half-way calls, so that no new attribute (the new
    input's ``n_features_in_``, a new Q table) stays beside the old model's.
    """
    private = set(private)
    for name in [*vars(estimator)]:
        if name in private or (name.endswith("_") and not name.startswith("_")):
            delattr(estimator, name)


def check_partial_fit_classes(fitted_classes, classes, labels):
    """The sorted classes of a classifier's ``partial_fit``, as scikit-learn's.

    ``classes`` is required on the first call (``fitted_classes`` None) and, when
    passed later, must be the same; every label of the block must be among them.
    Checked before anything is updated, so a refused block leaves the model as it
    was.
    """
    if fitted_classes is None:
        if classes is None:
            raise ValueError(
                "classes must be passed on the first call to partial_fit: every "
                "label the model will be trained on."
            )
        known = np.unique(classes)
    else:
        known = fitted_classes
        if classes is not None and not np.array_equal(np.unique(classes), known):
            raise ValueError(
                f"classes={classes!r} differs from the classes of the first call "
                f"to partial_fit, {known!r}."
            )
    unseen = np.setdiff1d(labels, known)
    if unseen.size:
        raise ValueError(
            f"y holds labels that are not in classes: {unseen!r}. Pass every label "
            "in classes on the first call to partial_fit."
        )
    return known


def fit_guard(method):
    """Decorate a ``fit`` or ``partial_fit``: validation and the failure rule.

    The one failure rule of every family: a call that fails, on its input or
    half-way, leaves the estimator as it was or clearly unfitted, never the new
    input's ``n_features_in_`` or ``classes_`` beside the old model.

    The parameters are validated as by scikit-learn's ``_fit_context``. A call
    that fails before it changes a model in place is undone: the estimator's
    attributes are those it had before the call (a classical fit assigns new
    arrays; it never updates the old ones). A ``fit`` of an estimator whose
    model lives in objects trained in place (a net's module, an agent's table:
    those define ``_clear_fitted``), or a call that set
    ``self._updating_weights = True`` before updating its model in place and
    then failed, leaves it clearly unfitted, since the model is then neither
    the old nor the new one.
    """
    partial = method.__name__ == "partial_fit"

    @functools.wraps(method)
    def guarded(self, *args, **kwargs):
        before = dict(self.__dict__)
        try:
            return method(self, *args, **kwargs)
        except BaseException:
            in_place = self.__dict__.get("_updating_weights", False) or (
                not partial and hasattr(self, "_clear_fitted")
            )
            if in_place:
                self._clear_fitted()
            else:
                # scikit-learn's callbacks are torn down after the call, from
                # the state the call set up.
                running = {
                    k: self.__dict__[k] for k in CALLBACK_STATE if k in self.__dict__
                }
                self.__dict__.clear()
                self.__dict__.update(before, **running)
            raise
        finally:
            self.__dict__.pop("_updating_weights", None)

    return _fit_context(prefer_skip_nested_validation=True)(guarded)
