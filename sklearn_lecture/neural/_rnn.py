"""Recurrent networks: plain RNN, LSTM and GRU, many-to-one or many-to-many.

:class:`RNNRegressor` and :class:`RNNClassifier` share :class:`_RNNBase`: the
sequence conventions (2-D X univariate, 3-D X multivariate, batch-first), the
variable lengths (``sample_lengths``), the per-step targets and the recurrent
module (:class:`RNNModule`, defined here with the two losses). Each estimator
adds only its targets, its loss and its outputs.
"""

from numbers import Integral, Real

import numpy as np
import torch
import torch.nn.functional as F
from sklearn.base import ClassifierMixin, RegressorMixin
from sklearn.metrics import accuracy_score, r2_score
from sklearn.utils import assert_all_finite
from sklearn.utils.class_weight import compute_class_weight
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import (
    check_array,
    check_consistent_length,
    check_is_fitted,
    validate_data,
)
from torch import nn

from ..utils._compat import Interval, StrOptions, _check_sample_weight
from ..utils._docstrings import ParameterDocs, fill_doc
from ..utils._params import store_params
from ..utils._validation import check_partial_fit_classes, ravel_column_vector
from ._base import BaseNeuralNet, fill_net_doc, fit_guard
from ._modules import TrainedModule, make_dropout

__all__ = ["RNNRegressor", "RNNClassifier"]


# -- the module and its losses ------------------------------------------------


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
    dropout : float, default=0.0
        Dropout as the lecture's ``DropoutWrapper`` around every cell: on the
        inputs of the first layer, between stacked layers (torch's ``dropout``
        of the recurrent stack) and on the last layer's outputs, before the
        read-out; a new mask at every step, in training mode only.

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
        dropout=0.0,
    ):
        super().__init__()
        self.output = output
        self.n_inputs = n_inputs
        self.bidirectional = bidirectional
        self.hidden_size = hidden_size
        kwargs = {"nonlinearity": "tanh"} if cell == "rnn" else {}
        if num_layers > 1 and dropout:
            # Between stacked layers; torch warns about it for a single layer.
            kwargs["dropout"] = float(dropout)
        self.input_dropout = make_dropout(dropout)
        self.output_dropout = make_dropout(dropout)
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
        X = self.input_dropout(X)
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
        out = self.output_dropout(out)
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


# The X and sample_lengths entries of the sequence methods' docstrings.
_SEQUENCES = (
    "array-like of shape (n_samples, n_timesteps) or "
    "(n_samples, n_timesteps, n_features)",
    "Sequences with the fit's number of time steps and features per step.",
)
_SAMPLE_LENGTHS = (
    "array-like of shape (n_samples,) of int",
    "Number of valid steps of each sequence, from 1 to n_timesteps; the steps "
    "after them are padding and never influence the result.",
)
_sequence_docs = fill_doc(
    predict_parameters=ParameterDocs(
        {"X": _SEQUENCES, "sample_lengths": _SAMPLE_LENGTHS}
    ),
    sample_lengths=ParameterDocs({"sample_lengths": _SAMPLE_LENGTHS}),
)


def _call(module, x):
    """``module(x)``, or ``module(**x)`` for the dict form of a sequence input."""
    return module(**x) if isinstance(x, dict) else module(x)


class _RNNBase(BaseNeuralNet):
    """The sequence conventions, lengths and module shared by the RNN estimators."""

    _rnn_parameter_constraints = {
        "cell": [StrOptions({"rnn", "lstm", "gru"})],
        "hidden_size": [Interval(Integral, 1, None, closed="left")],
        "num_layers": [Interval(Integral, 1, None, closed="left")],
        "output": [StrOptions({"last", "sequence"})],
        "bidirectional": ["boolean"],
        "forget_bias": [Interval(Real, None, None, closed="neither")],
    }

    def _require_y(self, y):
        if y is None:
            raise ValueError(
                f"{type(self).__name__} requires y to be passed, but the target y "
                "is None."
            )

    def _validate_sequences(self, X, reset):
        # validate_data accepts 3-D X with allow_nd and counts X.shape[1], the time
        # steps, as n_features_in_: it sets it at fit and checks it at predict.
        try:
            X = validate_data(
                self, X, reset=reset, allow_nd=True, dtype=[np.float64, np.float32]
            )
        except ValueError as error:
            if "inhomogeneous" not in str(error):
                raise
            raise ValueError(
                f"{type(self).__name__} takes sequences of one length: pad the "
                "shorter ones (e.g. with zeros) to the longest and pass their "
                "true lengths as sample_lengths."
            ) from error
        if X.ndim > 3:
            raise ValueError(
                f"{type(self).__name__} expects X of shape (n_samples, n_timesteps) "
                f"or (n_samples, n_timesteps, n_features); got a {X.ndim}-D array "
                f"of shape {X.shape}."
            )
        if X.ndim == 2:
            X = X[:, :, np.newaxis]
        if X.shape[1] < 1 or X.shape[2] < 1:
            raise ValueError(
                f"{type(self).__name__} needs at least one time step and one "
                f"feature per step; got X of shape {X.shape}."
            )
        if not reset and X.shape[2] != self.n_step_features_:
            raise ValueError(
                f"X has {X.shape[2]} features per time step, but "
                f"{type(self).__name__} was fitted with {self.n_step_features_}."
            )
        return X

    @staticmethod
    def _check_lengths(sample_lengths, X):
        """The valid steps of each sequence, as int64 of shape (n_samples,)."""
        n_samples, n_steps = X.shape[:2]
        if sample_lengths is None:
            return np.full(n_samples, n_steps, dtype=np.int64)
        lengths = check_array(
            sample_lengths,
            ensure_2d=False,
            dtype=None,
            ensure_min_samples=0,
            input_name="sample_lengths",
        )
        if lengths.ndim != 1 or len(lengths) != n_samples:
            raise ValueError(
                f"sample_lengths must have shape (n_samples,) = ({n_samples},); got "
                f"shape {lengths.shape}."
            )
        if lengths.dtype.kind not in "iuf" or (
            lengths.dtype.kind == "f" and np.any(lengths != np.round(lengths))
        ):
            raise ValueError("sample_lengths must hold integers (numbers of steps).")
        # Checked before the cast to int64, which would wrap values beyond it.
        if len(lengths) and (lengths.min() < 1 or lengths.max() > n_steps):
            raise ValueError(
                f"sample_lengths must lie between 1 and n_timesteps={n_steps}; got "
                f"values from {lengths.min()} to {lengths.max()}."
            )
        return lengths.astype(np.int64)

    @staticmethod
    def _check_score_weight(sample_weight, y_pred):
        """``score``'s sample_weight: None, or float64 of shape (n_samples,)."""
        if sample_weight is None:
            return None
        return _check_sample_weight(sample_weight, y_pred, dtype=np.float64)

    @staticmethod
    def _step_mask(lengths, n_steps):
        return np.arange(n_steps)[np.newaxis, :] < lengths[:, np.newaxis]

    def _module_input(self, X, lengths):
        """X as the module reads it: the lengths passed explicitly when some differ.

        When a sequence is shorter than the others, the input is skorch's dict
        form ``{"X": X, "lengths": lengths}`` (``module(X=..., lengths=...)``),
        the padded steps' values zeroed so that they carry nothing by accident;
        when every sequence is whole, X goes as it is.
        """
        if np.all(lengths == X.shape[1]):
            return X
        mask = self._step_mask(lengths, X.shape[1]).astype(X.dtype)
        return {"X": X * mask[:, :, np.newaxis], "lengths": lengths}

    def _sequence_target(self, y, n_timesteps):
        """y for output="sequence": (per-step y, whether it was one per sequence)."""
        if n_timesteps != 1:
            y = ravel_column_vector(
                y,
                stacklevel=4,
                reading="with sequence output it is read as one value per sequence",
            )
        if y.ndim == 1:
            # One value per sequence: the target of every step (predict then
            # returns the last step's value), so that 1-D targets work too.
            return np.repeat(y[:, np.newaxis], n_timesteps, axis=1), True
        return y, False

    def _set_target_layout(self, per_sequence, squeeze, reset):
        """Remember the layout of y, which predict returns; partial_fit keeps it.

        ``per_sequence``: one target per sequence although the output is a
        sequence (predict returns the last step); ``squeeze``: no targets axis.
        """
        layout = (bool(per_sequence), bool(squeeze))
        fitted = None if reset else self._fitted
        if not reset and layout != (fitted.per_sequence, fitted.squeeze_output):

            def describe(per_sequence, squeeze):
                one_per_sequence = per_sequence or self.output == "last"
                where = "one per sequence" if one_per_sequence else "one per step"
                return where if squeeze else where + " with a targets axis"

            raise ValueError(
                f"y has the layout {describe(*layout)!r}, but the net was trained "
                "on y of layout "
                f"{describe(fitted.per_sequence, fitted.squeeze_output)!r}; "
                "partial_fit needs the targets shaped as on the first call."
            )
        self._update_fitted(reset, per_sequence=layout[0], squeeze_output=layout[1])

    @staticmethod
    def _scored(X, y, sample_lengths):
        """What scikit-learn's ScoringMonitor scores: (X, y) as given.

        None with ``sample_lengths``, which a scorer cannot pass to ``score``.
        """
        return (X, y) if sample_lengths is None else (None, None)

    def _set_shapes(self, X, lengths):
        self.n_timesteps_ = X.shape[1]
        self.n_step_features_ = X.shape[2]

    def _n_module_outputs(self):  # pragma: no cover - abstract
        raise NotImplementedError

    def _build_module(self, X, y):
        return RNNModule(
            self.n_step_features_,
            self._n_module_outputs(),
            self.hidden_size,
            self.num_layers,
            self.cell,
            self.output,
            bidirectional=self.bidirectional,
            forget_bias=self.forget_bias,
            dropout=self.dropout,
        )

    def _forward_sequences(self, X, sample_lengths, fn=None):
        """Validate X and the lengths, and run the fitted module on them."""
        check_is_fitted(self)
        X = self._validate_sequences(X, reset=False)
        lengths = self._check_lengths(sample_lengths, X)
        # Computed in the precision of X; predictions are returned as float64.
        out = self._forward64(self._module_input(X, lengths), fn)
        return out.astype(np.float64, copy=False), lengths

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        # A 2-D y of output="sequence" holds the time steps, not several targets.
        tags.target_tags.multi_output = self.output == "last" and not isinstance(
            self, ClassifierMixin
        )
        return tags


@fill_net_doc
class RNNRegressor(RegressorMixin, _RNNBase):
    """Recurrent network regressor: plain RNN, LSTM or GRU on sequences.

    A stack of ``num_layers`` recurrent layers (the lecture's ``MultiRNNCell``)
    reads each sequence step by step, ``h_t = cell(x_t, h_{t−1})``, and a linear
    layer maps hidden states to the targets: the last one (``output="last"``,
    many-to-one: one value per sequence) or every one (``output="sequence"``,
    many-to-many: one value per time step). The plain ``"rnn"`` cell,
    ``h_t = tanh(W x_t + U h_{t−1} + b)``, suffers from vanishing gradients over
    long sequences; the gated ``"lstm"`` and ``"gru"`` cells keep an additive path
    through time and learn long-range dependencies. Trained on the mean squared
    error.

    X of shape ``(n_samples, n_timesteps)`` is read as univariate sequences (one
    feature per step), ``(n_samples, n_timesteps, n_features)`` as multivariate
    ones. scikit-learn counts the time steps as ``n_features_in_``: ``predict``
    needs the fit's number of time steps and of features per step. Shorter
    sequences are padded at the end and given with ``sample_lengths`` (a fit and
    predict parameter rather than NaN padding, so that a NaN in the data stays an
    error); the padding never influences the result.

    Parameters
    ----------
    cell : {"lstm", "gru", "rnn"}, default="lstm"
        Recurrent cell; ``"rnn"`` is the Elman cell with tanh.
    hidden_size : int, default=32
        Width of every recurrent layer.
    num_layers : int, default=1
        Number of stacked recurrent layers.
    output : {"last", "sequence"}, default="last"
        ``"last"``: y of shape (n_samples,) or (n_samples, n_targets), predicted
        from the last hidden state. ``"sequence"``: y of shape
        (n_samples, n_timesteps) or (n_samples, n_timesteps, n_targets), a target
        per time step predicted from that step's hidden state (causal: it sees
        the steps up to it). With ``"sequence"`` a 1-D y (one value per
        sequence, as scikit-learn's tools pass) is the target of every step,
        and ``predict`` returns the last step's prediction, shape (n_samples,).
    bidirectional : bool, default=False
        Add a second stack that reads each sequence backwards; the read-out sees
        both directions (``"last"``: the forward state at the last step and the
        backward state at the first). With ``"sequence"`` each step's output then
        depends on the whole sequence, not only on the steps up to it.
    forget_bias : float, default=1.0
        Initial bias of the LSTM's forget gates (Gers et al. 2000); larger values
        keep the memory open longer at the start of training. Only for
        ``cell="lstm"``.
    dropout : float, default=0.0
        Dropout as the lecture's ``DropoutWrapper`` around each cell: each input
        of the first layer, each output passed between stacked layers
        (``num_layers`` > 1) and each output of the last layer is zeroed with
        this probability during training, with a new mask at every step;
        inactive at inference, so predictions stay deterministic.
    {net_parameters}

    Attributes
    ----------
    n_timesteps_ : int
        Number of time steps of the training sequences; scikit-learn's
        ``n_features_in_`` counts the same (the columns of X).
    n_step_features_ : int
        Number of features per time step (1 for 2-D X).
    n_outputs_ : int
        Number of targets per sequence (``"last"``) or per time step
        (``"sequence"``).
    {net_attributes}

    See Also
    --------
    RNNClassifier : The same networks for class labels.
    sklearn_lecture.datasets.make_adding_problem : A long-memory test task.
    sklearn_lecture.datasets.make_mackey_glass : A chaotic series to forecast.

    References
    ----------
    S. Hochreiter and J. Schmidhuber, "Long short-term memory", Neural
    Computation 9(8), 1997.
    K. Cho et al., "Learning phrase representations using RNN encoder-decoder for
    statistical machine translation", EMNLP 2014 (the GRU).

    Examples
    --------
    >>> from sklearn_lecture import RNNRegressor
    >>> from sklearn_lecture.datasets import make_mackey_glass
    >>> X, y = make_mackey_glass(200, n_timesteps=8, random_state=0)
    >>> reg = RNNRegressor(cell="gru", hidden_size=16, max_epochs=20,
    ...                    random_state=0).fit(X, y)
    >>> reg.predict(X[:3]).shape
    (3,)
    >>> bool(reg.score(X, y) > 0.9)
    True
    """

    _parameter_constraints = {
        **BaseNeuralNet._common_parameter_constraints,
        **BaseNeuralNet._regularization_parameter_constraints,
        **_RNNBase._rnn_parameter_constraints,
    }

    def __init__(
        self,
        cell="lstm",
        *,
        hidden_size=32,
        num_layers=1,
        output="last",
        bidirectional=False,
        forget_bias=1.0,
        alpha=0.0,
        dropout=0.0,
        optimizer="adam",
        lr=1e-2,
        momentum=0.9,
        rho=0.9,
        lr_schedule=None,
        lr_decay=0.01,
        lr_step_size=30,
        lr_step_gamma=0.5,
        max_epochs=60,
        batch_size=32,
        gradient_clip=None,
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

    def _validate_target(self, y, n_timesteps):
        # NaN may pad the steps past a sequence's length; the valid steps are
        # checked once the lengths are known.
        y = check_array(
            y,
            ensure_2d=False,
            allow_nd=True,
            dtype=[np.float64, np.float32],
            ensure_all_finite="allow-nan" if self.output == "sequence" else True,
            input_name="y",
        )
        name = type(self).__name__
        if self.output == "last":
            if y.ndim not in (1, 2):
                raise ValueError(
                    f"{name} with output='last' expects y of shape (n_samples,) or "
                    f"(n_samples, n_targets); got shape {y.shape}. A target per "
                    "time step needs output='sequence'."
                )
            return y.reshape(len(y), -1), False, y.ndim == 1
        y, per_sequence = self._sequence_target(y, n_timesteps)
        if y.ndim not in (2, 3) or y.shape[1] != n_timesteps:
            raise ValueError(
                f"{name} with output='sequence' expects y of shape (n_samples,), "
                f"(n_samples, n_timesteps) or (n_samples, n_timesteps, n_targets) "
                f"with n_timesteps={n_timesteps} as in X; got shape {y.shape}."
            )
        return y.reshape(len(y), n_timesteps, -1), per_sequence, y.ndim == 2

    def _n_module_outputs(self):
        return self.n_outputs_

    def _build_criterion(self):
        # Padded steps of a per-step target are NaN, left out of the mean.
        return MaskedMSELoss()

    @fit_guard
    @_sequence_docs
    def fit(self, X, y, sample_lengths=None):
        """Train the recurrent network on sequences X and targets y.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_timesteps) or \
(n_samples, n_timesteps, n_features)
            Training sequences (float32 stays float32 on the way in).
        y : array-like
            With ``output="last"``: shape (n_samples,) or (n_samples, n_targets).
            With ``output="sequence"``: shape (n_samples,), (n_samples,
            n_timesteps) or (n_samples, n_timesteps, n_targets).
        {sample_lengths}

        Returns
        -------
        self : object
            Fitted estimator.
        """
        self._fit_net(
            *self._training_arrays(X, y, sample_lengths, reset=True),
            scored=self._scored(X, y, sample_lengths),
        )
        return self

    @fit_guard
    @_sequence_docs
    def partial_fit(self, X, y, sample_lengths=None):
        """Train one more epoch on a block of sequences; the first call starts.

        One pass over the block in shuffled mini-batches, with the optimizer
        state, the schedule and the random stream of the previous call (no early
        stopping). Blocks of 3-D sequences can be streamed from a dask array with
        :func:`sklearn_lecture.utils.partial_fit_blocks`.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_timesteps) or \
(n_samples, n_timesteps, n_features)
            A block of sequences, shaped as on the first call.
        y : array-like
            Its targets, shaped as for :meth:`fit`.
        {sample_lengths}

        Returns
        -------
        self : object
            The estimator, trained one more epoch.
        """
        first = not hasattr(self, "net_")
        self._partial_fit_net(
            *self._training_arrays(X, y, sample_lengths, first),
            scored=self._scored(X, y, sample_lengths),
        )
        return self

    def _training_arrays(self, X, y, sample_lengths, reset):
        self._require_y(y)
        X = self._validate_sequences(X, reset=reset)
        # A 1-D (or, per time step, 2-D) y gets the same shape back from predict.
        target, per_sequence, squeeze = self._validate_target(y, X.shape[1])
        check_consistent_length(X, target)
        lengths = self._check_lengths(sample_lengths, X)
        if not reset and target.shape[-1] != self.n_outputs_:
            raise ValueError(
                f"y has {target.shape[-1]} targets per output, but "
                f"{type(self).__name__} was trained with {self.n_outputs_}."
            )
        if self.output == "sequence":
            valid = self._step_mask(lengths, X.shape[1])
            target = target.copy()  # never write into the caller's y
            target[~valid] = np.nan
            if np.isnan(target[valid]).any():
                raise ValueError(
                    "Input y contains NaN at valid time steps; only the steps past "
                    "a sequence's length (see sample_lengths) may hold NaN."
                )
        self._set_target_layout(per_sequence, squeeze, reset)
        self._set_shapes(X, lengths)
        self.n_outputs_ = target.shape[-1]
        return self._module_input(X, lengths), target

    @_sequence_docs
    def predict(self, X, sample_lengths=None):
        """Predict targets for sequences X.

        Parameters
        ----------
        {predict_parameters}

        Returns
        -------
        y_pred : ndarray, float64
            Shaped like the training y: (n_samples,) or (n_samples, n_targets)
            for ``output="last"``; (n_samples, n_timesteps) or
            (n_samples, n_timesteps, n_targets) for ``output="sequence"``, where
            the steps past a sequence's length repeat its last valid step.
        """
        y_pred, _ = self._forward_sequences(X, sample_lengths)
        if self._fitted.per_sequence:
            return y_pred[:, -1, 0]
        if self._fitted.squeeze_output:
            y_pred = y_pred[..., 0]
        return y_pred

    @_sequence_docs
    def score(self, X, y, sample_weight=None, sample_lengths=None):
        """Coefficient of determination R² of the predictions.

        With ``output="sequence"`` every (time step, target) pair counts as one
        output and their R² are averaged, as scikit-learn's ``r2_score`` does for
        the columns of a 2-D y. With ``sample_lengths`` and a per-step y, the R²
        of each target is taken over all the valid steps together.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_timesteps) or \
(n_samples, n_timesteps, n_features)
            Test sequences.
        y : array-like
            True targets, shaped as for :meth:`fit`.
        sample_weight : array-like of shape (n_samples,), default=None
            Sample weights.
        {sample_lengths}

        Returns
        -------
        score : float
            R² of ``self.predict(X)`` against ``y``.
        """
        y_pred = self.predict(X, sample_lengths=sample_lengths)
        y = check_array(y, ensure_2d=False, allow_nd=True, dtype=np.float64)
        sample_weight = self._check_score_weight(sample_weight, y_pred)
        if y.shape != y_pred.shape and (y.ndim == 3 or y_pred.ndim == 3):
            raise ValueError(
                f"y has shape {y.shape} but the predictions have shape {y_pred.shape}."
            )
        sequence = self._fitted.params["output"] == "sequence"
        if sample_lengths is not None and sequence and y.ndim > 1:
            valid = self._step_mask(
                self._check_lengths(sample_lengths, y_pred), y.shape[1]
            )
            weight = None
            if sample_weight is not None:
                weight = np.broadcast_to(sample_weight[:, None], valid.shape)[valid]
            n_targets = 1 if y.ndim == 2 else y.shape[2]
            return r2_score(
                y[valid].reshape(-1, n_targets),
                y_pred[valid].reshape(-1, n_targets),
                sample_weight=weight,
            )
        if y.ndim == 3:
            y, y_pred = y.reshape(len(y), -1), y_pred.reshape(len(y), -1)
        return r2_score(y, y_pred, sample_weight=sample_weight)


@fill_net_doc
class RNNClassifier(ClassifierMixin, _RNNBase):
    """Recurrent network classifier: plain RNN, LSTM or GRU on sequences.

    A stack of ``num_layers`` recurrent layers reads each sequence step by step,
    ``h_t = cell(x_t, h_{t−1})``, and a softmax layer
    ``p(y | h) = softmax(V h + c)`` gives the class probabilities: from the last
    hidden state (``output="last"``, many-to-one: one label per sequence) or from
    every hidden state (``output="sequence"``, many-to-many sequence labelling:
    one label per time step). Trained on the cross-entropy. The gated ``"lstm"``
    and ``"gru"`` cells learn dependencies over a hundred steps where the plain
    ``"rnn"`` cell's gradient vanishes (see
    :func:`~sklearn_lecture.datasets.make_temporal_order`); the defaults (forget
    gate bias 3, gradient norm clipped to 1) are the ones that learn it.

    X of shape ``(n_samples, n_timesteps)`` is read as univariate sequences,
    ``(n_samples, n_timesteps, n_features)`` as multivariate ones (batch-first,
    channels last; :func:`~sklearn_lecture.datasets.to_channels_last` converts
    sktime/aeon's channels-first arrays). scikit-learn counts the time steps as
    ``n_features_in_``. Shorter sequences are padded at the end and given with
    ``sample_lengths`` (a fit and predict parameter rather than NaN padding, so
    that a NaN in the data stays an error); the padding never influences the
    result.

    Parameters
    ----------
    cell : {"lstm", "gru", "rnn"}, default="lstm"
        Recurrent cell; ``"rnn"`` is the Elman cell with tanh.
    hidden_size : int, default=32
        Width of every recurrent layer.
    num_layers : int, default=1
        Number of stacked recurrent layers.
    output : {"last", "sequence"}, default="last"
        ``"last"``: y of shape (n_samples,), one label per sequence, predicted
        from the last hidden state. ``"sequence"``: y of shape
        (n_samples, n_timesteps), a label per time step predicted from that
        step's hidden state (causal unless ``bidirectional``). With
        ``"sequence"`` a 1-D y (one label per sequence, as scikit-learn's tools
        pass) is the label of every step, and ``predict`` returns the last
        step's label, shape (n_samples,).
    bidirectional : bool, default=False
        Add a second stack that reads each sequence backwards; the softmax reads
        both directions (``"last"``: the forward state at the last step and the
        backward state at the first, each having read the whole sequence).
    forget_bias : float, default=3.0
        Initial bias of the LSTM's forget gates (Gers et al. 2000). At 1 an LSTM
        stays at chance on the temporal-order problem over 100 steps; 3 keeps
        the memory open long enough for the gradient to find the two symbols.
        Only for ``cell="lstm"``.
    class_weight : dict, "balanced" or None, default=None
        Weights of the classes in the cross-entropy, ``{label: weight}``;
        ``"balanced"`` weights each class by n / (n_classes · its count), as
        scikit-learn's classifiers. With ``output="sequence"`` the valid steps
        are counted.
    dropout : float, default=0.0
        Dropout as the lecture's ``DropoutWrapper`` around each cell: each input
        of the first layer, each output passed between stacked layers
        (``num_layers`` > 1) and each output of the last layer is zeroed with
        this probability during training, with a new mask at every step;
        inactive at inference, so predictions stay deterministic.
    {net_parameters}

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        Class labels.
    n_timesteps_ : int
        Number of time steps of the training sequences; scikit-learn's
        ``n_features_in_`` counts the same (the columns of X).
    n_step_features_ : int
        Number of features per time step (1 for 2-D X).
    {net_attributes}

    See Also
    --------
    RNNRegressor : The same networks for real-valued targets.
    sklearn_lecture.datasets.make_temporal_order : The long-memory test.
    sklearn_lecture.datasets.make_sequence_labelling : A per-step task.

    References
    ----------
    S. Hochreiter and J. Schmidhuber, "Long short-term memory", Neural
    Computation 9(8), 1997 (the temporal-order problem, experiment 6).
    F. A. Gers, J. Schmidhuber and F. Cummins, "Learning to forget: continual
    prediction with LSTM", Neural Computation 12(10), 2000.
    R. Pascanu, T. Mikolov and Y. Bengio, "On the difficulty of training
    recurrent neural networks", ICML 2013 (gradient clipping).

    Examples
    --------
    Digits read row by row: 8 steps of 8 pixels.

    >>> from sklearn.datasets import load_digits
    >>> from sklearn.model_selection import train_test_split
    >>> from sklearn_lecture import RNNClassifier
    >>> X, y = load_digits(return_X_y=True)
    >>> X = X.reshape(-1, 8, 8) / 16
    >>> X_train, X_test, y_train, y_test = train_test_split(
    ...     X, y, test_size=0.25, random_state=0)
    >>> clf = RNNClassifier("gru", hidden_size=32, max_epochs=15,
    ...                     random_state=0).fit(X_train, y_train)
    >>> bool(clf.score(X_test, y_test) > 0.9)
    True
    >>> clf.predict_proba(X_test[:2]).shape
    (2, 10)
    """

    _parameter_constraints = {
        **BaseNeuralNet._common_parameter_constraints,
        **BaseNeuralNet._regularization_parameter_constraints,
        **_RNNBase._rnn_parameter_constraints,
        "class_weight": [dict, StrOptions({"balanced"}), None],
    }

    def __init__(
        self,
        cell="lstm",
        *,
        hidden_size=32,
        num_layers=1,
        output="last",
        bidirectional=False,
        forget_bias=3.0,
        class_weight=None,
        alpha=0.0,
        dropout=0.0,
        optimizer="adam",
        lr=1e-2,
        momentum=0.9,
        rho=0.9,
        lr_schedule=None,
        lr_decay=0.01,
        lr_step_size=30,
        lr_step_gamma=0.5,
        max_epochs=60,
        batch_size=32,
        gradient_clip=1.0,
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

    def _validate_labels(self, y, n_timesteps):
        """(labels, per-sequence flag): y as 1-D ("last") or (n, T) labels."""
        # Padded steps may hold NaN (or None among string labels); the valid
        # steps' labels are checked once the lengths are known.
        y = check_array(
            y,
            ensure_2d=False,
            allow_nd=True,
            dtype=None,
            ensure_all_finite=self.output == "last",
            input_name="y",
        )
        name = type(self).__name__
        if self.output == "last":
            y = ravel_column_vector(y, stacklevel=3)
            if y.ndim != 1:
                raise ValueError(
                    f"{name} with output='last' expects y of shape (n_samples,), one "
                    f"label per sequence; got shape {y.shape}. A label per time "
                    "step needs output='sequence'."
                )
            return y, False
        y, per_sequence = self._sequence_target(y, n_timesteps)
        if y.ndim != 2 or y.shape[1] != n_timesteps:
            raise ValueError(
                f"{name} with output='sequence' expects y of shape (n_samples,) or "
                f"(n_samples, n_timesteps) with n_timesteps={n_timesteps} as in X; "
                f"got shape {y.shape}."
            )
        return y, per_sequence

    def _n_module_outputs(self):
        return len(self.classes_)

    def _build_criterion(self):
        return SequenceCrossEntropyLoss(self._class_weight)

    def _early_stopping_stratify(self, y):
        # Every class is validated (per sequence; per-step labels split at random).
        return y if y.ndim == 1 else None

    @fit_guard
    @_sequence_docs
    def fit(self, X, y, sample_lengths=None):
        """Train the recurrent network on sequences X and labels y.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_timesteps) or \
(n_samples, n_timesteps, n_features)
            Training sequences (float32 stays float32 on the way in).
        y : array-like of shape (n_samples,) or (n_samples, n_timesteps)
            Class labels (numbers or strings): one per sequence, or, with
            ``output="sequence"``, one per time step (the labels of padded steps
            are ignored).
        {sample_lengths}

        Returns
        -------
        self : object
            Fitted estimator.
        """
        X, labels, valid, lengths = self._labelled_sequences(
            X, y, sample_lengths, reset=True
        )
        classes, codes = np.unique(labels[valid], return_inverse=True)
        if len(classes) < 2:
            raise ValueError(
                f"{type(self).__name__} needs samples of at least 2 classes in the "
                f"data, but the data contains only one class: {classes[0]!r}."
            )
        self.classes_ = classes
        target = np.full(labels.shape, -1, dtype=np.int64)
        target[valid] = codes
        self._class_weight = self._compute_class_weight(classes, labels[valid])
        self._set_shapes(X, lengths)
        self._fit_net(
            self._module_input(X, lengths),
            target,
            scored=self._scored(X, y, sample_lengths),
        )
        return self

    @fit_guard
    @_sequence_docs
    def partial_fit(self, X, y, classes=None, sample_lengths=None):
        """Train one more epoch on a block of labelled sequences.

        One pass over the block in shuffled mini-batches, with the optimizer
        state, the schedule and the random stream of the previous call (no early
        stopping). ``class_weight="balanced"`` needs the labels of all the data
        and is refused here, as by scikit-learn's ``partial_fit``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_timesteps) or \
(n_samples, n_timesteps, n_features)
            A block of sequences, shaped as on the first call.
        y : array-like of shape (n_samples,) or (n_samples, n_timesteps)
            Its labels, all among ``classes``.
        classes : array-like of shape (n_classes,), default=None
            Every label the net will see: required on the first call.
        {sample_lengths}

        Returns
        -------
        self : object
            The estimator, trained one more epoch.
        """
        first = not hasattr(self, "net_")
        if self.class_weight == "balanced":
            raise ValueError(
                "class_weight='balanced' is computed from all the labels and is "
                "not supported by partial_fit; pass a dict of weights or use fit."
            )
        X, labels, valid, lengths = self._labelled_sequences(
            X, y, sample_lengths, reset=first
        )
        classes = check_partial_fit_classes(
            None if first else self.classes_, classes, labels[valid]
        )
        if first and len(classes) < 2:
            raise ValueError(
                f"{type(self).__name__} needs at least 2 classes; got "
                f"classes={classes!r}."
            )
        if first:
            self.classes_ = classes
            self._class_weight = self._compute_class_weight(classes, labels[valid])
        target = np.full(labels.shape, -1, dtype=np.int64)
        target[valid] = np.searchsorted(self.classes_, labels[valid])
        self._set_shapes(X, lengths)
        self._partial_fit_net(
            self._module_input(X, lengths),
            target,
            scored=self._scored(X, y, sample_lengths),
        )
        return self

    def _compute_class_weight(self, classes, labels):
        """The weight of each class in the loss (None: unweighted), or an error.

        The cross-entropy divides by the weights' sum: a NaN, negative or
        infinite weight, or weights all zero, would make every loss NaN.
        """
        if self.class_weight is None:
            return None
        weights = compute_class_weight(self.class_weight, classes=classes, y=labels)
        if not np.all(np.isfinite(weights)) or np.any(weights < 0) or not weights.any():
            raise ValueError(
                "class_weight must give every class a finite, non-negative weight, "
                f"and some class a positive one; got {self.class_weight!r}, which "
                f"weights the classes {classes.tolist()!r} by {weights.tolist()!r}."
            )
        return weights

    def _labelled_sequences(self, X, y, sample_lengths, reset):
        self._require_y(y)
        X = self._validate_sequences(X, reset=reset)
        labels, per_sequence = self._validate_labels(y, X.shape[1])
        check_consistent_length(X, labels)
        lengths = self._check_lengths(sample_lengths, X)
        if labels.ndim == 2:
            valid = self._step_mask(lengths, X.shape[1])
            assert_all_finite(labels[valid], input_name="y")
        else:
            valid = np.ones(len(labels), dtype=bool)
        check_classification_targets(labels[valid])
        # Labels never have a targets axis: only the per-sequence flag varies.
        self._set_target_layout(per_sequence, True, reset)
        return X, labels, valid, lengths

    def _logits(self, X, sample_lengths, fn=None):
        out, _ = self._forward_sequences(X, sample_lengths, fn)
        return out[:, -1] if self._fitted.per_sequence else out

    @_sequence_docs
    def decision_function(self, X, sample_lengths=None):
        """The network's logits, ``V h + c``.

        Parameters
        ----------
        {predict_parameters}

        Returns
        -------
        scores : ndarray, float64
            Shape (n_samples, n_classes), or (n_samples, n_timesteps, n_classes)
            for per-step labels; with two classes the difference of the two
            logits, shape (n_samples,) or (n_samples, n_timesteps), positive for
            ``classes_[1]``.
        """
        logits = self._logits(X, sample_lengths)
        if len(self.classes_) == 2:
            return logits[..., 1] - logits[..., 0]
        return logits

    @_sequence_docs
    def predict_proba(self, X, sample_lengths=None):
        """Class probabilities: the softmax of the network's logits.

        Parameters
        ----------
        {predict_parameters}

        Returns
        -------
        proba : ndarray, float64
            Shape (n_samples, n_classes), or (n_samples, n_timesteps, n_classes)
            for per-step labels (the steps past a sequence's length repeat its
            last valid step). Columns in the order of ``classes_``; they sum
            to 1.
        """
        return self._logits(
            X,
            sample_lengths,
            lambda module, x: torch.softmax(_call(module, x), dim=-1),
        )

    @_sequence_docs
    def predict(self, X, sample_lengths=None):
        """Most probable class of each sequence, or of each step.

        Parameters
        ----------
        {predict_parameters}

        Returns
        -------
        y_pred : ndarray of shape (n_samples,) or (n_samples, n_timesteps)
            Labels from ``classes_``, shaped like the training y.
        """
        proba = self.predict_proba(X, sample_lengths)
        return self.classes_[np.argmax(proba, axis=-1)]

    @_sequence_docs
    def score(self, X, y, sample_weight=None, sample_lengths=None):
        """Accuracy: per sequence, or per valid time step for per-step labels.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_timesteps) or \
(n_samples, n_timesteps, n_features)
            Test sequences.
        y : array-like of shape (n_samples,) or (n_samples, n_timesteps)
            True labels, shaped as for :meth:`fit`.
        sample_weight : array-like of shape (n_samples,), default=None
            Weight of each sequence (shared by its steps).
        {sample_lengths}

        Returns
        -------
        score : float
            Fraction of correctly labelled sequences (or valid steps).
        """
        y_pred = self.predict(X, sample_lengths=sample_lengths)
        y = check_array(y, ensure_2d=False, dtype=None, input_name="y")
        sample_weight = self._check_score_weight(sample_weight, y_pred)
        if y.shape != y_pred.shape:
            raise ValueError(
                f"y has shape {y.shape} but the predictions have shape {y_pred.shape}."
            )
        if y.ndim == 1:
            return accuracy_score(y, y_pred, sample_weight=sample_weight)
        valid = self._step_mask(self._check_lengths(sample_lengths, y), y.shape[1])
        weight = np.ones(len(y)) if sample_weight is None else sample_weight
        weight = np.broadcast_to(weight[:, None], valid.shape)[valid]
        return float(np.average(y[valid] == y_pred[valid], weights=weight))
