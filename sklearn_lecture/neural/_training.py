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

A net whose update is not "one loss, one optimizer" (a GAN alternates two nets)
drives its own step through :class:`StepLoop`: plain torch, the same shuffled
mini-batches, seeded stream and divergence error, optimizers built by name with
:func:`build_optimizer` and kept between calls.

Randomness: a training call runs under :func:`seeded_torch`, which sets torch's
generator to a given state, hands back the state it ended in (so the next call
continues the same stream) and restores the user's global generator on exit.
Inference goes through :func:`run_module` on an eval-mode copy of the module
(:func:`inference_copy`) in the precision of the input.
"""

import copy
import re
import time
import warnings
from contextlib import contextmanager

import numpy as np
import torch
from skorch import NeuralNet
from skorch.callbacks import Callback, EarlyStopping, GradientNormClipping
from skorch.helper import predefined_split

from ._optim import make_lr_scheduler, resolve_optimizer

__all__ = [
    "NetState",
    "check_device",
    "check_finite_state",
    "seeded_torch",
    "initialize_net",
    "disarm_early_stopping",
    "train_net",
    "fit_module",
    "forward64",
    "inference_copy",
    "run_module",
    "train_validation_split",
    "build_optimizer",
    "StepLoop",
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
    """Stop with a clear error as soon as an epoch leaves a loss or weight not finite.

    The loss of a batch is measured before its update, so the weights are checked
    too: the last update of an epoch can make them NaN while every recorded loss
    is finite.
    """

    def __init__(self, lr=None):
        self.lr = lr

    def on_epoch_end(self, net, **kwargs):
        epoch = len(net.history)
        loss = net.history[-1, "train_loss"]
        if not np.isfinite(loss):
            raise _divergence_error(f"loss became {loss}", epoch, self.lr)
        check_finite_state({"net's weights": net.module_.parameters()}, epoch, self.lr)


class _Net(NeuralNet):
    """skorch's NeuralNet whose unsupervised target is the input batch itself.

    ``train_step_single``, ``validation_step``, ``notify`` and
    ``run_single_epoch`` are skorch's public methods, rewritten only to trim
    per-batch bookkeeping: the module's train/eval mode switches only when it
    changes (skorch walks every submodule on every batch otherwise), callbacks'
    no-op hooks are skipped, and a batch's size is the length of its input.
    Together about 20 µs of the 50 µs that skorch added to a small batch.
    """

    def get_loss(self, y_pred, y_true, X=None, training=False):
        return self.criterion_(y_pred, X if y_true is None else y_true)

    def notify(self, method_name, **cb_kwargs):
        """skorch's ``notify``, skipping the callbacks whose hook does nothing.

        Most callbacks act once per epoch; their inherited no-op batch hooks
        were called twice per mini-batch.
        """
        getattr(self, method_name)(self, **cb_kwargs)
        for _, cb in self.callbacks_:
            if getattr(type(cb), method_name) is not getattr(Callback, method_name):
                getattr(cb, method_name)(self, **cb_kwargs)

    def run_single_epoch(self, iterator, training, prefix, step_fn, **fit_params):
        """skorch's epoch loop, reading a batch's size as the length of its input.

        Every batch here is a pair of tensors (:class:`_BatchLoader`), so
        skorch's general ``get_len``, which walks nested containers, is not
        needed: on small batches it cost a quarter of the loop's bookkeeping.
        """
        if iterator is None:
            return
        batch_count = 0
        for batch in iterator:
            self.notify("on_batch_begin", batch=batch, training=training)
            step = step_fn(batch, **fit_params)
            self.history.record_batch(prefix + "_loss", step["loss"].item())
            self.history.record_batch(prefix + "_batch_size", len(batch[0]))
            self.notify("on_batch_end", batch=batch, training=training, **step)
            batch_count += 1
        self.history.record(prefix + "_batch_count", batch_count)

    def _mode(self, training):
        if self.module_.training is not training:
            self.module_.train(training)
            self.criterion_.train(training)

    def train_step_single(self, batch, **fit_params):
        self._mode(True)
        Xi, yi = batch
        y_pred = self.infer(Xi, **fit_params)
        loss = self.get_loss(y_pred, yi, X=Xi, training=True)
        loss.backward()
        return {"loss": loss, "y_pred": y_pred}

    def validation_step(self, batch, **fit_params):
        self._mode(False)
        Xi, yi = batch
        with torch.no_grad():
            y_pred = self.infer(Xi, **fit_params)
            loss = self.get_loss(y_pred, yi, X=Xi, training=False)
        return {"loss": loss, "y_pred": y_pred}


_ANSI_CODE = re.compile(r"\x1b\[[0-9;]*m")


def _print_plain(text):
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


def initialize_net(settings, module, criterion, *, n_train, valid=None):
    """Build and initialise the skorch net that trains ``module`` on ``criterion``.

    Parameters
    ----------
    settings : estimator
        Read for the shared settings: ``optimizer``, ``lr``, ``momentum``, ``rho``,
        ``lr_schedule``, ``lr_decay``, ``lr_step_size``, ``lr_step_gamma``,
        ``batch_size``, ``n_iter_no_change``, ``device``, ``verbose``, and
        ``gradient_clip`` where the estimator has it.
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

    Returns
    -------
    net : skorch.NeuralNet
        Initialised, untrained.
    """
    device = check_device(settings.device)
    optimizer_class, optimizer_kwargs = resolve_optimizer(
        settings.optimizer, momentum=settings.momentum, rho=settings.rho
    )
    scheduler = make_lr_scheduler(
        settings.lr_schedule,
        lr_decay=settings.lr_decay,
        lr_step_size=settings.lr_step_size,
        lr_step_gamma=settings.lr_step_gamma,
    )
    callbacks = [("divergence_guard", _DivergenceGuard(lr=settings.lr))]
    if scheduler is not None:
        callbacks.append(("lr_scheduler", scheduler))
    clip = getattr(settings, "gradient_clip", None)
    if clip is not None:
        callbacks.append(
            ("gradient_clip", GradientNormClipping(gradient_clip_value=float(clip)))
        )
    train_split = None
    if valid is not None:
        valid_ds = _TensorDataset(*(_to_tensor(a, device) for a in valid))
        train_split = predefined_split(valid_ds)
        callbacks.append(
            (
                "early_stopping",
                EarlyStopping(
                    monitor="valid_loss",
                    patience=settings.n_iter_no_change,
                    threshold=1e-4,
                    load_best=True,
                ),
            )
        )
    extra = {}
    if not settings.verbose:
        # PrintLog formats a table every epoch even when it prints nothing.
        extra["callbacks__print_log"] = None
    else:
        # Plain text, as the GANs' table: logs and CI output get no colour codes.
        extra["callbacks__print_log__sink"] = _print_plain
    net = _Net(
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
        **extra,
    )
    return net.initialize()


def disarm_early_stopping(net):
    """Stop validating a net on the split its fit held out, and stop early no more.

    A net continued on new blocks (``partial_fit``) trains on them alone: the
    held-out rows of the first fit and the patience counted on them no longer
    apply. A no-op for a net fitted without early stopping.
    """
    if net.train_split is None:
        return
    net.set_params(train_split=None)
    net.callbacks_ = [(n, cb) for n, cb in net.callbacks_ if n != "early_stopping"]


def train_net(net, X, y=None, *, epochs, state):
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

    Returns
    -------
    net : skorch.NeuralNet
    """
    device = net.device
    with seeded_torch(state, device):
        train = _TensorDataset(_to_tensor(X, device), _to_tensor(y, device))
        net.partial_fit(train, None, epochs=int(epochs))
    return net


def fit_module(settings, module, criterion, X, y=None, *, max_epochs, seed, split=None):
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
        valid = (X[valid_idx], None if y is None else y[valid_idx])
        X, y = X[train_idx], None if y is None else y[train_idx]
    with seeded_torch(state, check_device(settings.device)):
        net = initialize_net(settings, module, criterion, n_train=len(X), valid=valid)
    train_net(net, X, y, epochs=max_epochs, state=state)
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
    X : ndarray of shape (n_samples, ...)
    fn : callable or None
        ``fn(module, x) -> tensor``; None calls ``module(x)``.

    Returns
    -------
    out : ndarray, of the module's dtype
    """
    param = next(module.parameters(), None)
    device = torch.device("cpu") if param is None else param.device
    dtype = torch.float64 if param is None else param.dtype
    outputs = []
    with torch.no_grad():
        for start in range(0, max(len(X), 1), _INFERENCE_CHUNK):
            chunk = np.ascontiguousarray(X[start : start + _INFERENCE_CHUNK])
            x = _shared_tensor(chunk, device)
            out = module(x.to(dtype)) if fn is None else fn(module, x.to(dtype))
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


# -- nets that drive their own step ------------------------------------------------


def build_optimizer(name, params, *, lr, momentum, rho, betas=None):
    """A torch optimizer for ``params``, named as in :data:`~._optim.OPTIMIZERS`.

    ``betas`` (Adam's (β₁, β₂)) applies to ``"adam"`` only; None keeps torch's.
    """
    optimizer_class, kwargs = resolve_optimizer(name, momentum=momentum, rho=rho)
    if betas is not None and optimizer_class is torch.optim.Adam:
        kwargs["betas"] = tuple(betas)
    return optimizer_class(params, lr=lr, **kwargs)


class StepLoop:
    """Epochs of shuffled mini-batches around a step the estimator writes.

    The plain-torch counterpart of :func:`train_net` for nets that are not "one
    module, one loss, one optimizer" (a GAN alternates a discriminator and a
    generator). The loop owns what every such net shares: the batches (shuffled
    by the seeded stream of a :class:`NetState`), the optimizers (kept between
    calls, so ``partial_fit`` resumes them), the per-epoch record of the metrics
    the step returns, the divergence error and the verbose table.

    Parameters
    ----------
    optimizers : dict of str to torch.optim.Optimizer
        Handed to the step on every batch (build them with :func:`build_optimizer`).
    batch_size : int
        Mini-batch size (clipped to the number of rows of each call).
    device : str or torch.device
    lr : float or None
        Quoted in the divergence error.
    verbose : int
        Print a table of the metrics (and the epoch's duration) every epoch.

    Attributes
    ----------
    history : list of dict
        One record per epoch: ``"epoch"``, the step's metrics averaged over the
        epoch's rows, ``"dur"`` (seconds).
    """

    def __init__(self, optimizers, *, batch_size, device, lr=None, verbose=0):
        self.optimizers = dict(optimizers)
        self.batch_size = int(batch_size)
        self.device = check_device(device)
        self.lr = lr
        self.verbose = int(verbose)
        self.history = []

    def run(self, X, step, *, epochs, state, on_epoch_end=None):
        """Train ``epochs`` more epochs on X, continuing ``state``.

        Parameters
        ----------
        X : ndarray of shape (n_samples, ...)
            Training rows (trained in float32).
        step : callable
            ``step(batch, optimizers) -> dict of name to 0-d tensor``: one update
            on a mini-batch (a float32 tensor on the device); it draws any noise
            from torch's default generator, which is seeded here. The returned
            metrics are averaged over the epoch, weighted by batch size (a
            metric a step does not return counts only the batches that did).
        epochs : int
        state : NetState
            The random stream to continue (updated in place).
        on_epoch_end : callable or None
            ``on_epoch_end(record) -> bool``, called after each epoch (outside the
            seeded stream; it may add entries to the record); True stops training.

        Returns
        -------
        records : list of dict
            The records of the epochs run by this call.
        """
        start = len(self.history)
        data = _TensorDataset(_to_tensor(np.asarray(X), self.device))
        loader = _BatchLoader(
            data, batch_size=min(self.batch_size, len(X)), shuffle=True
        )
        for _ in range(int(epochs)):
            tic = time.perf_counter()
            with seeded_torch(state, self.device):
                sums, rows = {}, {}
                for xb, _ in loader:
                    metrics = step(xb, self.optimizers)
                    for name, value in metrics.items():
                        value = value.detach() * len(xb)
                        sums[name] = sums[name] + value if name in sums else value
                        rows[name] = rows.get(name, 0) + len(xb)
            record = {"epoch": len(self.history) + 1}
            record.update({k: float(v) / rows[k] for k, v in sums.items()})
            for name, value in record.items():
                if not np.isfinite(value):
                    raise _divergence_error(
                        f"{name} became {value}", record["epoch"], self.lr
                    )
            weights = {
                f"{name}'s weights": [
                    w for group in opt.param_groups for w in group["params"]
                ]
                for name, opt in self.optimizers.items()
            }
            check_finite_state(weights, record["epoch"], self.lr)
            self.history.append(record)
            stop = on_epoch_end is not None and on_epoch_end(record)
            record["dur"] = time.perf_counter() - tic
            if self.verbose:
                self._print(record)
            if stop:
                break
        return self.history[start:]

    def _print(self, record):
        widths = [max(8, len(name)) for name in record]
        if record["epoch"] == 1:
            print("  ".join(f"{n:>{w}}" for n, w in zip(record, widths)))
            print("  ".join("-" * w for w in widths))
        print(
            "  ".join(
                f"{v:>{w}d}" if isinstance(v, int) else f"{v:>{w}.4f}"
                for v, w in zip(record.values(), widths)
            )
        )
