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
    "MaskedMSELoss",
    "SequenceCrossEntropyLoss",
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
        Initial bias of the LSTM's forget gates.
    masked : bool, default=False
        The last input feature is a 0/1 mask of the valid steps (a sequence's
        valid steps come first): each sequence is read up to its length only
        (packed sequences), ``"last"`` reads the state at the sequence's last
        valid step, and ``"sequence"`` repeats that state over the padded steps.
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
        masked=False,
    ):
        super().__init__()
        self.output = output
        self.masked = masked
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
            # its memory from the first epoch; torch splits the bias in two
            # vectors, each ordered (input, forget, cell, output).
            for name, bias in self.rnn.named_parameters():
                if name.startswith("bias_ih"):
                    with torch.no_grad():
                        bias[hidden_size : 2 * hidden_size].fill_(forget_bias)
        n_directions = 2 if bidirectional else 1
        self.head = nn.Linear(n_directions * hidden_size, n_outputs)

    def forward(self, X):
        if not self.masked:
            out, _ = self.rnn(X)
            if self.output == "last":
                out = self._last(out, None)
            return self.head(out)
        X, mask = X[..., :-1], X[..., -1]
        n_steps = X.shape[1]
        lengths = mask.sum(dim=1).round().long()
        if bool((lengths == n_steps).all()):
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


class MaskedMSELoss(nn.Module):
    """Mean squared error over the finite entries of the target (NaN: padding)."""

    def forward(self, y_pred, y_true):
        keep = torch.isfinite(y_true)
        if bool(keep.all()):
            return F.mse_loss(y_pred, y_true)
        return F.mse_loss(y_pred[keep], y_true[keep])


class SequenceCrossEntropyLoss(nn.Module):
    """Cross-entropy of logits (N, C) or (N, T, C) against codes (N,) or (N, T).

    Codes of -1 (padded steps) are ignored; ``weight`` weights the classes.
    """

    def __init__(self, weight=None):
        super().__init__()
        self.register_buffer(
            "weight", None if weight is None else torch.as_tensor(weight)
        )

    def forward(self, logits, codes):
        weight = None if self.weight is None else self.weight.to(logits.dtype)
        return F.cross_entropy(
            logits.reshape(-1, logits.shape[-1]),
            codes.reshape(-1),
            weight=weight,
            ignore_index=-1,
        )
