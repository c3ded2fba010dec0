"""Recurrent regressors: plain RNN, LSTM and GRU, many-to-one or many-to-many."""

import torch
from torch import nn

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


from sklearn.base import BaseEstimator  # noqa: E402


class RNNRegressor(BaseEstimator):  # placeholder until the base class lands
    pass
