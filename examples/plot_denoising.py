"""
=====================================================
Denoising autoencoder: reconstructing masked digits
=====================================================

A denoising autoencoder is trained on corrupted inputs x̃ (each pixel set to 0
with probability p = 0.3) to reconstruct the clean x. It cannot copy its input,
so its code must capture how the pixels of a digit depend on each other, and it
fills in missing strokes. A plain autoencoder of the same size, trained on clean
digits only, passes much of the corruption through. Both are fitted on 75 % of
the digits (scaled to [0, 1]) and applied to corrupted held-out digits.
"""

# %%
import matplotlib

matplotlib.use("Agg")

import os
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import MinMaxScaler
from threadpoolctl import threadpool_limits

from sklearn_lecture import Autoencoder, DenoisingAutoencoder

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
# Same architecture, clean versus corrupted training
# --------------------------------------------------
params = dict(hidden_layer_sizes=(128, 32), max_epochs=40, random_state=0)
# One thread: small nets gain nothing from torch's intra-op threads.
with threadpool_limits(limits=1, user_api="openmp"):
    plain = Autoencoder(**params).fit(X_train)
    denoising = DenoisingAutoencoder(noise="mask", corruption=0.3, **params).fit(
        X_train
    )

rng = np.random.default_rng(0)
print("held-out mean squared error to the clean digits:")
rows = {}
for p in (0.3, 0.5):
    corrupted = X_test * (rng.random(X_test.shape) >= p)
    plain_out = plain.inverse_transform(plain.transform(corrupted))
    denoised = denoising.inverse_transform(denoising.transform(corrupted))
    errors = [np.mean((out - X_test) ** 2) for out in (corrupted, plain_out, denoised)]
    print(
        f"  {int(100 * p)} % of pixels masked: corrupted input {errors[0]:.4f}, "
        f"autoencoder {errors[1]:.4f}, denoising autoencoder {errors[2]:.4f}"
    )
    if p == 0.3:
        rows = {
            "clean": X_test,
            "masked 30 %": corrupted,
            f"autoencoder\nMSE {errors[1]:.4f}": plain_out,
            f"denoising AE\nMSE {errors[2]:.4f}": denoised,
        }
print(
    f"  clean inputs: autoencoder {-plain.score(X_test):.4f}, "
    f"denoising autoencoder {-denoising.score(X_test):.4f}"
)

# %%
# Before and after
# ----------------
samples = np.array([np.flatnonzero(y_test == digit)[1] for digit in range(10)])
fig, axes = plt.subplots(len(rows), 10, figsize=(10, 4.6))
for row, (label, images) in zip(axes, rows.items()):
    for ax, image in zip(row, images[samples]):
        ax.imshow(image.reshape(8, 8), cmap="gray_r", vmin=0, vmax=1)
        ax.set_xticks([])
        ax.set_yticks([])
    row[0].set_ylabel(label, rotation=0, ha="right", va="center", fontsize=9)
fig.suptitle(
    "Held-out digits with 30 % of the pixels masked, and their reconstructions"
)
fig.tight_layout()
path = output_dir / "denoising.png"
fig.savefig(path, dpi=100)
plt.close(fig)
print(f"wrote {path}")
