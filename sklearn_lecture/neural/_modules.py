"""What several nets share: the trained-module base, activations, MLP stacks.

:class:`TrainedModule` (the base of every module a net trains), the activations
by name, the fully connected encoder and mirrored decoder (autoencoders, stacked
nets), the denoising corruption and the reconstruction loss with the sparse
autoencoder's KL penalty (autoencoders and the stacked nets' layer-wise
pre-training). Each model's own modules and losses sit in its file
(``_autoencoder.py``, ``_stacked.py``, ``_rnn.py``, ``_gan.py``, ``_pca_net.py``;
the style methods' feature extractors in ``_features.py``), at module level so
that pickled estimators can import them. Nothing here knows about training; see
:mod:`sklearn_lecture.neural._training`.
"""

import torch
import torch.nn.functional as F
from torch import nn

__all__ = [
    "TrainedModule",
    "ACTIVATIONS",
    "make_activation",
    "make_dropout",
    "MLPEncoder",
    "MLPDecoder",
    "Corruption",
    "ReconstructionLoss",
]


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


def make_dropout(p):
    """``torch.nn.Dropout(p)``, or the identity for p = 0.

    The identity keeps a net without dropout exactly as it was (no module, no
    random draw). Dropout zeroes each unit with probability p in training mode
    and scales the others by 1 / (1 - p); in eval mode it is the identity.
    """
    return torch.nn.Dropout(float(p)) if p else torch.nn.Identity()


# -- fully connected stacks, corruption, reconstruction loss ---------------------


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
    dropout : float, default=0.0
        Dropout after each hidden layer's activation (not after the code).

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
        dropout=0.0,
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
        self.dropout = make_dropout(dropout)
        self.code_size = sizes[-1]

    def forward(self, x):
        for linear, norm in zip(self.linears[:-1], self.norms):
            x = self.dropout(self.activation(norm(linear(x))))
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
    dropout : float, default=0.0
        Dropout after each hidden layer's activation (not after the output).
    """

    def __init__(
        self,
        n_features,
        hidden_layer_sizes,
        activation="relu",
        *,
        batch_norm=False,
        tied_weights=False,
        dropout=0.0,
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
        self.dropout = make_dropout(dropout)
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
                x = self.dropout(self.activation(self.norms[i](x)))
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
