"""Stacked autoencoders: greedy layer-wise pre-training, then end-to-end fine-tuning.

A deep network trained from random weights can stall; the lecture's remedy is to
pre-train it one layer at a time without labels. Layer k is a shallow autoencoder
(one hidden layer, its own decoder) trained to reconstruct the codes of layer
k − 1, optionally from a corrupted copy of them (a stacked *denoising*
autoencoder). The pre-trained layers then initialise the whole network, which is
fine-tuned end to end: on the reconstruction of x (:class:`StackedAutoencoder`),
or on the labels through an added softmax layer
(:class:`StackedAutoencoderClassifier`, the lecture's "initialisation & fine
tuning").

Each pre-training stage trains the deep network's own layers in place (the
shallow autoencoder holds references to them, not copies), so the fine-tuning
starts exactly from the pre-trained weights.
"""

from numbers import Integral, Real

import numpy as np
import torch
import torch.nn.functional as F
from sklearn.base import ClassifierMixin
from sklearn.model_selection import train_test_split
from sklearn.utils import check_random_state
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, validate_data

from ..utils._compat import Interval, StrOptions, _fit_context
from ._autoencoder import (
    Autoencoder,
    Corruption,
    MLPEncoder,
    ReconstructionLoss,
)
from ._base import BaseNeuralNet, _seeded_torch

__all__ = [
    "StackedAutoencoder",
    "StackedAutoencoderClassifier",
    "GreedyLayerModule",
    "StackedClassifierModule",
]

# Settings every stage (each pre-trained layer and the fine-tuning) takes from the
# estimator unchanged; the epoch count, the seed and the split are per stage.
_SHARED_SETTINGS = tuple(
    name
    for name in BaseNeuralNet._common_parameter_constraints
    if name not in ("max_epochs", "random_state")
) + ("batch_norm",)


# -- torch modules ----------------------------------------------------------------


class _TiedDecoder(torch.nn.Module):
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
    :class:`~sklearn_lecture.neural._autoencoder.AutoencoderModule`, so the same
    :class:`~sklearn_lecture.neural._autoencoder.ReconstructionLoss` applies.

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


# -- training stages ---------------------------------------------------------------


class _Stage(BaseNeuralNet):
    """One training run of a stacked net: a prebuilt module, its owner's settings.

    Internal and never cloned. Each stage takes the owner's optimizer, schedule,
    batch and early-stopping settings, its own epoch count and seed, and the one
    early-stopping split the owner drew for all stages, so that pre-training never
    trains on the rows the fine-tuning validates on.
    """

    def __init__(self, owner, module, criterion, *, max_epochs, random_state, split):
        for name in _SHARED_SETTINGS:
            setattr(self, name, getattr(owner, name))
        self.owner = owner
        self.module = module
        self.criterion = criterion
        self.max_epochs = max_epochs
        self.random_state = random_state
        self.split = split

    def _build_module(self, X, y):
        return self.module

    def _build_criterion(self):
        return self.criterion

    def _train_validation_indices(self, n_samples, y, rng):
        return self.split


class _StackedNet(BaseNeuralNet):
    """Greedy layer-wise pre-training followed by fine-tuning of the whole net.

    Subclasses build the deep module (``_build_module``) whose ``encoder`` is an
    :class:`~sklearn_lecture.neural._autoencoder.MLPEncoder`, and say which
    decoder and loss each layer is pre-trained with.
    """

    _stacked_parameter_constraints = {
        "hidden_layer_sizes": ["array-like"],
        "pretrain": ["boolean"],
        "pretrain_epochs": [Interval(Integral, 1, None, closed="left")],
        "noise": [StrOptions({"mask", "gaussian"}), None],
        "corruption": [Interval(Real, 0, None, closed="left")],
    }

    # The same validation of the layer widths as the plain autoencoder.
    _layer_sizes = Autoencoder._layer_sizes

    def _check_noise(self):
        if self.noise == "mask" and self.corruption >= 1:
            raise ValueError(
                "noise='mask' zeroes each input with probability corruption, which "
                f"must lie in [0, 1); got corruption={self.corruption!r}."
            )

    def _layer_decoder(self, module, k, n_in):
        """Affine map from layer k's code back to its input (width ``n_in``)."""
        raise NotImplementedError  # pragma: no cover - abstract

    def _layer_criterion(self, k):
        return ReconstructionLoss("mse")

    def _greedy_layers(self, module):
        encoder = module.encoder
        last = len(encoder.linears) - 1
        return [
            GreedyLayerModule(
                linear,
                encoder.norms[k] if k < last else torch.nn.Identity(),
                encoder.activation if k < last else encoder.code_activation,
                self._layer_decoder(module, k, linear.in_features),
                Corruption(self.noise, self.corruption if self.noise else 0.0),
            )
            for k, linear in enumerate(encoder.linears)
        ]

    def _fit_net(self, X, y=None):
        """Pre-train layer by layer (if ``pretrain``), then fine-tune everything."""
        n_layers = len(self._layer_sizes())
        rng = check_random_state(self.random_state)
        split = (
            self._train_validation_indices(X.shape[0], y, rng)
            if self.early_stopping
            else None
        )
        init_seed, finetune_seed, *layer_seeds = rng.randint(
            np.iinfo(np.int32).max, size=n_layers + 2
        )
        # The deep net is drawn first, so that pretrain=True and pretrain=False
        # start from the same weights wherever pre-training does not touch them.
        with _seeded_torch(int(init_seed), self._torch_device()):
            module = self._build_module(X, y)
            layers = self._greedy_layers(module) if self.pretrain else []

        curves, valid_curves = [], []
        codes = X
        for k, (layer, seed) in enumerate(zip(layers, layer_seeds)):
            if self.verbose:
                print(
                    f"Pre-training layer {k + 1}/{len(layers)} "
                    f"({layer.linear.in_features} -> {layer.linear.out_features})"
                )
            stage = _Stage(
                self,
                layer,
                self._layer_criterion(k),
                max_epochs=self.pretrain_epochs,
                random_state=int(seed),
                split=split,
            )._fit_net(codes)
            curves.append(stage.loss_curve_)
            valid_curves.append(stage.validation_loss_curve_)
            if k < len(layers) - 1:
                # Codes in eval mode: no corruption, batch norm's running statistics.
                codes = stage._forward64(codes, lambda m, x: m.encode(x))

        if self.verbose:
            print("Fine-tuning the whole network")
        final = _Stage(
            self,
            module,
            self._build_criterion(),
            max_epochs=self.max_epochs,
            random_state=int(finetune_seed),
            split=split,
        )._fit_net(X, y)
        self.net_ = final.net_
        self.n_iter_ = final.n_iter_
        self.loss_curve_ = final.loss_curve_
        self.validation_loss_curve_ = final.validation_loss_curve_
        self.pretrain_loss_curves_ = curves
        self.pretrain_validation_loss_curves_ = (
            valid_curves if self.early_stopping else None
        )
        return self


# -- estimators -------------------------------------------------------------------


class StackedAutoencoder(_StackedNet, Autoencoder):
    """Deep autoencoder pre-trained greedily, layer by layer, then fine-tuned.

    The encoder maps x through the widths ``hidden_layer_sizes`` to a linear code
    z = f(x); the decoder mirrors it. Before the usual end-to-end training on the
    reconstruction error ``mean ‖x − g(f(x))‖²``, each encoder layer k is
    pre-trained (``pretrain_epochs`` epochs) as a shallow autoencoder
    h_k = σ(W_k h_{k−1} + b_k), ĥ_{k−1} = W′_k h_k + b′_k on the codes h_{k−1} of
    the layers below it (h_0 = x), with the deep decoder's matching layer as its
    decoder. With ``noise`` set, the input of each pre-trained layer is corrupted
    (a stacked denoising autoencoder) and the clean codes reconstructed; the
    fine-tuning (``max_epochs`` epochs) always sees clean inputs.

    Parameters
    ----------
    hidden_layer_sizes : tuple of int, default=(64, 32, 8)
        Widths of the encoder's layers, the last being the code size; one
        pre-training stage per layer.
    pretrain : bool, default=True
        Pre-train the layers greedily before fine-tuning; False trains the deep
        autoencoder from its random initialisation.
    pretrain_epochs : int, default=10
        Epochs of each layer's pre-training.
    noise : {"mask", "gaussian"} or None, default=None
        Corruption of each layer's input during pre-training: ``"mask"`` zeroes
        each component with probability ``corruption``, ``"gaussian"`` adds
        N(0, corruption²) noise; None pre-trains plain autoencoders.
    corruption : float, default=0.3
        Masking probability (in [0, 1)) or Gaussian standard deviation.
    activation : {"relu", "tanh", "sigmoid", "logistic", "identity", \
"leaky_relu", "elu", "gelu"}, default="relu"
        Activation of the hidden layers (the code layer is linear).
    loss : {"mse", "bce"}, default="mse"
        Reconstruction loss of the fine-tuning and of the first layer's
        pre-training ("bce" needs inputs in [0, 1]); the deeper layers are
        pre-trained on the squared error of their codes.
    tied_weights : bool, default=False
        Decoder weights are the encoder's transposed (W′ = Wᵀ), in pre-training
        and fine-tuning.
    batch_norm : bool, default=False
        Batch normalisation after every hidden linear layer (pre-trained with its
        layer). Needs at least two training samples.
    optimizer : {"sgd", "momentum", "nesterov", "adagrad", "rmsprop", \
"rmsprop_nesterov", "adam"}, default="adam"
        The lecture's optimizers by name, for every stage.
    lr : float, default=1e-3
        Initial learning rate α₀ of every stage.
    momentum : float, default=0.9
        Momentum α of ``"momentum"``, ``"nesterov"`` and ``"rmsprop_nesterov"``.
    rho : float, default=0.9
        Decay rate ρ of the squared-gradient average (``"rmsprop"``,
        ``"rmsprop_nesterov"``).
    lr_schedule : {"step", "exponential", "inverse_time"} or None, default=None
        Learning-rate annealing per epoch t of each stage:
        ``α₀·lr_step_gamma**(t//lr_step_size)``, ``α₀·exp(−lr_decay·t)`` or
        ``α₀/(1 + lr_decay·t)``; None keeps α₀.
    lr_decay : float, default=0.01
        Decay constant k of the exponential and inverse-time schedules.
    lr_step_size : int, default=30
        Epochs between two steps of the step schedule.
    lr_step_gamma : float, default=0.5
        Factor of the step schedule.
    max_epochs : int, default=50
        Epochs of the end-to-end fine-tuning.
    batch_size : int, default=64
        Mini-batch size (clipped to the number of samples).
    early_stopping : bool, default=False
        Hold out ``validation_fraction`` of the data (the same rows for every
        stage) and stop each stage when its validation loss has not improved for
        ``n_iter_no_change`` epochs; restores the stage's best epoch.
    validation_fraction : float, default=0.1
        Held-out fraction for early stopping.
    n_iter_no_change : int, default=10
        Patience of early stopping, in epochs.
    random_state : int, RandomState instance or None, default=None
        Seeds the weights, the batch order and the noise of every stage, without
        touching torch's global generator. Pass an int for repeatable fits.
    device : str, default="cpu"
        Torch device to train on, e.g. ``"cuda"``.
    verbose : int, default=0
        Print skorch's per-epoch loss table of each stage when > 0.

    Attributes
    ----------
    net_ : skorch.NeuralNet
        The fine-tuned net; ``net_.module_`` is an
        :class:`~sklearn_lecture.neural._autoencoder.AutoencoderModule`.
    n_features_in_ : int
        Number of input features.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Names of the input features, when X has string column names.
    loss_curve_ : ndarray of shape (n_iter_,)
        Mean training loss of each fine-tuning epoch.
    validation_loss_curve_ : ndarray of shape (n_iter_,) or None
        Validation loss of each fine-tuning epoch with early stopping, else None.
    n_iter_ : int
        Number of fine-tuning epochs run.
    pretrain_loss_curves_ : list of ndarray
        One curve per layer, first to last: the mean reconstruction loss of the
        layer's codes below it in each pre-training epoch. Empty when
        ``pretrain=False``.
    pretrain_validation_loss_curves_ : list of ndarray or None
        The same on the validation rows with early stopping, else None.

    See Also
    --------
    Autoencoder : The same deep autoencoder trained from random weights.
    DenoisingAutoencoder : One autoencoder trained on corrupted inputs.
    StackedAutoencoderClassifier : Pre-trained encoder fine-tuned on labels.

    References
    ----------
    Y. Bengio, P. Lamblin, D. Popovici and H. Larochelle, "Greedy layer-wise
    training of deep networks", NIPS (2006).

    P. Vincent, H. Larochelle, I. Lajoie, Y. Bengio and P.-A. Manzagol, "Stacked
    denoising autoencoders", JMLR 11 (2010).

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from sklearn.preprocessing import MinMaxScaler
    >>> from sklearn_lecture import StackedAutoencoder
    >>> X = MinMaxScaler().fit_transform(load_digits().data[:300])
    >>> sae = StackedAutoencoder((32, 16, 8), pretrain_epochs=10, max_epochs=20,
    ...                          random_state=0).fit(X)
    >>> sae.transform(X).shape
    (300, 8)
    >>> [len(curve) for curve in sae.pretrain_loss_curves_]
    [10, 10, 10]
    >>> bool(sae.pretrain_loss_curves_[0][-1] < sae.pretrain_loss_curves_[0][0])
    True
    """

    _parameter_constraints = {
        **Autoencoder._parameter_constraints,
        **_StackedNet._stacked_parameter_constraints,
    }

    def __init__(
        self,
        hidden_layer_sizes=(64, 32, 8),
        *,
        pretrain=True,
        pretrain_epochs=10,
        noise=None,
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
        max_epochs=50,
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
        self.pretrain = pretrain
        self.pretrain_epochs = pretrain_epochs
        self.noise = noise
        self.corruption = corruption

    def _check_extra_params(self):
        self._check_noise()

    def _layer_decoder(self, module, k, n_in):
        # The deep decoder's layer that maps code k back to layer k − 1, so that
        # fine-tuning starts from the pre-trained decoder too.
        decoder = module.decoder
        i = decoder.n_layers - 1 - k
        if decoder.tied_weights:
            return _TiedDecoder(module.encoder.linears[k], decoder.biases[i])
        return decoder.linears[i]

    def _layer_criterion(self, k):
        # Only x itself is known to lie in [0, 1]; deeper codes are reconstructed
        # on the squared error.
        return ReconstructionLoss(self.loss if k == 0 else "mse")


class StackedAutoencoderClassifier(ClassifierMixin, _StackedNet):
    """Classifier whose encoder stack is pre-trained as autoencoders, then fine-tuned.

    The lecture's "initialisation & fine tuning": each layer of the encoder
    h_k = σ(W_k h_{k−1} + b_k) (h_0 = x) is first pre-trained without labels as a
    shallow autoencoder on the codes of the layers below it (``pretrain_epochs``
    epochs, optionally denoising); a softmax layer p(y | x) = softmax(V h_K + c)
    is then added and the whole network fine-tuned on the labels by minimising
    the cross-entropy (``max_epochs`` epochs). The pre-training decoders are
    discarded.

    Parameters
    ----------
    hidden_layer_sizes : tuple of int, default=(128, 64)
        Widths of the encoder's layers (all with ``activation``); the softmax
        layer reads the last one.
    pretrain : bool, default=True
        Pre-train the layers greedily before fine-tuning; False trains the
        network from its random initialisation.
    pretrain_epochs : int, default=10
        Epochs of each layer's pre-training.
    noise : {"mask", "gaussian"} or None, default=None
        Corruption of each layer's input during pre-training (stacked denoising
        autoencoders): ``"mask"`` zeroes each component with probability
        ``corruption``, ``"gaussian"`` adds N(0, corruption²) noise.
    corruption : float, default=0.3
        Masking probability (in [0, 1)) or Gaussian standard deviation.
    activation : {"relu", "tanh", "sigmoid", "logistic", "identity", \
"leaky_relu", "elu", "gelu"}, default="relu"
        Activation of every encoder layer.
    batch_norm : bool, default=False
        Batch normalisation between the hidden layers. Needs at least two
        training samples.
    optimizer : {"sgd", "momentum", "nesterov", "adagrad", "rmsprop", \
"rmsprop_nesterov", "adam"}, default="adam"
        The lecture's optimizers by name, for every stage.
    lr : float, default=1e-3
        Initial learning rate α₀ of every stage.
    momentum : float, default=0.9
        Momentum α of ``"momentum"``, ``"nesterov"`` and ``"rmsprop_nesterov"``.
    rho : float, default=0.9
        Decay rate ρ of the squared-gradient average (``"rmsprop"``,
        ``"rmsprop_nesterov"``).
    lr_schedule : {"step", "exponential", "inverse_time"} or None, default=None
        Learning-rate annealing per epoch t of each stage:
        ``α₀·lr_step_gamma**(t//lr_step_size)``, ``α₀·exp(−lr_decay·t)`` or
        ``α₀/(1 + lr_decay·t)``; None keeps α₀.
    lr_decay : float, default=0.01
        Decay constant k of the exponential and inverse-time schedules.
    lr_step_size : int, default=30
        Epochs between two steps of the step schedule.
    lr_step_gamma : float, default=0.5
        Factor of the step schedule.
    max_epochs : int, default=50
        Epochs of the supervised fine-tuning.
    batch_size : int, default=64
        Mini-batch size (clipped to the number of samples).
    early_stopping : bool, default=False
        Hold out a stratified ``validation_fraction`` of the data (the same rows
        for every stage) and stop each stage when its validation loss has not
        improved for ``n_iter_no_change`` epochs; restores the best epoch.
    validation_fraction : float, default=0.1
        Held-out fraction for early stopping.
    n_iter_no_change : int, default=10
        Patience of early stopping, in epochs.
    random_state : int, RandomState instance or None, default=None
        Seeds the weights, the batch order and the noise of every stage, without
        touching torch's global generator. Pass an int for repeatable fits.
    device : str, default="cpu"
        Torch device to train on, e.g. ``"cuda"``.
    verbose : int, default=0
        Print skorch's per-epoch loss table of each stage when > 0.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        Class labels.
    net_ : skorch.NeuralNet
        The fine-tuned net; ``net_.module_`` is a :class:`StackedClassifierModule`.
    n_features_in_ : int
        Number of input features.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Names of the input features, when X has string column names.
    loss_curve_ : ndarray of shape (n_iter_,)
        Mean training cross-entropy of each fine-tuning epoch.
    validation_loss_curve_ : ndarray of shape (n_iter_,) or None
        Validation cross-entropy of each fine-tuning epoch with early stopping,
        else None.
    n_iter_ : int
        Number of fine-tuning epochs run.
    pretrain_loss_curves_ : list of ndarray
        One curve per layer, first to last: the mean reconstruction loss of the
        layer's input in each pre-training epoch. Empty when ``pretrain=False``.
    pretrain_validation_loss_curves_ : list of ndarray or None
        The same on the validation rows with early stopping, else None.

    See Also
    --------
    StackedAutoencoder : The unsupervised stacked autoencoder.
    sklearn.neural_network.MLPClassifier : The same network from random weights.

    References
    ----------
    G. E. Hinton and R. R. Salakhutdinov, "Reducing the dimensionality of data
    with neural networks", Science 313 (2006).

    Y. Bengio, P. Lamblin, D. Popovici and H. Larochelle, "Greedy layer-wise
    training of deep networks", NIPS (2006).

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from sklearn.model_selection import train_test_split
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.preprocessing import StandardScaler
    >>> from sklearn_lecture import StackedAutoencoderClassifier
    >>> X, y = load_digits(return_X_y=True)
    >>> X_train, X_test, y_train, y_test = train_test_split(
    ...     X, y, test_size=0.25, random_state=0)
    >>> clf = make_pipeline(StandardScaler(), StackedAutoencoderClassifier(
    ...     (64, 32), max_epochs=20, random_state=0)).fit(X_train, y_train)
    >>> bool(clf.score(X_test, y_test) > 0.9)
    True
    >>> clf.predict_proba(X_test[:2]).shape
    (2, 10)
    """

    _parameter_constraints = {
        **BaseNeuralNet._common_parameter_constraints,
        **BaseNeuralNet._layer_parameter_constraints,
        **_StackedNet._stacked_parameter_constraints,
    }

    def __init__(
        self,
        hidden_layer_sizes=(128, 64),
        *,
        pretrain=True,
        pretrain_epochs=10,
        noise=None,
        corruption=0.3,
        activation="relu",
        batch_norm=False,
        optimizer="adam",
        lr=1e-3,
        momentum=0.9,
        rho=0.9,
        lr_schedule=None,
        lr_decay=0.01,
        lr_step_size=30,
        lr_step_gamma=0.5,
        max_epochs=50,
        batch_size=64,
        early_stopping=False,
        validation_fraction=0.1,
        n_iter_no_change=10,
        random_state=None,
        device="cpu",
        verbose=0,
    ):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.pretrain = pretrain
        self.pretrain_epochs = pretrain_epochs
        self.noise = noise
        self.corruption = corruption
        self.activation = activation
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

    def _build_module(self, X, y):
        return StackedClassifierModule(
            X.shape[1],
            self._layer_sizes(),
            len(self.classes_),
            self.activation,
            batch_norm=self.batch_norm,
        )

    def _build_criterion(self):
        return torch.nn.CrossEntropyLoss()

    def _layer_decoder(self, module, k, n_in):
        # Pre-training decoders exist only for pre-training: the classifier
        # fine-tunes the encoder under a softmax layer instead.
        return torch.nn.Linear(module.encoder.linears[k].out_features, n_in)

    def _train_validation_indices(self, n_samples, y, rng):
        """Stratified (train, validation) indices, so every class is validated."""
        train, valid = train_test_split(
            np.arange(n_samples),
            test_size=self.validation_fraction,
            stratify=y,
            random_state=rng,
        )
        return np.sort(train), np.sort(valid)

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y):
        """Pre-train the encoder stack on X, then fine-tune it with a softmax on y.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data (float32 stays float32 during training).
        y : array-like of shape (n_samples,)
            Class labels (numbers or strings).

        Returns
        -------
        self : object
            Fitted estimator.
        """
        X, y = validate_data(self, X, y, dtype=[np.float64, np.float32])
        check_classification_targets(y)
        self._layer_sizes()
        self._check_noise()
        self.classes_, y_codes = np.unique(y, return_inverse=True)
        if len(self.classes_) < 2:
            raise ValueError(
                f"{type(self).__name__} needs samples of at least 2 classes in the "
                f"data, but the data contains only one class: {self.classes_[0]!r}."
            )
        self._fit_net(X, y_codes.astype(np.int64))
        return self

    def predict_proba(self, X):
        """Class probabilities: the softmax of the network's logits.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes), float64
            Columns in the order of ``classes_``; rows sum to 1.
        """
        check_is_fitted(self)
        X = validate_data(self, X, reset=False, dtype=[np.float64, np.float32])
        return self._forward64(X, lambda module, x: torch.softmax(module(x), dim=1))

    def predict(self, X):
        """Most probable class of each sample.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
            Labels from ``classes_``.
        """
        proba = self.predict_proba(X)
        return self.classes_[np.argmax(proba, axis=1)]
