"""
==================================================
Fisher's discriminant versus PCA on the wine data
==================================================

PCA keeps the directions of largest variance and ignores the labels;
Fisher's linear discriminant keeps the directions that maximise the ratio of
between-class to within-class scatter, ``J(w) = w^T S_B w / w^T S_W w``.
Both project the 13 standardized wine features onto two dimensions; the
three cultivars separate far more cleanly on Fisher's axes. The accuracies
below are those of a nearest-class-mean classifier in each 2-D projection
(cross-validated), and of FisherLDA's own classifier. Last, on the digits,
pixels that are blank in every image make the within-class scatter ``S_W``
singular: the svd solver drops those directions, the eigen solver warns and
regularises S_W.
"""

# %%
import matplotlib

matplotlib.use("Agg")

import os
import warnings
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_digits, load_wine
from sklearn.model_selection import StratifiedKFold, cross_val_score
from sklearn.neighbors import NearestCentroid
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_lecture import PCA, FisherLDA, SingularScatterWarning

output_root = Path(os.environ.get("SKLEARN_LECTURE_OUTPUT", "lecture_plots"))
output_dir = output_root / "examples"
output_dir.mkdir(parents=True, exist_ok=True)

X, y = load_wine(return_X_y=True)
X = StandardScaler().fit_transform(X)

# %%
# Two projections
# ---------------
pca = PCA(n_components=2).fit(X)
fisher = FisherLDA(n_components=2).fit(X, y)
projections = {
    f"PCA ({100 * pca.explained_variance_ratio_.sum():.0f} % of the variance)": (
        pca.transform(X)
    ),
    "Fisher's discriminant": fisher.transform(X),
}

fig, axes = plt.subplots(1, 2, figsize=(10, 4.2))
for ax, (title, T) in zip(axes, projections.items()):
    for label, marker in zip(np.unique(y), "os^"):
        ax.scatter(*T[y == label].T, s=18, marker=marker, label=f"cultivar {label}")
    ax.set_title(title)
    ax.set_xlabel("direction 1")
    ax.set_ylabel("direction 2")
axes[0].legend()
fig.tight_layout()
path = output_dir / "fisher_vs_pca_wine.png"
fig.savefig(path, dpi=100)
plt.close(fig)

# %%
# Accuracies
# ----------
cv = StratifiedKFold(5, shuffle=True, random_state=0)
projectors = [("PCA", PCA(n_components=2)), ("Fisher", FisherLDA(n_components=2))]
for name, projector in projectors:
    model = make_pipeline(projector, NearestCentroid())
    scores = cross_val_score(model, X, y, cv=cv)
    print(f"nearest class mean on {name:>6}'s 2 directions: {scores.mean():.3f}")
scores = cross_val_score(FisherLDA(), X, y, cv=cv)
print(f"FisherLDA classifier, cross-validated:          {scores.mean():.3f}")
print(f"FisherLDA classifier, on the training data:     {fisher.score(X, y):.3f}")
print(f"wrote {path}")

# %%
# A singular within-class scatter: the digits
# -------------------------------------------
# The directions solve ``S_B w = λ S_W w``, which needs S_W invertible. Some of
# the 64 pixels of the digits are blank in every image, so S_W is singular. The
# default svd solver (scikit-learn's) whitens only the directions S_W does not
# null; ``solver="eigen"`` says so with a SingularScatterWarning and adds a tiny
# ridge to S_W; ``shrinkage="auto"`` (Ledoit-Wolf) regularises S_W instead.
X_digits, y_digits = load_digits(return_X_y=True)
blank = np.flatnonzero(X_digits.std(axis=0) == 0)
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    FisherLDA(solver="eigen").fit(X_digits, y_digits)
singular = [w for w in caught if issubclass(w.category, SingularScatterWarning)]
print(f"\ndigits: pixels {blank.tolist()} are blank in all {len(X_digits)} images; "
      f"{len(singular)} SingularScatterWarning:")
print(f"  {singular[0].message}")
with warnings.catch_warnings():
    warnings.simplefilter("ignore", SingularScatterWarning)
    ridge = cross_val_score(FisherLDA(solver="eigen"), X_digits, y_digits, cv=cv)
svd = cross_val_score(FisherLDA(), X_digits, y_digits, cv=cv)
shrunk = cross_val_score(
    FisherLDA(solver="eigen", shrinkage="auto"), X_digits, y_digits, cv=cv
)
print(f"FisherLDA classifier on the digits, cross-validated: {svd.mean():.3f} "
      f"with the svd solver, {ridge.mean():.3f} with the eigen solver's ridge, "
      f"{shrunk.mean():.3f} with shrinkage='auto'")
