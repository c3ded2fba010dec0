"""
=====================================
Fuzzy memberships at a cluster border
=====================================

Hard k-means gives a point at the border of two clusters to one of them, with
as much conviction as a point at a cluster's centre. Fuzzy k-means gives every
point a membership in every cluster instead: close to 1 deep inside a cluster,
close to 0.5 at the border.

We fit :class:`~sklearn_lecture.FuzzyKMeans` to two overlapping blobs with both
methods: the lecture's soft k-means (``method="soft"``, memberships
``exp(-beta d^2)`` normalised, ``beta`` chosen automatically) and Bezdek's fuzzy
c-means (``method="fcm"``, memberships ``d^(-2/(m-1))`` normalised, ``m=2``).
"""

import os
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import make_blobs

from sklearn_lecture import FuzzyKMeans

output_dir = Path(os.environ.get("SKLEARN_LECTURE_OUTPUT", "lecture_plots"))
output_dir = output_dir / "examples"
output_dir.mkdir(parents=True, exist_ok=True)

# %%
# Two overlapping blobs
# ---------------------
# Their centres are 4 apart and each has a standard deviation of 1.2, so a band
# of points between them could belong to either.
X, y = make_blobs(
    n_samples=400, centers=[[-2.0, 0.0], [2.0, 0.0]], cluster_std=1.2, random_state=0
)

# ``beta="auto"`` is twice the critical stiffness of the clusters' spread, a safety
# margin against merging centroids; ``beta = 1 / (2 sigma^2)`` with the blobs' own
# sigma makes the soft memberships the posterior of the Gaussian mixture that
# generated the data, a softer border.
models = {
    'soft, beta="auto"': FuzzyKMeans(n_clusters=2, method="soft", random_state=0),
    "soft, beta=1/(2 sigma^2)": FuzzyKMeans(
        n_clusters=2, method="soft", beta=1 / (2 * 1.2**2), random_state=0
    ),
    "fcm, m=2": FuzzyKMeans(n_clusters=2, method="fcm", m=2.0, random_state=0),
}
order = {}
for name, model in models.items():
    model.fit(X)
    # Left cluster first in every model, so that colours agree.
    order[name] = np.argsort(model.cluster_centers_[:, 0])

for name, model in models.items():
    u = model.membership_[:, order[name]]
    border = np.abs(u[:, 0] - 0.5) < 0.1
    beta = f", beta_={model.beta_:.3f}" if model.beta_ is not None else ""
    print(
        f"{name:>24}: {model.n_iter_} iterations{beta}, "
        f"partition coefficient {model.partition_coefficient_:.3f}, "
        f"partition entropy {model.partition_entropy_:.3f}, "
        f"{border.sum()} points with membership within 0.1 of 0.5"
    )

# %%
# Memberships in the plane
# ------------------------
# Each point is coloured by its membership in the left cluster. The contours are
# the memberships 0.1, 0.5 and 0.9 of the plane; points whose membership is within
# 0.1 of 0.5 are circled.
xx, yy = np.meshgrid(np.linspace(-6.5, 6.5, 200), np.linspace(-4.5, 4.5, 150))
grid = np.c_[xx.ravel(), yy.ravel()]

fig, axes = plt.subplots(2, 2, figsize=(13, 9), constrained_layout=True)
axes = axes.ravel()
for ax, (name, model) in zip(axes[:3], models.items()):
    u = model.membership_[:, order[name]][:, 0]
    u_grid = model.predict_proba(grid)[:, order[name]][:, 0].reshape(xx.shape)
    contours = ax.contour(
        xx, yy, u_grid, levels=[0.1, 0.5, 0.9], colors="k", linewidths=[0.8, 1.6, 0.8]
    )
    ax.clabel(contours, fmt="%.1f")
    points = ax.scatter(X[:, 0], X[:, 1], c=u, cmap="coolwarm_r", vmin=0, vmax=1, s=14)
    border = np.abs(u - 0.5) < 0.1
    ax.scatter(
        X[border, 0],
        X[border, 1],
        s=60,
        facecolors="none",
        edgecolors="k",
        label="membership in [0.4, 0.6]",
    )
    centers = model.cluster_centers_
    ax.scatter(centers[:, 0], centers[:, 1], marker="X", s=160, c="gold", ec="k")
    ax.set_title(name)
    ax.set_aspect("equal")
    ax.legend(loc="lower left", fontsize=8)
fig.colorbar(points, ax=axes[:3], label="membership in the left cluster", shrink=0.6)

# %%
# Memberships along the line through the centroids
# ------------------------------------------------
# Soft k-means gives a logistic curve in the position along that line, whose
# steepness is ``beta`` times the distance between the centroids. Fuzzy c-means
# reaches 1 exactly at each centroid and drifts back towards 1/2 far away.
ax = axes[3]
for name, model in models.items():
    left, right = model.cluster_centers_[order[name]]
    s = np.linspace(-1.0, 2.0, 301)
    line = left + s[:, None] * (right - left)
    ax.plot(s, model.predict_proba(line)[:, order[name]][:, 0], label=name)
ax.axhline(0.5, color="grey", lw=0.8, ls="--")
ax.axvline(0.0, color="grey", lw=0.8)
ax.axvline(1.0, color="grey", lw=0.8)
ax.set_xlabel("position on the line (0: left centroid, 1: right centroid)")
ax.set_ylabel("membership in the left cluster")
ax.set_title("along the line through the centroids")
ax.legend()

path = output_dir / "fuzzy_memberships.png"
fig.savefig(path, dpi=110)
print(f"saved {path}")
