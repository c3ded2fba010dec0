"""
=====================================================
Walking the latent space of a GAN
=====================================================

A generator maps every point z of its latent space to a sample, and nearby
points to similar samples: the lecture's interpolation in latent space. Going
from one code to another, the samples morph from one digit into another
through plausible intermediate shapes, rather than cross-fading pixel by
pixel as the straight line between two images would.

Two paths between the same codes: the straight line (1 − t)·z₀ + t·z₁, and the
spherical one (slerp), which keeps the norm of the codes. The codes of a
d-dimensional Gaussian lie near the sphere of radius √d; the midpoint of the
straight line falls inside it, where the generator has seen few codes (White,
"Sampling generative networks", 2016).

For the tour the GAN trains 60 epochs only (a few seconds).
"""

# %%
import matplotlib

matplotlib.use("Agg")

import os
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_digits
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_lecture import GAN

output_root = Path(os.environ.get("SKLEARN_LECTURE_OUTPUT", "lecture_plots"))
output_dir = output_root / "examples"
output_dir.mkdir(parents=True, exist_ok=True)

# %%
X, y = load_digits(return_X_y=True)
gan = GAN(max_epochs=60, random_state=0).fit(X)
rng = np.random.RandomState(3)
pairs = [(rng.randn(gan.latent_dim), rng.randn(gan.latent_dim)) for _ in range(3)]
n_steps = 9
paths = {
    method: [gan.interpolate(z0, z1, n_steps=n_steps, method=method)
             for z0, z1 in pairs]
    for method in ("linear", "slerp")
}

# %%
# How far from the sphere the straight path goes, and how much the samples
# change from one step to the next (a smooth walk changes a little each step).
t = np.linspace(0, 1, n_steps)
print(f"latent_dim = {gan.latent_dim}: codes lie near radius "
      f"√{gan.latent_dim} = {np.sqrt(gan.latent_dim):.2f}")
for i, (z0, z1) in enumerate(pairs):
    middle = np.linalg.norm((z0 + z1) / 2)
    print(f"pair {i}: |z0| = {np.linalg.norm(z0):.2f}, |z1| = "
          f"{np.linalg.norm(z1):.2f}, |midpoint of the line| = {middle:.2f}")
# A classifier of the real digits reads the digit at each step of the path.
clf = make_pipeline(StandardScaler(), LogisticRegression(max_iter=5000)).fit(X, y)
for method, rows in paths.items():
    for i, path in enumerate(rows):
        digits = " ".join(str(d) for d in clf.predict(path))
        print(f"{method:>6} path {i}: digits read along the path {digits}")
for method, rows in paths.items():
    steps = [np.abs(np.diff(path, axis=0)).mean() for path in rows]
    ends = [np.abs(path[-1] - path[0]).mean() for path in rows]
    print(f"{method:>6}: mean pixel change per step {np.mean(steps):.2f} "
          f"(end to end {np.mean(ends):.2f}, pixels 0-16)")

# %%
fig, axes = plt.subplots(2 * len(pairs), n_steps, figsize=(n_steps, 2 * len(pairs)))
for p in range(len(pairs)):
    for m, method in enumerate(("linear", "slerp")):
        row = axes[2 * p + m]
        for ax, image in zip(row, paths[method][p]):
            ax.imshow(image.reshape(8, 8), cmap="gray_r", vmin=0, vmax=16)
            ax.set_xticks([])
            ax.set_yticks([])
        row[0].set_ylabel(method, fontsize=8)
fig.suptitle("latent interpolation: z₀ (left) to z₁ (right)")
fig.tight_layout()
fig.savefig(output_dir / "latent_interpolation.png", dpi=80)
print(f"wrote {output_dir / 'latent_interpolation.png'}")
