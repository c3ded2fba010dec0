"""
==========================================================
Contribution table and scree plot of PCA on the wine data
==========================================================

The lecture chooses the number of principal components from the
*contribution* of each one: its eigenvalue divided by the sum of all
eigenvalues. Keeping the fewest components whose cumulative contribution
reaches 70 % is the default rule of :class:`sklearn_lecture.PCA`; the Kaiser
rule (eigenvalue above 1 on standardized data) and the scree plot's elbow are
the two other classics.

The wine features have very different units (proline is in the hundreds,
hue around 1), so the analysis runs on the correlation matrix:
``standardize=True``. Its eigenvalues sum to the number of features, 13.
"""

# %%
import matplotlib

matplotlib.use("Agg")

import os
from pathlib import Path

import matplotlib.pyplot as plt
from sklearn.datasets import load_wine

from sklearn_lecture import PCA, ScreeDisplay

output_root = Path(os.environ.get("SKLEARN_LECTURE_OUTPUT", "lecture_plots"))
output_dir = output_root / "examples"
output_dir.mkdir(parents=True, exist_ok=True)

X, _ = load_wine(return_X_y=True)

# %%
# The contribution table
# ----------------------
pca = PCA(n_components=0.7, standardize=True).fit(X)
table = pca.contribution_table()
print(table)
print(f"sum of the eigenvalues: {table.eigenvalues.sum():.6f} (13 features)")

# %%
# The three selection rules
# -------------------------
for rule in (0.7, "kaiser", "scree"):
    n_kept = PCA(n_components=rule, standardize=True).fit(X).n_components_
    print(f"n_components={rule!r:>9}: keeps {n_kept} components")

# %%
# Scree plot
# ----------
# Bars: eigenvalues; red line: cumulative contribution; the dashed line ends
# the components the 70 % rule keeps.
fig, ax = plt.subplots(figsize=(7, 4))
ScreeDisplay.from_estimator(pca, ax=ax, name="wine, standardized")
ax.axhline(1.0, color="gray", linewidth=0.8, linestyle=":")
fig.tight_layout()
path = output_dir / "pca_contribution_scree.png"
fig.savefig(path, dpi=100)
plt.close(fig)
print(f"wrote {path}")
