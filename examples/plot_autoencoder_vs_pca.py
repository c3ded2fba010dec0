"""
=====================================================
Autoencoder versus PCA at the same code size
=====================================================

PCA is the best *linear* code: with 8 components it keeps the 8-dimensional
subspace of largest variance and reconstructs by projecting back. An autoencoder
with an 8-unit code learns a *nonlinear* encoder and decoder (here
64 → 128 → 8 → 128 → 64 with ReLU hidden units and a linear code) and can bend
its reconstructions to the curved manifold on which the digits lie. Both are fitted
on 75 % of the digits, scaled to [0, 1], and compared on the held-out 25 %.
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
from sklearn.preprocessing import MinMaxScaler
from threadpoolctl import threadpool_limits

from sklearn_lecture import PCA, Autoencoder

output_root = Path(os.environ.get("SKLEARN_LECTURE_OUTPUT", "lecture_plots"))
output_dir = output_root / "examples"
output_dir.mkdir(parents=True, exist_ok=True)

X, y = load_digits(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(
    X, y, test_size=0.25, random_state=0, stratify=y
)
scaler = MinMaxScaler().fit(X_train)
X_train, X_test = scaler.transform(X_train), scaler.transform(X_test)

# %%
# Fit both with an 8-dimensional code
# -----------------------------------
pca = PCA(n_components=8).fit(X_train)
pca_reconstruction = pca.inverse_transform(pca.transform(X_test))
pca_mse = np.mean((X_test - pca_reconstruction) ** 2)

# A net this small trains fastest on one thread: torch's intra-op threads only
# add synchronisation to such small matrix products (limit lifted after the block).
with threadpool_limits(limits=1, user_api="openmp"):
    start = time.perf_counter()
    autoencoder = Autoencoder(
        hidden_layer_sizes=(128, 8), lr=2e-3, max_epochs=100, random_state=0
    ).fit(X_train)
    fit_time = time.perf_counter() - start
ae_reconstruction = autoencoder.inverse_transform(autoencoder.transform(X_test))
ae_mse = -autoencoder.score(X_test)

print("held-out mean squared reconstruction error, digits scaled to [0, 1]:")
print(f"  PCA(8)                   {pca_mse:.4f}")
gain = 100 * (1 - ae_mse / pca_mse)
print(f"  Autoencoder(128, 8)      {ae_mse:.4f}  ({gain:.0f} % lower)")
print(f"  autoencoder fit: {autoencoder.n_iter_} epochs in {fit_time:.1f} s")

# %%
# Originals and both reconstructions
# ----------------------------------
samples = np.array([np.flatnonzero(y_test == digit)[0] for digit in range(10)])
rows = [X_test[samples], pca_reconstruction[samples], ae_reconstruction[samples]]
labels = ["original", f"PCA(8)\nMSE {pca_mse:.4f}", f"autoencoder\nMSE {ae_mse:.4f}"]
fig, axes = plt.subplots(len(rows), 10, figsize=(10, 3.6))
for row, images, label in zip(axes, rows, labels):
    for ax, image in zip(row, images):
        ax.imshow(image.reshape(8, 8), cmap="gray_r", vmin=0, vmax=1)
        ax.set_xticks([])
        ax.set_yticks([])
    row[0].set_ylabel(label, rotation=0, ha="right", va="center", fontsize=9)
fig.suptitle("Held-out digits rebuilt from an 8-dimensional code")
fig.tight_layout()
path = output_dir / "autoencoder_vs_pca.png"
fig.savefig(path, dpi=100)
plt.close(fig)

# %%
# Learning curve
# --------------
fig, ax = plt.subplots(figsize=(5, 3.2))
ax.plot(
    np.arange(1, autoencoder.n_iter_ + 1),
    autoencoder.loss_curve_,
    label="autoencoder (training)",
)
ax.axhline(pca_mse, color="k", linestyle="--", label="PCA(8), held out")
ax.axhline(ae_mse, color="C0", linestyle=":", label="autoencoder, held out")
ax.set_xlabel("epoch")
ax.set_ylabel("mean squared error")
ax.set_yscale("log")
ax.legend()
fig.tight_layout()
path_curve = output_dir / "autoencoder_vs_pca_curve.png"
fig.savefig(path_curve, dpi=100)
plt.close(fig)
print(f"wrote {path} and {path_curve}")
