"""
=====================================================
A GAN learns a 1-D distribution
=====================================================

The lecture's picture of distribution learning (Goodfellow et al. 2014, figure 1):
the data density p_data (black), the density of the generator's samples p_g
(green) and the discriminator's output D(x) (blue, dashed), a few times during
training. Early on D separates the two densities; as the generator moves its
mass onto the data, D is pushed towards 1/2 everywhere, the equilibrium of the
minimax game, where p_g = p_data and D cannot tell them apart.

:class:`sklearn_lecture.GAN` with a one-dimensional latent code, trained one
epoch at a time with ``partial_fit`` so that the figure can look in between.
"""

# %%
import matplotlib

matplotlib.use("Agg")

import os
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
from scipy.stats import norm

from sklearn_lecture import GAN

output_root = Path(os.environ.get("SKLEARN_LECTURE_OUTPUT", "lecture_plots"))
output_dir = output_root / "examples"
output_dir.mkdir(parents=True, exist_ok=True)

# %%
# The data: 1000 draws of N(4, 0.5²). The generator starts as a random map of
# z ~ N(0, 1).
rng = np.random.RandomState(0)
mean, std = 4.0, 0.5
X = rng.normal(mean, std, size=(1000, 1))
gan = GAN(
    latent_dim=1,
    generator_layer_sizes=(16, 16),
    discriminator_layer_sizes=(32, 32),
    batch_norm=False,
    lr=5e-4,
    random_state=0,
)
grid = np.linspace(2.0, 6.0, 400)[:, None]
shown = (1, 10, 30, 80)
frames = {}
for epoch in range(1, shown[-1] + 1):
    gan.partial_fit(X)
    if epoch in shown:
        samples = gan.sample(5000, random_state=1)
        d = 1 / (1 + np.exp(-gan.score_samples(grid)))
        frames[epoch] = (samples[:, 0], d)

print(f"data: mean {mean:.2f}, std {std:.2f}")
print(f"{'epoch':>6}{'G mean':>9}{'G std':>8}{'mean D(x) on data':>20}")
for epoch, (samples, d) in frames.items():
    d_data = np.interp(X[:, 0], grid[:, 0], d).mean()
    print(f"{epoch:>6}{samples.mean():>9.2f}{samples.std():>8.2f}{d_data:>20.2f}")
print(f"equilibrium: D(x) = 1/2; final mean D(x) on the data "
      f"{np.mean(1 / (1 + np.exp(-gan.score_samples(X)))):.2f}")

# %%
# One panel per epoch shown: p_data, a histogram of the generator's samples
# and D(x).
fig, axes = plt.subplots(1, len(shown), figsize=(4 * len(shown), 3.2), sharey=True)
for ax, (epoch, (samples, d)) in zip(axes, frames.items()):
    ax.plot(grid, norm.pdf(grid, mean, std), "k", label="p_data")
    ax.hist(samples, bins=80, range=(2, 6), density=True, color="tab:green",
            alpha=0.5, label="p_g (samples)")
    ax.plot(grid, d, "--", color="tab:blue", label="D(x)")
    ax.axhline(0.5, color="gray", lw=0.5)
    ax.set_title(f"epoch {epoch}")
    ax.set_xlabel("x")
axes[0].legend(loc="upper left", fontsize=8)
fig.tight_layout()
fig.savefig(output_dir / "gan_1d.png", dpi=80)
print(f"wrote {output_dir / 'gan_1d.png'}")
