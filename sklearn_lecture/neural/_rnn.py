"""Recurrent regressors: plain RNN, LSTM and GRU, many-to-one or many-to-many."""

import warnings
from numbers import Integral

import numpy as np
from sklearn.base import RegressorMixin
from sklearn.exceptions import DataConversionWarning
from sklearn.metrics import r2_score
from sklearn.utils.validation import (
    check_array,
    check_consistent_length,
    check_is_fitted,
    validate_data,
)
from torch import nn

from ..utils._compat import Interval, StrOptions, _fit_context
from ._base import BaseNeuralNet, fill_shared_docs, store_params
from ._modules import RNNModule

__all__ = ["RNNRegressor"]

@fill_shared_docs
class RNNRegressor(RegressorMixin, BaseNeuralNet):
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
    needs the fit's number of time steps and of features per step.

    Parameters
    ----------
    cell : {"lstm", "gru", "rnn"}, default="lstm"
        Recurrent cell; ``"rnn"`` is the Elman cell with tanh. The LSTM's forget
        gate biases start at 1.
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
        "cell": [StrOptions({"rnn", "lstm", "gru"})],
        "hidden_size": [Interval(Integral, 1, None, closed="left")],
        "num_layers": [Interval(Integral, 1, None, closed="left")],
        "output": [StrOptions({"last", "sequence"})],
    }

    def __init__(
        self,
        cell="lstm",
        *,
        hidden_size=32,
        num_layers=1,
        output="last",
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
        early_stopping=False,
        validation_fraction=0.1,
        n_iter_no_change=10,
        random_state=None,
        device="cpu",
        verbose=0,
    ):
        store_params(self, locals())

    def _validate_sequences(self, X, reset):
        # validate_data accepts 3-D X with allow_nd and counts X.shape[1], the time
        # steps, as n_features_in_: it sets it at fit and checks it at predict.
        X = validate_data(
            self, X, reset=reset, allow_nd=True, dtype=[np.float64, np.float32]
        )
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

    def _validate_target(self, y, n_timesteps):
        y = check_array(
            y,
            ensure_2d=False,
            allow_nd=True,
            dtype=[np.float64, np.float32],
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
            self._per_sequence = False
            return y.reshape(len(y), -1), y.ndim == 1
        if y.ndim == 2 and y.shape[1] == 1 and n_timesteps != 1:
            warnings.warn(
                "A column-vector y was passed when a 1d array was expected: with "
                "sequence output it is read as one value per sequence. Please "
                "change the shape of y to (n_samples,), for example using ravel().",
                DataConversionWarning,
                stacklevel=3,
            )
            y = y[:, 0]
        self._per_sequence = y.ndim == 1
        if y.ndim == 1:
            # One value per sequence: the target of every step (predict then
            # returns the last step's value), so that 1-D targets work too.
            y = np.repeat(y[:, np.newaxis], n_timesteps, axis=1)
        elif y.ndim not in (2, 3) or y.shape[1] != n_timesteps:
            raise ValueError(
                f"{name} with output='sequence' expects y of shape (n_samples,), "
                f"(n_samples, n_timesteps) or (n_samples, n_timesteps, n_targets) "
                f"with n_timesteps={n_timesteps} as in X; got shape {y.shape}."
            )
        return y.reshape(len(y), n_timesteps, -1), y.ndim == 2

    def _build_module(self, X, y):
        return RNNModule(
            X.shape[2],
            y.shape[-1],
            self.hidden_size,
            self.num_layers,
            self.cell,
            self.output,
        )

    def _build_criterion(self):
        return nn.MSELoss()

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y):
        """Train the recurrent network on sequences X and targets y.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_timesteps) or \\
(n_samples, n_timesteps, n_features)
            Training sequences (float32 stays float32 on the way in).
        y : array-like
            With ``output="last"``: shape (n_samples,) or (n_samples, n_targets).
            With ``output="sequence"``: shape (n_samples, n_timesteps) or
            (n_samples, n_timesteps, n_targets).

        Returns
        -------
        self : object
            Fitted estimator.
        """
        if y is None:
            raise ValueError(
                f"{type(self).__name__} requires y to be passed, but the target y "
                "is None."
            )
        X = self._validate_sequences(X, reset=True)
        # A 1-D (or, per time step, 2-D) y gets the same shape back from predict.
        target, self._squeeze_output = self._validate_target(y, X.shape[1])
        check_consistent_length(X, target)
        self.n_timesteps_ = X.shape[1]
        self.n_step_features_ = X.shape[2]
        self.n_outputs_ = target.shape[-1]
        self._fit_net(X, target)
        return self

    def predict(self, X):
        """Predict targets for sequences X.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_timesteps) or \\
(n_samples, n_timesteps, n_features)
            Sequences with the fit's number of time steps and features per step.

        Returns
        -------
        y_pred : ndarray, float64
            Shaped like the training y: (n_samples,) or (n_samples, n_targets)
            for ``output="last"``; (n_samples, n_timesteps) or
            (n_samples, n_timesteps, n_targets) for ``output="sequence"``.
        """
        check_is_fitted(self)
        X = self._validate_sequences(X, reset=False)
        y_pred = self._forward64(X)
        if self._per_sequence:
            return y_pred[:, -1, 0]
        if self._squeeze_output:
            y_pred = y_pred[..., 0]
        return y_pred

    def score(self, X, y, sample_weight=None):
        """Coefficient of determination R² of the predictions.

        With ``output="sequence"`` every (time step, target) pair counts as one
        output and their R² are averaged, as scikit-learn's ``r2_score`` does for
        the columns of a 2-D y.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_timesteps) or \
(n_samples, n_timesteps, n_features)
            Test sequences.
        y : array-like
            True targets, shaped as for :meth:`fit`.
        sample_weight : array-like of shape (n_samples,), default=None
            Sample weights.

        Returns
        -------
        score : float
            R² of ``self.predict(X)`` against ``y``.
        """
        y_pred = self.predict(X)
        y = check_array(y, ensure_2d=False, allow_nd=True, dtype=np.float64)
        if y.ndim == 3 or y_pred.ndim == 3:
            if y.shape != y_pred.shape:
                raise ValueError(
                    f"y has shape {y.shape} but the predictions have shape "
                    f"{y_pred.shape}."
                )
            y, y_pred = y.reshape(len(y), -1), y_pred.reshape(len(y), -1)
        return r2_score(y, y_pred, sample_weight=sample_weight)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        # A 2-D y of output="sequence" holds the time steps, not several targets.
        tags.target_tags.multi_output = self.output == "last"
        return tags
