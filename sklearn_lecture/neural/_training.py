"""The one training core of the neural estimators.

Every net of :mod:`sklearn_lecture.neural`, and every pre-training stage of the
stacked nets, trains through the functions here. Initialising and training are
separate steps:

- :func:`initialize_net` takes a torch module, a criterion and the estimator whose
  shared settings (optimizer, lr, momentum, rho, schedule, batch size, early
  stopping, device, verbose) it reads, and returns an initialised skorch
  :class:`~skorch.NeuralNet` (optimizer and callbacks built, nothing trained);
- :func:`train_net` runs a number of epochs on it, continuing the optimizer state,
  the learning-rate schedule and the history of any earlier call, so that "train N
  more epochs on this data" (``partial_fit``, warm starts) is a call, not a rewrite;
- :func:`fit_module` is the two in a row, on a fresh seed and an optional
  early-stopping split: what ``fit`` and each pre-training stage do.

Every net is an unmodified skorch :class:`~skorch.NeuralNet` customised only where
skorch's guide says to: ``get_loss`` (an unsupervised target is the input batch;
the L2 penalty ``alpha`` on the weights is added to the training loss), and, for
a net that is not "one module, one loss, one optimizer" (a GAN), extra
modules and optimizers registered in ``initialize_module`` /
``initialize_optimizer`` and a ``train_step`` of its own. skorch's loop runs the
epochs and callbacks, the user's skorch callbacks among them; :func:`train_net`
adds the seeded stream, reports the epochs to scikit-learn's callbacks (a
:class:`~sklearn_lecture.utils._callbacks.FitTask`) and makes a Ctrl-C raise
(skorch ends training quietly on it).

Randomness: a training call runs under :func:`seeded_torch`, which sets torch's
generator to a given state, hands back the state it ended in (so the next call
continues the same stream) and restores the user's global generator on exit.
Inference goes through :func:`run_module` on an eval-mode copy of the module
(:func:`inference_copy`) in the precision of the input.
"""

import copy
import re
import warnings
from contextlib import contextmanager

import numpy as np
import torch
from skorch import NeuralNet
from skorch.callbacks import Callback, EarlyStopping, GradientNormClipping
from skorch.helper import predefined_split

from ..utils._callbacks import NO_TASK
from ._optim import make_lr_scheduler, resolve_optimizer

__all__ = [
    "NetState",
    "check_device",
    "check_finite_state",
    "seeded_torch",
    "check_callbacks",
    "l2_penalty",
    "initialize_net",
    "disarm_early_stopping",
    "rearm_early_stopping",
    "train_net",
    "check_not_interrupted",
    "fit_module",
    "forward64",
    "inference_copy",
    "run_module",
    "train_validation_split",
    "n_rows",
    "take_rows",
    "print_plain",
]

# Rows per chunk at inference: large enough to amortise Python overhead, small
# enough to keep a float64 copy of the activations modest.
_INFERENCE_CHUNK = 8192


def check_device(name):
    """Return ``torch.device(name)`` or raise a ValueError that says what is wrong."""
    try:
        device = torch.device(name)
    except (RuntimeError, ValueError, TypeError) as exc:
        raise ValueError(
            f"device={name!r} is not a torch device; use 'cpu' or 'cuda'."
        ) from exc
    if device.type not in ("cpu", "cuda"):
        raise ValueError(f"device={name!r}: only 'cpu' and 'cuda' are supported.")
    if device.type == "cuda" and not torch.cuda.is_available():
        raise ValueError(f"device={name!r} but torch finds no CUDA device; use 'cpu'.")
    return device


class NetState:
    """The random state a training stream continues from: torch's generator(s).

    Created from an integer seed; :func:`seeded_torch` updates it in place at the
    end of each training call. Picklable (it holds byte tensors).
    """

    def __init__(self, seed):
        self.seed = int(seed)
        self.cpu = None
        self.cuda = None


@contextmanager
def seeded_torch(state, device):
    """Run the block on torch's generator set to ``state``; save and restore.

    The first use of a :class:`NetState` seeds the generator with its seed; each
    exit stores the generator's state back into it, so successive training calls
    continue one random stream. The user's global generator is restored on exit.
    """
    device = torch.device(device)
    if device.type == "cuda":
        index = device.index
        if index is None:
            index = torch.cuda.current_device()
        with torch.random.fork_rng(devices=[index], device_type="cuda"):
            _set_generators(state, index)
            yield
            state.cpu = torch.random.get_rng_state()
            state.cuda = torch.cuda.get_rng_state(index)
    else:
        with torch.random.fork_rng(devices=[]):
            _set_generators(state, None)
            yield
            state.cpu = torch.random.get_rng_state()


def _set_generators(state, cuda_index):
    if state.cpu is None:
        # Not torch.manual_seed: it would also reseed CUDA outside the fork.
        torch.random.default_generator.manual_seed(state.seed)
    else:
        torch.random.set_rng_state(state.cpu)
    if cuda_index is not None:
        with torch.cuda.device(cuda_index):
            if state.cuda is None:
                torch.cuda.manual_seed(state.seed)
            else:
                torch.cuda.set_rng_state(state.cuda, cuda_index)


def _batch_bounds(n_samples, batch_size):
    """(start, stop) of each mini-batch; a last batch of one joins the previous."""
    starts = list(range(0, n_samples, batch_size))
    if len(starts) > 1 and n_samples - starts[-1] == 1:
        starts.pop()
    stops = starts[1:] + [n_samples]
    return list(zip(starts, stops))


def n_rows(X):
    """Number of rows of an input: an array, or a dict of arrays of equal length.

    A dict is skorch's documented way of handing several tensors to ``forward``
    (``module(**batch)``); the RNNs pass sequences and their lengths so.
    """
    return len(next(iter(X.values()))) if isinstance(X, dict) else len(X)


def take_rows(X, index):
    """The rows ``index`` (a slice or an index array) of an array or dict input."""
    if isinstance(X, dict):
        return {key: value[index] for key, value in X.items()}
    return X[index]


class _TensorDataset(torch.utils.data.Dataset):
    """Input and optional target tensors, already on the training device."""

    def __init__(self, X, y=None):
        self.X = X
        self.y = y

    def __len__(self):
        return n_rows(self.X)

    def __getitem__(self, i):
        return take_rows(self.X, i), (None if self.y is None else self.y[i])


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
        n = n_rows(X)
        bounds = _batch_bounds(n, self.batch_size)
        if self.shuffle:
            device = next(iter(X.values())).device if isinstance(X, dict) else X.device
            order = torch.randperm(n, device=device)
            bounds = [order[start:stop] for start, stop in bounds]
        else:
            bounds = [slice(start, stop) for start, stop in bounds]
        for idx in bounds:
            yield take_rows(X, idx), (None if y is None else y[idx])


class _DivergenceGuard(Callback):
    """Stop with a clear error as soon as an epoch leaves a loss or weight not finite.

    The loss of a batch is measured before its update, so the weights are checked
    too: the last update of an epoch can make them NaN while every recorded loss
    is finite. It is the last callback, so it also counts the epochs that ran to
    their end (``epochs_done_``, reset by each training call): skorch ends a
    training call quietly on Ctrl-C, and :func:`train_net` tells an interrupted
    call from an early stop by this count.
    """

    def __init__(self, lr=None, watch=("train_loss",), modules=None):
        self.lr = lr
        self.watch = watch
        self.modules = modules

    def on_train_begin(self, net, **kwargs):
        self.epochs_done_ = 0

    def on_epoch_end(self, net, **kwargs):
        self._check(net)
        self.epochs_done_ += 1
        # A scikit-learn callback asked to stop: after every other callback
        # saw the epoch, skorch's way (an early stop).
        bridge = dict(net.callbacks_).get("sklearn_callbacks")
        if bridge is not None and bridge.stop_requested_:
            raise KeyboardInterrupt

    def _check(self, net):
        epoch = len(net.history)
        for key in self.watch:
            value = net.history[-1].get(key, 0.0)
            if not np.isfinite(value):
                what = "loss" if key == "train_loss" else key
                raise _divergence_error(f"{what} became {value}", epoch, self.lr)
        if self.modules is None:
            weights = {"net's weights": (w for _, w in net.get_all_learnable_params())}
        else:
            weights = {
                f"{what}'s weights": getattr(net, name).parameters()
                for what, name in self.modules.items()
            }
        check_finite_state(weights, epoch, self.lr)


class _SklearnEpochs(Callback):
    """Each epoch as a subtask of a fit, for scikit-learn's callbacks.

    :func:`train_net` sets ``task`` (the fit's
    :class:`~sklearn_lecture.utils._callbacks.FitTask`) and ``fitted`` (the
    fitted attributes after an epoch, from the net) for the call; between
    calls the task is :data:`~sklearn_lecture.utils._callbacks.NO_TASK`. A
    callback that asks to stop sets ``stop_requested_``, on which the
    divergence guard, the last callback, stops training.
    """

    def __init__(self):
        self.task = NO_TASK
        self.fitted = None
        self.stop_requested_ = False
        self._epoch = NO_TASK

    def on_train_begin(self, net, **kwargs):
        self.stop_requested_ = False

    def on_epoch_begin(self, net, **kwargs):
        self._epoch = self.task.subtask("epoch")

    def on_epoch_end(self, net, **kwargs):
        fitted = None if self.fitted is None else (lambda: self.fitted(net))
        epoch, self._epoch = self._epoch, NO_TASK
        if epoch.end(fitted):
            self.stop_requested_ = True


def l2_penalty(module, alpha, n_rows):
    """``alpha / (2 n_rows) * sum ||W||^2`` over the weights of ``module``.

    scikit-learn's ``MLPClassifier`` penalty, added to a mini-batch's mean loss
    (``n_rows`` its size): the weights are the parameters of two or more
    dimensions (weight matrices, convolution kernels, recurrent weights); the
    biases and batch normalisation's scales and shifts are not penalised.
    """
    weights = [w for w in module.parameters() if w.ndim > 1]
    if not alpha or not weights:
        return 0.0
    return alpha / (2.0 * n_rows) * sum(w.square().sum() for w in weights)


class _Net(NeuralNet):
    """skorch's NeuralNet whose unsupervised target is the input batch itself.

    Only ``get_loss`` is overridden (one of the ``get_*`` methods of skorch's
    customisation guide): the target of an unsupervised net is the input batch,
    and the training loss adds the L2 penalty ``alpha`` on the weights
    (:func:`l2_penalty`; the validation loss does not). Everything else is
    skorch's own; ``alpha`` is a net parameter as skorch's guide adds them.
    """

    def __init__(self, module, criterion, *, alpha=0.0, **kwargs):
        self.alpha = alpha
        super().__init__(module, criterion, **kwargs)

    def get_loss(self, y_pred, y_true, X=None, training=False):
        loss = self.criterion_(y_pred, X if y_true is None else y_true)
        if training and self.alpha:
            loss = loss + l2_penalty(self.module_, self.alpha, n_rows(X))
        return loss


_ANSI_CODE = re.compile(r"\x1b\[[0-9;]*m")


def print_plain(text):
    """Print skorch's epoch table without its ANSI colour codes."""
    print(_ANSI_CODE.sub("", text))


def _divergence_error(what, epoch, lr):
    return ValueError(
        f"Training diverged: the training {what} at epoch {epoch}. Lower the "
        f"learning rate (lr={lr!r}), scale the inputs, or pick another optimizer."
    )


def check_finite_state(tensors, epoch, lr):
    """Raise the divergence error if a tensor of a net's trained state is not finite.

    Parameters
    ----------
    tensors : dict of str to iterable of torch.Tensor
        Weights (or statistics) by the words the error names them with, such
        as ``"generator's weights"``.
    epoch : int
        The epoch just finished (quoted in the error).
    lr : float or None
        Quoted in the error.
    """
    for what, values in tensors.items():
        with torch.no_grad():
            finite = all(bool(torch.isfinite(v).all()) for v in values)
        if not finite:
            raise _divergence_error(f"{what} became NaN or infinite", epoch, lr)


def _to_tensor(a, device):
    if a is None:
        return None
    if isinstance(a, dict):
        return {key: _to_tensor(value, device) for key, value in a.items()}
    dtype = torch.float32 if a.dtype.kind == "f" else torch.int64
    # torch.tensor copies: read-only (memory-mapped) inputs stay untouched.
    return torch.tensor(a, dtype=dtype, device=device)


def train_validation_split(n_samples, validation_fraction, rng, stratify=None):
    """Sorted (train, validation) row indices for early stopping.

    A random ``validation_fraction`` of the rows (rounded up) is held out; with
    ``stratify`` (class codes) each class is held out in proportion.
    """
    if stratify is not None:
        from sklearn.model_selection import train_test_split

        train, valid = train_test_split(
            np.arange(n_samples),
            test_size=validation_fraction,
            stratify=stratify,
            random_state=rng,
        )
        return np.sort(train), np.sort(valid)
    n_valid = int(np.ceil(validation_fraction * n_samples))
    order = rng.permutation(n_samples)
    return np.sort(order[n_valid:]), np.sort(order[:n_valid])


def check_callbacks(callbacks, owner, refuse=()):
    """The user's skorch callbacks as a list for skorch, or a clear error.

    Parameters
    ----------
    callbacks : list or tuple of skorch callbacks or (name, callback) pairs, or None
        skorch's own forms: an instance (or class) of
        :class:`skorch.callbacks.Callback`, named by skorch after its class, or a
        ``(name, callback)`` pair.
    owner : str
        The estimator's name, for the error.
    refuse : dict of type to str
        Callback classes that cannot apply to this net, each with the reason.

    Returns
    -------
    callbacks : list
        Copies: skorch initialises and updates the callbacks it runs, and the
        estimator's parameters stay as they were passed (scikit-learn's rule).
    """
    if callbacks is None:
        return []
    checked = []
    for item in callbacks:
        callback = item
        if isinstance(item, tuple):
            if len(item) != 2 or not isinstance(item[0], str):
                raise ValueError(
                    f"{owner}: a named callback is a (name, callback) pair; got "
                    f"{item!r}."
                )
            callback = item[1]
        is_callback = isinstance(callback, Callback) or (
            isinstance(callback, type) and issubclass(callback, Callback)
        )
        if not is_callback:
            raise ValueError(
                f"{owner}: callbacks takes skorch callbacks (instances of "
                "skorch.callbacks.Callback) or (name, callback) pairs; got "
                f"{callback!r}. scikit-learn's callbacks (sklearn.callback) go "
                "to set_callbacks."
            )
        kind = callback if isinstance(callback, type) else type(callback)
        for refused, reason in dict(refuse).items():
            if issubclass(kind, refused):
                raise ValueError(f"{owner} cannot use {kind.__name__}: {reason}")
        try:
            checked.append(copy.deepcopy(item))
        except Exception as exc:
            raise ValueError(
                f"{owner} trains on a copy of each callback, so that its "
                f"parameters stay as passed; {kind.__name__} cannot be copied: "
                f"{exc}"
            ) from exc
    return checked


def _early_stopping(settings):
    return EarlyStopping(
        monitor="valid_loss",
        patience=settings.n_iter_no_change,
        threshold=1e-4,
        load_best=True,
    )


def initialize_net(
    settings,
    module,
    criterion,
    *,
    n_train,
    valid=None,
    net_class=None,
    callbacks=(),
    user_callbacks=(),
    watch=("train_loss",),
    watch_modules=None,
    **net_params,
):
    """Build and initialise the skorch net that trains ``module`` on ``criterion``.

    Parameters
    ----------
    settings : estimator
        Read for the shared settings: ``optimizer``, ``lr``, ``momentum``, ``rho``,
        ``batch_size``, ``n_iter_no_change``, ``device``, ``verbose``, and where
        the estimator has them ``lr_schedule``, ``lr_decay``, ``lr_step_size``,
        ``lr_step_gamma``, ``gradient_clip`` and ``alpha``.
    module : torch.nn.Module
        The module to train (already built, on any device).
    criterion : torch.nn.Module
        Called as ``criterion(module_output, target)``; the target of an
        unsupervised net is the input batch.
    n_train : int
        Number of training rows (the batch size is clipped to it).
    valid : tuple (X_valid, y_valid) of arrays, or None
        Held-out data: the net then stops early on its loss and restores the best
        epoch's parameters at the end of each training call.
    net_class : subclass of skorch.NeuralNet or None
        The net (None: one whose unsupervised target is the input batch); a net
        with more modules (a GAN) takes them in ``net_params``.
    callbacks : sequence of (name, skorch.callbacks.Callback)
        The net's own, run after skorch's and the user's and before the
        divergence guard; a net that adds the verbose table itself sets
        ``callbacks__print_log=None``.
    user_callbacks : list
        The user's skorch callbacks (from :func:`check_callbacks`), run right
        after skorch's own.
    watch : tuple of str
        The per-epoch history entries that must stay finite.
    watch_modules : dict of str to str or None
        The modules whose weights must stay finite, as ``{what: attribute}``
        (``{"generator": "module_"}``) for the error to name them; None checks
        every learnable parameter as "the net's".
    **net_params
        Passed on to the net's constructor.

    Returns
    -------
    net : skorch.NeuralNet
        Initialised, untrained.
    """
    device = check_device(settings.device)
    optimizer_class, optimizer_kwargs = resolve_optimizer(
        settings.optimizer, momentum=settings.momentum, rho=settings.rho
    )
    # scikit-learn's callbacks see an epoch first, skorch's and the user's next.
    callbacks = [
        ("sklearn_callbacks", _SklearnEpochs()),
        *user_callbacks,
        *callbacks,
    ]
    if getattr(settings, "lr_schedule", None) is not None:
        callbacks.append(
            (
                "lr_scheduler",
                make_lr_scheduler(
                    settings.lr_schedule,
                    lr_decay=settings.lr_decay,
                    lr_step_size=settings.lr_step_size,
                    lr_step_gamma=settings.lr_step_gamma,
                ),
            )
        )
    clip = getattr(settings, "gradient_clip", None)
    if clip is not None:
        callbacks.append(
            ("gradient_clip", GradientNormClipping(gradient_clip_value=float(clip)))
        )
    train_split = None
    if valid is not None:
        valid_ds = _TensorDataset(*(_to_tensor(a, device) for a in valid))
        train_split = predefined_split(valid_ds)
        callbacks.append(("early_stopping", _early_stopping(settings)))
    # Last, so that it counts only the epochs every other callback finished.
    callbacks.append(
        ("divergence_guard", _DivergenceGuard(settings.lr, watch, watch_modules))
    )
    if not settings.verbose:
        # PrintLog formats a table every epoch even when it prints nothing.
        net_params.setdefault("callbacks__print_log", None)
    elif "callbacks__print_log" not in net_params:
        # Plain text: logs and CI output get no colour codes.
        net_params["callbacks__print_log__sink"] = print_plain
    net_params.setdefault("alpha", float(getattr(settings, "alpha", 0.0)))
    net = (net_class or _Net)(
        module=module,
        criterion=criterion,
        optimizer=optimizer_class,
        lr=settings.lr,
        batch_size=min(settings.batch_size, n_train),
        iterator_train=_BatchLoader,
        iterator_valid=_BatchLoader,
        iterator_train__shuffle=True,
        train_split=train_split,
        callbacks=callbacks,
        device=str(device),
        verbose=int(settings.verbose),
        **{f"optimizer__{k}": v for k, v in optimizer_kwargs.items()},
        **net_params,
    )
    return net.initialize()


def disarm_early_stopping(net):
    """Stop validating a net on the split its fit held out, and stop early no more.

    A net continued on new blocks (``partial_fit``) trains on them alone: the
    held-out rows of the first fit and the patience counted on them no longer
    apply. A no-op for a net fitted without early stopping.
    """
    if net.train_split is not None:
        net.set_params(train_split=None)
    net.callbacks_ = [(n, cb) for n, cb in net.callbacks_ if n != "early_stopping"]


def rearm_early_stopping(net, settings, valid):
    """Validate a net on new held-out rows and stop early on them.

    A warm-started ``fit`` with early stopping continues the fitted net on
    the split it draws: the validation rows and a fresh patience are set,
    before the divergence guard as in :func:`initialize_net`.
    """
    device = net.device
    valid_ds = _TensorDataset(*(_to_tensor(a, device) for a in valid))
    net.set_params(train_split=predefined_split(valid_ds))
    callbacks = [(n, cb) for n, cb in net.callbacks_ if n != "early_stopping"]
    callbacks.insert(-1, ("early_stopping", _early_stopping(settings).initialize()))
    net.callbacks_ = callbacks


def train_net(net, X, y=None, *, epochs, state, task=NO_TASK, fitted=None):
    """Train ``net`` for ``epochs`` more epochs on (X, y), continuing its state.

    The optimizer's state, the schedule and the history carry over from earlier
    calls; the batch order and any noise drawn in ``forward`` continue the random
    stream of ``state`` (:class:`NetState`, updated in place).

    Parameters
    ----------
    net : skorch.NeuralNet
        From :func:`initialize_net`.
    X : ndarray of shape (n_samples, ...)
        Training input (float32 or float64; trained in float32).
    y : ndarray or None
        Target (float for regression, integer codes for classification) or None
        for an unsupervised net.
    epochs : int
        Number of passes over (X, y).
    state : NetState
        The random stream to continue.
    task : FitTask, default=NO_TASK
        The task of scikit-learn's callbacks each epoch is a subtask of.
    fitted : callable or None, default=None
        ``fitted(net)``: the fitted attributes after an epoch (see
        :meth:`~sklearn_lecture.utils._callbacks.FitTask.end`); None: none.

    Returns
    -------
    net : skorch.NeuralNet
    """
    device = net.device
    bridge = dict(net.callbacks_)["sklearn_callbacks"]
    bridge.task, bridge.fitted = task, fitted
    try:
        with seeded_torch(state, device):
            train = _TensorDataset(_to_tensor(X, device), _to_tensor(y, device))
            net.partial_fit(train, None, epochs=int(epochs))
    finally:
        # A fitted net keeps no reference to the fit's callbacks.
        bridge.task, bridge.fitted = NO_TASK, None
    check_not_interrupted(net, epochs)
    return net


def check_not_interrupted(net, epochs):
    """Raise KeyboardInterrupt if a training call of ``net`` ended on Ctrl-C.

    skorch's ``partial_fit`` swallows KeyboardInterrupt (its early stopping raises
    one to stop). The estimators follow ``fit_guard``'s rule instead: an
    interrupted fit leaves them unfitted, so the interrupt is raised again unless
    the call ran its ``epochs`` or stopped early.
    """
    callbacks = dict(net.callbacks_)
    done = callbacks["divergence_guard"].epochs_done_
    stopped = callbacks["sklearn_callbacks"].stop_requested_ or any(
        getattr(cb, "misses_", 0) >= getattr(cb, "patience", np.inf)
        for cb in callbacks.values()
    )
    if done < int(epochs) and not stopped:
        raise KeyboardInterrupt


def fit_module(settings, module, criterion, X, y=None, *, max_epochs, seed, split=None,
               user_callbacks=(), task=NO_TASK, fitted=None):  # fmt: skip
    """Train a module from scratch: initialise a net, train ``max_epochs`` epochs.

    The building block of every ``fit`` and of each greedy pre-training stage.

    Parameters
    ----------
    settings : estimator
        Its shared settings (see :func:`initialize_net`).
    module, criterion : torch.nn.Module
    X, y : ndarrays
        All the rows; with ``split`` the validation rows are held out.
    max_epochs : int
    seed : int or NetState
        Seed of the batch order and the noise (the module is built by the caller).
    split : (train_indices, validation_indices) or None
        Early stopping on the validation rows when given.
    user_callbacks : list
        The user's skorch callbacks (see :func:`initialize_net`).
    task, fitted
        scikit-learn's callbacks (see :func:`train_net`).

    Returns
    -------
    net : skorch.NeuralNet
        Trained; ``net.history`` holds the per-epoch losses.
    state : NetState
        The random stream after training, for continuing it.
    """
    state = seed if isinstance(seed, NetState) else NetState(seed)
    valid = None
    if split is not None:
        train_idx, valid_idx = split
        valid = (take_rows(X, valid_idx), None if y is None else y[valid_idx])
        X, y = take_rows(X, train_idx), None if y is None else y[train_idx]
    with seeded_torch(state, check_device(settings.device)):
        net = initialize_net(
            settings,
            module,
            criterion,
            n_train=n_rows(X),
            valid=valid,
            user_callbacks=user_callbacks,
        )
    train_net(net, X, y, epochs=max_epochs, state=state, task=task, fitted=fitted)
    # The held-out rows served this fit only: a fitted net pickles no data.
    net.set_params(train_split=None)
    return net, state


def inference_copy(module, dtype):
    """An eval-mode copy of ``module`` in ``dtype`` (torch.float32 or float64)."""
    return copy.deepcopy(module).to(dtype).eval()


def run_module(module, X, fn=None):
    """Run ``fn(module, x)`` on the rows of X in chunks, in the module's dtype.

    ``module`` is used as it is (an eval-mode copy from :func:`inference_copy`);
    no gradient, no random draw.

    Parameters
    ----------
    module : torch.nn.Module
    X : ndarray of shape (n_samples, ...) or dict of such arrays
        A dict's float arrays go in the module's dtype, its integer arrays
        (lengths) as they are.
    fn : callable or None
        ``fn(module, x) -> tensor``; None calls ``module(x)`` (``module(**x)``
        for a dict).

    Returns
    -------
    out : ndarray, of the module's dtype
    """
    param = next(module.parameters(), None)
    device = torch.device("cpu") if param is None else param.device
    dtype = torch.float64 if param is None else param.dtype

    def tensor(chunk):
        x = _shared_tensor(np.ascontiguousarray(chunk), device)
        return x.to(dtype) if x.is_floating_point() else x

    outputs = []
    with torch.no_grad():
        for start in range(0, max(n_rows(X), 1), _INFERENCE_CHUNK):
            chunk = take_rows(X, slice(start, start + _INFERENCE_CHUNK))
            if isinstance(chunk, dict):
                x = {key: tensor(value) for key, value in chunk.items()}
                out = module(**x) if fn is None else fn(module, x)
            else:
                x = tensor(chunk)
                out = module(x) if fn is None else fn(module, x)
            outputs.append(out.cpu().numpy())
    return np.concatenate(outputs, axis=0)


def _shared_tensor(a, device):
    """``torch.as_tensor(a)``, quiet about read-only input.

    Inference only reads its input, so a read-only array (a memory map under
    joblib) is safe to share; torch would warn that it is not writable.
    """
    if a.flags.writeable:
        return torch.as_tensor(a, device=device)
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "The given NumPy array is not writable")
        return torch.as_tensor(a, device=device)


def forward64(module, X, fn=None):
    """Run ``fn(module, x)`` on a float64, eval-mode copy of ``module``.

    float32 arithmetic depends on the batch composition at the 1e-7 level;
    float64 makes a row's output independent of the rows around it. Computed in
    chunks, without any random draw.

    Returns
    -------
    out : ndarray, float64
    """
    return run_module(inference_copy(module, torch.float64), X, fn)
