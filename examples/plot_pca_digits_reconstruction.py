"""
=====================================================
Eigenface-style reconstruction of digits with PCA
=====================================================

PCA compresses an image into a few component scores and rebuilds it with
``inverse_transform``: the mean image plus a weighted sum of the leading
eigenvectors ("eigendigits", as eigenfaces for faces). With 2 components the
reconstructions are blurry averages; with 20 of the 64 dimensions the digits
are easily read again. Last, the same PCA is computed from blocks of rows, as
for data too large for memory.
"""

# %%
import matplotlib

matplotlib.use("Agg")

import os
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_digits

from sklearn_lecture import PCA, IncrementalPCA
from sklearn_lecture.utils import all_estimators, partial_fit_blocks

output_root = Path(os.environ.get("SKLEARN_LECTURE_OUTPUT", "lecture_plots"))
output_dir = output_root / "examples"
output_dir.mkdir(parents=True, exist_ok=True)

X, y = load_digits(return_X_y=True)
samples = np.array([np.flatnonzero(y == digit)[0] for digit in range(10)])

# %%
# Reconstructions with 2, 5, 10 and 20 components
# -----------------------------------------------
n_components_list = [2, 5, 10, 20]
rows = [X[samples]]
for n_components in n_components_list:
    pca = PCA(n_components=n_components).fit(X)
    reconstructed = pca.inverse_transform(pca.transform(X))
    error = np.mean((X - reconstructed) ** 2)
    kept = pca.explained_variance_ratio_.sum()
    print(
        f"{n_components:>2} components: {100 * kept:5.1f} % of the variance, "
        f"mean squared error {error:.2f}"
    )
    rows.append(reconstructed[samples])

fig, axes = plt.subplots(len(rows), 10, figsize=(10, 1.1 * len(rows)))
labels = ["original"] + [f"{k} comp." for k in n_components_list]
for row, images, label in zip(axes, rows, labels):
    for ax, image in zip(row, images):
        ax.imshow(image.reshape(8, 8), cmap="gray_r", vmin=0, vmax=16)
        ax.set_xticks([])
        ax.set_yticks([])
    row[0].set_ylabel(label, rotation=0, ha="right", va="center")
fig.tight_layout()
path = output_dir / "pca_digits_reconstruction.png"
fig.savefig(path, dpi=100)
plt.close(fig)

# %%
# The eigendigits themselves
# --------------------------
pca = PCA(n_components=10).fit(X)
fig, axes = plt.subplots(1, 11, figsize=(11, 1.4))
axes[0].imshow(pca.mean_.reshape(8, 8), cmap="gray_r")
axes[0].set_title("mean", fontsize=8)
for i, (ax, component) in enumerate(zip(axes[1:], pca.components_)):
    ax.imshow(component.reshape(8, 8), cmap="RdBu_r")
    ax.set_title(f"pca{i}", fontsize=8)
for ax in axes:
    ax.set_xticks([])
    ax.set_yticks([])
fig.tight_layout()
path_components = output_dir / "pca_digits_components.png"
fig.savefig(path_components, dpi=100)
plt.close(fig)
print(f"wrote {path} and {path_components}")

# %%
# The same PCA from blocks of rows
# --------------------------------
# PCA depends on the data only through their count, mean and scatter matrix,
# which add up block by block: ``partial_fit`` merges each block's statistics
# exactly, so data too large for memory get the PCA of all their rows.
# ``partial_fit_blocks`` streams the rows of an array into ``partial_fit``, here
# in 9 blocks of at most 200 digits (a dask array is fed chunk by chunk).
learners = [
    name
    for name, estimator in all_estimators(include_neural=False)
    if hasattr(estimator, "partial_fit")
]
print(f"\nestimators of the package with partial_fit: {', '.join(learners)}")
block_size = 200
full = PCA(n_components=20).fit(X)
streamed = partial_fit_blocks(PCA(n_components=20), X, block_size=block_size)
gap = np.abs(full.explained_variance_ - streamed.explained_variance_).max()
alignment = np.abs(np.sum(full.components_ * streamed.components_, axis=1))
print(
    f"PCA(20) from {-(-len(X) // block_size)} blocks against one fit on all "
    f"{len(X)} digits: largest eigenvalue difference {gap:.1e}, smallest "
    f"|cos| between matching components {alignment.min():.12f}"
)

# %%
# scikit-learn's name for the same thing is ``IncrementalPCA``: ``fit`` reads X
# in batches of ``batch_size`` rows and merges their statistics, so its model is
# the full PCA's whatever the batches (scikit-learn's incremental SVD
# approximates it).
incremental = IncrementalPCA(n_components=20, batch_size=block_size).fit(X)
gap = np.abs(full.explained_variance_ - incremental.explained_variance_).max()
print(f"IncrementalPCA(20, batch_size={block_size}): {incremental.n_samples_seen_} "
      f"rows seen, largest eigenvalue difference to PCA(20) {gap:.1e}")
