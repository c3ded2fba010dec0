"""Shared base of the neural estimators: scikit-learn estimators training skorch nets.

:class:`BaseNeuralNet` holds what every net of :mod:`sklearn_lecture.neural` shares:
building and training a skorch :class:`~skorch.NeuralNet` (kept as ``net_``),
seeding torch without touching the user's global generator, the lecture's
optimizers and learning-rate schedules by name, early stopping on a held-out split,
the training history (``loss_curve_``, ``validation_loss_curve_``, ``n_iter_``), a
clear error when the loss diverges, and float64 inference.

How to subclass
---------------
A subclass is an ordinary scikit-learn estimator (mixins left of the base, e.g.
``class Autoencoder(ClassNamePrefixFeaturesOutMixin, TransformerMixin,
BaseNeuralNet)``) whose ``__init__`` lists and stores every hyperparameter,
including the shared ones below, under their exact names.

1. ``_parameter_constraints``: start from
   ``{**BaseNeuralNet._common_parameter_constraints}`` (the shared names: optimizer,
   lr, momentum, rho, lr_schedule, lr_decay, lr_step_size, lr_step_gamma,
   max_epochs, batch_size, early_stopping, validation_fraction, n_iter_no_change,
   random_state, device, verbose), add the layer constraints
   (``_layer_parameter_constraints``: ``activation``, ``batch_norm``) if the
   estimator has them, add its own, and delete any shared name the estimator does
   not take (scikit-learn checks that the keys equal the ``__init__`` parameters).
2. ``_build_module(self, X, y)``: return a fresh ``torch.nn.Module`` sized from the
   training arrays (numpy, ``X`` of the dtype the subclass validated, ``y`` the
   prepared target or ``None``). It is called under the seeded generator, so
   ``torch.nn`` default initialisations and any ``torch.rand*`` in ``forward``
   during training draw from the seed. Define module classes at module level
   (pickling imports them).
3. ``_build_criterion(self)``: return the loss as a ``torch.nn.Module`` called as
   ``criterion(y_pred, y_true)``, ``y_pred`` whatever the module's ``forward``
   returns (a tensor, or a tuple such as ``(reconstruction, code)``). For an
   unsupervised net (``y=None``) the target passed to the criterion is the input
   batch itself.
4. ``fit``: decorate with ``@_fit_context(prefer_skip_nested_validation=True)``;
   validate with ``validate_data(self, X, ...)`` (``dtype=[np.float64,
   np.float32]``, so that transform can return the input's dtype); prepare ``y``
   (a float array for regression, possibly 2-D or 3-D; integer class codes for a
   classifier, sent to torch as int64; ``None`` for unsupervised nets), then call
   ``self._fit_net(X, y)`` and return ``self``.
5. Inference: ``self._forward64(X, fn)`` runs ``fn(module, x)`` (default
   ``module(x)``) on a float64 copy of the fitted module in eval mode and returns a
   float64 numpy array, computed in chunks without any random draw. Cast the result
   to ``X.dtype`` for a transformer; keep float64 for ``predict``.
6. Optional: override ``_train_validation_indices(self, n_samples, y, rng)`` (a
   classifier stratifies its early-stopping split there) and ``_check_n_samples``.

Training runs in float32 on mini-batches sliced directly from tensors (a last batch
of one sample is merged into the one before, so batch normalisation never sees a
batch of one). ``random_state`` fixes the initial weights, the batch order and any
noise drawn in ``forward``; the global torch generator is saved before fit and
restored after it.
"""

import copy
from contextlib import contextmanager
from numbers import Integral, Real

import numpy as np
import torch
from sklearn.base import BaseEstimator
from sklearn.utils import check_random_state
from skorch import NeuralNet
from skorch.callbacks import Callback, EarlyStopping
from skorch.helper import predefined_split

from ..utils._compat import Interval, StrOptions
from ._optim import LR_SCHEDULES, OPTIMIZERS, make_lr_scheduler, resolve_optimizer

__all__ = [
    "ACTIVATIONS",
    "BaseNeuralNet",
    "make_activation",
]

#: Names accepted by ``activation`` (``"logistic"`` is scikit-learn's name for the
#: sigmoid).
ACTIVATIONS = (
    "identity",
    "relu",
    "tanh",
    "sigmoid",
    "logistic",
    "leaky_relu",
    "elu",
    "gelu",
)

# Rows per chunk at inference: large enough to amortise Python overhead, small
# enough to keep a float64 copy of the activations modest.
_INFERENCE_CHUNK = 8192


def make_activation(name):
    """Return the ``torch.nn`` module of an activation named in :data:`ACTIVATIONS`.

    Parameters
    ----------
    name : str
        One of ``"identity"``, ``"relu"``, ``"tanh"``, ``"sigmoid"`` (or its alias
        ``"logistic"``), ``"leaky_relu"``, ``"elu"``, ``"gelu"``.

    Returns
    -------
    activation : torch.nn.Module

    Examples
    --------
    >>> from sklearn_lecture.neural._base import make_activation
    >>> make_activation("tanh")
    Tanh()
    """
    modules = {
        "identity": torch.nn.Identity,
        "relu": torch.nn.ReLU,
        "tanh": torch.nn.Tanh,
        "sigmoid": torch.nn.Sigmoid,
        "logistic": torch.nn.Sigmoid,
        "leaky_relu": torch.nn.LeakyReLU,
        "elu": torch.nn.ELU,
        "gelu": torch.nn.GELU,
    }
    if name not in modules:
        raise ValueError(
            f"Unknown activation {name!r}; valid names are {', '.join(ACTIVATIONS)}."
        )
    return modules[name]()


@contextmanager
def _seeded_torch(seed, device):
    """Seed torch's generator(s) for ``device`` and restore them on exit."""
    device = torch.device(device)
    if device.type == "cuda":
        index = device.index
        if index is None:
            index = torch.cuda.current_device()
        with torch.random.fork_rng(devices=[index], device_type="cuda"):
            torch.random.default_generator.manual_seed(seed)
            with torch.cuda.device(index):
                torch.cuda.manual_seed(seed)
            yield
    else:
        with torch.random.fork_rng(devices=[]):
            # Not torch.manual_seed: it would also reseed CUDA outside the fork.
            torch.random.default_generator.manual_seed(seed)
            yield


def _batch_bounds(n_samples, batch_size):
    """(start, stop) of each mini-batch; a last batch of one joins the previous."""
    starts = list(range(0, n_samples, batch_size))
    if len(starts) > 1 and n_samples - starts[-1] == 1:
        starts.pop()
    stops = starts[1:] + [n_samples]
    return list(zip(starts, stops))


class _TensorDataset(torch.utils.data.Dataset):
    """Input and optional target tensors, already on the training device."""

    def __init__(self, X, y=None):
        self.X = X
        self.y = y

    def __len__(self):
        return len(self.X)

    def __getitem__(self, i):
        return self.X[i], (None if self.y is None else self.y[i])


class _BatchLoader:
    """Mini-batches sliced from a :class:`_TensorDataset`, optionally shuffled.

    Replaces torch's DataLoader: no per-sample indexing and collation, and the
    shuffle draws from the (seeded) default generator only when training.
    """

    def __init__(self, dataset, batch_size=64, shuffle=False):
        self.dataset = dataset
        self.batch_size = batch_size
        self.shuffle = shuffle

    def __len__(self):
        return len(_batch_bounds(len(self.dataset), self.batch_size))

    def __iter__(self):
        X, y = self.dataset.X, self.dataset.y
        bounds = _batch_bounds(len(X), self.batch_size)
        if self.shuffle:
            order = torch.randperm(len(X), device=X.device)
            for start, stop in bounds:
                idx = order[start:stop]
                yield X[idx], (None if y is None else y[idx])
        else:
            for start, stop in bounds:
                yield X[start:stop], (None if y is None else y[start:stop])


class _DivergenceGuard(Callback):
    """Stop with a clear error as soon as an epoch's training loss is not finite."""

    def __init__(self, lr=None):
        self.lr = lr

    def on_epoch_end(self, net, **kwargs):
        loss = net.history[-1, "train_loss"]
        if not np.isfinite(loss):
            raise ValueError(
                f"Training diverged: the training loss became {loss} at epoch "
                f"{len(net.history)}. Lower the learning rate (lr={self.lr!r}), "
                "scale the inputs, or pick another optimizer."
            )


class _SkorchNet(NeuralNet):
    """skorch's NeuralNet whose unsupervised target is the input batch itself."""

    def get_loss(self, y_pred, y_true, X=None, training=False):
        return self.criterion_(y_pred, X if y_true is None else y_true)

    def _set_training(self, training=True):
        # skorch walks every submodule on every batch; switch only on a change.
        if getattr(self, "_training_mode", None) is not training:
            super()._set_training(training)
            self._training_mode = training


class BaseNeuralNet(BaseEstimator):
    """Base class of the neural estimators (see the module docstring to subclass).

    Shared hyperparameters (their subclasses document them again):

    optimizer : {"sgd", "momentum", "nesterov", "adagrad", "rmsprop", \
"rmsprop_nesterov", "adam"}
        The lecture's optimizers by name (see
        :func:`sklearn_lecture.neural._optim.resolve_optimizer`).
    lr : float
        Initial learning rate α₀.
    momentum : float
        Momentum α of ``"momentum"``, ``"nesterov"`` and ``"rmsprop_nesterov"``.
    rho : float
        Decay rate ρ of the squared-gradient average of ``"rmsprop"`` and
        ``"rmsprop_nesterov"``.
    lr_schedule : {"step", "exponential", "inverse_time"} or None
        Annealing once per epoch t: ``α₀·lr_step_gamma**(t // lr_step_size)``,
        ``α₀·exp(−lr_decay·t)`` or ``α₀/(1 + lr_decay·t)``.
    lr_decay, lr_step_size, lr_step_gamma : float, int, float
        The schedules' parameters.
    max_epochs, batch_size : int
        Number of passes over the training data and mini-batch size (clipped to the
        number of training samples).
    early_stopping : bool
        Hold out ``validation_fraction`` of the training data and stop when the
        validation loss has not improved by a relative 1e-4 for
        ``n_iter_no_change`` epochs; the best epoch's parameters are restored.
    random_state : int, RandomState instance or None
        Seeds weights, batch order and noise for the duration of fit only.
    device : str
        ``"cpu"`` or ``"cuda"`` (``"cuda:1"``...).
    verbose : int
        ``> 0`` prints skorch's table of losses per epoch.
    """

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
        "early_stopping": ["boolean"],
        "validation_fraction": [Interval(Real, 0, 1, closed="neither")],
        "n_iter_no_change": [Interval(Integral, 1, None, closed="left")],
        "random_state": ["random_state"],
        "device": [str],
        "verbose": ["verbose"],
    }

    _layer_parameter_constraints = {
        "activation": [StrOptions(set(ACTIVATIONS))],
        "batch_norm": ["boolean"],
    }

    # -- hooks ------------------------------------------------------------------

    def _build_module(self, X, y):  # pragma: no cover - abstract
        raise NotImplementedError

    def _build_criterion(self):  # pragma: no cover - abstract
        raise NotImplementedError

    def _check_n_samples(self, n_samples):
        """Refuse data too small to train on (batch norm needs two samples)."""
        if getattr(self, "batch_norm", False) and n_samples < 2:
            raise ValueError(
                f"batch_norm=True needs at least 2 training samples to estimate "
                f"batch statistics; got n_samples={n_samples}. Use batch_norm=False "
                "or more data."
            )

    def _train_validation_indices(self, n_samples, y, rng):
        """Random (train, validation) indices for early stopping."""
        n_valid = int(np.ceil(self.validation_fraction * n_samples))
        order = rng.permutation(n_samples)
        return np.sort(order[n_valid:]), np.sort(order[:n_valid])

    # -- training ----------------------------------------------------------------

    def _torch_device(self):
        try:
            device = torch.device(self.device)
        except (RuntimeError, ValueError) as exc:
            raise ValueError(
                f"device={self.device!r} is not a torch device; use 'cpu' or 'cuda'."
            ) from exc
        if device.type not in ("cpu", "cuda"):
            raise ValueError(
                f"device={self.device!r}: only 'cpu' and 'cuda' are supported."
            )
        if device.type == "cuda" and not torch.cuda.is_available():
            raise ValueError(
                f"device={self.device!r} but torch finds no CUDA device; use 'cpu'."
            )
        return device

    @staticmethod
    def _to_tensor(a, device, dtype=None):
        if a is None:
            return None
        if dtype is None:
            dtype = torch.float32 if a.dtype.kind == "f" else torch.int64
        # torch.tensor copies: read-only (memory-mapped) inputs stay untouched.
        return torch.tensor(a, dtype=dtype, device=device)

    def _fit_net(self, X, y=None):
        """Train ``net_`` on validated arrays and set the fitted attributes.

        Parameters
        ----------
        X : ndarray of shape (n_samples, ...)
            Validated input, float32 or float64.
        y : ndarray of shape (n_samples, ...) or None
            Prepared target (float for regression, integer codes for
            classification) or None for an unsupervised net.
        """
        n_samples = X.shape[0]
        device = self._torch_device()
        optimizer_class, optimizer_kwargs = resolve_optimizer(
            self.optimizer, momentum=self.momentum, rho=self.rho
        )
        scheduler = make_lr_scheduler(
            self.lr_schedule,
            lr_decay=self.lr_decay,
            lr_step_size=self.lr_step_size,
            lr_step_gamma=self.lr_step_gamma,
        )
        rng = check_random_state(self.random_state)
        if self.early_stopping:
            train_idx, valid_idx = self._train_validation_indices(n_samples, y, rng)
            if len(train_idx) == 0 or len(valid_idx) == 0:
                raise ValueError(
                    f"early_stopping=True with validation_fraction="
                    f"{self.validation_fraction} leaves an empty training or "
                    f"validation set for n_samples={n_samples}."
                )
            X_train, X_valid = X[train_idx], X[valid_idx]
            y_train = None if y is None else y[train_idx]
            y_valid = None if y is None else y[valid_idx]
        else:
            X_train, y_train, X_valid, y_valid = X, y, None, None
        self._check_n_samples(X_train.shape[0])
        seed = int(rng.randint(np.iinfo(np.int32).max))

        callbacks = [("divergence_guard", _DivergenceGuard(lr=self.lr))]
        if scheduler is not None:
            callbacks.append(("lr_scheduler", scheduler))
        if self.early_stopping:
            callbacks.append(
                (
                    "early_stopping",
                    EarlyStopping(
                        monitor="valid_loss",
                        patience=self.n_iter_no_change,
                        threshold=1e-4,
                        load_best=True,
                    ),
                )
            )
        extra = {}
        if not self.verbose:
            # PrintLog formats a table every epoch even when it prints nothing.
            extra["callbacks__print_log"] = None

        with _seeded_torch(seed, device):
            module = self._build_module(X_train, y_train)
            train = _TensorDataset(
                self._to_tensor(X_train, device), self._to_tensor(y_train, device)
            )
            valid = None
            if X_valid is not None:
                valid = _TensorDataset(
                    self._to_tensor(X_valid, device), self._to_tensor(y_valid, device)
                )
            net = _SkorchNet(
                module=module,
                criterion=self._build_criterion(),
                optimizer=optimizer_class,
                lr=self.lr,
                max_epochs=self.max_epochs,
                batch_size=min(self.batch_size, X_train.shape[0]),
                iterator_train=_BatchLoader,
                iterator_valid=_BatchLoader,
                iterator_train__shuffle=True,
                train_split=None if valid is None else predefined_split(valid),
                callbacks=callbacks,
                device=str(device),
                verbose=int(self.verbose),
                **{f"optimizer__{k}": v for k, v in optimizer_kwargs.items()},
                **extra,
            )
            net.fit(train, None)

        history = net.history
        self.net_ = net
        self.n_iter_ = len(history)
        self.loss_curve_ = np.asarray(history[:, "train_loss"], dtype=np.float64)
        self.validation_loss_curve_ = (
            np.asarray(history[:, "valid_loss"], dtype=np.float64)
            if self.early_stopping
            else None
        )
        return self

    # -- inference ---------------------------------------------------------------

    def _forward64(self, X, fn=None):
        """Run ``fn(module, x)`` on a float64, eval-mode copy of the fitted module.

        float32 arithmetic depends on the batch composition at the 1e-7 level;
        float64 makes a row's output independent of the rows around it.

        Parameters
        ----------
        X : ndarray of shape (n_samples, ...)
        fn : callable or None
            ``fn(module, x) -> tensor``; None calls ``module(x)``.

        Returns
        -------
        out : ndarray, float64
        """
        module = copy.deepcopy(self.net_.module_).to(torch.float64).eval()
        device = next(
            (p.device for p in module.parameters()), torch.device(self.net_.device)
        )
        outputs = []
        with torch.no_grad():
            for start in range(0, max(len(X), 1), _INFERENCE_CHUNK):
                chunk = X[start : start + _INFERENCE_CHUNK]
                x = torch.tensor(chunk, dtype=torch.float64, device=device)
                out = module(x) if fn is None else fn(module, x)
                outputs.append(out.cpu().numpy())
        return np.concatenate(outputs, axis=0)
