"""
========================================================================
Common factor analysis: factor table, Kaiser, parallel analysis, merging
========================================================================

The common factor model ``x = Λ f + ε`` explains only the variance the
variables share: each variable keeps a uniqueness ψ_i, and its communality
``h_i = Σ_j λ_ij²`` is the part the factors explain (PCA, by contrast,
explains everything). :class:`sklearn_lecture.CommonFactorAnalysis` fits it
by iterated principal axes, minimum residuals or maximum likelihood and
rotates the loadings (varimax by default) so that each variable loads on few
factors.

How many factors? Kaiser's rule keeps the eigenvalues of the correlation
matrix above 1; Horn's parallel analysis keeps those that beat the 95th
percentile of the eigenvalues of random data of the same shape. On the wine
data they agree (3); on the 30 breast-cancer measurements Kaiser keeps one
more than parallel analysis.

Last, the lecture's own description of factor analysis, "compute the
correlation matrix, then repeatedly merge the two most correlated
variables", is :class:`sklearn_lecture.CorrelationMerging`; it is compared
with scikit-learn's ``FeatureAgglomeration`` and with the factor model.
"""

# %%
import matplotlib

matplotlib.use("Agg")

import os
import warnings
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
from sklearn.cluster import FeatureAgglomeration
from sklearn.datasets import load_breast_cancer, load_wine
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import adjusted_rand_score
from sklearn.model_selection import cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_lecture import (
    CommonFactorAnalysis,
    CorrelationMerging,
    HeywoodWarning,
    ScreeDisplay,
    bartlett_sphericity,
    kmo,
)

output_root = Path(os.environ.get("SKLEARN_LECTURE_OUTPUT", "lecture_plots"))
output_dir = output_root / "examples"
output_dir.mkdir(parents=True, exist_ok=True)

wine = load_wine(as_frame=True)
X_wine, y_wine = wine.data, wine.target

# %%
# Are the data fit for a factor analysis?
# ---------------------------------------
# Bartlett's test rejects "the variables are uncorrelated"; the
# Kaiser-Meyer-Olkin measure compares correlations with partial correlations
# (above 0.6 is usually judged adequate).
statistic, dof, p_value = bartlett_sphericity(X_wine)
msa, overall = kmo(X_wine)
print(f"wine: Bartlett chi2 = {statistic:.1f} on {dof} dof, p = {p_value:.1e}; "
      f"KMO = {overall:.3f} (lowest variable: {X_wine.columns[np.argmin(msa)]}, "
      f"{msa.min():.3f})")

# %%
# The factor table
# ----------------
# Three factors chosen by parallel analysis, principal axes, varimax. Loadings
# below 0.3 are left blank so that the structure stands out. The table is a
# FactorTable, whose columns are also arrays: the variables with the lowest
# communality are those the common factors explain least (most of their
# variance is unique).
fa = CommonFactorAnalysis("parallel", random_state=0).fit(X_wine)
print(f"\nCommonFactorAnalysis(n_components='parallel'): {fa.n_factors_} factors, "
      f"{fa.n_iter_} principal-axis iterations")
table = fa.factor_table()
print(table.to_string(hide_below=0.3))


def least_explained(table, n=3):
    """The n variables of lowest communality h_i, with h_i and uniqueness psi_i."""
    order = np.argsort(table.communalities)[:n]
    return ", ".join(
        f"{table.feature_names[i]} (h = {table.communalities[i]:.2f}, "
        f"psi = {table.uniquenesses[i]:.2f})" for i in order
    )


print(f"least explained by the {fa.n_factors_} factors: {least_explained(table)}")

# %%
# Kaiser's rule and parallel analysis
# -----------------------------------
cancer = load_breast_cancer()
fits = {}
print("\nnumber of factors:")
for name, X in (("wine", X_wine), ("breast cancer", cancer.data)):
    with warnings.catch_warnings():
        # Some breast-cancer variables (radius, perimeter, area) are almost
        # collinear: Heywood cases, reported by a HeywoodWarning.
        warnings.simplefilter("ignore", HeywoodWarning)
        kaiser = CommonFactorAnalysis("kaiser").fit(X)
        parallel = CommonFactorAnalysis("parallel", random_state=0).fit(X)
    fits[name] = parallel
    first = parallel.eigenvalues_[: parallel.n_factors_ + 2]
    reference = parallel.parallel_eigenvalues_[: parallel.n_factors_ + 2]
    print(f"  {name:>13}: Kaiser {kaiser.n_factors_}, parallel analysis "
          f"{parallel.n_factors_}")
    print("      eigenvalues:      " + " ".join(f"{v:6.3f}" for v in first))
    print("      95th pct, random: " + " ".join(f"{v:6.3f}" for v in reference))

fig, axes = plt.subplots(1, 3, figsize=(17, 4.5))
for ax, (name, estimator) in zip(axes[:2], fits.items()):
    ScreeDisplay.from_estimator(estimator, ax=ax, name=name)
image = axes[2].imshow(fa.loadings_, cmap="RdBu_r", vmin=-1, vmax=1, aspect="auto")
axes[2].set_yticks(range(X_wine.shape[1]), X_wine.columns, fontsize=8)
axes[2].set_xticks(range(fa.n_factors_), [f"factor {j + 1}" for j in range(3)])
axes[2].set_title("wine: varimax loadings")
fig.colorbar(image, ax=axes[2])
fig.tight_layout()
path = output_dir / "factor_analysis_scree.png"
fig.savefig(path, dpi=90)
plt.close(fig)
print(f"wrote {path}")

# %%
# Merging correlated variables, agglomeration and the factor model
# ----------------------------------------------------------------
# Three groupings of the 13 wine variables into three:
#
# - CorrelationMerging: the lecture's procedure (sign-aligned means of
#   standardized variables, merged by absolute correlation);
# - FeatureAgglomeration: scikit-learn's Ward clustering of the standardized
#   columns (a negatively correlated variable looks far away to it);
# - CommonFactorAnalysis: each variable to the factor it loads on most.


def factor_groups(estimator):
    return np.argmax(np.abs(estimator.loadings_), axis=1)


def merging_groups(estimator):
    labels = np.empty(estimator.n_features_in_, dtype=int)
    for g, members in enumerate(estimator.groups_):
        labels[members] = g
    return labels


Z_wine = StandardScaler().fit_transform(X_wine)
merging = CorrelationMerging(3).fit(X_wine)
agglomeration = FeatureAgglomeration(3).fit(Z_wine)
labels = {
    "merging": merging_groups(merging),
    "agglomeration": agglomeration.labels_,
    "factors": factor_groups(fa),
}
print("\nwine variables grouped by each method:")
print(f"  {'variable':>28}  {'merging':>7}  {'agglom.':>7}  {'factor':>6}")
for i, name in enumerate(X_wine.columns):
    print(f"  {name:>28}  {labels['merging'][i]:>7}  "
          f"{labels['agglomeration'][i]:>7}  {labels['factors'][i]:>6}")
names = list(labels)
for a in range(3):
    for b in range(a + 1, 3):
        ari = adjusted_rand_score(labels[names[a]], labels[names[b]])
        print(f"  adjusted Rand index {names[a]} vs {names[b]}: {ari:.3f}")
print("  first merges: " + "; ".join(
    f"{'+'.join(X_wine.columns[list(g)])} ~ {'+'.join(X_wine.columns[list(h)])} "
    f"(r = {r:+.2f})" for g, h, r in merging.merge_history_[:3]
))

print("\nthree derived features -> logistic regression, 5-fold accuracy on wine:")
reducers = {
    "CorrelationMerging(3)": CorrelationMerging(3),
    "FeatureAgglomeration(3)": make_pipeline(
        StandardScaler(), FeatureAgglomeration(3)
    ),
    "CommonFactorAnalysis(3)": CommonFactorAnalysis(3),
}
for name, reducer in reducers.items():
    pipe = make_pipeline(reducer, LogisticRegression(max_iter=1000))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", HeywoodWarning)
        scores = cross_val_score(pipe, X_wine, y_wine, cv=5)
    print(f"  {name:>24}: {scores.mean():.3f} +- {scores.std():.3f}")

# %%
# A known structure with a reversed variable
# ------------------------------------------
# Twelve variables on three independent factors, one of them loading
# negatively (a reverse-coded questionnaire item, say). Which method finds
# the blocks?
rng = np.random.default_rng(0)
true_loadings = np.zeros((12, 3))
true_loadings[np.arange(12), np.repeat([0, 1, 2], 4)] = rng.uniform(0.6, 0.9, 12)
true_loadings[5] *= -1
factors = rng.standard_normal((500, 3))
noise = rng.standard_normal((500, 12)) * np.sqrt(1 - (true_loadings**2).sum(axis=1))
X_blocks = factors @ true_loadings.T + noise
truth = np.repeat([0, 1, 2], 4)
found = {
    "CorrelationMerging": merging_groups(CorrelationMerging(3).fit(X_blocks)),
    "FeatureAgglomeration": FeatureAgglomeration(3).fit(
        StandardScaler().fit_transform(X_blocks)
    ).labels_,
    "CommonFactorAnalysis": factor_groups(CommonFactorAnalysis(3).fit(X_blocks)),
}
print("\ngenerated blocks (variable 5 reversed), adjusted Rand index to the truth:")
for name, lab in found.items():
    print(f"  {name:>21}: {adjusted_rand_score(truth, lab):.3f}   groups {lab}")

fig, axes = plt.subplots(1, 3, figsize=(13, 3.6), sharey=True)
for ax, (name, lab) in zip(axes, found.items()):
    membership = np.zeros((12, 3))
    membership[np.arange(12), lab] = 1
    ax.imshow(membership * np.sign(true_loadings.sum(axis=1))[:, None],
              cmap="RdBu_r", vmin=-1, vmax=1, aspect="auto")
    ax.set_title(f"{name}\nARI {adjusted_rand_score(truth, lab):.2f}")
    ax.set_xlabel("group")
    ax.set_xticks(range(3))
axes[0].set_ylabel("variable (true block of 4; blue: reversed)")
axes[0].set_yticks(range(12))
fig.tight_layout()
path = output_dir / "factor_merging_comparison.png"
fig.savefig(path, dpi=90)
plt.close(fig)
print(f"wrote {path}")
