"""The torch modules and losses of the neural estimators, in one place.

Every ``torch.nn.Module`` the estimators train lives here, at module level, so that
pickled estimators can import them and new estimators can reuse them: the
activations by name, the fully connected encoder and mirrored decoder of the
autoencoders, the denoising corruption, the reconstruction loss with the sparse
autoencoder's KL penalty, the stacked nets' layer-wise and classifier modules, and
the recurrent stack of the RNN estimators. Nothing here knows about training; see
:mod:`sklearn_lecture.neural._training`.
"""

import torch
import torch.nn.functional as F
from torch import nn

__all__ = [
    "ACTIVATIONS",
    "make_activation",
    "MLPEncoder",
    "MLPDecoder",
    "Corruption",
    "AutoencoderModule",
    "ReconstructionLoss",
    "TiedDecoder",
    "GreedyLayerModule",
    "StackedClassifierModule",
    "RNNModule",
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
    >>> from sklearn_lecture.neural._modules import make_activation
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


# -- autoencoders ------------------------------------------------------------------


class MLPEncoder(torch.nn.Module):
    """Fully connected encoder ``n_features → hidden_layer_sizes[0] → … → code``.

    Each hidden layer is ``Linear → [BatchNorm1d] → activation``; the last layer
    (the code, of width ``hidden_layer_sizes[-1]``) is ``Linear → code_activation``
    with no batch normalisation.

    Parameters
    ----------
    n_features : int
        Input width.
    hidden_layer_sizes : tuple of int
        Widths of the encoder's layers; the last is the code size.
    activation : str, default="relu"
        Activation of the hidden layers (see :data:`ACTIVATIONS`).
    batch_norm : bool, default=False
        Batch normalisation after each hidden linear layer.
    code_activation : str, default="identity"
        Activation of the code layer.

    Attributes
    ----------
    linears : ModuleList of Linear
        The encoder's affine maps, first to last (the decoder ties its weights to
        these when ``tied_weights=True``).
    """

    def __init__(
        self,
        n_features,
        hidden_layer_sizes,
        activation="relu",
        *,
        batch_norm=False,
        code_activation="identity",
    ):
        super().__init__()
        sizes = (int(n_features), *map(int, hidden_layer_sizes))
        self.linears = torch.nn.ModuleList(
            torch.nn.Linear(a, b) for a, b in zip(sizes[:-1], sizes[1:])
        )
        self.norms = torch.nn.ModuleList(
            torch.nn.BatchNorm1d(b) if batch_norm else torch.nn.Identity()
            for b in sizes[1:-1]
        )
        self.activation = make_activation(activation)
        self.code_activation = make_activation(code_activation)
        self.code_size = sizes[-1]

    def forward(self, x):
        for linear, norm in zip(self.linears[:-1], self.norms):
            x = self.activation(norm(linear(x)))
        return self.code_activation(self.linears[-1](x))


class MLPDecoder(torch.nn.Module):
    """Mirror of :class:`MLPEncoder`: ``code → … → hidden_layer_sizes[0] → n_features``.

    Hidden layers are ``Linear → [BatchNorm1d] → activation``; the output layer is
    linear (a loss on logits, such as binary cross-entropy, adds its own squashing).

    Parameters
    ----------
    n_features, hidden_layer_sizes, activation, batch_norm
        As for the encoder being mirrored.
    tied_weights : bool, default=False
        Own no weight matrices: ``forward`` receives the encoder's weights and uses
        their transposes (W′ = Wᵀ); only the biases are the decoder's.
    """

    def __init__(
        self,
        n_features,
        hidden_layer_sizes,
        activation="relu",
        *,
        batch_norm=False,
        tied_weights=False,
    ):
        super().__init__()
        sizes = (int(n_features), *map(int, hidden_layer_sizes))[::-1]
        pairs = list(zip(sizes[:-1], sizes[1:]))
        self.tied_weights = bool(tied_weights)
        if self.tied_weights:
            self.biases = torch.nn.ParameterList(
                torch.nn.Parameter(torch.zeros(b)) for _, b in pairs
            )
        else:
            self.linears = torch.nn.ModuleList(torch.nn.Linear(a, b) for a, b in pairs)
        self.norms = torch.nn.ModuleList(
            torch.nn.BatchNorm1d(b) if batch_norm else torch.nn.Identity()
            for _, b in pairs[:-1]
        )
        self.activation = make_activation(activation)
        self.n_layers = len(pairs)

    def forward(self, code, encoder_weights=None):
        """Decode; ``encoder_weights`` (first to last) is required when tied."""
        x = code
        for i in range(self.n_layers):
            if self.tied_weights:
                weight = encoder_weights[self.n_layers - 1 - i]
                x = F.linear(x, weight.t(), self.biases[i])
            else:
                x = self.linears[i](x)
            if i < self.n_layers - 1:
                x = self.activation(self.norms[i](x))
        return x


class Corruption(torch.nn.Module):
    """The denoising autoencoder's input corruption, active in training mode only.

    ``"mask"`` zeroes each component independently with probability ``level``;
    ``"gaussian"`` adds N(0, level²) noise. Draws from torch's default generator
    (seeded by the estimator during fit); in eval mode it is the identity.
    """

    def __init__(self, noise="mask", level=0.3):
        super().__init__()
        self.noise = noise
        self.level = float(level)

    def forward(self, x):
        if not self.training or self.level == 0:
            return x
        if self.noise == "mask":
            return x * (torch.rand_like(x) >= self.level).to(x.dtype)
        return x + self.level * torch.randn_like(x)


class AutoencoderModule(torch.nn.Module):
    """Encoder, mirrored decoder and optional input corruption.

    ``forward(x)`` returns ``(reconstruction, code)``; the reconstruction is on
    the logit scale for the ``"bce"`` loss.
    """

    def __init__(
        self,
        n_features,
        hidden_layer_sizes,
        activation="relu",
        *,
        batch_norm=False,
        code_activation="identity",
        tied_weights=False,
        noise=None,
        corruption=0.0,
    ):
        super().__init__()
        self.encoder = MLPEncoder(
            n_features,
            hidden_layer_sizes,
            activation,
            batch_norm=batch_norm,
            code_activation=code_activation,
        )
        self.decoder = MLPDecoder(
            n_features,
            hidden_layer_sizes,
            activation,
            batch_norm=batch_norm,
            tied_weights=tied_weights,
        )
        self.corrupt = Corruption(noise, corruption if noise else 0.0)

    def encode(self, x):
        return self.encoder(x)

    def decode(self, code):
        weights = None
        if self.decoder.tied_weights:
            weights = [linear.weight for linear in self.encoder.linears]
        return self.decoder(code, weights)

    def forward(self, x):
        code = self.encoder(self.corrupt(x))
        return self.decode(code), code


class ReconstructionLoss(torch.nn.Module):
    """Reconstruction loss plus the sparse autoencoder's KL penalty.

    ``loss="mse"``: mean over samples and features of (x̂ − x)²; ``loss="bce"``:
    mean binary cross-entropy of the logits x̂ against x ∈ [0, 1]. With
    ``sparsity_weight`` λ > 0, adds λ Σ_j KL(ρ ‖ ρ̂_j), ρ̂_j the mean over the
    batch of code unit j (which must lie in (0, 1), e.g. sigmoid units).

    Called as ``loss((reconstruction, code), target)``.
    """

    def __init__(self, loss="mse", *, sparsity_target=0.2, sparsity_weight=0.0):
        super().__init__()
        self.loss = loss
        self.sparsity_target = float(sparsity_target)
        self.sparsity_weight = float(sparsity_weight)

    def forward(self, y_pred, target):
        reconstruction, code = y_pred
        if self.loss == "bce":
            value = F.binary_cross_entropy_with_logits(reconstruction, target)
        else:
            value = F.mse_loss(reconstruction, target)
        if self.sparsity_weight > 0:
            eps = 1e-6
            rho = self.sparsity_target
            rho_hat = code.mean(dim=0).clamp(eps, 1 - eps)
            kl = rho * torch.log(rho / rho_hat) + (1 - rho) * torch.log(
                (1 - rho) / (1 - rho_hat)
            )
            value = value + self.sparsity_weight * kl.sum()
        return value


# -- stacked nets ------------------------------------------------------------------


class TiedDecoder(torch.nn.Module):
    """Decoder layer with W′ = Wᵀ: the encoder layer's weight, its own bias."""

    def __init__(self, linear, bias):
        super().__init__()
        self.linear = linear
        self.bias = bias

    def forward(self, code):
        return F.linear(code, self.linear.weight.t(), self.bias)


class GreedyLayerModule(torch.nn.Module):
    """One layer of a stack trained alone as a shallow autoencoder.

    The encoder is ``linear → norm → activation`` (the stack's own layer k), the
    decoder a single affine map back to layer k − 1. Both are *references* to the
    deep network's modules, so training this module trains them in place.
    ``forward(x)`` returns ``(reconstruction, code)`` like
    :class:`AutoencoderModule`, so the same
    :class:`ReconstructionLoss` applies.

    Parameters
    ----------
    linear : torch.nn.Linear
        The encoder layer ``n_in → n_out``.
    norm : torch.nn.Module
        Batch normalisation after ``linear``, or the identity.
    activation : torch.nn.Module
        The layer's activation.
    decoder : torch.nn.Module
        Affine map ``n_out → n_in`` (a ``Linear``, or a tied decoder).
    corrupt : Corruption
        Noise applied to the layer's input in training mode only.
    """

    def __init__(self, linear, norm, activation, decoder, corrupt):
        super().__init__()
        self.linear = linear
        self.norm = norm
        self.activation = activation
        self.decoder = decoder
        self.corrupt = corrupt

    def encode(self, x):
        return self.activation(self.norm(self.linear(x)))

    def forward(self, x):
        code = self.encode(self.corrupt(x))
        return self.decoder(code), code


class StackedClassifierModule(torch.nn.Module):
    """Encoder stack and a softmax layer: ``forward(x)`` returns the class logits.

    Every encoder layer, the last included, is ``Linear → [BatchNorm1d] →
    activation``; the head is a linear layer to ``n_classes`` logits (the softmax
    is in the cross-entropy loss and in ``predict_proba``).
    """

    def __init__(
        self, n_features, hidden_layer_sizes, n_classes, activation, *, batch_norm
    ):
        super().__init__()
        self.encoder = MLPEncoder(
            n_features,
            hidden_layer_sizes,
            activation,
            batch_norm=batch_norm,
            code_activation=activation,
        )
        self.head = torch.nn.Linear(self.encoder.code_size, int(n_classes))

    def forward(self, x):
        return self.head(self.encoder(x))


# -- recurrent nets ----------------------------------------------------------------

_CELLS = {"rnn": nn.RNN, "lstm": nn.LSTM, "gru": nn.GRU}


class RNNModule(nn.Module):
    """A stack of recurrent layers followed by a linear read-out.

    Parameters
    ----------
    n_inputs : int
        Features per time step.
    n_outputs : int
        Outputs per sequence (``output="last"``) or per time step
        (``output="sequence"``).
    hidden_size : int
        Width of every recurrent layer.
    num_layers : int
        Number of stacked recurrent layers (the lecture's ``MultiRNNCell``).
    cell : {"rnn", "lstm", "gru"}
        ``"rnn"`` is the Elman cell with tanh.
    output : {"last", "sequence"}
        ``"last"`` reads out the last hidden state, ``(N, T, F) -> (N, n_outputs)``;
        ``"sequence"`` every hidden state, ``(N, T, F) -> (N, T, n_outputs)``.
    """

    def __init__(self, n_inputs, n_outputs, hidden_size, num_layers, cell, output):
        super().__init__()
        self.output = output
        kwargs = {"nonlinearity": "tanh"} if cell == "rnn" else {}
        self.rnn = _CELLS[cell](
            n_inputs, hidden_size, num_layers=num_layers, batch_first=True, **kwargs
        )
        if cell == "lstm":
            # Forget gates start open (bias 1, Gers et al. 2000) so that the cell
            # carries its memory from the first epoch; torch splits the bias in
            # two vectors, each ordered (input, forget, cell, output).
            for name, bias in self.rnn.named_parameters():
                if name.startswith("bias_ih"):
                    with torch.no_grad():
                        bias[hidden_size : 2 * hidden_size].fill_(1.0)
        self.head = nn.Linear(hidden_size, n_outputs)

    def forward(self, X):
        out, _ = self.rnn(X)
        if self.output == "last":
            out = out[:, -1]
        return self.head(out)


# -- generative adversarial networks -----------------------------------------------

__all__ += [
    "MLPGenerator",
    "MLPDiscriminator",
    "DCGANGenerator",
    "DCGANDiscriminator",
    "discriminator_loss",
    "generator_loss",
]


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


def _mlp_layers(sizes, activation, batch_norm):
    layers = []
    for a, b in zip(sizes[:-1], sizes[1:]):
        layers.append(nn.Linear(a, b))
        if batch_norm:
            layers.append(nn.BatchNorm1d(b))
        layers.append(make_activation(activation))
    return layers


class MLPGenerator(nn.Module):
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


class MLPDiscriminator(nn.Module):
    """Fully connected discriminator ``x → hidden_layer_sizes → 1``: D(x)'s logit."""

    def __init__(self, n_features, hidden_layer_sizes, activation="leaky_relu"):
        super().__init__()
        sizes = (int(n_features), *map(int, hidden_layer_sizes))
        self.net = nn.Sequential(
            *_mlp_layers(sizes, activation, False), nn.Linear(sizes[-1], 1)
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


class DCGANGenerator(nn.Module):
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


class DCGANDiscriminator(nn.Module):
    """DCGAN discriminator: strided convolutions with leaky ReLU, then a logit.

    ``image → Conv → LeakyReLU(0.2) → [Conv → BatchNorm → LeakyReLU(0.2)]… →
    Linear → logit``; no batch normalisation on the first layer (Radford et al.).
    """

    def __init__(self, image_shape, channels, *, batch_norm=True):
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
            size = [(s + 2 * p - k) // st + 1 for s, (_, k, st, p) in zip(size, axes)]
        self.convs = nn.Sequential(*layers)
        self.head = nn.Linear(channels[-1] * size[0] * size[1], 1)

    def forward(self, x):
        features = self.convs(self.fold.fold(x))
        return self.head(features.flatten(1))[:, 0]
