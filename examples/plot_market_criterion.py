"""
==============================================================
The market criterion: T-shirt sizes S/M/L or XS/S/M/L/XL
==============================================================

Heights and weights of customers form one continuous cloud, with no natural
clusters: whatever K the elbow of J(K) points at is an accident of the noise.
The lecture's point is that K can then come from the use of the clustering, the
*market criterion*: a maker of T-shirts offers three sizes (S, M, L) or five
(XS to XL). k-means with that K places each size where it fits its customers
best, in the least-squares sense.

The data are generated: heights from a normal law, weights growing with height
plus noise. Both are standardized before clustering, so that a centimetre and a
kilogram do not weigh by their units; the sizes are reported in cm and kg.
"""

# %%
import matplotlib

matplotlib.use("Agg")

import os
import warnings
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

from sklearn_lecture import ElbowKMeans, KMeans, NoElbowWarning

output_root = Path(os.environ.get("SKLEARN_LECTURE_OUTPUT", "lecture_plots"))
output_dir = output_root / "examples"
output_dir.mkdir(parents=True, exist_ok=True)

rng = np.random.RandomState(0)
n_customers = 3000
height = rng.normal(170.0, 9.0, n_customers)  # cm
weight = 65.0 + 0.9 * (height - 170.0) + rng.normal(0.0, 4.0, n_customers)  # kg
X = np.column_stack([height, weight])
mean, std = X.mean(axis=0), X.std(axis=0)
Z = (X - mean) / std

# %%
# What the elbow says: on a single cloud the curve bends only gently.
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always", NoElbowWarning)
    elbow = ElbowKMeans(k_max=8, random_state=0).fit(Z)
print(f"elbow: K={elbow.n_clusters_} (elbow found: {elbow.elbow_found_}); "
      f"silhouette prefers K={elbow.silhouette_n_clusters_}")
for w in caught:
    print(f"   warning: {w.message}")

# %%
# The market decides: three sizes, then five. Sizes are named along the
# cloud's long axis (height and weight grow together).
fig, axes = plt.subplots(1, 2, figsize=(12, 5), sharey=True)
for ax, names in zip(axes, [["S", "M", "L"], ["XS", "S", "M", "L", "XL"]]):
    km = KMeans(len(names), n_init=5, random_state=0).fit(Z)
    centers = km.cluster_centers_ * std + mean
    order = np.argsort(km.cluster_centers_.sum(axis=1))
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))
    size = rank[km.labels_]
    print(f"K={len(names)}: J={km.distortion_:.3f} (standardized units)")
    for r, k in enumerate(order):
        h, w = centers[k]
        share = np.mean(size == r)
        print(f"   {names[r]:>2}: {h:5.1f} cm, {w:5.1f} kg, {share:5.1%} of customers")
    ax.scatter(height, weight, c=size, s=5, cmap="viridis", alpha=0.6)
    for r, k in enumerate(order):
        h, w = centers[k]
        ax.annotate(names[r], (h, w), fontsize=14, weight="bold", ha="center",
                    va="center", bbox=dict(boxstyle="round", fc="w", alpha=0.8))
    ax.set_title(f"K={len(names)} sizes, J={km.distortion_:.3f}")
    ax.set_xlabel("height (cm)")
axes[0].set_ylabel("weight (kg)")
fig.tight_layout()
fig.savefig(output_dir / "market_criterion.png", dpi=80)
print(f"wrote {output_dir / 'market_criterion.png'}")
