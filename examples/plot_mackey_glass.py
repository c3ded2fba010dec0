"""
======================================================
Forecasting the chaotic Mackey-Glass series with a GRU
======================================================

The Mackey-Glass equation dx/dt = 0.2 x(t−τ)/(1 + x(t−τ)¹⁰) − 0.1 x(t) is chaotic
for τ = 17: deterministic, yet two nearby histories drift apart. A GRU reads
windows of the past (here 16 samples taken every 3 time units) and predicts the
next sample. Trained on the first part of the series, it is scored on the later,
unseen part, one step ahead, against two baselines: repeating the last value and
a linear autoregression on the same window. Then it runs free: each forecast is
fed back as input, and the chaos shows as the forecast slowly leaving the truth.
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
from sklearn.linear_model import Ridge

from sklearn_lecture import RNNRegressor
from sklearn_lecture.datasets import make_mackey_glass

output_root = Path(os.environ.get("SKLEARN_LECTURE_OUTPUT", "lecture_plots"))
output_dir = output_root / "examples"
output_dir.mkdir(parents=True, exist_ok=True)

# Nets this small gain nothing from torch's intra-op threads, and on a busy
# machine spinning threads slow every step several-fold: train on one thread
# (given back at the end).
n_threads = torch.get_num_threads()
torch.set_num_threads(1)

n_timesteps, sample_step = 16, 3.0
X, y = make_mackey_glass(
    1000, n_timesteps=n_timesteps, sample_step=sample_step, random_state=0
)
# Chronological split: the test windows come after every training window.
n_train = 700
X_train, y_train, X_test, y_test = X[:n_train], y[:n_train], X[n_train:], y[n_train:]

# %%
# One step ahead
# --------------
start = time.perf_counter()
gru = RNNRegressor("gru", hidden_size=32, lr=1e-2, max_epochs=40, random_state=0).fit(
    X_train, y_train
)
fit_time = time.perf_counter() - start
ridge = Ridge(alpha=1e-6).fit(X_train, y_train)

mse = {
    "GRU": np.mean((gru.predict(X_test) - y_test) ** 2),
    "linear autoregression": np.mean((ridge.predict(X_test) - y_test) ** 2),
    "repeat last value": np.mean((X_test[:, -1] - y_test) ** 2),
}
print(
    f"one-step test MSE ({sample_step:g} time units ahead, series variance "
    f"{y_test.var():.4f}):"
)
for name, value in mse.items():
    print(f"  {name:<22} {value:.2e}")
print(f"  GRU fit: {gru.n_iter_} epochs in {fit_time:.1f} s")

# %%
# Free-running forecast
# ---------------------
# Start from the first test window and feed every forecast back as the newest input.
n_free = 200
window = X_test[0].copy()
forecast = np.empty(n_free)
for step in range(n_free):
    forecast[step] = gru.predict(window[np.newaxis])[0]
    window = np.append(window[1:], forecast[step])
truth = y_test[:n_free]
drift = np.abs(forecast - truth)
leave = np.flatnonzero(drift > 0.1)
print(
    "free-running forecast stays within 0.1 of the truth for "
    f"{(leave[0] if leave.size else n_free) * sample_step:g} time units"
)

# %%
# Plot
# ----
t = np.arange(n_free) * sample_step
fig, axes = plt.subplots(2, 1, figsize=(8, 5), sharex=True)
axes[0].plot(t, truth, "k", label="Mackey-Glass (τ = 17)")
axes[0].plot(t, gru.predict(X_test[:n_free]), "C0--", label="GRU, one step ahead")
axes[0].legend(loc="upper right", fontsize=8)
axes[0].set_ylabel("x(t)")
axes[1].plot(t, truth, "k", label="truth")
axes[1].plot(t, forecast, "C3", label="GRU, free running")
axes[1].legend(loc="upper right", fontsize=8)
axes[1].set_xlabel("time after the end of the training data")
axes[1].set_ylabel("x(t)")
fig.suptitle("GRU forecast of the Mackey-Glass series on unseen times")
fig.tight_layout()
path = output_dir / "mackey_glass_forecast.png"
fig.savefig(path, dpi=100)
plt.close(fig)
print(f"wrote {path}")
torch.set_num_threads(n_threads)
