"""Generative adversarial networks: an MLP GAN and a convolutional DCGAN.

A generator G maps latent codes z ~ N(0, I) to rows; a discriminator D, a
logistic-regression-like binary classifier, tells real rows from G's. They play
the minimax game of Goodfellow et al. (2014),

    min_G max_D V(D, G) = E_x log D(x) + E_z log(1 − D(G(z))),

by alternating gradient steps (their Algorithm 1: ``n_discriminator_steps``
updates of D per update of G). This file holds the modules (MLP and DCGAN
generators and discriminators), the two losses, the estimators, their net and
its callbacks; the epochs, batches, optimizers and seeded stream are the
training core's (:func:`~._training.train_net`), on a skorch net whose
``train_step`` alternates the two updates.
"""

import copy
from numbers import Integral, Real

import numpy as np
import torch
import torch.nn.functional as F
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_array, check_is_fitted, validate_data
from skorch import NeuralNet
from skorch.callbacks import (
    BatchScoring,
    Callback,
    EpochScoring,
    PassthroughScoring,
    PrintLog,
)
from torch import nn

from ..utils._callbacks import NO_TASK, begin_fit
from ..utils._compat import Interval, StrOptions
from ..utils._docstrings import ParameterDocs, fill_doc
from ..utils._params import store_params
from ._base import BaseNeuralNet, check_layer_sizes, fill_net_doc, fit_guard
from ._modules import TrainedModule, make_activation, make_dropout
from ._optim import OPTIMIZERS, resolve_optimizer
from ._training import (
    NetState,
    check_device,
    check_finite_state,
    forward64,
    initialize_net,
    l2_penalty,
    print_plain,
    seeded_torch,
    train_net,
)

__all__ = ["GAN", "DCGAN"]


# -- the modules and their losses ---------------------------------------------


def discriminator_loss(real_logits, fake_logits, label_smoothing=0.0):
    """The discriminator's loss −V(D, G), a logistic regression of real vs fake.

    With D = sigmoid(logit), ``−[mean log D(x) + mean log(1 − D(G(z)))]``
    (Goodfellow et al. 2014). ``label_smoothing`` s > 0 is the one-sided smoothing
    of Salimans et al. (2016): real rows get the target 1 − s, fake rows keep 0.
    """
    real_target = torch.full_like(real_logits, 1.0 - label_smoothing)
    real = F.binary_cross_entropy_with_logits(real_logits, real_target)
    fake = F.binary_cross_entropy_with_logits(
        fake_logits, torch.zeros_like(fake_logits)
    )
    return real + fake


def generator_loss(fake_logits, loss="non_saturating"):
    """The generator's loss on the discriminator's logits of its samples.

    ``"minimax"``: ``mean log(1 − D(G(z)))``, the saturating loss of the minimax
    game (its gradient vanishes when D rejects the samples confidently, early in
    training); ``"non_saturating"``: ``−mean log D(G(z))``, the same fixed point
    with strong gradients early on. Computed stably from logits:
    log(1 − sigmoid(l)) = −softplus(l) and −log sigmoid(l) = softplus(−l).
    """
    if loss == "minimax":
        return -F.softplus(fake_logits).mean()
    if loss == "non_saturating":
        return F.softplus(-fake_logits).mean()
    raise ValueError(f"Unknown loss {loss!r}; use 'non_saturating' or 'minimax'.")


def _mlp_layers(sizes, activation, batch_norm, dropout=0.0):
    layers = []
    for a, b in zip(sizes[:-1], sizes[1:]):
        layers.append(nn.Linear(a, b))
        if batch_norm:
            layers.append(nn.BatchNorm1d(b))
        layers.append(make_activation(activation))
        if dropout:
            layers.append(make_dropout(dropout))
    return layers


class MLPGenerator(TrainedModule):
    """Fully connected generator ``z → hidden_layer_sizes → n_features``, tanh output.

    Hidden layers are ``Linear → [BatchNorm1d] → activation``; the output lies in
    (−1, 1), the range the estimator scales the data to.
    """

    def __init__(
        self,
        latent_dim,
        n_features,
        hidden_layer_sizes,
        activation="relu",
        *,
        batch_norm=False,
    ):
        super().__init__()
        sizes = (int(latent_dim), *map(int, hidden_layer_sizes))
        self.net = nn.Sequential(
            *_mlp_layers(sizes, activation, batch_norm),
            nn.Linear(sizes[-1], int(n_features)),
            nn.Tanh(),
        )

    def forward(self, z):
        return self.net(z)


class MLPDiscriminator(TrainedModule):
    """Fully connected discriminator ``x → hidden_layer_sizes → 1``: D(x)'s logit.

    With ``dropout``, each hidden layer drops units in training mode, as the
    discriminator of Goodfellow et al. (2014).
    """

    def __init__(
        self, n_features, hidden_layer_sizes, activation="leaky_relu", dropout=0.0
    ):
        super().__init__()
        sizes = (int(n_features), *map(int, hidden_layer_sizes))
        self.net = nn.Sequential(
            *_mlp_layers(sizes, activation, False, dropout), nn.Linear(sizes[-1], 1)
        )

    def forward(self, x):
        return self.net(x)[:, 0]


def _dcgan_axes(image_shape, n_stages):
    """Per spatial axis: (strided?, kernel, stride, padding).

    An axis of at least 2**n_stages pixels is halved at each stage by the DCGAN
    4 × 4, stride-2 convolution; a shorter axis (a 1 × n strip, a 2 × 2 image)
    keeps its size under a 3-wide, stride-1 kernel, so a strip gets (1, k)-like
    kernels instead of a meaningless stride.
    """
    axes = []
    for size in image_shape[:2]:
        if size >= 2**n_stages:
            axes.append((True, 4, 2, 1))
        else:
            axes.append((False, 3, 1, 1))
    return axes


class _Fold(nn.Module):
    """Rows of ``H·W·C`` values (channels last) ↔ ``(N, C, H, W)`` images."""

    def __init__(self, image_shape):
        super().__init__()
        self.image_shape = tuple(int(s) for s in image_shape)

    def fold(self, x):
        h, w, c = self.image_shape
        return x.reshape(len(x), h, w, c).permute(0, 3, 1, 2)

    def unfold(self, images):
        return images.permute(0, 2, 3, 1).reshape(len(images), -1)


class DCGANGenerator(TrainedModule):
    """DCGAN generator: a linear projection, then transposed convolutions.

    ``z → Linear → (channels[-1], h₀, w₀) → [ConvTranspose → BatchNorm → ReLU]… →
    ConvTranspose → tanh``, each stride-2 stage doubling the strided axes (Radford
    et al. 2016); the image is cropped to ``image_shape`` and returned as rows.

    Parameters
    ----------
    latent_dim : int
    image_shape : tuple (H, W, C)
    channels : tuple of int
        The discriminator's feature maps, first to last; the generator uses them
        in reverse, one transposed convolution per entry.
    batch_norm : bool, default=True
    """

    def __init__(self, latent_dim, image_shape, channels, *, batch_norm=True):
        super().__init__()
        self.fold = _Fold(image_shape)
        h, w, c = self.fold.image_shape
        channels = tuple(int(k) for k in channels)
        axes = _dcgan_axes((h, w), len(channels))
        n = len(channels)
        self.start = tuple(
            -(-size // 2**n) if strided else size
            for size, (strided, *_) in zip((h, w), axes)
        )
        widths = (*channels[::-1], c)
        self.project = nn.Linear(
            int(latent_dim), widths[0] * self.start[0] * self.start[1]
        )
        self.project_norm = nn.BatchNorm2d(widths[0]) if batch_norm else nn.Identity()
        layers = []
        for i, (a, b) in enumerate(zip(widths[:-1], widths[1:])):
            layers.append(
                nn.ConvTranspose2d(
                    a,
                    b,
                    kernel_size=(axes[0][1], axes[1][1]),
                    stride=(axes[0][2], axes[1][2]),
                    padding=(axes[0][3], axes[1][3]),
                )
            )
            if i < n - 1:
                if batch_norm:
                    layers.append(nn.BatchNorm2d(b))
                layers.append(nn.ReLU())
        layers.append(nn.Tanh())
        self.deconvs = nn.Sequential(*layers)
        self.width0 = widths[0]

    def forward(self, z):
        x = self.project(z).reshape(len(z), self.width0, *self.start)
        x = torch.relu(self.project_norm(x))
        images = self.deconvs(x)
        h, w, _ = self.fold.image_shape
        return self.fold.unfold(images[:, :, :h, :w])


class DCGANDiscriminator(TrainedModule):
    """DCGAN discriminator: strided convolutions with leaky ReLU, then a logit.

    ``image → Conv → LeakyReLU(0.2) → [Conv → BatchNorm → LeakyReLU(0.2)]… →
    Linear → logit``; no batch normalisation on the first layer (Radford et al.).
    With ``dropout``, each convolution's activations drop units in training mode.
    """

    def __init__(self, image_shape, channels, *, batch_norm=True, dropout=0.0):
        super().__init__()
        self.fold = _Fold(image_shape)
        h, w, c = self.fold.image_shape
        channels = tuple(int(k) for k in channels)
        axes = _dcgan_axes((h, w), len(channels))
        layers = []
        size = [h, w]
        for i, (a, b) in enumerate(zip((c, *channels[:-1]), channels)):
            layers.append(
                nn.Conv2d(
                    a,
                    b,
                    kernel_size=(axes[0][1], axes[1][1]),
                    stride=(axes[0][2], axes[1][2]),
                    padding=(axes[0][3], axes[1][3]),
                )
            )
            if batch_norm and i > 0:
                layers.append(nn.BatchNorm2d(b))
            layers.append(nn.LeakyReLU(0.2))
            if dropout:
                layers.append(make_dropout(dropout))
            size = [(s + 2 * p - k) // st + 1 for s, (_, k, st, p) in zip(size, axes)]
        self.convs = nn.Sequential(*layers)
        self.head = nn.Linear(channels[-1] * size[0] * size[1], 1)

    def forward(self, x):
        features = self.convs(self.fold.fold(x))
        return self.head(features.flatten(1))[:, 0]


# Latent codes averaged over to set the generator's batch-norm statistics.
_CALIBRATION_CODES = 4096

#: The GANs' own parameters and the shared ones whose meaning differs here; the
#: defaults are read from each class's signature.
_GAN_PARAMETERS = ParameterDocs({
    "latent_dim": ("int", "Dimension of the latent code z ~ N(0, I)."),
    "loss": (
        '{"non_saturating", "minimax"}',
        'The generator\'s loss: ``"minimax"`` minimises log(1 − D(G(z))), the '
        "game's own value, whose gradient vanishes while D rejects the samples; "
        'the ``"non_saturating"`` loss −log D(G(z)) has the same fixed point and '
        "strong gradients early on (Goodfellow et al.). The discriminator always "
        "minimises −V(D, G), the cross-entropy of real (1) vs generated (0).",
    ),
    "n_discriminator_steps": (
        "int",
        "k of Algorithm 1: every mini-batch of real rows is one discriminator "
        "update, and the generator is updated after every k of them (the count "
        "carries over epochs and ``partial_fit`` calls).",
    ),
    "label_smoothing": (
        "float",
        "One-sided label smoothing (Salimans et al. 2016): real rows get the "
        "target 1 − label_smoothing in the discriminator's loss.",
    ),
    "optimizer": (
        "{" + ", ".join(f'"{name}"' for name in OPTIMIZERS) + "}",
        "The generator's optimizer, by the lecture's names.",
    ),
    "discriminator_optimizer": (
        "str or None",
        "The discriminator's optimizer; None uses ``optimizer``.",
    ),
    "lr": ("float", "The generator's learning rate."),
    "discriminator_lr": (
        "float or None",
        "The discriminator's learning rate; None uses ``lr``.",
    ),
    "alpha": (
        "float",
        "Strength of the L2 penalty on the weights (not the biases) of both "
        "nets, as scikit-learn's MLPClassifier: alpha / (2 B) times the sum of "
        "a net's squared weights is added to its loss on a mini-batch of B rows "
        "(``loss_curve_`` includes it).",
    ),
    "dropout": (
        "float",
        "Probability of zeroing each hidden unit of the discriminator during "
        "training (Goodfellow et al. trained theirs with dropout); the "
        "generator has none, its randomness is z. Inactive in ``score_samples``.",
    ),
    "callbacks": (
        "list or None",
        "skorch callbacks for the net, as skorch takes them (instances, or "
        "``(name, callback)`` pairs); copies of them run every epoch after "
        "skorch's own: "
        "``Checkpoint`` (both nets are saved), ``EpochTimer``, ``ProgressBar``, "
        "callbacks reading ``history`` (``discriminator_loss``, "
        "``generator_loss``, ``D(x)``, ``D(G(z))``). ``EpochScoring`` and "
        "``BatchScoring`` are refused: they score predictions against targets, "
        "which a GAN has not. scikit-learn's callbacks go to ``set_callbacks`` "
        "(``ProgressBar`` over the epochs).",
    ),
    "beta_1": (
        "float",
        "Adam's first-moment decay β₁ for both nets (Radford et al. use 0.5; "
        "torch's 0.9 makes the game oscillate more). Ignored by the other "
        "optimizers.",
    ),
    "scaling": (
        '{"feature", "global"}',
        "How ``fit`` maps X to the generator's output range [−1, 1]: each feature "
        "by its own minimum and maximum, or all by the global ones (images). "
        "Samples are mapped back, so they come in the input's scale; a constant "
        "feature is generated exactly.",
    ),
    "early_stopping": (
        "bool",
        "Hold out ``validation_fraction`` of the rows and, after every epoch, "
        "score as many samples against them with "
        ":func:`~sklearn_lecture.metrics.two_sample_score` (1-NN accuracy in "
        "their PCA space, 0.5 is best); stop when it has not improved by 1e-4 "
        "for ``n_iter_no_change`` epochs and restore the best epoch's nets.",
    ),
    "validation_fraction": ("float", "Held-out fraction for early stopping."),
    "n_iter_no_change": (
        "int",
        "Patience of early stopping, in epochs (the score is noisy).",
    ),
    "snapshot_every": (
        "int or None",
        "Keep the samples of a fixed set of ``n_snapshots`` latent codes every "
        "that many epochs in ``sample_history_`` (a way to watch training "
        "without callbacks).",
    ),
    "n_snapshots": ("int", "Number of fixed latent codes of the snapshots."),
    "verbose": (
        "int",
        "Print a table per epoch when > 0: both losses, the mean D(x) and "
        "D(G(z)), the validation score with early stopping, the seconds taken.",
    ),
})  # fmt: skip

_GAN_ATTRIBUTE_DOCS = """\
generator_ : torch.nn.Module
    The trained generator (rows in [−1, 1] from codes), in eval mode.
discriminator_ : torch.nn.Module
    The trained discriminator (logits of D(x) from scaled rows), in eval mode.
data_min_, data_max_ : ndarray of shape (`n_features_in_`,)
    The minimum and maximum the data were scaled by (all equal with
    ``scaling="global"``).
loss_curve_ : ndarray of shape (`n_iter_`, 2)
    Mean discriminator loss −V and generator loss of each epoch.
discriminator_loss_curve_, generator_loss_curve_ : ndarray of shape (`n_iter_`,)
    The two columns of ``loss_curve_``.
history_ : list of dict
    Per epoch: the losses, the mean D(x) and D(G(z)) of the discriminator's
    batches, the validation score with early stopping, the duration.
validation_score_curve_ : ndarray of shape (`n_iter_`,) or None
    The two-sample score of each epoch with early stopping, else None.
sample_history_ : list of (int, ndarray of shape (n_snapshots, `n_features_in_`))
    (epoch, samples of the fixed codes) every ``snapshot_every`` epochs; empty
    when ``snapshot_every`` is None.
n_iter_ : int
    Number of epochs run.
n_features_in_ : int
    Number of features seen during fit.
feature_names_in_ : ndarray of shape (`n_features_in_`,)
    Names of the input features, when X has string column names."""


#: The GANs' own entries; :data:`~._base.fill_net_doc`, applied after it, adds
#: the shared parameters these leave out.
_fill_gan_doc = fill_doc(
    gan_parameters=_GAN_PARAMETERS, gan_attributes=_GAN_ATTRIBUTE_DOCS
)


def _sizes(name, value):
    """``check_layer_sizes`` with the parameter's own name in the error."""
    try:
        return check_layer_sizes(value)
    except ValueError:
        raise ValueError(
            f"{name} must be a non-empty tuple of positive integers, got {value!r}."
        ) from None


def _slerp(z0, z1, t):
    """Spherical interpolation of directions, linear interpolation of norms.

    The direction turns from u₀ towards the component of u₁ orthogonal to u₀,
    ``cos(tω) u₀ + sin(tω) v``, with ω = atan2(‖u₁ − (u₀·u₁) u₀‖, u₀·u₁): a unit
    vector for every t, however close u₁ is to ±u₀. Opposite codes (and codes
    whose orthogonal part is lost to rounding) have no great circle of their own;
    the path then turns towards the coordinate axis least aligned with u₀.
    """
    r0, r1 = np.linalg.norm(z0), np.linalg.norm(z1)
    if r0 == 0 or r1 == 0:
        return (1 - t)[:, None] * z0 + t[:, None] * z1
    u0, u1 = z0 / r0, z1 / r1
    cos_omega = u0 @ u1
    v = u1 - cos_omega * u0
    v -= (u0 @ v) * u0  # twice, so that v stays orthogonal when u₁ ≈ ±u₀
    sin_omega = np.linalg.norm(v)
    if sin_omega <= 1e-12:
        if len(u0) == 1:
            if cos_omega > 0:
                return ((1 - t) * r0 + t * r1)[:, None] * u0
            raise ValueError(
                "method='slerp' cannot join codes of opposite sign in a latent "
                "space of dimension 1 (no path keeps their norm); use "
                "method='linear'."
            )
        v = np.zeros_like(u0)
        v[np.argmin(np.abs(u0))] = 1.0
        v -= (u0 @ v) * u0
        v -= (u0 @ v) * u0
    v /= np.linalg.norm(v)
    omega = np.arctan2(sin_omega, cos_omega)
    directions = np.cos(t * omega)[:, None] * u0 + np.sin(t * omega)[:, None] * v
    return ((1 - t) * r0 + t * r1)[:, None] * directions


class GANLoss(torch.nn.Module):
    """The two losses of the game: ``forward`` is the discriminator's, −V(D, G)."""

    def __init__(self, loss="non_saturating", label_smoothing=0.0):
        super().__init__()
        self.loss = loss
        self.label_smoothing = label_smoothing

    def forward(self, real_logits, fake_logits):
        return discriminator_loss(real_logits, fake_logits, self.label_smoothing)

    def generator(self, fake_logits):
        return generator_loss(fake_logits, self.loss)


class _GANNet(NeuralNet):
    """skorch net of a GAN: Algorithm 1 of Goodfellow et al. as its ``train_step``.

    The generator is ``module_`` (trained by ``optimizer_``), the discriminator a
    second module ``discriminator_`` with its own ``discriminator_optimizer_``,
    both registered as skorch's customisation guide describes; ``alpha`` adds
    each net's L2 penalty on its weights to its loss. Each mini-batch
    of real rows is one discriminator update; after every
    ``n_discriminator_steps`` of them (``d_steps_`` counts across epochs and
    calls) the generator is updated on fresh codes. The step's metrics travel in
    its return value to the callbacks (see :class:`_Monitor`).
    """

    def __init__(
        self,
        module,
        criterion,
        *,
        discriminator,
        discriminator_optimizer,
        latent_dim,
        n_discriminator_steps,
        alpha=0.0,
        **kwargs,
    ):
        self.alpha = alpha
        self.discriminator = discriminator
        self.discriminator_optimizer = discriminator_optimizer
        self.latent_dim = latent_dim
        self.n_discriminator_steps = n_discriminator_steps
        super().__init__(module, criterion, **kwargs)

    def initialize_module(self):
        super().initialize_module()
        params = self.get_params_for("discriminator")
        self.discriminator_ = self.initialized_instance(self.discriminator, params)
        return self

    def initialize_optimizer(self, *args, **kwargs):
        for name, module in (
            ("optimizer", self.module_),
            ("discriminator_optimizer", self.discriminator_),
        ):
            args, kwargs = self.get_params_for_optimizer(
                name, module.named_parameters()
            )
            setattr(self, name + "_", getattr(self, name)(*args, **kwargs))
        self.d_steps_ = 0
        return self

    def train_step(self, batch, **fit_params):
        real, _ = batch
        generator, discriminator = self.module_.train(), self.discriminator_.train()
        z = torch.randn(len(real), self.latent_dim, device=real.device)
        with torch.no_grad():
            fake = generator(z)
        real_logits, fake_logits = discriminator(real), discriminator(fake)
        d_loss = self.criterion_(real_logits, fake_logits)
        if self.alpha:
            d_loss = d_loss + l2_penalty(discriminator, self.alpha, len(real))
        self.discriminator_optimizer_.zero_grad(set_to_none=True)
        d_loss.backward()
        self.discriminator_optimizer_.step()
        step = {
            "loss": d_loss.detach(),
            "y_pred": fake,
            "discriminator_loss": d_loss.detach(),
            "D(x)": torch.sigmoid(real_logits.detach()).mean(),
            "D(G(z))": torch.sigmoid(fake_logits.detach()).mean(),
        }
        self.d_steps_ += 1
        if self.d_steps_ >= self.n_discriminator_steps:
            self.d_steps_ = 0
            z = torch.randn(len(real), self.latent_dim, device=real.device)
            g_loss = self.criterion_.generator(discriminator(generator(z)))
            if self.alpha:
                g_loss = g_loss + l2_penalty(generator, self.alpha, len(real))
            self.optimizer_.zero_grad(set_to_none=True)
            g_loss.backward()
            self.optimizer_.step()
            step["generator_loss"] = g_loss.detach()
        return step


class _Monitor(Callback):
    """A GAN's per-epoch work: metrics, snapshots, validation score, best epoch.

    Records the step's metrics into the batch history (averaged per epoch by
    skorch's ``PassthroughScoring``); every ``snapshot_every`` epochs keeps the
    samples of the fixed codes; with validation rows, scores as many samples
    (codes drawn from the seeded training stream) against them and keeps the
    best epoch's weights, which ``on_train_end`` restores. ``misses_`` counts the
    epochs since the best; :class:`_StopWhen` ends training at the patience.
    The validation rows and the best weights are dropped at the end of the
    training call, so a fitted GAN pickles no data.
    """

    _METRICS = ("discriminator_loss", "generator_loss", "D(x)", "D(G(z))")

    def __init__(self, gan, valid=None):
        self.gan = gan
        self.valid = valid
        self.patience = gan.n_iter_no_change
        self.best = None
        self.misses_ = 0

    def on_batch_end(self, net, batch=None, training=None, **step):
        if training:
            for name in self._METRICS:
                if name in step:
                    net.history.record_batch(name, step[name].item())

    def on_epoch_end(self, net, **kwargs):
        gan, epoch = self.gan, len(net.history)
        every = gan.snapshot_every
        snapshot = every is not None and epoch % every == 0
        if not snapshot and self.valid is None:
            return
        # Samples of this epoch's generator, normalised by its own statistics.
        gan._calibrate_batch_norm()
        if snapshot:
            gan.sample_history_.append((epoch, gan._generate(gan._fitted.snapshot_z)))
        if self.valid is None:
            return
        from ..metrics import two_sample_score

        z = torch.randn(len(self.valid), gan.latent_dim, dtype=torch.float64)
        score = two_sample_score(self.valid, gan._generate(z.numpy()), random_state=0)
        net.history.record("validation_score", score)
        if self.best is None or score < self.best[0] - 1e-4:
            states = (net.module_.state_dict(), net.discriminator_.state_dict())
            self.best = (score, copy.deepcopy(states), epoch)
        self.misses_ = epoch - self.best[2]

    def on_train_end(self, net, **kwargs):
        if self.best is not None and self.best[2] != len(net.history):
            net.module_.load_state_dict(self.best[1][0])
            net.discriminator_.load_state_dict(self.best[1][1])
        # misses_ stays: it tells train_net this call stopped early.
        self.valid, self.best = None, None

    def on_train_begin(self, net, **kwargs):
        self.misses_ = 0


class _StopWhen(Callback):
    """Stop training (skorch's way: KeyboardInterrupt) once the monitor says so.

    After the epoch's table is printed, unlike a stop raised by the monitor.
    """

    def __init__(self, monitor):
        self.monitor = monitor

    def on_epoch_end(self, net, **kwargs):
        monitor = self.monitor
        if monitor.valid is not None and monitor.misses_ >= monitor.patience:
            raise KeyboardInterrupt


class _BaseGAN(BaseNeuralNet):
    """What GAN and DCGAN share: scaling, the alternating step, sampling."""

    _gan_parameter_constraints = {
        **{
            name: BaseNeuralNet._common_parameter_constraints[name]
            for name in (
                "optimizer",
                "lr",
                "momentum",
                "rho",
                "max_epochs",
                "batch_size",
                "early_stopping",
                "validation_fraction",
                "n_iter_no_change",
                "warm_start",
                "callbacks",
                "random_state",
                "device",
                "verbose",
            )
        },
        **BaseNeuralNet._regularization_parameter_constraints,
        "latent_dim": [Interval(Integral, 1, None, closed="left")],
        "batch_norm": ["boolean"],
        "loss": [StrOptions({"non_saturating", "minimax"})],
        "n_discriminator_steps": [Interval(Integral, 1, None, closed="left")],
        "label_smoothing": [Interval(Real, 0, 1, closed="left")],
        "discriminator_optimizer": [StrOptions(set(OPTIMIZERS)), None],
        "discriminator_lr": [Interval(Real, 0, None, closed="neither"), None],
        "beta_1": [Interval(Real, 0, 1, closed="left")],
        "scaling": [StrOptions({"feature", "global"})],
        "snapshot_every": [Interval(Integral, 1, None, closed="left"), None],
        "n_snapshots": [Interval(Integral, 1, None, closed="left")],
    }

    _refused_skorch_callbacks = {
        EpochScoring: "it scores the net's predictions against targets, and a GAN "
        "has neither (its metrics are in net_.history: discriminator_loss, "
        "generator_loss, D(x), D(G(z)), validation_score).",
        BatchScoring: "it scores the net's predictions against targets, and a GAN "
        "has neither.",
    }
    _unscored_fit = (
        "a GAN is fitted on X alone (no y) and has no score; its "
        "validation_score_curve_ (early_stopping=True) tracks the samples"
    )

    # -- hooks -------------------------------------------------------------------

    def _build_nets(self, n_features):  # pragma: no cover - abstract
        """(generator, discriminator) for rows of ``n_features``."""
        raise NotImplementedError

    def _check_features(self, n_features):
        """Refuse a feature count the nets cannot be built for."""

    # -- fitting -----------------------------------------------------------------

    def _check_n_samples(self, n_samples):
        if n_samples < 2:
            raise ValueError(
                f"{type(self).__name__} needs at least 2 training samples (the "
                "discriminator compares batches of real and generated rows); got "
                f"n_samples={n_samples}."
            )
        super()._check_n_samples(n_samples)

    def _validate_train(self, X, reset):
        X = validate_data(self, X, dtype=[np.float64, np.float32], reset=reset)
        self._check_features(X.shape[1])
        return X

    @fit_guard
    def fit(self, X, y=None):
        """Train the generator and the discriminator from scratch on X.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training rows, in any scale (they are scaled to [−1, 1] inside).
        y : None
            Ignored.

        Returns
        -------
        self : object
        """
        X = self._validate_train(X, reset=True)
        continuing = self._can_continue(X, None)
        rng = check_random_state(self.random_state)
        valid = None
        split = self._early_stopping_split(len(X), None, rng)
        if split is not None:
            train, valid_idx = split
            if len(train) < 2 or len(valid_idx) < 5:
                raise ValueError(
                    f"early_stopping=True with validation_fraction="
                    f"{self.validation_fraction} needs at least 2 training "
                    f"and 5 validation rows; n_samples={len(X)}."
                )
            X, valid = X[train], X[valid_idx]
        self._check_n_samples(X.shape[0])
        task = begin_fit(self, self.max_epochs)
        if continuing:
            # The scaling, the nets, their optimizers and the stream carry on;
            # the monitor scores this fit's held-out rows.
            monitor = dict(self.net_.callbacks_)["monitor"]
            monitor.valid, monitor.patience = valid, self.n_iter_no_change
        else:
            self._initialize(X, rng, valid)
        self._train(X, self.max_epochs, task)
        task.end({})
        return self

    @fit_guard
    def partial_fit(self, X, y=None):
        """One more epoch on X, starting the nets on the first call.

        The scaling, the optimizers' states, the discriminator-step count and the
        random stream carry over between calls; early stopping does not apply.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : None
            Ignored.

        Returns
        -------
        self : object
        """
        first = not hasattr(self, "net_")
        if not first:
            self._check_same_params()
        X = self._validate_train(X, reset=first)
        self._check_n_samples(X.shape[0])
        task = begin_fit(self, 1, task_name="partial_fit")
        if first:
            self._initialize(X, check_random_state(self.random_state))
        self._updating_weights = True
        self._train(X, 1, task)
        task.end({})
        return self

    def _initialize(self, X, rng, valid=None):
        device = check_device(self.device)
        if self.scaling == "global":
            low = np.full(X.shape[1], X.min())
            high = np.full(X.shape[1], X.max())
        else:
            low, high = X.min(axis=0), X.max(axis=0)
        self.data_min_ = low.astype(np.float64)
        self.data_max_ = high.astype(np.float64)
        self._update_fitted(
            reset=True,
            dtype=X.dtype,
            net_state=NetState(rng.randint(np.iinfo(np.int32).max)),
            snapshot_z=rng.standard_normal((self.n_snapshots, self.latent_dim)),
        )
        self.sample_history_ = []
        with seeded_torch(self._fitted.net_state, device):
            generator, discriminator = self._build_nets(X.shape[1])
        d_class, d_kwargs = resolve_optimizer(
            self.discriminator_optimizer or self.optimizer,
            momentum=self.momentum,
            rho=self.rho,
        )
        betas = (self.beta_1, 0.999)
        if d_class is torch.optim.Adam:
            d_kwargs["betas"] = betas
        g_class, _ = resolve_optimizer(self.optimizer, momentum=0.0, rho=0.0)
        metrics = ("discriminator_loss", "generator_loss", "D(x)", "D(G(z))")
        monitor = _Monitor(self, valid)
        # skorch's epoch averages (batch-size weighted) of the step's metrics.
        callbacks = [(n, PassthroughScoring(n, None, on_train=True)) for n in metrics]
        callbacks.append(("monitor", monitor))
        if self.verbose:
            # After the monitor, so that the table shows the validation score.
            table = PrintLog(keys_ignored=["train_loss"], sink=print_plain)
            callbacks.append(("table", table))
        callbacks.append(("stop", _StopWhen(monitor)))
        self.net_ = initialize_net(
            self,
            generator,
            GANLoss(self.loss, self.label_smoothing),
            n_train=len(X),
            net_class=_GANNet,
            callbacks=callbacks,
            user_callbacks=self._skorch_callbacks(),
            watch=metrics[:2],
            watch_modules={"generator": "module_", "discriminator": "discriminator_"},
            callbacks__print_log=None,
            discriminator=discriminator,
            discriminator_optimizer=d_class,
            discriminator_optimizer__lr=(
                self.lr if self.discriminator_lr is None else self.discriminator_lr
            ),
            **{f"discriminator_optimizer__{k}": v for k, v in d_kwargs.items()},
            **({"optimizer__betas": betas} if g_class is torch.optim.Adam else {}),
            latent_dim=self.latent_dim,
            n_discriminator_steps=self.n_discriminator_steps,
        )
        self.generator_ = self.net_.module_
        self.discriminator_ = self.net_.discriminator_

    def _train(self, X, epochs, task=NO_TASK):
        state = self._fitted.net_state
        train_net(self.net_, self._scale(X), epochs=epochs, state=state, task=task)
        self._calibrate_batch_norm()
        self.generator_.eval()
        self.discriminator_.eval()
        history = self.net_.history
        skorch_keys = ("batches", "train_loss", "train_batch_count")
        self.history_ = [
            {k: v for k, v in epoch.items() if k not in skorch_keys}
            for epoch in history
        ]
        self._update_fitted(
            params=self._net_params(), warm_key=self._warm_key(X, None)
        )
        self.n_iter_ = len(history)
        self.loss_curve_ = np.array(
            [
                [r["discriminator_loss"], r.get("generator_loss", np.nan)]
                for r in history
            ]
        )
        self.discriminator_loss_curve_ = self.loss_curve_[:, 0].copy()
        self.generator_loss_curve_ = self.loss_curve_[:, 1].copy()
        scores = [r.get("validation_score") for r in history]
        self.validation_score_curve_ = (
            np.array(scores, dtype=np.float64) if None not in scores else None
        )

    def _calibrate_batch_norm(self):
        """Set the generator's running statistics to those of its final weights.

        During training the running averages mix the statistics of many
        successive generators, so eval-mode samples would be normalised by
        statistics of generators long gone; averaging them afresh over
        ``_CALIBRATION_CODES`` codes (Ioffe's population statistics) makes
        sampling in eval mode match the trained net. The codes come from a
        generator seeded from the training stream's seed and the epoch, so the
        stream itself is not consumed.
        """
        norms = [
            m
            for m in self.generator_.modules()
            if isinstance(m, torch.nn.BatchNorm1d | torch.nn.BatchNorm2d)
        ]
        if not norms:
            return
        device = check_device(self.device)
        codes = torch.Generator(device=device)
        codes.manual_seed(self._fitted.net_state.seed + len(self.net_.history))
        momenta = [m.momentum for m in norms]
        for m in norms:
            m.reset_running_stats()
            m.momentum = None  # a cumulative average
        self.generator_.train()
        with torch.no_grad():
            for _ in range(_CALIBRATION_CODES // 256):
                z = torch.randn(256, self.latent_dim, generator=codes, device=device)
                self.generator_(z)
        for m, momentum in zip(norms, momenta):
            m.momentum = momentum
        # Finite weights can still give statistics beyond float32, and NaN samples.
        statistics = [s for m in norms for s in (m.running_mean, m.running_var)]
        check_finite_state(
            {"generator's batch-norm statistics": statistics},
            len(self.net_.history),
            self.lr,
        )

    # -- scaling -----------------------------------------------------------------

    def _span(self):
        span = self.data_max_ - self.data_min_
        return np.where(span > 0, span, 1.0)

    def _scale(self, X, dtype=np.float32):
        scaled = 2.0 * (X - self.data_min_) / self._span() - 1.0
        return scaled.astype(dtype)

    def _unscale(self, Y):
        span = self.data_max_ - self.data_min_
        return (Y + 1.0) / 2.0 * span + self.data_min_

    # -- inference ---------------------------------------------------------------

    def _generate(self, Z):
        return self._unscale(forward64(self.generator_, Z)).astype(self._fitted.dtype)

    def generate(self, Z):
        """Map latent codes to samples, in the input's scale and dtype.

        Parameters
        ----------
        Z : array-like of shape (n_samples, latent_dim)

        Returns
        -------
        X : ndarray of shape (n_samples, `n_features_in_`)
        """
        check_is_fitted(self)
        Z = check_array(Z, dtype=np.float64)
        latent_dim = self._fitted.params["latent_dim"]
        if Z.shape[1] != latent_dim:
            raise ValueError(
                f"Z has {Z.shape[1]} columns but the generator takes latent codes "
                f"of latent_dim={latent_dim}."
            )
        return self._generate(Z)

    def _latent_rng(self, random_state):
        if random_state is None:
            random_state = self.random_state
        if random_state is None:
            # A fresh generator, so that numpy's global one stays untouched.
            return np.random.default_rng()
        return check_random_state(random_state)

    def sample(self, n_samples=1, random_state=None):
        """Draw samples: z ~ N(0, I) through the generator, in eval mode.

        Parameters
        ----------
        n_samples : int, default=1
        random_state : int, RandomState instance or None, default=None
            Seeds the latent codes; None uses the estimator's ``random_state``
            (fresh entropy when that is None too). No global generator is touched.

        Returns
        -------
        X : ndarray of shape (n_samples, `n_features_in_`)
            In the input's scale and dtype.
        """
        check_is_fitted(self)
        if (
            isinstance(n_samples, bool)
            or not isinstance(n_samples, Integral | np.integer)
            or n_samples < 1
        ):
            raise ValueError(
                f"n_samples must be a positive integer, got {n_samples!r}."
            )
        Z = self._latent_rng(random_state).standard_normal(
            (n_samples, self._fitted.params["latent_dim"])
        )
        return self._generate(Z)

    def interpolate(self, z_start, z_end, n_steps=10, method="linear"):
        """Samples along a path in latent space, from ``z_start`` to ``z_end``.

        Parameters
        ----------
        z_start, z_end : array-like of shape (latent_dim,)
        n_steps : int, default=10
            Number of points on the path, both ends included.
        method : {"linear", "slerp"}, default="linear"
            ``"linear"``: (1 − t) z₀ + t z₁; ``"slerp"``: the direction moves
            along the great circle and the norm linearly, so a path between
            codes of equal norm stays on their sphere (where a Gaussian's mass
            lies; the straight line cuts inside it, White 2016).

        Returns
        -------
        X : ndarray of shape (n_steps, `n_features_in_`)
        """
        check_is_fitted(self)
        latent_dim = self._fitted.params["latent_dim"]
        ends = []
        for name, z in (("z_start", z_start), ("z_end", z_end)):
            z = check_array(z, ensure_2d=False, dtype=np.float64)
            if z.shape != (latent_dim,):
                raise ValueError(
                    f"{name} must have shape (latent_dim,) = ({latent_dim},); "
                    f"got {z.shape}."
                )
            ends.append(z)
        if (
            isinstance(n_steps, bool)
            or not isinstance(n_steps, Integral | np.integer)
            or n_steps < 2
        ):
            raise ValueError(f"n_steps must be an integer >= 2, got {n_steps!r}.")
        t = np.linspace(0.0, 1.0, int(n_steps))
        if method == "linear":
            Z = (1 - t)[:, None] * ends[0] + t[:, None] * ends[1]
        elif method == "slerp":
            Z = _slerp(ends[0], ends[1], t)
        else:
            raise ValueError(f"method must be 'linear' or 'slerp', got {method!r}.")
        return self._generate(Z)

    def score_samples(self, X):
        """The discriminator's logit of each row: how real it looks to D.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        scores : ndarray of shape (n_samples,)
            log D(x) − log(1 − D(x)); higher is more "real".
        """
        check_is_fitted(self)
        X = validate_data(self, X, reset=False, dtype=np.float64)
        scores = forward64(self.discriminator_, self._scale(X, np.float64))
        if not np.isfinite(scores).all():
            raise ValueError(
                "The discriminator's scores of some rows of X overflow: they lie "
                "too far outside the range of the training data "
                f"[{self.data_min_.min():.3g}, {self.data_max_.max():.3g}]."
            )
        return scores

    def _losses(self, X, Z):
        """Both losses on rows X and codes Z (float64, eval mode, no update)."""
        check_is_fitted(self)
        fake = forward64(self.generator_, np.asarray(Z, dtype=np.float64))
        real_logits = forward64(self.discriminator_, self._scale(X, np.float64))
        fake_logits = forward64(self.discriminator_, fake)
        real_logits, fake_logits = map(torch.from_numpy, (real_logits, fake_logits))
        fitted = self._fitted.params
        return {
            "discriminator": float(
                discriminator_loss(real_logits, fake_logits, fitted["label_smoothing"])
            ),
            "generator": float(generator_loss(fake_logits, fitted["loss"])),
        }

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.requires_fit = True
        return tags


@fill_net_doc
@_fill_gan_doc
class GAN(_BaseGAN):
    """Generative adversarial network with fully connected generator and discriminator.

    The generator G(z) = tanh(MLP(z)) maps codes z ~ N(0, I) to rows; the
    discriminator D(x) = sigmoid(MLP(x)) is a binary classifier of real vs
    generated rows. Training alternates k discriminator steps on
    −V(D, G) = −[E log D(x) + E log(1 − D(G(z)))] with one generator step on
    log(1 − D(G(z))) (``loss="minimax"``) or −log D(G(z)) (the default,
    non-saturating), Algorithm 1 of Goodfellow et al. with the lecture's
    optimizers. ``sample`` draws new rows, ``interpolate`` walks the latent
    space, ``score_samples`` is the discriminator's "realness" logit.

    Parameters
    ----------
    {gan_parameters}
    generator_layer_sizes : tuple of int, default=(128, 256)
        Widths of the generator's hidden layers.
    discriminator_layer_sizes : tuple of int, default=(256, 128)
        Widths of the discriminator's hidden layers.
    batch_norm : bool, default=True
        Batch normalisation in the generator's hidden layers (see Notes).
    {net_parameters}

    Attributes
    ----------
    {gan_attributes}

    See Also
    --------
    DCGAN : The convolutional GAN for images.
    sklearn.mixture.GaussianMixture : A classical generative model with ``sample``.
    sklearn_lecture.metrics.classifier_score : A download-free Inception score.

    Notes
    -----
    ``batch_norm`` applies to the generator's hidden layers: batch statistics in
    training; when sampling, the statistics of the final generator, averaged
    over 4096 codes at the end of each training call. The discriminator has
    none (it sees batches of only real or only generated rows).
    The MLP has one default size for every problem; it is sized for images such
    as the 8 × 8 digits.

    References
    ----------
    I. Goodfellow et al., "Generative adversarial nets", NeurIPS 2014.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_lecture import GAN
    >>> X = np.random.RandomState(0).normal(loc=3.0, size=(200, 2))
    >>> gan = GAN(latent_dim=2, max_epochs=30, random_state=0).fit(X)
    >>> gan.sample(5, random_state=0).shape
    (5, 2)
    >>> gan.loss_curve_.shape
    (30, 2)
    >>> gan.interpolate(np.zeros(2), np.ones(2), n_steps=4).shape
    (4, 2)
    """

    _parameter_constraints = {
        **_BaseGAN._gan_parameter_constraints,
        **BaseNeuralNet._layer_parameter_constraints,
        "generator_layer_sizes": ["array-like"],
        "discriminator_layer_sizes": ["array-like"],
    }

    def __init__(
        self,
        latent_dim=32,
        *,
        generator_layer_sizes=(128, 256),
        discriminator_layer_sizes=(256, 128),
        activation="leaky_relu",
        batch_norm=True,
        alpha=0.0,
        dropout=0.0,
        loss="non_saturating",
        n_discriminator_steps=1,
        label_smoothing=0.0,
        optimizer="adam",
        discriminator_optimizer=None,
        lr=1e-4,
        discriminator_lr=None,
        momentum=0.9,
        rho=0.9,
        beta_1=0.5,
        scaling="feature",
        max_epochs=300,
        batch_size=128,
        early_stopping=False,
        validation_fraction=0.1,
        n_iter_no_change=20,
        warm_start=False,
        callbacks=None,
        snapshot_every=None,
        n_snapshots=16,
        random_state=None,
        device="cpu",
        verbose=0,
    ):
        store_params(self, locals())

    def _build_nets(self, n_features):
        generator = MLPGenerator(
            self.latent_dim,
            n_features,
            _sizes("generator_layer_sizes", self.generator_layer_sizes),
            self.activation,
            batch_norm=self.batch_norm,
        )
        discriminator = MLPDiscriminator(
            n_features,
            _sizes("discriminator_layer_sizes", self.discriminator_layer_sizes),
            self.activation,
            dropout=self.dropout,
        )
        return generator, discriminator


@fill_net_doc
@_fill_gan_doc
class DCGAN(_BaseGAN):
    """Deep convolutional GAN: transposed-convolution generator, strided-conv critic.

    The generator projects z to a small stack of feature maps and doubles their
    size with 4 × 4, stride-2 transposed convolutions, each followed by batch
    normalisation and ReLU, ending in tanh; the discriminator halves the image
    with strided convolutions and leaky ReLU (0.2), batch-normalised after the
    first, and ends in one logit: the guidelines of Radford et al. (2016). Trained
    as :class:`GAN` (the same losses, steps and methods).

    X stays 2-D for scikit-learn, one image per row: ``n_pixels × channels``
    values, channels last (row-major ``(H, W, C)``, as ``images.reshape(n, -1)``
    gives).

    Parameters
    ----------
    {gan_parameters}
    image_shape : tuple (H, W) or (H, W, C) or None, default=None
        How to fold a row into an image. None: a square single-channel image when
        n_features is a perfect square, otherwise a 1 × n_features strip. A shape
        whose H·W·C is not n_features is an error.
    channels : tuple of int, default=(32, 64)
        Feature maps of the discriminator's convolutions, first to last; the
        generator's transposed convolutions use them in reverse. One entry per
        stage: an image axis of at least 2**len(channels) pixels is halved (and
        doubled back) at each stage; a shorter axis, such as the 1 of a strip,
        keeps its size under a 3-wide, stride-1 kernel, and the generator's
        output is cropped to the image.
    batch_norm : bool, default=True
        Batch normalisation after every transposed convolution but the last and
        after every convolution but the first (Radford et al.).
    {net_parameters}

    Attributes
    ----------
    {gan_attributes}
    image_shape_ : tuple (H, W, C)
        The image shape used.

    See Also
    --------
    GAN : The fully connected GAN.

    References
    ----------
    A. Radford, L. Metz and S. Chintala, "Unsupervised representation learning
    with deep convolutional generative adversarial networks", ICLR 2016.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from sklearn_lecture import DCGAN
    >>> X = load_digits().data[:256]
    >>> gan = DCGAN(max_epochs=2, random_state=0).fit(X)
    >>> gan.image_shape_
    (8, 8, 1)
    >>> samples = gan.sample(3, random_state=0)
    >>> samples.shape, bool(samples.min() >= 0 and samples.max() <= 16)
    ((3, 64), True)
    """

    _parameter_constraints = {
        **_BaseGAN._gan_parameter_constraints,
        "image_shape": [tuple, None],
        "channels": ["array-like"],
    }

    def __init__(
        self,
        latent_dim=32,
        *,
        image_shape=None,
        channels=(32, 64),
        batch_norm=True,
        alpha=0.0,
        dropout=0.0,
        loss="non_saturating",
        n_discriminator_steps=1,
        label_smoothing=0.0,
        optimizer="adam",
        discriminator_optimizer=None,
        lr=4e-4,
        discriminator_lr=None,
        momentum=0.9,
        rho=0.9,
        beta_1=0.5,
        scaling="global",
        max_epochs=300,
        batch_size=128,
        early_stopping=False,
        validation_fraction=0.1,
        n_iter_no_change=20,
        warm_start=False,
        callbacks=None,
        snapshot_every=None,
        n_snapshots=16,
        random_state=None,
        device="cpu",
        verbose=0,
    ):
        store_params(self, locals())

    def _image_shape(self, n_features):
        if self.image_shape is None:
            side = int(round(np.sqrt(n_features)))
            return (side, side, 1) if side * side == n_features else (1, n_features, 1)
        shape = tuple(self.image_shape)
        if len(shape) == 2:
            shape = (*shape, 1)
        if len(shape) != 3 or not all(
            isinstance(s, Integral | np.integer) and s >= 1 for s in shape
        ):
            raise ValueError(
                "image_shape must be (H, W) or (H, W, C) of positive integers, got "
                f"{self.image_shape!r}."
            )
        if int(np.prod(shape)) != n_features:
            raise ValueError(
                f"image_shape={self.image_shape!r} has {int(np.prod(shape))} values "
                f"per row but X has {n_features} features."
            )
        return tuple(int(s) for s in shape)

    def _check_features(self, n_features):
        self._image_shape(n_features)

    def _build_nets(self, n_features):
        self.image_shape_ = self._image_shape(n_features)
        channels = _sizes("channels", self.channels)
        generator = DCGANGenerator(
            self.latent_dim, self.image_shape_, channels, batch_norm=self.batch_norm
        )
        discriminator = DCGANDiscriminator(
            self.image_shape_,
            channels,
            batch_norm=self.batch_norm,
            dropout=self.dropout,
        )
        return generator, discriminator
