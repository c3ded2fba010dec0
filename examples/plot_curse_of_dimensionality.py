"""
=========================================================
The curse of dimensionality: Trunk's peaking and the cube
=========================================================

Why reduce the dimension at all? Two of the lecture's pictures.

**Peaking.** In Trunk's (1979) problem two Gaussian classes with identity
covariance have opposite means ``±(1, 1/√2, 1/√3, ...)``: every new feature
separates them a little more, and the Bayes error
``P(e) = ∫_{γ/2}^∞ N(0, 1)`` (γ the Mahalanobis distance between the means)
falls to zero as d grows. A classifier that must *estimate* the means from n
samples pays for each feature with estimation noise; past some d the noise
outweighs the gain, and its error climbs back towards 1/2. Shown for a plug-in
Gaussian classifier (nearest estimated mean, the covariance known to be the
identity) and for :class:`sklearn_lecture.FisherLDA` (which estimates the
covariance too, so it needs d < n and peaks much earlier).

Both classifiers are linear, ``w·x + b > 0``, so their test error on Trunk's
classes is exact: ``½ [Φ(-(w·μ + b)/‖w‖) + Φ((b - w·μ)/‖w‖)]``, with no test
set needed; it is averaged over 20 training sets per (n, d).

**The hypercube.** With data spread uniformly in the unit cube, a sub-cube
holding a fraction p of them needs the edge ``L = p^(1/d)``: at d = 10, 1 %
of the data needs 63 % of every axis' range and 10 % needs 80 %. A
"neighbourhood" is then no longer local.
"""

# %%
import matplotlib

matplotlib.use("Agg")

import os
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
from scipy.stats import norm

from sklearn_lecture import FisherLDA
from sklearn_lecture.datasets import make_trunk, trunk_bayes_error

output_root = Path(os.environ.get("SKLEARN_LECTURE_OUTPUT", "lecture_plots"))
output_dir = output_root / "examples"
output_dir.mkdir(parents=True, exist_ok=True)

N_REPEATS = 20
SAMPLE_SIZES = (20, 50, 200)
DIMS = np.array([1, 2, 3, 5, 7, 10, 15, 20, 30, 50, 70, 100, 150, 200, 300, 500,
                 1000, 2000])


def linear_error(w, b, mean):
    """Exact error of 'class 1 when w.x + b > 0' on Trunk's two classes."""
    spread = np.linalg.norm(w)
    shift = w @ mean
    return 0.5 * (norm.cdf(-(shift + b) / spread) + norm.cdf((b - shift) / spread))


def plug_in_error(X, y, mean):
    """Nearest estimated mean: w = m1 - m0, threshold halfway."""
    m1, m0 = X[y == 1].mean(axis=0), X[y == 0].mean(axis=0)
    w = m1 - m0
    return linear_error(w, -w @ (m1 + m0) / 2, mean)


def fisher_error(X, y, mean):
    """FisherLDA's rule, read off its (affine) decision function."""
    lda = FisherLDA().fit(X, y)
    d = X.shape[1]
    values = lda.decision_function(np.vstack([np.zeros(d), np.eye(d)]))
    return linear_error(values[1:] - values[0], values[0], mean)


# %%
# Test error against the dimension
# --------------------------------
bayes = trunk_bayes_error(DIMS)
errors = {"plug-in": {}, "FisherLDA": {}}
for n in SAMPLE_SIZES:
    for name, rule in (("plug-in", plug_in_error), ("FisherLDA", fisher_error)):
        # FisherLDA's within-class scatter has rank n - 2: it needs d < n - 2.
        dims = DIMS if name == "plug-in" else DIMS[DIMS <= n - 3]
        curve = []
        for d in dims:
            mean = 1 / np.sqrt(np.arange(1, d + 1))
            runs = [
                rule(*make_trunk(n, int(d), random_state=rep), mean)
                for rep in range(N_REPEATS)
            ]
            curve.append(np.mean(runs))
        errors[name][n] = (dims, np.array(curve))

print("Bayes error P(e) = Phi(-sqrt(H_d)):")
print("  " + "  ".join(f"d={d}: {e:.4f}" for d, e in zip(DIMS[::3], bayes[::3])))
print()
print(f"mean test error over {N_REPEATS} training sets (exact, no test set):")
print(f"{'classifier':>10} {'n':>4} {'d=1':>7} {'best d':>7} {'error':>7} "
      f"{'d_max':>6} {'error':>7}")
for name, curves in errors.items():
    for n, (dims, curve) in curves.items():
        best = int(np.argmin(curve))
        print(f"{name:>10} {n:>4} {curve[0]:7.4f} {dims[best]:>7} "
              f"{curve[best]:7.4f} {dims[-1]:>6} {curve[-1]:7.4f}")

# %%
# The hypercube: edge needed for a fraction p of uniform data
# -----------------------------------------------------------
fractions = (0.01, 0.1)
cube_dims = np.arange(1, 101)
print()
print("edge L = p^(1/d) of the sub-cube holding a fraction p of uniform data:")
for d in (1, 2, 3, 10, 100):
    print(f"  d = {d:>3}: " + ", ".join(
        f"p = {p:.0%} -> L = {p ** (1 / d):.3f}" for p in fractions
    ))
# Check by sampling: the fraction of uniform points inside [0, L]^10.
rng = np.random.default_rng(0)
U = rng.uniform(size=(200_000, 10))
for p in fractions:
    edge = p ** (1 / 10)
    inside = np.mean(np.all(U <= edge, axis=1))
    print(f"  sampled, d = 10, L = {edge:.3f}: {inside:.2%} of 200000 points "
          f"inside (expected {p:.0%})")

# %%
# Figures
# -------
fig, axes = plt.subplots(1, 2, figsize=(13, 4.8))
ax = axes[0]
ax.plot(DIMS, bayes, "k-", linewidth=2, label="Bayes error")
colors = dict(zip(SAMPLE_SIZES, ("tab:red", "tab:orange", "tab:blue")))
for name, style in (("plug-in", "-o"), ("FisherLDA", "--s")):
    for n, (dims, curve) in errors[name].items():
        ax.plot(dims, curve, style, color=colors[n], markersize=3,
                label=f"{name}, n = {n}")
ax.set_xscale("log")
ax.set_xlabel("number of features d")
ax.set_ylabel("test error")
ax.set_ylim(0, 0.3)
ax.set_title("Trunk's problem: peaking")
ax.legend(fontsize=8, ncol=2)

ax = axes[1]
for p in fractions:
    ax.plot(cube_dims, p ** (1 / cube_dims), label=f"p = {p:.0%}")
ax.axvline(10, color="gray", linestyle=":")
for p in fractions:
    ax.annotate(f"{p ** 0.1:.3f}", (10, p ** 0.1), xytext=(5, -12),
                textcoords="offset points")
ax.set_xlabel("dimension d")
ax.set_ylabel("edge length L = p^(1/d)")
ax.set_ylim(0, 1.02)
ax.set_title("Sub-cube holding a fraction p of uniform data")
ax.legend()
fig.tight_layout()
path = output_dir / "curse_of_dimensionality.png"
fig.savefig(path, dpi=90)
plt.close(fig)
print(f"wrote {path}")
