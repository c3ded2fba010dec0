"""
=====================================================
Sparse autoencoder: few active units per digit
=====================================================

An overcomplete autoencoder (100 code units for 64 pixels) could learn the
identity. The sparse autoencoder prevents this with sigmoid code units and the
penalty λ Σ_j KL(ρ ‖ ρ̂_j), where ρ̂_j is the mean activation of unit j over a
mini-batch: each unit is pushed to fire for only a fraction ρ of the digits.
The decoder here is tied to the encoder (W′ = Wᵀ) and the loss is the
reconstruction cross-entropy: a tied decoder cannot amplify uniformly small
activations at will, so the penalty yields codes that are mostly off with a few
units on, rather than every unit at a low level. Compared with the same net
trained without the penalty (λ = 0), the units' mean activations gather at
ρ = 0.05 and each digit switches on only a few units.
"""

# %%
import matplotlib

matplotlib.use("Agg")

import os
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_digits
from sklearn.preprocessing import MinMaxScaler
from threadpoolctl import threadpool_limits

from sklearn_lecture import SparseAutoencoder

output_root = Path(os.environ.get("SKLEARN_LECTURE_OUTPUT", "lecture_plots"))
output_dir = output_root / "examples"
output_dir.mkdir(parents=True, exist_ok=True)

X, y = load_digits(return_X_y=True)
X = MinMaxScaler().fit_transform(X)
rho = 0.05

# %%
# The same overcomplete net with and without the sparsity penalty
# ----------------------------------------------------------------
# One thread: small nets gain nothing from torch's intra-op threads.
models = {}
with threadpool_limits(limits=1, user_api="openmp"):
    for label, weight in [("sparse (λ = 0.1)", 0.1), ("no penalty (λ = 0)", 0.0)]:
        models[label] = SparseAutoencoder(
            hidden_layer_sizes=(100,),
            sparsity_target=rho,
            sparsity_weight=weight,
            loss="bce",
            tied_weights=True,
            lr=0.03,
            max_epochs=30,
            random_state=0,
        ).fit(X)

codes = {label: model.transform(X) for label, model in models.items()}
for label, model in models.items():
    c = codes[label]
    print(
        f"{label:>20}: mean activation {c.mean():.3f} (target {rho}), "
        f"{100 * (c < 0.01).mean():4.1f} % of activations below 0.01, "
        f"{(c > 0.5).sum(axis=1).mean():4.1f} of 100 units above 0.5 per digit, "
        f"reconstruction MSE {-model.score(X):.4f}"
    )

# %%
# Mean activation of each unit, and the codes of a few digits
# -----------------------------------------------------------
samples = np.concatenate([np.flatnonzero(y == d)[:3] for d in range(10)])
fig, axes = plt.subplots(
    1, 3, figsize=(13, 3.6), gridspec_kw={"width_ratios": [1, 1.3, 1.3]}
)
bins = np.linspace(0, 1, 41)
for label, c in codes.items():
    axes[0].hist(c.mean(axis=0), bins=bins, alpha=0.7, label=label)
axes[0].axvline(rho, color="k", linestyle="--", label=f"ρ = {rho}")
axes[0].set_xlabel("mean activation ρ̂_j of a unit")
axes[0].set_ylabel("number of units")
axes[0].legend(fontsize=8)
for ax, (label, c) in zip(axes[1:], codes.items()):
    image = ax.imshow(c[samples], aspect="auto", cmap="viridis", vmin=0, vmax=1)
    ax.set_title(label, fontsize=10)
    ax.set_xlabel("code unit")
    ax.set_yticks(np.arange(1, len(samples), 3), [str(d) for d in range(10)])
    ax.set_ylabel("digit (3 samples each)")
fig.colorbar(image, ax=axes[2], fraction=0.05)
fig.tight_layout()
path = output_dir / "sparse_activations.png"
fig.savefig(path, dpi=100)
plt.close(fig)

# %%
# What the sparse units respond to: the encoder's weight vectors
# --------------------------------------------------------------
weights = models["sparse (λ = 0.1)"].net_.module_.encoder.linears[0].weight
weights = weights.detach().numpy()
fig, axes = plt.subplots(5, 20, figsize=(12, 3.2))
for ax, w in zip(axes.ravel(), weights):
    limit = np.abs(w).max()
    ax.imshow(w.reshape(8, 8), cmap="RdBu_r", vmin=-limit, vmax=limit)
    ax.set_xticks([])
    ax.set_yticks([])
fig.suptitle("Encoder weights of the 100 sparse units (red excites, blue inhibits)")
fig.tight_layout()
path_filters = output_dir / "sparse_filters.png"
fig.savefig(path_filters, dpi=100)
plt.close(fig)
print(f"wrote {path} and {path_filters}")
