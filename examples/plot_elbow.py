"""
=====================================================
The elbow method: choosing K on blobs and on iris
=====================================================

k-means needs the number of clusters K. The lecture's elbow method fits k-means
for K = 1, 2, ... and plots the distortion J(K) (the mean squared distance of
the points to their centroid): J always decreases with K, but past the "right"
K it decreases only slowly. The K at the bend, the elbow, is the choice.

:class:`sklearn_lecture.ElbowKMeans` finds the bend by the Kneedle rule on
``log J(K)`` and reports the silhouette's choice beside it, so one sees when the
two criteria disagree.
"""

# %%
import matplotlib

matplotlib.use("Agg")

import os
from pathlib import Path

import matplotlib.pyplot as plt
from sklearn.datasets import load_iris, make_blobs
from sklearn.preprocessing import StandardScaler

from sklearn_lecture import ElbowDisplay, ElbowKMeans

output_root = Path(os.environ.get("SKLEARN_LECTURE_OUTPUT", "lecture_plots"))
output_dir = output_root / "examples"
output_dir.mkdir(parents=True, exist_ok=True)

# %%
# Four well-separated blobs, then the four iris measurements (standardized,
# since the petal and sepal lengths have different spreads).
X_blobs, y_blobs = make_blobs(
    n_samples=600, centers=4, cluster_std=0.8, random_state=0
)
X_iris = StandardScaler().fit_transform(load_iris().data)

# Five k-means++ starts per K keep J(K) from a poor local optimum (one start
# per K, the default, can make J(K) rise here and there).
elbows = {
    name: ElbowKMeans(k_max=10, n_init=5, random_state=0).fit(X)
    for name, X in [("blobs (4 centres)", X_blobs), ("iris (3 species)", X_iris)]
}
for name, elbow in elbows.items():
    print(f"{name}: elbow at K={elbow.n_clusters_}, "
          f"silhouette prefers K={elbow.silhouette_n_clusters_}")
    print("   J(K): " + ", ".join(
        f"{k}: {j:.3f}" for k, j in zip(elbow.k_values_, elbow.distortions_)
    ))

# %%
# J(K) with the chosen K circled, the silhouette on the right axis, and the
# blobs coloured by the clusters found at the elbow.
fig, axes = plt.subplots(1, 3, figsize=(16, 4.5))
for ax, (name, elbow) in zip(axes[:2], elbows.items()):
    ElbowDisplay.from_estimator(elbow, ax=ax, name=name)
blobs = elbows["blobs (4 centres)"]
axes[2].scatter(X_blobs[:, 0], X_blobs[:, 1], c=blobs.labels_, s=8, cmap="tab10")
axes[2].scatter(*blobs.cluster_centers_.T, marker="x", s=120, c="k")
axes[2].set_title(f"blobs clustered with K={blobs.n_clusters_}")
fig.tight_layout()
fig.savefig(output_dir / "elbow.png", dpi=80)
print(f"wrote {output_dir / 'elbow.png'}")
