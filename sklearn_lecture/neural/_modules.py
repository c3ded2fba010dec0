"""The torch modules and losses of the neural estimators, in one place.

Every ``torch.nn.Module`` the estimators train lives here, at module level, so that
pickled estimators can import them and new estimators can reuse them: the
activations by name, the fully connected encoder and mirrored decoder of the
autoencoders, the denoising corruption, the reconstruction loss with the sparse
autoencoder's KL penalty, the stacked nets' layer-wise and classifier modules, and
the recurrent stack of the RNN estimators. Nothing here knows about training; see
:mod:`sklearn_lecture.neural._training`.
"""

import math
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import nn

__all__ = [
    "TrainedModule",
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
    "MaskedMSELoss",
    "SequenceCrossEntropyLoss",
    "VGG_CONFIGS",
    "VGG_WEIGHT_FILES",
    "ImageNormalization",
    "VGGFeatures",
    "RandomVGG",
    "RandomMultiscale",
    "vgg_weights_path",
    "MLPGenerator",
    "MLPDiscriminator",
    "DCGANGenerator",
    "DCGANDiscriminator",
    "discriminator_loss",
    "generator_loss",
]

#: Names accepted by ``activation`` (``"logistic"`` is scikit-learn's name for the
#: sigmoid).
class TrainedModule(nn.Module):
    """A module a net trains: switching it to the mode it is in costs nothing.

    skorch sets every module's mode before each mini-batch; torch's ``train``
    walks every submodule even when nothing changes, which on a small net costs
    about as much as the batch's arithmetic. The mode is switched through the
    top-level module (as skorch and :func:`~._training.inference_copy` do), so
    its flag says the mode of the whole.
    """

    def train(self, mode=True):
        if self.training != bool(mode):
            super().train(mode)
        return self


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


class AutoencoderModule(TrainedModule):
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


class ReconstructionLoss(TrainedModule):
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


class GreedyLayerModule(TrainedModule):
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


class StackedClassifierModule(TrainedModule):
    """Encoder stack and a softmax layer: ``forward(x)`` returns the class logits.

    Every encoder layer is ``Linear → [BatchNorm1d] → activation``, but the last
    (the code the greedy pre-training learns), which is ``Linear → activation``
    as an autoencoder's code layer; the head is a linear layer to ``n_classes``
    logits (the softmax is in the cross-entropy loss and in ``predict_proba``).
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


class RNNModule(TrainedModule):
    """A stack of recurrent layers followed by a linear read-out.

    Parameters
    ----------
    n_inputs : int
        Features per time step.
    n_outputs : int
        Outputs per sequence (``output="last"``) or per time step
        (``output="sequence"``).
    hidden_size : int
        Width of every recurrent layer (of each direction).
    num_layers : int
        Number of stacked recurrent layers (the lecture's ``MultiRNNCell``).
    cell : {"rnn", "lstm", "gru"}
        ``"rnn"`` is the Elman cell with tanh.
    output : {"last", "sequence"}
        ``"last"`` reads out the last hidden state, ``(N, T, F) -> (N, n_outputs)``;
        ``"sequence"`` every hidden state, ``(N, T, F) -> (N, T, n_outputs)``.
    bidirectional : bool, default=False
        A second stack reads each sequence backwards; the read-out sees both
        directions' states (for ``"last"``: the forward state at the last step and
        the backward state at the first step, each having read the whole sequence).
    forget_bias : float, default=1.0
        Initial bias of the LSTM's forget gates (the sum of torch's two bias
        vectors over the forget slice).

    ``forward(X, lengths=None)``: with ``lengths`` (an integer tensor of shape
    ``(N,)``; a sequence's valid steps come first) each sequence is read up to
    its length only (packed sequences), ``"last"`` reads the state at the
    sequence's last valid step, and ``"sequence"`` repeats that state over the
    padded steps.
    """

    def __init__(
        self,
        n_inputs,
        n_outputs,
        hidden_size,
        num_layers,
        cell,
        output,
        *,
        bidirectional=False,
        forget_bias=1.0,
    ):
        super().__init__()
        self.output = output
        self.n_inputs = n_inputs
        self.bidirectional = bidirectional
        self.hidden_size = hidden_size
        kwargs = {"nonlinearity": "tanh"} if cell == "rnn" else {}
        self.rnn = _CELLS[cell](
            n_inputs,
            hidden_size,
            num_layers=num_layers,
            batch_first=True,
            bidirectional=bidirectional,
            **kwargs,
        )
        if cell == "lstm":
            # Forget gates start open (Gers et al. 2000) so that the cell carries
            # its memory from the first epoch. torch adds two bias vectors, each
            # ordered (input, forget, cell, output): the gate's bias is their
            # sum, so one holds forget_bias and the other zero.
            for name, bias in self.rnn.named_parameters():
                if name.startswith(("bias_ih", "bias_hh")):
                    value = forget_bias if name.startswith("bias_ih") else 0.0
                    with torch.no_grad():
                        bias[hidden_size : 2 * hidden_size].fill_(value)
        n_directions = 2 if bidirectional else 1
        self.head = nn.Linear(n_directions * hidden_size, n_outputs)

    def forward(self, X, lengths=None):
        n_steps = X.shape[1]
        if lengths is None or bool((lengths == n_steps).all()):
            out, _ = self.rnn(X)
            lengths = None
        else:
            packed = nn.utils.rnn.pack_padded_sequence(
                X, lengths.cpu(), batch_first=True, enforce_sorted=False
            )
            out, _ = self.rnn(packed)
            out, _ = nn.utils.rnn.pad_packed_sequence(
                out, batch_first=True, total_length=n_steps
            )
        if self.output == "last":
            return self.head(self._last(out, lengths))
        if lengths is not None:
            # Steps past a sequence's end repeat its last valid step.
            steps = torch.arange(n_steps, device=out.device)
            index = torch.minimum(steps[None, :], (lengths - 1).to(out.device)[:, None])
            out = torch.gather(out, 1, index[:, :, None].expand(-1, -1, out.shape[-1]))
        return self.head(out)

    def _last(self, out, lengths):
        """The state that has read the whole sequence, in each direction."""
        if lengths is None:
            last = out[:, -1]
        else:
            rows = torch.arange(out.shape[0], device=out.device)
            last = out[rows, (lengths - 1).to(out.device)]
        if self.bidirectional:
            h = self.hidden_size
            last = torch.cat([last[:, :h], out[:, 0, h:]], dim=1)
        return last


class MaskedMSELoss(TrainedModule):
    """Mean squared error over the finite entries of the target (NaN: padding)."""

    def forward(self, y_pred, y_true):
        keep = torch.isfinite(y_true)
        if bool(keep.all()):
            return F.mse_loss(y_pred, y_true)
        return F.mse_loss(y_pred[keep], y_true[keep])


class SequenceCrossEntropyLoss(TrainedModule):
    """Cross-entropy of logits (N, C) or (N, T, C) against codes (N,) or (N, T).

    Codes of -1 (padded steps) are ignored; ``weight`` weights the classes: the
    weighted mean, in which a batch of only zero-weight classes counts 0 (torch's
    mean would divide 0 by 0).
    """

    def __init__(self, weight=None):
        super().__init__()
        self.register_buffer(
            "weight", None if weight is None else torch.as_tensor(weight)
        )

    def forward(self, logits, codes):
        logits, codes = logits.reshape(-1, logits.shape[-1]), codes.reshape(-1)
        if self.weight is None:
            return F.cross_entropy(logits, codes, ignore_index=-1)
        weight = self.weight.to(logits.dtype)
        total = F.cross_entropy(
            logits, codes, weight=weight, ignore_index=-1, reduction="sum"
        )
        norm = weight[codes[codes >= 0]].sum()
        return total / norm.clamp_min(torch.finfo(norm.dtype).tiny)


# -- convolutional feature extractors (style transfer, feature inversion) ---------
#
# Convolutional feature extractors for style transfer and feature inversion.
#
# Three families of ``torch.nn.Module``, all taking a float batch of shape
# ``(n, 3, H, W)`` with values in [0, 1] (each module holds its own input
# normalisation) and all exposing the same small protocol used by
# :class:`~sklearn_lecture.neural.StyleTransfer`:
#
# ``layer_names``
#     The names of the layers whose activations can be asked for.
# ``forward_layers(x, layers)``
#     A dict ``{name: activation}`` for the requested names, running the stack
#     only as deep as the deepest of them.
# ``receptive_field(layer)``
#     The side, in pixels, of the input window one unit of ``layer`` sees.
#
# :class:`VGGFeatures`
#     The ``features`` stack of VGG-16/19 (Simonyan & Zisserman, 2015) defined by
#     its layer configuration, with torchvision's module indices, so torchvision's
#     pretrained state dict loads into it (:meth:`VGGFeatures.pretrained`) with
#     ``torch.load`` from the local torch hub cache, without torchvision and
#     without the network.
# :class:`RandomVGG`
#     The same architecture (optionally narrower) with seeded random weights, as
#     in He, Wang & Hopcroft (2016).
# :class:`RandomMultiscale`
#     One convolutional layer of random filters at several sizes, as in
#     Ustyuzhaninov et al. (2017).
#
# Layer names follow the VGG paper's blocks: ``conv{b}_{i}``, ``relu{b}_{i}`` (the
# i-th convolution of block b and its rectification) and ``pool{b}``.




#: Convolution widths of each VGG block, ``"M"`` marking the 2x2 pooling that
#: ends a block (configurations D and E of Simonyan & Zisserman, as torchvision
#: builds them).
VGG_CONFIGS = {
    "vgg16": (64, 64, "M", 128, 128, "M", 256, 256, 256, "M",
              512, 512, 512, "M", 512, 512, 512, "M"),
    "vgg19": (64, 64, "M", 128, 128, "M", 256, 256, 256, 256, "M",
              512, 512, 512, 512, "M", 512, 512, 512, 512, "M"),
}  # fmt: skip

#: File names of torchvision's ImageNet weights (``IMAGENET1K_V1``) in
#: ``torch.hub.get_dir()/checkpoints`` and where torchvision downloads them from.
VGG_WEIGHT_FILES = {
    "vgg16": "vgg16-397923af.pth",
    "vgg19": "vgg19-dcbb9e9d.pth",
}
_WEIGHT_URL = "https://download.pytorch.org/models/{}"

# torchvision's input normalisation, the statistics of ImageNet's training set.
IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)


class ImageNormalization(torch.nn.Module):
    """Per-channel ``(x - mean) / std`` with ImageNet's statistics by default."""

    def __init__(self, mean=IMAGENET_MEAN, std=IMAGENET_STD):
        super().__init__()
        self.register_buffer("mean", torch.tensor(mean).view(1, -1, 1, 1))
        self.register_buffer("std", torch.tensor(std).view(1, -1, 1, 1))

    def forward(self, x):
        return (x - self.mean) / self.std


def _vgg_layers(config, width, pooling):
    """Modules and names of a VGG ``features`` stack, in torchvision's order."""
    layers, names = [], []
    in_channels, block, conv = 3, 1, 0
    for value in config:
        if value == "M":
            pool = torch.nn.MaxPool2d if pooling == "max" else torch.nn.AvgPool2d
            layers.append(pool(kernel_size=2, stride=2))
            names.append(f"pool{block}")
            block, conv = block + 1, 0
        else:
            conv += 1
            out_channels = max(1, round(value * width))
            layers += [_blank_conv(in_channels, out_channels, 3), torch.nn.ReLU()]
            names += [f"conv{block}_{conv}", f"relu{block}_{conv}"]
            in_channels = out_channels
    return layers, names


def _blank_conv(in_channels, out_channels, kernel_size):
    """A "same" convolution with zero weights, built without torch's default
    initialisation (which would draw from torch's global generator)."""
    conv = torch.nn.utils.skip_init(
        torch.nn.Conv2d, in_channels, out_channels, kernel_size,
        padding=kernel_size // 2,
    )  # fmt: skip
    with torch.no_grad():
        conv.weight.zero_()
        conv.bias.zero_()
    return conv


def _sequential_receptive_fields(layers):
    """Receptive field (pixels) after each module of a chain of convs and pools."""
    fields, field, jump = [], 1, 1
    for layer in layers:
        if isinstance(layer, (torch.nn.Conv2d, torch.nn.MaxPool2d, torch.nn.AvgPool2d)):
            kernel = _first(layer.kernel_size)
            dilation = _first(getattr(layer, "dilation", 1))
            field += (kernel - 1) * dilation * jump
            jump *= _first(layer.stride)
        fields.append(field)
    return fields


def _first(value):
    return value[0] if isinstance(value, tuple) else value


class VGGFeatures(torch.nn.Module):
    """The convolutional part (``features``) of VGG-16 or VGG-19.

    The convolutions are 3x3 with padding 1, each followed by a ReLU; a 2x2
    pooling of stride 2 ends each of the five blocks. ``self.features`` is a
    ``torch.nn.Sequential`` with torchvision's indices, so the keys of its
    state dict (``features.0.weight``, ``features.0.bias``, ``features.2.weight``,
    ...) are those of ``torchvision.models.vgg19().state_dict()``. Inputs in
    [0, 1] are normalised with ImageNet's mean and standard deviation first, as
    the pretrained weights expect.

    Parameters
    ----------
    arch : {"vgg16", "vgg19"}, default="vgg19"
        Which configuration (13 or 16 convolutions).
    width : float, default=1.0
        Multiplies every convolution's number of channels (1.0 is VGG; only 1.0
        can hold the pretrained weights).
    pooling : {"max", "avg"}, default="max"
        VGG uses max pooling; Gatys et al. (2016) found average pooling gives
        smoother gradients for image synthesis. Pooling has no weights, so both
        load the same state dict.

    Attributes
    ----------
    features : torch.nn.Sequential
        The stack, indexed as torchvision's ``vgg.features``.
    layer_names : tuple of str
        One name per module of ``features``: ``conv1_1``, ``relu1_1``, ...,
        ``pool5``.

    See Also
    --------
    RandomVGG : The same stack with seeded random weights.

    Examples
    --------
    >>> import torch
    >>> from sklearn_lecture.neural import VGGFeatures
    >>> vgg = VGGFeatures("vgg16", width=0.125)
    >>> vgg.layer_names[:4]
    ('conv1_1', 'relu1_1', 'conv1_2', 'relu1_2')
    >>> out = vgg.forward_layers(torch.rand(1, 3, 32, 32), ["relu2_1"])
    >>> tuple(out["relu2_1"].shape)
    (1, 16, 16, 16)
    >>> vgg.receptive_field("relu3_1")
    24
    """

    def __init__(self, arch="vgg19", *, width=1.0, pooling="max"):
        super().__init__()
        if arch not in VGG_CONFIGS:
            raise ValueError(
                f"arch must be one of {sorted(VGG_CONFIGS)}; got {arch!r}."
            )
        if pooling not in ("max", "avg"):
            raise ValueError(f"pooling must be 'max' or 'avg'; got {pooling!r}.")
        self.arch = arch
        self.width = width
        self.pooling = pooling
        layers, names = _vgg_layers(VGG_CONFIGS[arch], width, pooling)
        self.normalize = ImageNormalization()
        self.features = torch.nn.Sequential(*layers)
        self.layer_names = tuple(names)
        self._fields = dict(zip(names, _sequential_receptive_fields(layers)))

    def forward(self, x):
        return self.features(self.normalize(x))

    def _index(self, layer):
        try:
            return self.layer_names.index(layer)
        except ValueError:
            raise ValueError(
                f"{type(self).__name__}({self.arch!r}) has no layer {layer!r}; its "
                f"layers are {', '.join(self.layer_names)}."
            ) from None

    def forward_layers(self, x, layers):
        """Activations of the named layers, computing no deeper than needed.

        Parameters
        ----------
        x : torch.Tensor of shape (n, 3, H, W)
            Images with values in [0, 1].
        layers : iterable of str
            Names from :attr:`layer_names`.

        Returns
        -------
        activations : dict of str to torch.Tensor
        """
        wanted = {self._index(name): name for name in layers}
        out = {}
        h = self.normalize(x)
        for i, module in enumerate(self.features[: max(wanted) + 1]):
            h = module(h)
            if i in wanted:
                out[wanted[i]] = h
        return out

    def receptive_field(self, layer):
        """Side in pixels of the input window seen by one unit of ``layer``."""
        return self._fields[self.layer_names[self._index(layer)]]

    @classmethod
    def pretrained(cls, arch="vgg19", *, pooling="max", path=None):
        """VGG with torchvision's ImageNet weights, read from the local cache only.

        Nothing is downloaded: the weights file must already be at ``path``,
        by default ``torch.hub.get_dir()/checkpoints/vgg19-dcbb9e9d.pth`` (or
        ``vgg16-397923af.pth``), which is where torchvision stores them after
        ``torchvision.models.vgg19(weights="IMAGENET1K_V1")`` on a machine with
        internet access.

        Parameters
        ----------
        arch : {"vgg16", "vgg19"}, default="vgg19"
        pooling : {"max", "avg"}, default="max"
        path : str or path-like, default=None
            The weights file; ``None`` looks in torch hub's cache.

        Returns
        -------
        vgg : VGGFeatures
            In eval mode, weights not requiring gradients.

        Raises
        ------
        FileNotFoundError
            When the weights file is absent; the message says where to put it
            and how to obtain it.
        """
        vgg = VGGFeatures(arch, pooling=pooling)  # full width, whatever cls is
        path = Path(path) if path is not None else vgg_weights_path(arch)
        if not path.is_file():
            name = VGG_WEIGHT_FILES[arch]
            raise FileNotFoundError(
                f"The pretrained {arch.upper()} weights are not at {path}. They are "
                "never downloaded at run time. To obtain them, on a machine with "
                "internet access either run\n"
                f"    python -c \"import torchvision; torchvision.models.{arch}"
                "(weights='IMAGENET1K_V1')\"\n"
                f"(which stores {name} in torch hub's cache, "
                "torch.hub.get_dir()/checkpoints, set by $TORCH_HOME), or download "
                f"{_WEIGHT_URL.format(name)}; then copy the file to {path}. "
                "Random-weight features need no file: features='random_vgg'."
            )
        state = torch.load(path, map_location="cpu", weights_only=True)
        prefix = "features."
        features = {
            k[len(prefix) :]: v for k, v in state.items() if k.startswith(prefix)
        }
        expected = vgg.features.state_dict()
        if set(features) != set(expected) or any(
            features[k].shape != expected[k].shape for k in expected
        ):
            raise ValueError(
                f"{path} does not hold torchvision's {arch} weights: expected the "
                f"keys features.0.weight ... with the shapes of {arch}'s "
                f"configuration, got {len(features)} 'features.*' tensors."
            )
        vgg.features.load_state_dict(features)
        return vgg.requires_grad_(False).eval()


def vgg_weights_path(arch="vgg19"):
    """Where :meth:`VGGFeatures.pretrained` looks for torchvision's weights.

    Examples
    --------
    >>> from sklearn_lecture.neural import vgg_weights_path
    >>> vgg_weights_path("vgg16").name
    'vgg16-397923af.pth'
    """
    return Path(torch.hub.get_dir()) / "checkpoints" / VGG_WEIGHT_FILES[arch]


class RandomVGG(VGGFeatures):
    """A VGG-shaped stack with seeded random weights (He, Wang & Hopcroft, 2016).

    The weights are drawn from a local ``torch.Generator`` (torch's global
    generator is untouched): Gaussian with He et al.'s (2015) variance
    ``2 / fan_in``, zero biases. Each convolution is then rescaled once so that
    its rectified output has unit root mean square on a fixed seeded noise
    image: the per-layer normalisation that keeps the magnitude of random
    features from drifting with depth. Since ReLU is positively homogeneous the
    rescaling changes no pattern of activation, only the scale each layer
    contributes. The estimators then divide each layer's loss by its target's
    magnitude, He et al.'s automatic normalisation of the layer weights, so
    that no layer dominates the style loss by its scale alone.

    Parameters
    ----------
    arch : {"vgg16", "vgg19"}, default="vgg19"
    width : float, default=0.25
        Channel multiplier (0.25: 16, 32, 64, 128, 128 channels per block); the
        cost of a step falls roughly with its square.
    pooling : {"avg", "max"}, default="avg"
    seed : int, default=0
        Seed of the weights.

    Examples
    --------
    >>> import torch
    >>> from sklearn_lecture.neural import RandomVGG
    >>> a, b = RandomVGG(seed=0), RandomVGG(seed=0)
    >>> bool(torch.equal(a.features[0].weight, b.features[0].weight))
    True
    >>> a.features[0].weight.shape
    torch.Size([16, 3, 3, 3])
    """

    def __init__(self, arch="vgg19", *, width=0.25, pooling="avg", seed=0):
        super().__init__(arch, width=width, pooling=pooling)
        self.seed = seed
        generator = torch.Generator().manual_seed(int(seed))
        probe = torch.rand(1, 3, 64, 64, generator=generator)
        with torch.no_grad():
            h = self.normalize(probe)
            for module in self.features:
                if isinstance(module, torch.nn.Conv2d):
                    fan_in = module.in_channels * 9
                    weight = torch.randn(module.weight.shape, generator=generator)
                    module.weight.copy_(weight * math.sqrt(2.0 / fan_in))
                    module.bias.zero_()
                    rms = F.relu(module(h)).square().mean().sqrt()
                    module.weight.div_(rms.clamp_min(1e-12))
                h = module(h)
        self.requires_grad_(False).eval()


class RandomMultiscale(torch.nn.Module):
    """One layer of random filters at several sizes (Ustyuzhaninov et al., 2017).

    For each size k in ``kernel_sizes``, ``n_filters`` random k x k filters
    (zero-mean Gaussian weights scaled by ``1 / sqrt(3 k^2)``, drawn from a local
    generator) convolve the normalised image with "same" zero padding; the
    rectified maps of all sizes are stacked into one layer, ``"relu"``, whose
    Gram matrix is the texture model. Ustyuzhaninov et al. used eight sizes
    (3 to 55 pixels) with 128 filters each; the default keeps the smaller sizes
    and fewer filters so that a step takes milliseconds on a CPU.

    Parameters
    ----------
    kernel_sizes : tuple of odd int, default=(3, 5, 7, 11, 15)
    n_filters : int, default=16
        Filters per size.
    seed : int, default=0

    Examples
    --------
    >>> import torch
    >>> from sklearn_lecture.neural import RandomMultiscale
    >>> net = RandomMultiscale(kernel_sizes=(3, 5), n_filters=4)
    >>> tuple(net(torch.rand(1, 3, 20, 20)).shape)
    (1, 8, 20, 20)
    >>> net.receptive_field("relu")
    5
    """

    layer_names = ("relu",)

    def __init__(self, kernel_sizes=(3, 5, 7, 11, 15), n_filters=16, *, seed=0):
        super().__init__()
        if any(int(k) % 2 == 0 or int(k) < 1 for k in kernel_sizes):
            raise ValueError(
                f"kernel_sizes must be odd and positive; got {kernel_sizes}."
            )
        self.kernel_sizes = tuple(int(k) for k in kernel_sizes)
        self.n_filters = int(n_filters)
        self.seed = seed
        self.normalize = ImageNormalization()
        generator = torch.Generator().manual_seed(int(seed))
        self.convs = torch.nn.ModuleList()
        for k in self.kernel_sizes:
            conv = _blank_conv(3, self.n_filters, k)
            with torch.no_grad():
                weight = torch.randn(conv.weight.shape, generator=generator)
                weight -= weight.mean(dim=(1, 2, 3), keepdim=True)
                conv.weight.copy_(weight / math.sqrt(3 * k * k))
            self.convs.append(conv)
        self.requires_grad_(False).eval()

    def forward(self, x):
        h = self.normalize(x)
        return torch.cat([F.relu(conv(h)) for conv in self.convs], dim=1)

    def _check_layer(self, name):
        if name not in self.layer_names:
            raise ValueError(
                f"RandomMultiscale has the single layer 'relu'; got {name!r}."
            )

    def forward_layers(self, x, layers):
        """``{"relu": self(x)}``; see :meth:`VGGFeatures.forward_layers`."""
        for name in layers:
            self._check_layer(name)
        return {"relu": self(x)}

    def receptive_field(self, layer):
        """The largest filter size."""
        self._check_layer(layer)
        return max(self.kernel_sizes)


# -- generative adversarial networks -----------------------------------------------


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
