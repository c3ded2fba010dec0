"""
=========================================================
Stacked pre-training versus random initialisation
=========================================================

A :class:`~sklearn_lecture.StackedAutoencoderClassifier` first pre-trains its
hidden layers one at a time as autoencoders, without labels, then adds a
softmax layer and fine-tunes the whole network on the labels (the lecture's
"initialisation & fine tuning"). With ``pretrain=False`` the same network, with
the same seeds and epochs, is trained from its random initialisation.

Two networks on the digits:

* the default network (two ReLU layers, Adam): ReLU units and an adaptive
  optimizer train well from random weights, and pre-training changes little;
* a deeper network of four sigmoid layers, the setting in which greedy
  pre-training was introduced: from random weights the saturating units pass
  back little gradient and the fine-tuning starts slowly, while the pre-trained
  layers already hold features of the images.
"""

# %%
import matplotlib

matplotlib.use("Agg")

import os
import time
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

from sklearn_lecture import StackedAutoencoder, StackedAutoencoderClassifier

output_root = Path(os.environ.get("SKLEARN_LECTURE_OUTPUT", "lecture_plots"))
output_dir = output_root / "examples"
output_dir.mkdir(parents=True, exist_ok=True)

X, y = load_digits(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(
    X, y, test_size=0.3, random_state=0, stratify=y
)
scaler = StandardScaler().fit(X_train)
X_train, X_test = scaler.transform(X_train), scaler.transform(X_test)

# %%
# Same network, same seeds, with and without pre-training
# --------------------------------------------------------
networks = {
    "default (128, 64) ReLU": dict(),
    "deep (64,)×4 sigmoid": dict(
        hidden_layer_sizes=(64, 64, 64, 64),
        activation="sigmoid",
        lr=3e-3,
        pretrain_epochs=20,
        max_epochs=20,
    ),
}
seeds = (0, 1)
results = {}
for name, params in networks.items():
    for pretrain in (True, False):
        label = "pre-trained" if pretrain else "random init"
        runs = []
        for seed in seeds:
            start = time.perf_counter()
            clf = StackedAutoencoderClassifier(
                pretrain=pretrain, random_state=seed, **params
            ).fit(X_train, y_train)
            seconds = time.perf_counter() - start
            runs.append((clf.score(X_test, y_test), clf.loss_curve_))
            print(
                f"{name:<24} {label:<12} seed {seed}: held-out accuracy "
                f"{runs[-1][0]:.3f} (fit {seconds:.1f} s)"
            )
        results[name, pretrain] = runs

# %%
# Held-out accuracy and fine-tuning curves
# ----------------------------------------
fig, (ax_bar, ax_curve) = plt.subplots(1, 2, figsize=(11, 4))
positions = np.arange(len(networks))
styles = {True: ("pre-trained", "tab:blue", -0.2), False: ("random init", "gray", 0.2)}
for pretrain, (label, color, offset) in styles.items():
    accuracies = np.array(
        [[accuracy for accuracy, _ in results[name, pretrain]] for name in networks]
    )
    bars = ax_bar.bar(
        positions + offset, accuracies.mean(axis=1), 0.4, color=color, label=label
    )
    ax_bar.bar_label(bars, fmt="%.3f")
    for position, row in zip(positions + offset, accuracies):
        ax_bar.plot([position] * len(row), row, "k.", ms=6)
ax_bar.set_xticks(positions, list(networks))
ax_bar.set_ylim(0.5, 1.1)
ax_bar.set_ylabel(f"held-out accuracy (mean of {len(seeds)} seeds, dots)")
ax_bar.set_title("Digits, 30 % held out")
ax_bar.legend(loc="upper center", ncol=2)

deep = list(networks)[1]
for pretrain, (label, color, _) in styles.items():
    for i, (_, curve) in enumerate(results[deep, pretrain]):
        ax_curve.plot(
            np.arange(1, len(curve) + 1),
            curve,
            color=color,
            marker="o",
            ms=3,
            label=label if i == 0 else None,
        )
ax_curve.set_xlabel("fine-tuning epoch")
ax_curve.set_ylabel("training cross-entropy")
ax_curve.set_title(f"Fine-tuning the {deep} network")
ax_curve.legend()
fig.tight_layout()
path = output_dir / "stacked_pretraining.png"
fig.savefig(path, dpi=100)
print(f"saved {path}")

# %%
# Without labels: the stacked autoencoder
# ---------------------------------------
# A :class:`~sklearn_lecture.StackedAutoencoder` is the unsupervised half alone:
# the same greedy pre-training, then the whole deep autoencoder fine-tuned on the
# reconstruction error. Sigmoid layers again, (64, 64, 64), and a linear 8-unit
# code, same seed and epochs with and without pre-training; the error is the
# held-out mean squared error on the standardized pixels, beside that of
# predicting the training mean.
baseline = np.mean((X_test - X_train.mean(axis=0)) ** 2)
print(
    "\ndeep sigmoid autoencoder (64, 64, 64, 8); held-out error of predicting "
    f"the mean: {baseline:.3f}"
)
for pretrain in (True, False):
    start = time.perf_counter()
    sae = StackedAutoencoder(
        (64, 64, 64, 8),
        pretrain=pretrain,
        activation="sigmoid",
        lr=3e-3,
        pretrain_epochs=20,
        max_epochs=20,
        random_state=0,
    ).fit(X_train)
    seconds = time.perf_counter() - start
    error = np.mean((sae.inverse_transform(sae.transform(X_test)) - X_test) ** 2)
    label = "pre-trained" if pretrain else "random init"
    layers = ", ".join(f"{curve[-1]:.3f}" for curve in sae.pretrain_loss_curves_)
    print(
        f"  {label:<12} held-out reconstruction error {error:.3f} (fit {seconds:.1f} s)"
        + (f"; last pre-training loss of each layer: {layers}" if layers else "")
    )
