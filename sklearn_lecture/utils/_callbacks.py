"""scikit-learn's callback API for the package's loops, written once.

scikit-learn 1.9 added an experimental callback API (``sklearn.callback``):
``est.set_callbacks(ProgressBar())`` or ``ScoringMonitor(...)``, propagated by
``Pipeline`` and ``GridSearchCV`` to the estimators they fit. An estimator takes
part by deriving from scikit-learn's ``CallbackSupportMixin`` and reporting its
loops as a tree of tasks: the fit is the root, each iteration (an epoch, an
episode, a k-means run) a subtask. This module is the package's one use of it:

- :class:`CallbackSupportMixin`: scikit-learn's mixin where it exists, nothing
  on an older scikit-learn (no ``set_callbacks`` then, as scikit-learn's own
  estimators); an estimator may refuse callbacks that cannot apply to it
  (``_refuse_callback``).
- :func:`begin_fit` opens the root task at the start of ``fit`` and returns a
  :class:`FitTask`; ``task.subtask(name)`` opens one iteration, ``task.end()``
  closes it and says whether a callback asks to stop; :meth:`FitTask.loop`
  does both around each item of a loop; ``with task.propagate(sub):`` hands
  the callbacks to an estimator fitted inside the task, as scikit-learn's
  meta-estimators do. With no callback set (or no
  ``sklearn.callback``) :func:`begin_fit` returns :data:`NO_TASK`, whose methods
  do nothing, so a loop costs nothing extra.

The teardown of the callbacks is scikit-learn's: ``_fit_context`` (which every
``fit`` of the package reaches through ``fit_guard``) runs it after the fit; a
method that is not a fit (StyleTransfer's ``transform``) is decorated with
:func:`with_callbacks`.
"""

from contextlib import nullcontext

try:  # scikit-learn >= 1.9
    from sklearn.callback import CallbackSupportMixin as _UpstreamMixin
    from sklearn.callback import ScoringMonitor, with_callbacks
except ImportError:  # older scikit-learn: no callbacks
    has_callback_api = False
    ScoringMonitor = None

    class _UpstreamMixin:
        """scikit-learn has no callbacks: nothing to add."""

    def with_callbacks(method):
        return method

else:
    has_callback_api = True


__all__ = [
    "CALLBACK_STATE",
    "CallbackSupportMixin",
    "FitTask",
    "NO_TASK",
    "ScoringMonitor",
    "begin_fit",
    "has_callback_api",
    "with_callbacks",
]

#: What scikit-learn keeps on an estimator while its fit runs: a fit that fails
#: and is undone (``fit_guard``) keeps them, so that the callbacks are torn down.
CALLBACK_STATE = ("_callback_fit_ctx", "_skl_callbacks_to_teardown")


class CallbackSupportMixin(_UpstreamMixin):
    """``set_callbacks`` (scikit-learn >= 1.9), refusing what cannot apply.

    Left of the other mixins, as scikit-learn's ``StandardScaler`` has it. An
    estimator whose fit has no X and y to score sets ``_unscored_fit`` to the
    reason, and ``ScoringMonitor`` is refused with it; other refusals go in
    :meth:`_refuse_callback`.
    """

    #: Why the fit has no X and y a ScoringMonitor could score (None: it has).
    _unscored_fit = None

    if has_callback_api:

        def set_callbacks(self, *callbacks):
            """Set scikit-learn callbacks (``sklearn.callback``) for the fits.

            Parameters
            ----------
            *callbacks : callback instances
                For instance ``ProgressBar()`` or ``ScoringMonitor(scoring=...)``.

            Returns
            -------
            self : object
                The estimator.
            """
            for callback in callbacks:
                reason = self._refuse_callback(callback)
                if reason:
                    raise TypeError(
                        f"{type(self).__name__} cannot use "
                        f"{type(callback).__name__}: {reason}"
                    )
            return super().set_callbacks(*callbacks)

    def _refuse_callback(self, callback):
        """Why ``callback`` cannot apply to this estimator, or None."""
        if self._unscored_fit and isinstance(callback, ScoringMonitor):
            return (
                f"it scores the X and y of a fit, and {self._unscored_fit}. "
                "ProgressBar, or a callback of your own, applies."
            )
        return None


class FitTask:
    """A task of a fit (the fit itself, or one iteration of it) that callbacks see.

    Made by :func:`begin_fit` and :meth:`subtask`; every subtask shares the
    fit's data (X, y, metadata), which a ``ScoringMonitor`` scores.
    """

    __slots__ = ("_estimator", "_context", "_data")
    active = True

    def __init__(self, estimator, context, data):
        self._estimator = estimator
        self._context = context
        self._data = data

    def subtask(self, name, n_subtasks=0):
        """Open a subtask (one iteration): ``n_subtasks`` is its number of own
        subtasks (0: it has none; None: not known in advance)."""
        context = self._context.subcontext(task_name=name, max_subtasks=n_subtasks)
        context.call_on_fit_task_begin(estimator=self._estimator, **self._data)
        return FitTask(self._estimator, context, self._data)

    def end(self, fitted=None):
        """Close the task; True when a callback asks to stop the loop it is in.

        Parameters
        ----------
        fitted : dict, callable returning a dict, or None
            The fitted attributes that make a copy of the estimator ready to
            predict as if the fit stopped here (a ``ScoringMonitor`` scores that
            copy); a callable is called only when a callback needs it. None:
            there is no such copy (scorers skip the task).
        """
        return self._context.call_on_fit_task_end(
            estimator=self._estimator, **self._data, reconstruction_attributes=fitted
        )

    def loop(self, name, items, n_subtasks=0, fitted=None):
        """Yield ``items``, each inside a subtask ``name``; stop when asked.

        ``fitted`` is a callable giving the state after an item (see
        :meth:`end`); it is called after the loop's body ran for that item.
        """
        for item in items:
            task = self.subtask(name, n_subtasks)
            yield item
            if task.end(fitted):
                return

    def propagate(self, estimator):
        """Context in which ``estimator`` is fitted as this (leaf) task.

        scikit-learn's ``propagate_callback_context``: the estimator's own fit
        becomes this task, and the callbacks that propagate (``ProgressBar``)
        reach it, if it supports callbacks.
        """
        return self._context.propagate_callback_context(estimator)


class _NoTask:
    """The task of a fit that no callback watches: every method does nothing."""

    __slots__ = ()
    active = False

    def subtask(self, name, n_subtasks=0):
        return self

    def end(self, fitted=None):
        return False

    def loop(self, name, items, n_subtasks=0, fitted=None):
        return iter(items)

    def propagate(self, estimator):
        return nullcontext()

    def __reduce__(self):
        return "NO_TASK"


#: The task of a fit without callbacks.
NO_TASK = _NoTask()


def begin_fit(estimator, n_subtasks, *, task_name="fit", X=None, y=None,
              metadata=None):  # fmt: skip
    """Open the root task of a fit and return it (:data:`NO_TASK` if unwatched).

    Call it once at the start of ``fit`` (after validating the data), close it
    with ``task.end({})`` at the end.

    Parameters
    ----------
    estimator : CallbackSupportMixin
        The estimator being fitted.
    n_subtasks : int or None
        Its iterations: the progress bar's total (None: unknown in advance).
    task_name : str, default="fit"
        ``"partial_fit"``, ``"transform"``... as the progress bar names it.
    X, y : array-like or None
        The data a ``ScoringMonitor`` scores the fitted copies on; None for a
        fit without such data (an agent's environment, a generator).
    metadata : dict or None
        Passed to the scorer with X and y (``sample_weight``).

    Returns
    -------
    task : FitTask or NO_TASK
    """
    watched = getattr(estimator, "_skl_callbacks", None) or hasattr(
        estimator, "_parent_callback_ctx"
    )
    if not (has_callback_api and watched):
        return NO_TASK
    context = estimator._init_callback_context(
        task_name=task_name, max_subtasks=n_subtasks
    )
    data = {"X": X, "y": y, "metadata": metadata}
    context.call_on_fit_task_begin(estimator=estimator, **data)
    return FitTask(estimator, context, data)
