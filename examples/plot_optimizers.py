"""
=====================================================
The lecture's optimizers on one recurrent network
=====================================================

The same GRU (same initial weights, same mini-batches) is trained to forecast the
Mackey-Glass series with each of the lecture's optimizers: plain stochastic
gradient descent, momentum, Nesterov momentum, AdaGrad, RMSProp, RMSProp with
Nesterov momentum (Algorithm 8.6) and Adam. Each gets a learning rate of its usual
order of magnitude (the momentum methods a tenth of SGD's, since momentum 0.9
multiplies the step by about ten). The training loss per epoch shows how the
adaptive methods, which rescale each parameter's step by its gradient history,
reach low loss in fewer epochs than plain SGD on this problem.
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

X, y = make_mackey_glass(600, n_timesteps=12, sample_step=3.0, random_state=0)
X_train, y_train, X_test, y_test = X[:450], y[:450], X[450:], y[450:]

learning_rates = {
    "sgd": 0.1,
    "momentum": 0.01,
    "nesterov": 0.01,
    "adagrad": 0.05,
    "rmsprop": 3e-3,
    "rmsprop_nesterov": 3e-3,
    "adam": 1e-2,
}

# %%
# Train one net per optimizer
# ---------------------------
curves, test_mse = {}, {}
start = time.perf_counter()
for name, lr in learning_rates.items():
    reg = RNNRegressor(
        "gru",
        hidden_size=16,
        optimizer=name,
        lr=lr,
        momentum=0.9,
        rho=0.9,
        max_epochs=20,
        random_state=0,
    ).fit(X_train, y_train)
    curves[name] = reg.loss_curve_
    test_mse[name] = np.mean((reg.predict(X_test) - y_test) ** 2)
elapsed = time.perf_counter() - start

print(f"GRU on Mackey-Glass, {len(learning_rates)} optimizers, {elapsed:.1f} s")
print(f"  {'optimizer':<18}{'lr':>8}{'train MSE':>12}{'test MSE':>12}")
for name, lr in learning_rates.items():
    print(f"  {name:<18}{lr:>8g}{curves[name][-1]:>12.2e}{test_mse[name]:>12.2e}")

# %%
# Loss curves
# -----------
fig, ax = plt.subplots(figsize=(7, 4))
for name, curve in curves.items():
    label = f"{name} (lr={learning_rates[name]:g})"
    ax.plot(np.arange(1, len(curve) + 1), curve, label=label)
ax.set_yscale("log")
ax.set_xlabel("epoch")
ax.set_ylabel("training MSE")
ax.set_title("The lecture's optimizers, same GRU and mini-batches")
ax.legend(fontsize=8)
fig.tight_layout()
path = output_dir / "optimizers.png"
fig.savefig(path, dpi=100)
plt.close(fig)
print(f"wrote {path}")
torch.set_num_threads(n_threads)
