"""Shared base of the neural estimators: the hyperparameters every net has, once.

:class:`BaseNeuralNet` declares the shared hyperparameters (their constraints in
``_common_parameter_constraints``, their documentation in :data:`NET_PARAMETERS`,
filled into each estimator's docstring by :data:`fill_net_doc`), and turns the
training core (:mod:`~sklearn_lecture.neural._training`) into the fitted
attributes every net has: ``net_``, ``loss_curve_``, ``validation_loss_curve_``,
``n_iter_``. It also owns what every net does the same way: ``warm_start``,
the user's skorch ``callbacks``, scikit-learn's callbacks on the epochs
(:mod:`~sklearn_lecture.utils._callbacks`) and the refusal of skorch's routed
parameters (``optimizer__weight_decay``) with the parameter that means it.

How to write a net
------------------
A subclass is an ordinary scikit-learn estimator (mixins left of the base, e.g.
``class Autoencoder(ClassNamePrefixFeaturesOutMixin, TransformerMixin,
BaseNeuralNet)``) whose ``__init__`` lists every hyperparameter, the shared ones
included, and stores them with ``store_params(self, locals())``
(:mod:`~sklearn_lecture.utils._params`).

1. ``_parameter_constraints``: ``{**BaseNeuralNet._common_parameter_constraints,
   ...}`` plus ``_layer_parameter_constraints`` (``activation``, ``batch_norm``) and
   ``_regularization_parameter_constraints`` (``alpha``, ``dropout``) if the net
   has them, plus its own. The module applies ``dropout``; the training core
   applies ``alpha``.
2. ``_build_module(self, X, y)``: a fresh module (a
   :class:`~sklearn_lecture.neural._modules.TrainedModule` defined in the net's
   own file) sized from the training arrays; it is called under the seeded
   generator.
3. ``_build_criterion(self)``: the loss, called as ``criterion(output, target)``
   (the target of an unsupervised net is the input batch).
4. ``fit``: decorated with :func:`fit_guard`, validate with ``validate_data``,
   prepare ``y``, then ``self._fit_net(X, y)``; ``partial_fit``: the same with
   ``self._partial_fit_net(X, y)`` (one epoch). The guard validates the
   parameters (scikit-learn's ``_fit_context``) and keeps the failure rule: a
   failed ``fit`` leaves the estimator clearly unfitted, a refused
   ``partial_fit`` leaves it as it was. A supervised net whose prepared ``y``
   is not what ``score`` takes (class codes) passes ``scored=(X, y)`` as given,
   for scikit-learn's ``ScoringMonitor``.
5. Inference: ``self._forward64(X, fn)`` (eval mode, chunked, in the precision of
   X: float64 for float64 input, float32 for float32).
6. The docstring says ``{net_parameters}`` and ``{net_attributes}`` where the
   shared entries go, and the class is decorated with :data:`fill_net_doc`.

Optional: ``_early_stopping_stratify(y)`` (a classifier returns its class codes)
and ``_check_n_samples``.
"""

from numbers import Integral, Real
from types import SimpleNamespace

import numpy as np
import torch
from sklearn.base import BaseEstimator
from sklearn.utils import check_random_state

from ..utils._callbacks import CallbackSupportMixin, begin_fit
from ..utils._compat import Interval, StrOptions
from ..utils._dask import DaskInferenceMixin
from ..utils._docstrings import ParameterDocs, fill_doc
from ..utils._validation import clear_fitted, fit_guard
from ._modules import ACTIVATIONS
from ._optim import LR_SCHEDULES, OPTIMIZERS
from ._training import (
    NetState,
    check_callbacks,
    check_device,
    disarm_early_stopping,
    fit_module,
    inference_copy,
    initialize_net,
    n_rows,
    rearm_early_stopping,
    run_module,
    seeded_torch,
    take_rows,
    train_net,
    train_validation_split,
)

__all__ = [
    "BaseNeuralNet",
    "FittedState",
    "NET_ATTRIBUTES",
    "NET_PARAMETERS",
    "check_layer_sizes",
    "fill_net_doc",
    "fit_guard",
]


# -- the shared hyperparameters, documented once ----------------------------------

_OPTIMIZER_NAMES = ", ".join(f'"{name}"' for name in OPTIMIZERS)
_ACTIVATION_NAMES = ", ".join(f'"{name}"' for name in ACTIVATIONS)

#: numpydoc entries of the shared hyperparameters: (type, description). The
#: default is read from each estimator's signature.
NET_PARAMETERS = ParameterDocs({
    "activation": (
        "{" + _ACTIVATION_NAMES + "}",
        "Activation of the hidden layers.",
    ),
    "batch_norm": (
        "bool",
        "Batch normalisation after every hidden linear layer but the code layer "
        "(running statistics at inference). Needs at least two training samples "
        "and batch_size >= 2.",
    ),
    "alpha": (
        "float",
        "Strength of the L2 penalty on the weights (not the biases), as "
        "scikit-learn's MLPClassifier: alpha / (2 B) times the sum of the "
        "squared weights is added to each mini-batch's mean loss (B its size). "
        "``loss_curve_`` includes it, ``validation_loss_curve_`` does not.",
    ),
    "dropout": (
        "float",
        "Probability of zeroing each hidden unit during training (inverted "
        "dropout: the kept units are scaled by 1 / (1 - dropout)). Inactive at "
        "inference, so predictions and transforms stay deterministic; 0 "
        "disables it.",
    ),
    "optimizer": (
        "{" + _OPTIMIZER_NAMES + "}",
        "The lecture's optimizers by name.",
    ),
    "lr": ("float", "Initial learning rate α₀."),
    "momentum": (
        "float",
        'Momentum α of "momentum", "nesterov" and "rmsprop_nesterov".',
    ),
    "rho": (
        "float",
        'Decay rate ρ of the squared-gradient average ("rmsprop", '
        '"rmsprop_nesterov").',
    ),
    "lr_schedule": (
        '{"step", "exponential", "inverse_time"} or None',
        "Learning-rate annealing per epoch t: α₀·lr_step_gamma**(t//lr_step_size), "
        "α₀·exp(−lr_decay·t) or α₀/(1 + lr_decay·t); None keeps α₀.",
    ),
    "lr_decay": (
        "float",
        "Decay constant k of the exponential and inverse-time schedules.",
    ),
    "lr_step_size": ("int", "Epochs between two steps of the step schedule."),
    "lr_step_gamma": ("float", "Factor of the step schedule."),
    "max_epochs": (
        "int",
        "Number of passes over the training data by fit (for the stacked nets: "
        "of the end-to-end fine-tuning).",
    ),
    "batch_size": ("int", "Mini-batch size (clipped to the number of samples)."),
    "gradient_clip": (
        "float or None",
        "Rescale each mini-batch's gradient to at most this Euclidean norm "
        "(gradient norm clipping, Pascanu et al. 2013), against the exploding "
        "gradients of recurrent nets; None leaves the gradient alone.",
    ),
    "early_stopping": (
        "bool",
        "Hold out ``validation_fraction`` of the training data (stratified by "
        "class for classifiers) and stop when its loss has not improved by a "
        "relative 1e-4 for ``n_iter_no_change`` epochs; the best epoch's "
        "parameters are restored.",
    ),
    "validation_fraction": ("float", "Held-out fraction for early stopping."),
    "n_iter_no_change": ("int", "Patience of early stopping, in epochs."),
    "warm_start": (
        "bool",
        "When True, ``fit`` continues the fitted net (its weights, optimizer "
        "state, learning-rate schedule, history and random stream) for "
        "``max_epochs`` more epochs, as ``max_epochs`` calls of ``partial_fit`` "
        "would, provided X has the fitted shape (and the fitted classes) and no "
        "parameter but ``max_epochs``, ``verbose`` and the early-stopping "
        "settings changed since; otherwise ``fit`` trains a new net. The stacked "
        "nets continue their fine-tuning (no new pre-training).",
    ),
    "callbacks": (
        "list or None",
        "skorch callbacks for the net, as skorch takes them: instances (named "
        "after their class) or ``(name, callback)`` pairs, run after skorch's "
        "own every epoch (``Checkpoint``, ``EpochScoring``, ``EarlyStopping``, "
        "``LRScheduler``, ``ProgressBar``...). Each fit runs copies of them (the "
        "parameter stays as passed); ``net_.callbacks_`` holds them afterwards. "
        "The validation split exists with ``early_stopping=True``; skorch's net "
        "predicts the module's output (class scores for the classifiers). "
        "scikit-learn's callbacks (``sklearn.callback``) go to ``set_callbacks``.",
    ),
    "random_state": (
        "int, RandomState instance or None",
        "Seeds the initial weights, the batch order and any noise drawn during "
        "training, without touching torch's global generator. Pass an int for "
        "repeatable fits.",
    ),
    "device": ("str", 'Torch device to train on: "cpu", "cuda", "cuda:1"...'),
    "verbose": ("int", "Print skorch's per-epoch loss table when > 0."),
})

NET_ATTRIBUTES = """\
net_ : skorch.NeuralNet
    The trained net; ``net_.module_`` is the torch module, ``net_.history``
    the per-epoch record.
n_features_in_ : int
    Number of features seen during fit.
feature_names_in_ : ndarray of shape (`n_features_in_`,)
    Names of the input features, when X has string column names.
loss_curve_ : ndarray of shape (n_iter_,)
    Mean training loss of each epoch.
validation_loss_curve_ : ndarray of shape (n_iter_,) or None
    Validation loss of each epoch with early stopping, else None.
n_iter_ : int
    Number of epochs run."""


#: Fills ``{net_parameters}`` (the shared hyperparameters the class takes and does
#: not document itself, in signature order, with the signature's defaults) and
#: ``{net_attributes}`` in a net's docstring.
fill_net_doc = fill_doc(net_parameters=NET_PARAMETERS, net_attributes=NET_ATTRIBUTES)


def check_layer_sizes(hidden_layer_sizes):
    """Return ``hidden_layer_sizes`` as a tuple of positive ints, or raise."""
    sizes = np.asarray(hidden_layer_sizes)
    if (
        sizes.ndim != 1
        or sizes.size == 0
        or not all(isinstance(s, Integral | np.integer) for s in sizes.tolist())
        or np.any(sizes < 1)
    ):
        raise ValueError(
            "hidden_layer_sizes must be a non-empty tuple of positive integers, "
            f"got {hidden_layer_sizes!r}."
        )
    return tuple(int(s) for s in sizes)


class FittedState(SimpleNamespace):
    """The private fitted state of a net, in one object (``self._fitted``).

    What inference and continued training need beside the public fitted
    attributes: ``net_state`` (the seeded random stream), ``params`` (the
    parameters the net was fitted with) and what a model adds (the GAN's
    ``dtype`` and ``snapshot_z``, the RNNs' target layout, the autoencoders'
    ``n_features_out``). A failed fit deletes it whole and a pickle carries it
    whole; it holds no training or validation rows. It is replaced, never
    changed in place (:meth:`BaseNeuralNet._update_fitted`), so that a refused
    ``partial_fit``, undone by restoring the estimator's attributes, leaves it
    as it was.
    """


# skorch's routed parameters, which only a skorch net takes.
_SKORCH_PREFIXES = (
    "module__",
    "criterion__",
    "optimizer__",
    "iterator_train__",
    "iterator_valid__",
    "dataset__",
    "discriminator__",
    "discriminator_optimizer__",
)


class BaseNeuralNet(CallbackSupportMixin, DaskInferenceMixin, BaseEstimator):
    """Base class of the neural estimators (see the module docstring to subclass)."""

    _common_parameter_constraints = {
        "optimizer": [StrOptions(set(OPTIMIZERS))],
        "lr": [Interval(Real, 0, None, closed="neither")],
        "momentum": [Interval(Real, 0, 1, closed="left")],
        "rho": [Interval(Real, 0, 1, closed="left")],
        "lr_schedule": [StrOptions(set(LR_SCHEDULES)), None],
        "lr_decay": [Interval(Real, 0, None, closed="left")],
        "lr_step_size": [Interval(Integral, 1, None, closed="left")],
        "lr_step_gamma": [Interval(Real, 0, None, closed="neither")],
        "max_epochs": [Interval(Integral, 1, None, closed="left")],
        "batch_size": [Interval(Integral, 1, None, closed="left")],
        "gradient_clip": [Interval(Real, 0, None, closed="neither"), None],
        "early_stopping": ["boolean"],
        "validation_fraction": [Interval(Real, 0, 1, closed="neither")],
        "n_iter_no_change": [Interval(Integral, 1, None, closed="left")],
        "warm_start": ["boolean"],
        "callbacks": [list, tuple, None],
        "random_state": ["random_state"],
        "device": [str],
        "verbose": ["verbose"],
    }

    _layer_parameter_constraints = {
        "activation": [StrOptions(set(ACTIVATIONS))],
        "batch_norm": ["boolean"],
    }

    _regularization_parameter_constraints = {
        "alpha": [Interval(Real, 0, None, closed="left")],
        "dropout": [Interval(Real, 0, 1, closed="left")],
    }

    # skorch callback classes that cannot apply to the net, with the reason.
    _refused_skorch_callbacks = {}

    # -- hooks ------------------------------------------------------------------

    def _build_module(self, X, y):  # pragma: no cover - abstract
        raise NotImplementedError

    def _build_criterion(self):  # pragma: no cover - abstract
        raise NotImplementedError

    def _check_n_samples(self, n_samples):
        """Refuse data too small to train on (batch norm needs two rows a batch).

        Called on the training rows of every fit and partial_fit call, before
        anything is trained.
        """
        if not getattr(self, "batch_norm", False):
            return
        if n_samples < 2:
            raise ValueError(
                f"batch_norm=True needs at least 2 training samples to estimate "
                f"batch statistics; got n_samples={n_samples}. Use batch_norm=False "
                "or more data."
            )
        if self.batch_size < 2:
            raise ValueError(
                "batch_norm=True estimates statistics over each mini-batch and "
                f"needs batch_size >= 2; got batch_size={self.batch_size}."
            )

    def _early_stopping_stratify(self, y):
        """Labels to stratify the early-stopping split by (None: a random split)."""
        return None

    # -- training ----------------------------------------------------------------

    def _early_stopping_split(self, n_samples, y, rng):
        if not self.early_stopping:
            return None
        stratify = self._early_stopping_stratify(y)
        try:
            split = train_validation_split(
                n_samples, self.validation_fraction, rng, stratify=stratify
            )
        except ValueError as error:
            # scikit-learn's stratified split speaks of class codes.
            raise ValueError(
                f"early_stopping=True holds out validation_fraction="
                f"{self.validation_fraction} of every class, which these "
                f"{n_samples} samples cannot give: every class needs 2 samples, "
                "and the held-out rows must be at least as many as the classes. "
                "Use early_stopping=False, a larger validation_fraction or more "
                "data."
            ) from error
        if len(split[0]) == 0 or len(split[1]) == 0:
            raise ValueError(
                f"early_stopping=True with validation_fraction="
                f"{self.validation_fraction} leaves an empty training or "
                f"validation set for n_samples={n_samples}."
            )
        return split

    def _fit_net(self, X, y=None, *, scored=None):
        """Train a fresh module (or, with ``warm_start``, continue) on validated arrays.

        Sets the fitted attributes, and reports the training to scikit-learn's
        callbacks: the fit is the root task, each epoch (or, for the stacked
        nets, each training stage) a subtask.

        Parameters
        ----------
        X : ndarray of shape (n_samples, ...)
            Validated input, float32 or float64.
        y : ndarray of shape (n_samples, ...) or None
            Prepared target (float for regression, integer codes for
            classification) or None for an unsupervised net.
        scored : (X, y) or None
            The data a ``ScoringMonitor`` scores, as ``score`` takes them; None:
            (X, y) themselves when y is None or a float target, else none.
        """
        continuing = self._can_continue(X, y)
        task = begin_fit(
            self,
            self.max_epochs if continuing else self._n_fit_tasks(),
            **self._scored_data(X, y, scored),
        )
        if continuing:
            rng = check_random_state(self.random_state)
            split = self._early_stopping_split(n_rows(X), y, rng)
            self._continue_training(X, y, self.max_epochs, task, split)
        else:
            self._train_new(X, y, task)
        self._update_fitted(warm_key=self._warm_key(X, y))
        task.end({})
        return self

    def _scored_data(self, X, y, scored):
        if scored is not None:
            return {"X": scored[0], "y": scored[1]}
        if y is None or (isinstance(X, np.ndarray) and y.dtype.kind == "f"):
            return {"X": X if isinstance(X, np.ndarray) else None, "y": y}
        return {}

    def _n_fit_tasks(self):
        """The subtasks of a new fit: its epochs (the stacked nets: stages)."""
        return self.max_epochs

    def _train_new(self, X, y, task):
        device = check_device(self.device)
        rng = check_random_state(self.random_state)
        split = self._early_stopping_split(n_rows(X), y, rng)
        X_train, y_train = X, y
        if split is not None:
            X_train = take_rows(X, split[0])
            y_train = None if y is None else y[split[0]]
        self._check_n_samples(n_rows(X_train))
        state = NetState(rng.randint(np.iinfo(np.int32).max))
        with seeded_torch(state, device):
            module = self._build_module(X_train, y_train)
        self._train_end_to_end(module, X, y, state, split, task)

    def _train_end_to_end(self, module, X, y, seed, split, task):
        """Train ``module`` for ``max_epochs`` on the net's loss; set the results."""
        net, state = fit_module(
            self,
            module,
            self._build_criterion(),
            X,
            y,
            max_epochs=self.max_epochs,
            seed=seed,
            split=split,
            user_callbacks=self._skorch_callbacks(),
            task=task,
            fitted=self._epoch_fitted,
        )
        self._set_training_results(net, state)

    def _partial_fit_net(self, X, y=None, *, scored=None):
        """One more epoch on (X, y), starting a net on the first call.

        Early stopping does not apply (each call is one unit of work, as
        scikit-learn's ``partial_fit``); the optimizer state, the schedule and the
        random stream continue from the previous call.
        """
        self._check_n_samples(n_rows(X))
        task = begin_fit(
            self, 1, task_name="partial_fit", **self._scored_data(X, y, scored)
        )
        if hasattr(self, "net_"):
            self._check_same_params()
            self._continue_training(X, y, 1, task)
        else:
            device = check_device(self.device)
            rng = check_random_state(self.random_state)
            state = NetState(rng.randint(np.iinfo(np.int32).max))
            with seeded_torch(state, device):
                module = self._build_module(X, y)
                net = initialize_net(
                    self,
                    module,
                    self._build_criterion(),
                    n_train=n_rows(X),
                    user_callbacks=self._skorch_callbacks(),
                )
            self._updating_weights = True
            train_net(
                net, X, y, epochs=1, state=state, task=task, fitted=self._epoch_fitted
            )
            self._set_training_results(net, state)
        self._update_fitted(warm_key=self._warm_key(X, y))
        task.end({})
        return self

    def _continue_training(self, X, y, epochs, task, split=None):
        """``epochs`` more epochs of the fitted net, on (X, y) or the rows of ``split``.

        What ``partial_fit`` (one epoch, no split) and a warm-started ``fit``
        (``max_epochs``, the early-stopping split it draws) share.
        """
        net, state = self.net_, self._fitted.net_state
        if split is None:
            # Early stopping belongs to the fit that held out its split.
            disarm_early_stopping(net)
        else:
            train, valid = split
            rearm_early_stopping(
                net, self, (take_rows(X, valid), None if y is None else y[valid])
            )
            X, y = take_rows(X, train), None if y is None else y[train]
            self._check_n_samples(n_rows(X))
        self._updating_weights = True
        train_net(
            net, X, y, epochs=epochs, state=state, task=task, fitted=self._epoch_fitted
        )
        # The held-out rows served this fit only: a fitted net pickles no data.
        net.set_params(train_split=None)
        self._set_training_results(net, state)

    def _warm_key(self, X, y):
        """What a warm start needs unchanged in the data: shapes and classes."""
        first = next(iter(X.values())) if isinstance(X, dict) else X
        classes = getattr(self, "classes_", None)
        return (
            first.shape[1:],
            None if y is None else y.shape[1:],
            None if classes is None else tuple(classes.tolist()),
        )

    def _can_continue(self, X, y):
        """Whether ``fit`` continues the fitted net (``warm_start``)."""
        if not (getattr(self, "warm_start", False) and hasattr(self, "net_")):
            return False
        fitted = self.__dict__.get("_fitted")
        if fitted is None or getattr(fitted, "warm_key", None) != self._warm_key(X, y):
            return False
        return not self._changed_params()

    def _epoch_fitted(self, net):
        """The fitted attributes of a net stopped after its latest epoch.

        What scikit-learn's callbacks get to build a copy of the estimator
        that predicts (a ``ScoringMonitor`` scores it).
        """
        fitted = vars(self.__dict__.get("_fitted", FittedState()))
        params = self._net_params()
        return {"net_": net, "_fitted": FittedState(**{**fitted, "params": params})}

    def _skorch_callbacks(self):
        """The ``callbacks`` parameter as skorch takes it, checked."""
        return check_callbacks(
            getattr(self, "callbacks", None),
            type(self).__name__,
            self._refused_skorch_callbacks,
        )

    def set_params(self, **params):
        """Set the parameters of this estimator (scikit-learn's ``set_params``).

        Besides the estimator's own parameters, ``callbacks__<name>__<param>``
        sets a parameter of the skorch callback of that name in ``callbacks``
        (skorch's routing). Other routed names of skorch, such as
        ``optimizer__weight_decay``, belong to the skorch net that ``fit``
        builds from the estimator's parameters; they are refused with the
        parameter that means the same here.

        Parameters
        ----------
        **params : dict
            Estimator parameters.

        Returns
        -------
        self : object
            The estimator.
        """
        routed = {k: params.pop(k) for k in list(params) if k.startswith("callbacks__")}
        refused = [k for k in params if k.startswith(_SKORCH_PREFIXES)]
        if refused:
            raise ValueError(
                f"{', '.join(refused)}: {type(self).__name__} builds its skorch net "
                "at fit from its own parameters, so skorch's routed parameters do "
                "not apply. Weight decay is alpha (an L2 penalty on the weights, "
                "not the biases); the optimizer is set by optimizer, lr, momentum "
                "and rho; skorch callbacks are passed in callbacks. The fitted "
                "net itself takes them: est.net_.set_params(...)."
            )
        super().set_params(**params)
        for key, value in routed.items():
            self._set_callback_param(key, value)
        return self

    def _set_callback_param(self, key, value):
        _, name, param = (key.split("__", 2) + ["", ""])[:3]
        named = {}
        for item in self.callbacks or ():
            if isinstance(item, tuple):
                named[item[0]] = item[1]
            else:
                named[type(item).__name__] = item
        if not param or name not in named:
            raise ValueError(
                f"{key}: callbacks__<name>__<parameter> sets a parameter of a skorch "
                f"callback in callbacks; the callbacks are named {sorted(named)}."
            )
        named[name].set_params(**{param: value})

    # Settings that do not shape the net or its optimizer: partial_fit and a
    # warm start may continue a net after they change (the early-stopping
    # settings apply to the fit that holds out a split).
    _CONTINUABLE_PARAMS = (
        "verbose",
        "max_epochs",
        "pretrain_epochs",
        "warm_start",
        "early_stopping",
        "validation_fraction",
        "n_iter_no_change",
    )

    def _net_params(self):
        params = self.get_params(deep=False)
        for name in self._CONTINUABLE_PARAMS:
            params.pop(name, None)
        return params

    def _changed_params(self):
        return [
            f"{name}={value!r} (fitted with {self._fitted.params.get(name)!r})"
            for name, value in self._net_params().items()
            if repr(value) != repr(self._fitted.params.get(name))
        ]

    def _check_same_params(self):
        changed = self._changed_params()
        if changed:
            raise ValueError(
                f"partial_fit continues the net fitted before, but the parameters "
                f"changed since: {', '.join(changed)}. Call fit to train a new net "
                "with them."
            )

    def _set_training_results(self, net, state):
        history = net.history
        self.net_ = net
        self._update_fitted(net_state=state, params=self._net_params())
        self.n_iter_ = len(history)
        self.loss_curve_ = np.asarray(history[:, "train_loss"], dtype=np.float64)
        # NaN for the epochs of partial_fit calls after an early-stopping fit.
        valid = [epoch.get("valid_loss", np.nan) for epoch in history]
        self.validation_loss_curve_ = (
            np.asarray(valid, dtype=np.float64)
            if any("valid_loss" in epoch for epoch in history)
            else None
        )

    def _update_fitted(self, reset=False, **fields):
        """Replace ``self._fitted`` by a copy that also holds ``fields``.

        ``reset=True`` starts from an empty state (a new fit).
        """
        old = {} if reset else vars(self.__dict__.get("_fitted", FittedState()))
        self._fitted = FittedState(**{**old, **fields})

    def _clear_fitted(self):
        clear_fitted(self, private=("_fitted",))

    # -- inference ---------------------------------------------------------------

    def _forward64(self, X, fn=None):
        """``fn(module, x)`` on an eval-mode copy of ``net_.module_`` as it is now.

        In the precision of X: float64 input runs a float64 copy (a row's output
        then does not depend on the rows around it), float32 input a float32 copy.
        The copy is made on every call, so inference follows the net the user
        sees (weights loaded with ``net_.load_params``, a module edited in place).
        """
        first = next(iter(X.values())) if isinstance(X, dict) else X
        dtype = torch.float32 if first.dtype == np.float32 else torch.float64
        return run_module(inference_copy(self.net_.module_, dtype), X, fn)
