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
from sklearn.utils import check_random_state
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, validate_data

from ..utils._compat import Interval, StrOptions
from ..utils._params import store_params
from ..utils._validation import check_partial_fit_classes
from ._autoencoder import Autoencoder
from ._base import BaseNeuralNet, check_layer_sizes, fill_net_doc, fit_guard
from ._modules import (
    Corruption,
    MLPEncoder,
    ReconstructionLoss,
    TrainedModule,
    make_dropout,
)
from ._training import NetState, check_device, fit_module, forward64, seeded_torch

__all__ = [
    "StackedAutoencoder",
    "StackedAutoencoderClassifier",
]


# -- the modules --------------------------------------------------------------


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
    dropout : torch.nn.Module
        Dropout of the layer's units before decoding (or the identity).
    """

    def __init__(self, linear, norm, activation, decoder, corrupt, dropout):
        super().__init__()
        self.linear = linear
        self.norm = norm
        self.activation = activation
        self.decoder = decoder
        self.corrupt = corrupt
        self.dropout = dropout

    def encode(self, x):
        return self.activation(self.norm(self.linear(x)))

    def forward(self, x):
        code = self.encode(self.corrupt(x))
        return self.decoder(self.dropout(code)), code


class StackedClassifierModule(TrainedModule):
    """Encoder stack and a softmax layer: ``forward(x)`` returns the class logits.

    Every encoder layer is ``Linear → [BatchNorm1d] → activation``, but the last
    (the code the greedy pre-training learns), which is ``Linear → activation``
    as an autoencoder's code layer; the head is a linear layer to ``n_classes``
    logits (the softmax is in the cross-entropy loss and in ``predict_proba``).
    With ``dropout``, every encoder layer, the last included, drops units in
    training mode.
    """

    def __init__(
        self,
        n_features,
        hidden_layer_sizes,
        n_classes,
        activation,
        *,
        batch_norm,
        dropout=0.0,
    ):
        super().__init__()
        self.encoder = MLPEncoder(
            n_features,
            hidden_layer_sizes,
            activation,
            batch_norm=batch_norm,
            code_activation=activation,
            dropout=dropout,
        )
        self.dropout = make_dropout(dropout)
        self.head = torch.nn.Linear(self.encoder.code_size, int(n_classes))

    def forward(self, x):
        return self.head(self.dropout(self.encoder(x)))


# -- greedy pre-training, then fine-tuning -------------------------------------------


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

    def _layer_sizes(self):
        return check_layer_sizes(self.hidden_layer_sizes)

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
                make_dropout(self.dropout),
            )
            for k, linear in enumerate(encoder.linears)
        ]

    def _n_fit_tasks(self):
        # One task per pre-training stage and one for the fine-tuning, each
        # with its epochs; without pre-training the epochs themselves.
        if self.pretrain:
            return len(self._layer_sizes()) + 1
        return self.max_epochs

    def _train_new(self, X, y, task):
        """Pre-train layer by layer (if ``pretrain``), then fine-tune everything.

        Every stage is one call of the training core on the estimator's settings,
        with its own epoch count and seed, and the one early-stopping split drawn
        for all stages, so that pre-training never trains on the rows the
        fine-tuning validates on. The user's skorch callbacks and the fitted
        copies that scikit-learn's callbacks score belong to the fine-tuning.
        """
        n_layers = len(self._layer_sizes())
        rng = check_random_state(self.random_state)
        split = self._early_stopping_split(X.shape[0], y, rng)
        self._check_n_samples(X.shape[0] if split is None else len(split[0]))
        init_seed, finetune_seed, *layer_seeds = rng.randint(
            np.iinfo(np.int32).max, size=n_layers + 2
        )
        # The deep net is drawn first, so that pretrain=True and pretrain=False
        # start from the same weights wherever pre-training does not touch them.
        with seeded_torch(NetState(init_seed), check_device(self.device)):
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
            stage = task.subtask(f"pretrain layer {k + 1}", self.pretrain_epochs)
            net, _ = fit_module(
                self,
                layer,
                self._layer_criterion(k),
                codes,
                max_epochs=self.pretrain_epochs,
                seed=seed,
                split=split,
                task=stage,
            )
            stage.end()
            curves.append(np.asarray(net.history[:, "train_loss"], dtype=float))
            if split is not None:
                valid_curves.append(
                    np.asarray(net.history[:, "valid_loss"], dtype=float)
                )
            if k < len(layers) - 1:
                # Codes in eval mode: no corruption, batch norm's running
                # statistics.
                codes = forward64(net.module_, codes, lambda m, x: m.encode(x))

        if self.verbose:
            print("Fine-tuning the whole network")
        stage = task.subtask("fine-tune", self.max_epochs) if layers else task
        self._train_end_to_end(module, X, y, finetune_seed, split, stage)
        if layers:
            stage.end()
        self.pretrain_loss_curves_ = curves
        self.pretrain_validation_loss_curves_ = (
            valid_curves if split is not None else None
        )


# -- estimators -------------------------------------------------------------------


@fill_net_doc
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
    loss : {"mse", "bce"}, default="mse"
        Reconstruction loss of the fine-tuning and of the first layer's
        pre-training ("bce" needs inputs in [0, 1]); the deeper layers are
        pre-trained on the squared error of their codes.
    tied_weights : bool, default=False
        Decoder weights are the encoder's transposed (W′ = Wᵀ), in pre-training
        and fine-tuning.
    {net_parameters}

    Attributes
    ----------
    pretrain_loss_curves_ : list of ndarray
        One curve per layer, first to last: the mean reconstruction loss of the
        layer's codes below it in each pre-training epoch. Empty when
        ``pretrain=False``.
    pretrain_validation_loss_curves_ : list of ndarray or None
        The same on the validation rows with early stopping, else None.
    {net_attributes}

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
        max_epochs=50,
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
        self._check_noise()

    def _layer_decoder(self, module, k, n_in):
        # The deep decoder's layer that maps code k back to layer k − 1, so that
        # fine-tuning starts from the pre-trained decoder too.
        decoder = module.decoder
        i = decoder.n_layers - 1 - k
        if decoder.tied_weights:
            return TiedDecoder(module.encoder.linears[k], decoder.biases[i])
        return decoder.linears[i]

    def _layer_criterion(self, k):
        # Only x itself is known to lie in [0, 1]; deeper codes are reconstructed
        # on the squared error.
        return ReconstructionLoss(self.loss if k == 0 else "mse")


@fill_net_doc
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
    {net_parameters}

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        Class labels.
    pretrain_loss_curves_ : list of ndarray
        One curve per layer, first to last: the mean reconstruction loss of the
        layer's input in each pre-training epoch. Empty when ``pretrain=False``.
    pretrain_validation_loss_curves_ : list of ndarray or None
        The same on the validation rows with early stopping, else None.
    {net_attributes}

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
        **BaseNeuralNet._regularization_parameter_constraints,
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
        max_epochs=50,
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

    def _build_module(self, X, y):
        return StackedClassifierModule(
            X.shape[1],
            self._layer_sizes(),
            len(self.classes_),
            self.activation,
            batch_norm=self.batch_norm,
            dropout=self.dropout,
        )

    def _build_criterion(self):
        return torch.nn.CrossEntropyLoss()

    def _layer_decoder(self, module, k, n_in):
        # Pre-training decoders exist only for pre-training: the classifier
        # fine-tunes the encoder under a softmax layer instead.
        return torch.nn.Linear(module.encoder.linears[k].out_features, n_in)

    def _early_stopping_stratify(self, y):
        # Every class is validated.
        return y

    @fit_guard
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
        classes, y_codes = np.unique(y, return_inverse=True)
        if len(classes) < 2:
            raise ValueError(
                f"{type(self).__name__} needs samples of at least 2 classes in the "
                f"data, but the data contains only one class: {classes[0]!r}."
            )
        self.classes_ = classes
        self._fit_net(X, y_codes.astype(np.int64), scored=(X, y))
        return self

    @fit_guard
    def partial_fit(self, X, y, classes=None):
        """Train one more epoch on (X, y); the first call starts the net.

        One pass over the block in shuffled mini-batches, optimizer state and
        random stream carried over; no greedy pre-training (use ``fit`` for it)
        and no early stopping.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            A block of training data.
        y : array-like of shape (n_samples,)
            Its labels, all among ``classes``.
        classes : array-like of shape (n_classes,), default=None
            Every label the net will see: required on the first call (as
            scikit-learn's ``partial_fit``), optional later.

        Returns
        -------
        self : object
            The estimator, trained one more epoch.
        """
        first = not hasattr(self, "net_")
        X, y = validate_data(self, X, y, reset=first, dtype=[np.float64, np.float32])
        check_classification_targets(y)
        self._layer_sizes()
        self._check_noise()
        known = check_partial_fit_classes(
            None if first else self.classes_, classes, y
        )
        if first:
            if len(known) < 2:
                raise ValueError(
                    f"{type(self).__name__} needs at least 2 classes; got "
                    f"classes={known!r}."
                )
            self.classes_ = known
        self._partial_fit_net(
            X, np.searchsorted(self.classes_, y).astype(np.int64), scored=(X, y)
        )
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
        proba = self._forward64(X, lambda module, x: torch.softmax(module(x), dim=1))
        return proba.astype(np.float64, copy=False)

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
