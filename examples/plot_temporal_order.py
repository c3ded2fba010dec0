"""
=====================================================
Classifying sequences: the temporal-order problem
=====================================================

Hochreiter & Schmidhuber's (1997) temporal-order problem is a many-to-one
classification task that needs long memory. Each sequence is a string of random
distractor symbols ``a b c d`` framed by ``B … E``, with two relevant symbols
``X`` or ``Y`` hidden at two random steps, one early and one in the middle; the
class is their order (XX, XY, YX or YY, chance 25 %). The first symbol must be
carried across tens of steps of distractors. A plain tanh RNN's gradient
vanishes over that distance and it stays at chance; the gated LSTM and GRU cells
keep an additive path through time and, after a plateau, solve the task.

The LSTM needs its forget gates wide open at the start (``forget_bias=3``, the
classifier's default: at 1 it learns only the second symbol) and the gradient
norm clipped (``gradient_clip=1``, also the default). The sequences here have 50
steps so that the example runs in well under a minute on two CPU cores;
``benchmarks/rnn_temporal_order.py`` runs the paper's 100 steps on 1000
sequences. There the plain RNN stays at 25 % and the gated cells reach 100 %
once they leave the plateau, but when they leave it depends on the seed: in 40
epochs the LSTM solved the task for 2 of 4 seeds at the default ``lr=1e-2``
and for 3 of 4 at ``lr=3e-3`` (the fourth was leaving the plateau).
Then a many-to-many task, sequence labelling: a label for every step, the
running parity of random bits. Finally, the digits are read as sequences: 8
rows of 8 pixels each, or 8 columns.
"""

# %%
import matplotlib

matplotlib.use("Agg")

import os
import time
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import torch
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

from sklearn_lecture import RNNClassifier
from sklearn_lecture.datasets import (
    make_sequence_labelling,
    make_temporal_order,
    to_channels_last,
)

output_root = Path(os.environ.get("SKLEARN_LECTURE_OUTPUT", "lecture_plots"))
output_dir = output_root / "examples"
output_dir.mkdir(parents=True, exist_ok=True)

# Nets this small gain nothing from torch's intra-op threads (given back at the end).
n_threads = torch.get_num_threads()
torch.set_num_threads(1)

n_timesteps, n_train, max_epochs = 50, 600, 25
X, y = make_temporal_order(n_train + 1000, n_timesteps, random_state=0)
X_train, X_test, y_train, y_test = X[:n_train], X[n_train:], y[:n_train], y[n_train:]

# %%
# Train the three cells alike
# ---------------------------
results = {}
for cell in ["lstm", "gru", "rnn"]:
    start = time.perf_counter()
    clf = RNNClassifier(cell, max_epochs=max_epochs, batch_size=16, random_state=0).fit(
        X_train, y_train
    )
    seconds = time.perf_counter() - start
    results[cell] = (clf.loss_curve_, clf.score(X_test, y_test), seconds)

print(
    f"temporal order, T={n_timesteps}, {n_train} training sequences, "
    f"{max_epochs} epochs; chance accuracy 0.25 (cross-entropy ln 4 = 1.386)"
)
for cell, (curve, accuracy, seconds) in results.items():
    print(
        f"  {cell:<5} held-out accuracy {accuracy:.3f}, final training loss "
        f"{curve[-1]:.3f}  ({seconds:.1f} s)"
    )

# %%
# Learning curves
# ---------------
names = {"lstm": "LSTM", "gru": "GRU", "rnn": "plain RNN (tanh)"}
fig, ax = plt.subplots(figsize=(6, 4))
for cell, (curve, accuracy, _) in results.items():
    ax.plot(
        np.arange(1, len(curve) + 1),
        curve,
        marker="o",
        label=f"{names[cell]}: held-out accuracy {accuracy:.2f}",
    )
ax.axhline(np.log(4), color="k", linestyle="--", label="chance (ln 4)")
ax.set_xlabel("epoch")
ax.set_ylabel("training cross-entropy")
ax.set_title(f"Temporal order, {n_timesteps} time steps")
ax.legend(fontsize=8)
fig.tight_layout()
path = output_dir / "rnn_temporal_order.png"
fig.savefig(path, dpi=100)
plt.close(fig)
print(f"wrote {path}")

# %%
# Labelling every step: the running parity
# ----------------------------------------
# Many-to-many: ``make_sequence_labelling`` draws random bits and labels step t
# with the parity of the ones seen so far, so each label depends on the whole
# past and the current bit alone gives 50 %. With ``output="sequence"`` the
# classifier predicts from every hidden state; the accuracy at each step shows
# how well each cell carries its one bit of state along the sequence.
X_bits, y_bits = make_sequence_labelling(1500, 10, random_state=0)
bits_train, bits_test = slice(0, 500), slice(500, None)
per_step = {}
print("\nrunning parity of 10 random bits, 500 training sequences, 30 epochs:")
for cell in ["gru", "rnn"]:
    start = time.perf_counter()
    clf = RNNClassifier(
        cell, output="sequence", hidden_size=16, max_epochs=30, random_state=0
    ).fit(X_bits[bits_train], y_bits[bits_train])
    correct = clf.predict(X_bits[bits_test]) == y_bits[bits_test]
    per_step[cell] = correct.mean(axis=0)
    print(
        f"  {cell:<4} held-out accuracy per step {correct.mean():.3f}, whole "
        f"sequences right {correct.all(axis=1).mean():.3f}, at the last step "
        f"{per_step[cell][-1]:.3f} ({time.perf_counter() - start:.1f} s)"
    )

fig, ax = plt.subplots(figsize=(6, 3.5))
for cell, accuracy in per_step.items():
    ax.plot(np.arange(1, len(accuracy) + 1), accuracy, marker="o", label=names[cell])
ax.axhline(0.5, color="k", linestyle="--", label="the current bit alone")
ax.set_xlabel("time step t")
ax.set_ylabel("held-out accuracy of the label y_t")
ax.set_ylim(0.4, 1.05)
ax.set_title("Sequence labelling: running parity")
ax.legend(fontsize=8)
fig.tight_layout()
path = output_dir / "rnn_sequence_labelling.png"
fig.savefig(path, dpi=100)
plt.close(fig)
print(f"wrote {path}")

# %%
# Digits as sequences
# -------------------
# Many-to-one on real data: each 8×8 digit is a sequence of 8 rows of 8 pixels,
# the package's layout ``(n_samples, n_timesteps, n_channels)``. Read as
# channels first instead (as sktime and aeon store series), the same array is 8
# channels, the rows, over 8 steps, the columns: ``to_channels_last`` turns it
# into this package's layout, and the GRU reads the digit column by column.
X_digits, y_digits = load_digits(return_X_y=True)
X_digits = X_digits.reshape(-1, 8, 8) / 16
for reading, X_seq in [("rows", X_digits), ("columns", to_channels_last(X_digits))]:
    Xd_train, Xd_test, yd_train, yd_test = train_test_split(
        X_seq, y_digits, test_size=0.25, random_state=0
    )
    start = time.perf_counter()
    clf = RNNClassifier("gru", max_epochs=15, random_state=0).fit(Xd_train, yd_train)
    print(
        f"digits read as 8 {reading} of 8 pixels, GRU: held-out accuracy "
        f"{clf.score(Xd_test, yd_test):.3f} ({time.perf_counter() - start:.1f} s)"
    )
torch.set_num_threads(n_threads)
