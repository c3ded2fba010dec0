"""Autoencoders as scikit-learn transformers: basic, sparse and denoising.

An autoencoder learns an encoder f and a decoder g such that g(f(x)) ≈ x; the
code f(x) is a learned, possibly nonlinear, reduction of x. The torch pieces are
module-level and reusable (a stacked autoencoder or a classifier can build on
them): :class:`MLPEncoder`, :class:`MLPDecoder`, :class:`Corruption`,
:class:`AutoencoderModule` and the loss :class:`ReconstructionLoss`.
"""

from numbers import Integral, Real

import numpy as np
import torch
import torch.nn.functional as F
from sklearn.base import ClassNamePrefixFeaturesOutMixin, TransformerMixin
from sklearn.utils.validation import check_array, check_is_fitted, validate_data

from ..utils._compat import Interval, StrOptions, _fit_context
from ._base import BaseNeuralNet, make_activation

__all__ = [
    "Autoencoder",
    "SparseAutoencoder",
    "DenoisingAutoencoder",
    "MLPEncoder",
    "MLPDecoder",
    "Corruption",
    "AutoencoderModule",
    "ReconstructionLoss",
]


# -- torch modules ----------------------------------------------------------------


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
        Activation of the hidden layers (see ``_base.ACTIVATIONS``).
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


# -- estimators -------------------------------------------------------------------


class Autoencoder(ClassNamePrefixFeaturesOutMixin, TransformerMixin, BaseNeuralNet):
    """Fully connected autoencoder: a learned, nonlinear dimensionality reduction.

    The encoder maps x through the widths ``hidden_layer_sizes`` to a code
    z = f(x) (a linear code layer, as in Hinton & Salakhutdinov's deep
    autoencoders); the decoder mirrors the encoder back to x̂ = g(z). Training
    minimises the reconstruction error ``mean ‖x − g(f(x))‖²`` (or the
    cross-entropy for inputs in [0, 1]) by mini-batch gradient descent. With
    ``activation="identity"`` and one layer it is the lecture's linear
    autoassociator, whose code spans the same subspace as PCA's.

    Parameters
    ----------
    hidden_layer_sizes : tuple of int, default=(32, 8)
        Widths of the encoder's layers, the last being the code size; the decoder
        uses them in reverse.
    activation : {"relu", "tanh", "sigmoid", "logistic", "identity", \
"leaky_relu", "elu", "gelu"}, default="relu"
        Activation of the hidden layers (the code layer is linear).
    loss : {"mse", "bce"}, default="mse"
        Reconstruction loss: mean squared error, or binary cross-entropy for
        inputs in [0, 1] (the decoder's output then passes through a sigmoid).
    tied_weights : bool, default=False
        Decoder weights are the encoder's transposed (W′ = Wᵀ), halving the
        number of weights.
    batch_norm : bool, default=False
        Batch normalisation after every hidden linear layer (running statistics
        at inference). Needs at least two training samples.
    optimizer : {"sgd", "momentum", "nesterov", "adagrad", "rmsprop", \
"rmsprop_nesterov", "adam"}, default="adam"
        The lecture's optimizers by name.
    lr : float, default=1e-3
        Initial learning rate α₀.
    momentum : float, default=0.9
        Momentum α of ``"momentum"``, ``"nesterov"`` and ``"rmsprop_nesterov"``.
    rho : float, default=0.9
        Decay rate ρ of the squared-gradient average (``"rmsprop"``,
        ``"rmsprop_nesterov"``).
    lr_schedule : {"step", "exponential", "inverse_time"} or None, default=None
        Learning-rate annealing per epoch t: ``α₀·lr_step_gamma**(t//lr_step_size)``,
        ``α₀·exp(−lr_decay·t)`` or ``α₀/(1 + lr_decay·t)``; None keeps α₀.
    lr_decay : float, default=0.01
        Decay constant k of the exponential and inverse-time schedules.
    lr_step_size : int, default=30
        Epochs between two steps of the step schedule.
    lr_step_gamma : float, default=0.5
        Factor of the step schedule.
    max_epochs : int, default=100
        Number of passes over the training data.
    batch_size : int, default=64
        Mini-batch size (clipped to the number of samples).
    early_stopping : bool, default=False
        Hold out ``validation_fraction`` of the data and stop when its loss has
        not improved for ``n_iter_no_change`` epochs; restores the best epoch.
    validation_fraction : float, default=0.1
        Held-out fraction for early stopping.
    n_iter_no_change : int, default=10
        Patience of early stopping, in epochs.
    random_state : int, RandomState instance or None, default=None
        Seeds the weights, the batch order (and the corruption noise) during fit,
        without touching torch's global generator. Pass an int for repeatable fits.
    device : str, default="cpu"
        Torch device to train on, e.g. ``"cuda"``.
    verbose : int, default=0
        Print skorch's per-epoch loss table when > 0.

    Attributes
    ----------
    net_ : skorch.NeuralNet
        The trained net; ``net_.module_`` is the :class:`AutoencoderModule`.
    n_features_in_ : int
        Number of input features.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Names of the input features, when X has string column names.
    loss_curve_ : ndarray of shape (n_iter_,)
        Mean training loss of each epoch.
    validation_loss_curve_ : ndarray of shape (n_iter_,) or None
        Validation loss of each epoch with early stopping, else None.
    n_iter_ : int
        Number of epochs run.

    See Also
    --------
    sklearn_lecture.PCA : The linear reduction the autoencoder generalises.
    SparseAutoencoder : Overcomplete code kept sparse by a KL penalty.
    DenoisingAutoencoder : Learns to undo input corruption.

    References
    ----------
    G. E. Hinton and R. R. Salakhutdinov, "Reducing the dimensionality of data
    with neural networks", Science 313 (2006).

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from sklearn.preprocessing import MinMaxScaler
    >>> from sklearn_lecture import Autoencoder
    >>> X = MinMaxScaler().fit_transform(load_digits().data[:300])
    >>> ae = Autoencoder(hidden_layer_sizes=(32, 8), max_epochs=20, random_state=0)
    >>> codes = ae.fit_transform(X)
    >>> codes.shape
    (300, 8)
    >>> ae.inverse_transform(codes).shape
    (300, 64)
    >>> bool(ae.loss_curve_[-1] < ae.loss_curve_[0])
    True
    """

    _parameter_constraints = {
        **BaseNeuralNet._common_parameter_constraints,
        **BaseNeuralNet._layer_parameter_constraints,
        "hidden_layer_sizes": ["array-like"],
        "loss": [StrOptions({"mse", "bce"})],
        "tied_weights": ["boolean"],
    }

    def __init__(
        self,
        hidden_layer_sizes=(32, 8),
        *,
        activation="relu",
        loss="mse",
        tied_weights=False,
        batch_norm=False,
        optimizer="adam",
        lr=1e-3,
        momentum=0.9,
        rho=0.9,
        lr_schedule=None,
        lr_decay=0.01,
        lr_step_size=30,
        lr_step_gamma=0.5,
        max_epochs=100,
        batch_size=64,
        early_stopping=False,
        validation_fraction=0.1,
        n_iter_no_change=10,
        random_state=None,
        device="cpu",
        verbose=0,
    ):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.loss = loss
        self.tied_weights = tied_weights
        self.batch_norm = batch_norm
        self.optimizer = optimizer
        self.lr = lr
        self.momentum = momentum
        self.rho = rho
        self.lr_schedule = lr_schedule
        self.lr_decay = lr_decay
        self.lr_step_size = lr_step_size
        self.lr_step_gamma = lr_step_gamma
        self.max_epochs = max_epochs
        self.batch_size = batch_size
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.random_state = random_state
        self.device = device
        self.verbose = verbose

    # Subclasses change the module through this and the _noise_* / _sparsity hooks.
    _code_activation = "identity"

    def _layer_sizes(self):
        sizes = np.asarray(self.hidden_layer_sizes)
        if (
            sizes.ndim != 1
            or sizes.size == 0
            or not all(isinstance(s, Integral | np.integer) for s in sizes.tolist())
            or np.any(sizes < 1)
        ):
            raise ValueError(
                "hidden_layer_sizes must be a non-empty tuple of positive integers, "
                f"got {self.hidden_layer_sizes!r}."
            )
        return tuple(int(s) for s in sizes)

    def _sparsity(self):
        return {}

    def _build_module(self, X, y):
        return AutoencoderModule(
            X.shape[1],
            self._layer_sizes(),
            self.activation,
            batch_norm=self.batch_norm,
            code_activation=self._code_activation,
            tied_weights=self.tied_weights,
            noise=self._noise_kind(),
            corruption=self._noise_level(),
        )

    def _noise_kind(self):
        return None

    def _noise_level(self):
        return 0.0

    def _build_criterion(self):
        return ReconstructionLoss(self.loss, **self._sparsity())

    def _check_extra_params(self):
        """Checks that go beyond ``_parameter_constraints``."""

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Train the autoencoder to reconstruct X.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data (float32 stays float32).
        y : Ignored
            Not used, present for API consistency.

        Returns
        -------
        self : object
            Fitted estimator.
        """
        X = validate_data(self, X, dtype=[np.float64, np.float32])
        sizes = self._layer_sizes()
        self._check_extra_params()
        if self.loss == "bce" and (X.min() < 0 or X.max() > 1):
            raise ValueError(
                "loss='bce' (reconstruction cross-entropy) needs inputs in [0, 1]; "
                f"X ranges over [{X.min():.3g}, {X.max():.3g}]. Scale it, e.g. with "
                "MinMaxScaler, or use loss='mse'."
            )
        self._fit_net(X)
        self._n_features_out = sizes[-1]
        return self

    def transform(self, X):
        """Encode X: the code layer's values.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        codes : ndarray of shape (n_samples, code_size)
            Same dtype as X (float32 or float64).
        """
        check_is_fitted(self)
        X = validate_data(self, X, reset=False, dtype=[np.float64, np.float32])
        codes = self._forward64(X, lambda module, x: module.encode(x))
        return codes.astype(X.dtype, copy=False)

    def _decode64(self, codes):
        def decode(module, z):
            out = module.decode(z)
            return torch.sigmoid(out) if self.loss == "bce" else out

        return self._forward64(codes, decode)

    def inverse_transform(self, X):
        """Decode codes back to the input space.

        Parameters
        ----------
        X : array-like of shape (n_samples, code_size)
            Codes, e.g. from :meth:`transform`.

        Returns
        -------
        X_reconstructed : ndarray of shape (n_samples, n_features_in_)
            Same dtype as the codes.
        """
        check_is_fitted(self)
        codes = check_array(X, dtype=[np.float64, np.float32])
        if codes.shape[1] != self._n_features_out:
            raise ValueError(
                f"inverse_transform expects codes with {self._n_features_out} "
                f"columns (the code size), got {codes.shape[1]}."
            )
        return self._decode64(codes).astype(codes.dtype, copy=False)

    def _reconstruct64(self, X):
        def reconstruct(module, x):
            out = module.decode(module.encode(x))
            return torch.sigmoid(out) if self.loss == "bce" else out

        return self._forward64(X, reconstruct)

    def score(self, X, y=None):
        """Negative mean squared reconstruction error (higher is better).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : Ignored

        Returns
        -------
        score : float
            ``−mean((X − g(f(X)))²)`` over samples and features.
        """
        check_is_fitted(self)
        X = validate_data(self, X, reset=False, dtype=[np.float64, np.float32])
        X64 = X.astype(np.float64, copy=False)
        return -float(np.mean((X64 - self._reconstruct64(X64)) ** 2))

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        return tags


class SparseAutoencoder(Autoencoder):
    """Autoencoder whose sigmoid code units are kept sparse by a KL penalty.

    The code layer uses sigmoid units; the loss adds λ Σ_j KL(ρ ‖ ρ̂_j), with
    ρ̂_j the mean activation of code unit j over the mini-batch and
    KL(ρ‖ρ̂) = ρ log(ρ/ρ̂) + (1 − ρ) log((1 − ρ)/(1 − ρ̂)). Each unit is then
    active (close to 1) on about a fraction ρ of the samples, so the code can be
    wider than the input (overcomplete) without learning the identity.

    Parameters
    ----------
    hidden_layer_sizes : tuple of int, default=(64,)
        Widths of the encoder's layers; the last is the (sparse) code, which may
        be wider than the input.
    sparsity_target : float, default=0.2
        Target mean activation ρ of each code unit, in (0, 1).
    sparsity_weight : float, default=0.1
        Weight λ of the KL penalty (the reconstruction term is a mean over
        features, so λ is comparable across input widths).
    activation : str, default="sigmoid"
        Activation of the hidden layers before the code (the code is always
        sigmoid).
    loss, tied_weights, batch_norm, optimizer, lr, momentum, rho, lr_schedule, \
lr_decay, lr_step_size, lr_step_gamma, max_epochs, batch_size, early_stopping, \
validation_fraction, n_iter_no_change, random_state, device, verbose
        As in :class:`Autoencoder` (here ``lr=0.01``: sigmoid units learn slowly at
        Adam's usual 1e-3).

    Attributes
    ----------
    net_, n_features_in_, feature_names_in_, loss_curve_, validation_loss_curve_, \
n_iter_
        As in :class:`Autoencoder`.

    See Also
    --------
    Autoencoder, DenoisingAutoencoder

    Notes
    -----
    The penalty fixes each unit's *mean* activation. A free linear decoder can
    meet it with every unit at a uniformly low level and amplify; on [0, 1] data,
    ``tied_weights=True`` with ``loss="bce"`` (and a larger ``lr`` such as 0.03)
    gives codes that are mostly off with a few units on (see the example
    ``plot_sparse_activations.py``).

    References
    ----------
    A. Ng, "Sparse autoencoder", CS294A lecture notes, Stanford (2011).

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from sklearn.preprocessing import MinMaxScaler
    >>> from sklearn_lecture import SparseAutoencoder
    >>> X = MinMaxScaler().fit_transform(load_digits().data[:300])
    >>> sae = SparseAutoencoder(hidden_layer_sizes=(100,), sparsity_target=0.1,
    ...                         max_epochs=30, random_state=0).fit(X)
    >>> codes = sae.transform(X)
    >>> codes.shape
    (300, 100)
    >>> bool(abs(codes.mean() - 0.1) < 0.05)
    True
    """

    _parameter_constraints = {
        **Autoencoder._parameter_constraints,
        "sparsity_target": [Interval(Real, 0, 1, closed="neither")],
        "sparsity_weight": [Interval(Real, 0, None, closed="left")],
    }

    _code_activation = "sigmoid"

    def __init__(
        self,
        hidden_layer_sizes=(64,),
        *,
        sparsity_target=0.2,
        sparsity_weight=0.1,
        activation="sigmoid",
        loss="mse",
        tied_weights=False,
        batch_norm=False,
        optimizer="adam",
        lr=0.01,
        momentum=0.9,
        rho=0.9,
        lr_schedule=None,
        lr_decay=0.01,
        lr_step_size=30,
        lr_step_gamma=0.5,
        max_epochs=100,
        batch_size=64,
        early_stopping=False,
        validation_fraction=0.1,
        n_iter_no_change=10,
        random_state=None,
        device="cpu",
        verbose=0,
    ):
        super().__init__(
            hidden_layer_sizes,
            activation=activation,
            loss=loss,
            tied_weights=tied_weights,
            batch_norm=batch_norm,
            optimizer=optimizer,
            lr=lr,
            momentum=momentum,
            rho=rho,
            lr_schedule=lr_schedule,
            lr_decay=lr_decay,
            lr_step_size=lr_step_size,
            lr_step_gamma=lr_step_gamma,
            max_epochs=max_epochs,
            batch_size=batch_size,
            early_stopping=early_stopping,
            validation_fraction=validation_fraction,
            n_iter_no_change=n_iter_no_change,
            random_state=random_state,
            device=device,
            verbose=verbose,
        )
        self.sparsity_target = sparsity_target
        self.sparsity_weight = sparsity_weight

    def _sparsity(self):
        return {
            "sparsity_target": self.sparsity_target,
            "sparsity_weight": self.sparsity_weight,
        }


class DenoisingAutoencoder(Autoencoder):
    """Autoencoder trained to reconstruct clean inputs from corrupted ones.

    During training each input x is corrupted to x̃ (``noise="mask"``: each
    component set to 0 with probability p = ``corruption``; ``"gaussian"``:
    x̃ = x + N(0, corruption²)) and the loss compares g(f(x̃)) with the clean x.
    The code must therefore capture the dependencies between the components
    rather than copy them. No noise is applied by ``transform``, ``score`` or
    ``inverse_transform``; the noise of fit is drawn from ``random_state``.

    Parameters
    ----------
    hidden_layer_sizes : tuple of int, default=(32, 8)
        Widths of the encoder's layers; the last is the code size.
    noise : {"mask", "gaussian"}, default="mask"
        Corruption process.
    corruption : float, default=0.3
        Masking probability p (in [0, 1)) or the Gaussian noise's standard
        deviation.
    activation, loss, tied_weights, batch_norm, optimizer, lr, momentum, rho, \
lr_schedule, lr_decay, lr_step_size, lr_step_gamma, max_epochs, batch_size, \
early_stopping, validation_fraction, n_iter_no_change, random_state, device, \
verbose
        As in :class:`Autoencoder`.

    Attributes
    ----------
    net_, n_features_in_, feature_names_in_, loss_curve_, validation_loss_curve_, \
n_iter_
        As in :class:`Autoencoder`; ``loss_curve_`` is the loss on corrupted
        inputs, ``validation_loss_curve_`` on clean ones.

    See Also
    --------
    Autoencoder, SparseAutoencoder

    References
    ----------
    P. Vincent, H. Larochelle, Y. Bengio and P.-A. Manzagol, "Extracting and
    composing robust features with denoising autoencoders", ICML (2008).

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.datasets import load_digits
    >>> from sklearn.preprocessing import MinMaxScaler
    >>> from sklearn_lecture import DenoisingAutoencoder
    >>> X = MinMaxScaler().fit_transform(load_digits().data[:300])
    >>> dae = DenoisingAutoencoder((32, 16), corruption=0.3, max_epochs=20,
    ...                            random_state=0).fit(X)
    >>> noisy = X * (np.random.default_rng(0).random(X.shape) >= 0.3)
    >>> dae.inverse_transform(dae.transform(noisy)).shape
    (300, 64)
    """

    _parameter_constraints = {
        **Autoencoder._parameter_constraints,
        "noise": [StrOptions({"mask", "gaussian"})],
        "corruption": [Interval(Real, 0, None, closed="left")],
    }

    def __init__(
        self,
        hidden_layer_sizes=(32, 8),
        *,
        noise="mask",
        corruption=0.3,
        activation="relu",
        loss="mse",
        tied_weights=False,
        batch_norm=False,
        optimizer="adam",
        lr=1e-3,
        momentum=0.9,
        rho=0.9,
        lr_schedule=None,
        lr_decay=0.01,
        lr_step_size=30,
        lr_step_gamma=0.5,
        max_epochs=100,
        batch_size=64,
        early_stopping=False,
        validation_fraction=0.1,
        n_iter_no_change=10,
        random_state=None,
        device="cpu",
        verbose=0,
    ):
        super().__init__(
            hidden_layer_sizes,
            activation=activation,
            loss=loss,
            tied_weights=tied_weights,
            batch_norm=batch_norm,
            optimizer=optimizer,
            lr=lr,
            momentum=momentum,
            rho=rho,
            lr_schedule=lr_schedule,
            lr_decay=lr_decay,
            lr_step_size=lr_step_size,
            lr_step_gamma=lr_step_gamma,
            max_epochs=max_epochs,
            batch_size=batch_size,
            early_stopping=early_stopping,
            validation_fraction=validation_fraction,
            n_iter_no_change=n_iter_no_change,
            random_state=random_state,
            device=device,
            verbose=verbose,
        )
        self.noise = noise
        self.corruption = corruption

    def _check_extra_params(self):
        if self.noise == "mask" and self.corruption >= 1:
            raise ValueError(
                "noise='mask' needs a masking probability corruption in [0, 1), "
                f"got corruption={self.corruption!r}."
            )

    def _noise_kind(self):
        return self.noise

    def _noise_level(self):
        return self.corruption
