"""Autoencoders as scikit-learn transformers: basic, sparse and denoising.

An autoencoder learns an encoder f and a decoder g such that g(f(x)) ≈ x; the
code f(x) is a learned, possibly nonlinear, reduction of x. This file holds the
module (:class:`AutoencoderModule`: the encoder, mirrored decoder and corruption
of :mod:`~sklearn_lecture.neural._modules`) and the estimators; the loss,
:class:`~sklearn_lecture.neural._modules.ReconstructionLoss`, is shared with the
stacked nets.
"""

from numbers import Real

import numpy as np
import torch
from sklearn.base import ClassNamePrefixFeaturesOutMixin, TransformerMixin
from sklearn.utils.validation import check_array, check_is_fitted, validate_data

from ..utils._compat import Interval, StrOptions
from ..utils._params import store_params
from ._base import BaseNeuralNet, check_layer_sizes, fill_net_doc, fit_guard
from ._modules import (
    Corruption,
    MLPDecoder,
    MLPEncoder,
    ReconstructionLoss,
    TrainedModule,
    make_dropout,
)

__all__ = [
    "Autoencoder",
    "SparseAutoencoder",
    "DenoisingAutoencoder",
]


# -- the module ---------------------------------------------------------------


class AutoencoderModule(TrainedModule):
    """Encoder, mirrored decoder, optional input corruption and dropout.

    ``forward(x)`` returns ``(reconstruction, code)``; the reconstruction is on
    the logit scale for the ``"bce"`` loss. With ``dropout``, every hidden layer
    of the encoder and the decoder, the code included, drops units in training
    mode; the code returned (which a sparsity penalty reads) is the one before
    its dropout.
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
        dropout=0.0,
    ):
        super().__init__()
        self.encoder = MLPEncoder(
            n_features,
            hidden_layer_sizes,
            activation,
            batch_norm=batch_norm,
            code_activation=code_activation,
            dropout=dropout,
        )
        self.decoder = MLPDecoder(
            n_features,
            hidden_layer_sizes,
            activation,
            batch_norm=batch_norm,
            tied_weights=tied_weights,
            dropout=dropout,
        )
        self.corrupt = Corruption(noise, corruption if noise else 0.0)
        self.dropout = make_dropout(dropout)

    def encode(self, x):
        return self.encoder(x)

    def decode(self, code):
        weights = None
        if self.decoder.tied_weights:
            weights = [linear.weight for linear in self.encoder.linears]
        return self.decoder(code, weights)

    def forward(self, x):
        code = self.encoder(self.corrupt(x))
        return self.decode(self.dropout(code)), code


@fill_net_doc
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
    loss : {"mse", "bce"}, default="mse"
        Reconstruction loss: mean squared error, or binary cross-entropy for
        inputs in [0, 1] (the decoder's output then passes through a sigmoid).
    tied_weights : bool, default=False
        Decoder weights are the encoder's transposed (W′ = Wᵀ), halving the
        number of weights.
    {net_parameters}

    Attributes
    ----------
    {net_attributes}

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
        **BaseNeuralNet._regularization_parameter_constraints,
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
        alpha=0.0,
        dropout=0.0,
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
        warm_start=False,
        callbacks=None,
        random_state=None,
        device="cpu",
        verbose=0,
    ):
        store_params(self, locals())

    # Subclasses change the module through this and the _noise_* / _sparsity hooks.
    _code_activation = "identity"

    def _layer_sizes(self):
        return check_layer_sizes(self.hidden_layer_sizes)

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
            dropout=self.dropout,
        )

    def _noise_kind(self):
        return None

    def _noise_level(self):
        return 0.0

    def _build_criterion(self):
        return ReconstructionLoss(self.loss, **self._sparsity())

    def _check_extra_params(self):
        """Checks that go beyond ``_parameter_constraints``."""

    @fit_guard
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
        X = self._validate_training_data(X, reset=True)
        # Set before training: scikit-learn's callbacks may transform after an
        # epoch.
        self._update_fitted(n_features_out=self._layer_sizes()[-1])
        self._fit_net(X)
        return self

    @fit_guard
    def partial_fit(self, X, y=None):
        """Train one more epoch on X; the first call starts the net.

        Each call is one pass over X in shuffled mini-batches, with the
        optimizer's state, the learning-rate schedule and the random stream
        carried over from the previous call (stacked nets: no greedy
        pre-training, the whole network is trained). Early stopping does not
        apply.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            A block of training data, with the first call's number of features.
        y : Ignored
            Not used, present for API consistency.

        Returns
        -------
        self : object
            The estimator, trained one more epoch.
        """
        X = self._validate_training_data(X, reset=not hasattr(self, "net_"))
        self._update_fitted(n_features_out=self._layer_sizes()[-1])
        self._partial_fit_net(X)
        return self

    @property
    def _n_features_out(self):
        # The code width, which scikit-learn's get_feature_names_out reads.
        return self._fitted.n_features_out

    def _validate_training_data(self, X, reset):
        X = validate_data(self, X, reset=reset, dtype=[np.float64, np.float32])
        self._layer_sizes()
        self._check_extra_params()
        if self.loss == "bce" and (X.min() < 0 or X.max() > 1):
            raise ValueError(
                "loss='bce' (reconstruction cross-entropy) needs inputs in [0, 1]; "
                f"X ranges over [{X.min():.3g}, {X.max():.3g}]. Scale it, e.g. with "
                "MinMaxScaler, or use loss='mse'."
            )
        return X

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
        bce = self._fitted.params["loss"] == "bce"

        def decode(module, z):
            out = module.decode(z)
            return torch.sigmoid(out) if bce else out

        return self._forward64(codes, decode)

    def inverse_transform(self, X):
        """Decode codes back to the input space.

        Parameters
        ----------
        X : array-like of shape (n_samples, code_size)
            Codes, e.g. from :meth:`transform`.

        Returns
        -------
        X_reconstructed : ndarray of shape (n_samples, `n_features_in_`)
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
        bce = self._fitted.params["loss"] == "bce"

        def reconstruct(module, x):
            out = module.decode(module.encode(x))
            return torch.sigmoid(out) if bce else out

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


@fill_net_doc
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
    loss, tied_weights
        As in :class:`Autoencoder`. The code units are always sigmoid;
        ``activation`` applies to the hidden layers before the code, and ``lr``
        defaults to 0.01 (sigmoid units learn slowly at Adam's usual 1e-3).
    {net_parameters}

    Attributes
    ----------
    {net_attributes}

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
        alpha=0.0,
        dropout=0.0,
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
        warm_start=False,
        callbacks=None,
        random_state=None,
        device="cpu",
        verbose=0,
    ):
        store_params(self, locals())

    def _sparsity(self):
        return {
            "sparsity_target": self.sparsity_target,
            "sparsity_weight": self.sparsity_weight,
        }


@fill_net_doc
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
    loss, tied_weights
        As in :class:`Autoencoder`; ``loss_curve_`` is the loss on corrupted
        inputs, ``validation_loss_curve_`` on clean ones.
    {net_parameters}

    Attributes
    ----------
    {net_attributes}

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
        alpha=0.0,
        dropout=0.0,
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
        warm_start=False,
        callbacks=None,
        random_state=None,
        device="cpu",
        verbose=0,
    ):
        store_params(self, locals())

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
