"""
=====================================================
Generated digits: a DCGAN on the 8 × 8 digits
=====================================================

A DCGAN (transposed convolutions with batch normalisation in the generator,
strided convolutions with leaky ReLU in the discriminator) learns to draw the
handwritten digits of ``load_digits``. As in the lecture's figure, each
generated digit is shown beside its nearest real digit: a generator that
merely copied its training set would show twins.

The samples are rated without any download: a logistic regression trained on
the real digits gives the classifier score (the Inception-score analogue,
between 1 and 10) and the share of each digit class among the samples (mode
coverage); a 1-NN two-sample test in a PCA space says how well generated and
held-out real digits can be told apart (0.5: not at all).

For the tour this trains 40 epochs only (about 20 s on one thread); the
defaults train 300 (see ``benchmarks/gan_quality.py`` for their scores).
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
from sklearn.model_selection import train_test_split
from sklearn.neighbors import NearestNeighbors
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_lecture import DCGAN
from sklearn_lecture.metrics import classifier_score, two_sample_score

output_root = Path(os.environ.get("SKLEARN_LECTURE_OUTPUT", "lecture_plots"))
output_dir = output_root / "examples"
output_dir.mkdir(parents=True, exist_ok=True)

# %%
# Train on three quarters of the digits (raw 0-16 pixel values: the estimator
# scales them itself), keep the rest to judge the samples.
X, y = load_digits(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(
    X, y, test_size=0.25, stratify=y, random_state=0
)
EPOCHS = 40
gan = DCGAN(max_epochs=EPOCHS, random_state=0).fit(X_train)
samples = gan.sample(1000, random_state=0)

# %%
# The scores of the samples, and of the held-out real digits for reference.
clf = make_pipeline(StandardScaler(), LogisticRegression(max_iter=5000))
clf.fit(X_train, y_train)
real = classifier_score(X_test, clf, return_details=True)
fake = classifier_score(samples, clf, return_details=True)
print(f"DCGAN, {EPOCHS} epochs on {len(X_train)} digits "
      f"({sum(r['dur'] for r in gan.history_):.0f} s of training)")
print(f"{'':<24}{'classifier score':>17}{'min class share':>17}{'two-sample':>12}")
print(f"{'held-out real digits':<24}{real.score:>17.2f}{real.min_class_share:>17.3f}"
      f"{two_sample_score(X_test, X_train[: len(X_test)], random_state=0):>12.3f}")
print(f"{'DCGAN samples':<24}{fake.score:>17.2f}{fake.min_class_share:>17.3f}"
      f"{two_sample_score(X_test, samples[: len(X_test)], random_state=0):>12.3f}")
print("class shares of the samples: " + " ".join(
    f"{c}:{s:.2f}" for c, s in zip(fake.classes, fake.class_shares)))
print(f"last epoch: D(x) = {gan.history_[-1]['D(x)']:.2f}, "
      f"D(G(z)) = {gan.history_[-1]['D(G(z))']:.2f}")

# %%
# Real digits, generated digits, the nearest training digit of each generated
# one, and both nets' losses.
nearest = NearestNeighbors(n_neighbors=1).fit(X_train)
shown = samples[:16]
twins = X_train[nearest.kneighbors(shown, return_distance=False)[:, 0]]


def tile(images):
    """16 digits as one 4 × 4 mosaic with a one-pixel gap."""
    mosaic = np.full((4 * 9 + 1, 4 * 9 + 1), np.nan)
    for i, image in enumerate(images):
        r, c = divmod(i, 4)
        mosaic[1 + 9 * r : 9 * r + 9, 1 + 9 * c : 9 * c + 9] = image.reshape(8, 8)
    return mosaic


fig, axes = plt.subplots(1, 4, figsize=(16, 4.2))
panels = [("real digits", X_test[:16]), ("generated", shown),
          ("nearest training digit", twins)]
for ax, (title, images) in zip(axes, panels):
    ax.imshow(tile(images), cmap="gray_r", vmin=0, vmax=16)
    ax.set_title(title)
    ax.axis("off")
axes[3].plot(gan.discriminator_loss_curve_, label="discriminator −V(D, G)")
axes[3].plot(gan.generator_loss_curve_, label="generator −log D(G(z))")
axes[3].set_xlabel("epoch")
axes[3].set_title("losses")
axes[3].legend(fontsize=8)
fig.tight_layout()
fig.savefig(output_dir / "gan_digits.png", dpi=80)
print(f"wrote {output_dir / 'gan_digits.png'}")
