"""
============================================================
Image segmentation by k-means on the colours of the pixels
============================================================

Each pixel is a point in RGB space. k-means with K clusters finds K colours;
replacing every pixel by its centroid segments the image into K regions of one
colour each (and compresses it: K colours instead of millions). The lecture
shows K = 2, 3 and 10.

Fitting on all 273 280 pixels is not needed: the centroids are learnt on a
random sample of pixels, then every pixel is assigned by ``predict``. Mini-batch
k-means (:class:`~sklearn_lecture.MiniBatchKMeans`) is the other way: it sees
every pixel, a random batch of 1024 at a time.
"""

# %%
import matplotlib

matplotlib.use("Agg")

import os
import time
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_sample_image

from sklearn_lecture import KMeans, MiniBatchKMeans

output_root = Path(os.environ.get("SKLEARN_LECTURE_OUTPUT", "lecture_plots"))
output_dir = output_root / "examples"
output_dir.mkdir(parents=True, exist_ok=True)

image = load_sample_image("china.jpg").astype(np.float64) / 255.0
height, width, _ = image.shape
pixels = image.reshape(-1, 3)
sample = pixels[np.random.RandomState(0).choice(len(pixels), 5000, replace=False)]
print(f"image {height} x {width}: {len(pixels)} pixels, fit on {len(sample)}")

# %%
# Segment with K = 2, 3 and 10 colours.
fig, axes = plt.subplots(2, 2, figsize=(12, 8))
axes[0, 0].imshow(image)
axes[0, 0].set_title("original")
for ax, k in zip(axes.ravel()[1:], [2, 3, 10]):
    start = time.perf_counter()
    km = KMeans(k, random_state=0).fit(sample)
    labels = km.predict(pixels)
    elapsed = time.perf_counter() - start
    segmented = km.cluster_centers_[labels].reshape(image.shape)
    j = np.mean(np.sum((pixels - km.cluster_centers_[labels]) ** 2, axis=1))
    print(f"K={k:2d}: J on all pixels {j:.4f}, fit + predict {elapsed:.2f} s")
    ax.imshow(np.clip(segmented, 0, 1))
    ax.set_title(f"K = {k}")
for ax in axes.ravel():
    ax.axis("off")
fig.tight_layout()
fig.savefig(output_dir / "image_segmentation.png", dpi=70)
print(f"wrote {output_dir / 'image_segmentation.png'}")

# %%
# Mini-batch k-means on all the pixels, K = 10: each step moves the centroids
# towards the means of a random batch; it stops when the smoothed batch inertia
# stops falling.
start = time.perf_counter()
mbk = MiniBatchKMeans(10, random_state=0).fit(pixels)
elapsed = time.perf_counter() - start
print(f"MiniBatchKMeans K=10: J on all pixels {mbk.distortion_:.4f} after "
      f"{mbk.n_steps_} batches ({elapsed:.2f} s)")
