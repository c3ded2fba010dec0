"""
=================================================
The PCA neural network finds the axes themselves
=================================================

The lecture's PCA network is a linear autoassociator: the code y = W x, the
reconstruction W^T y. A plain linear autoencoder trained on the squared error
finds only the principal subspace (any rotation of the axes in it reconstructs as
well). ``PCANetwork`` trains on the nested loss ``sum_j ||x - sum_{i<=j} y_i w_i||^2``
(Sanger's generalized Hebbian rule in batch form), which orders the units: each
weight vector converges to an eigenvector of the covariance matrix, w_j -> e_j,
and each code's variance to its eigenvalue, Var(y_j) -> lambda_j. Compared here
with ``PCA`` on the standardized wine data.
"""

# %%
import matplotlib

matplotlib.use("Agg")

import os
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_wine
from sklearn.preprocessing import StandardScaler

from sklearn_lecture import PCA, PCANetwork

output_root = Path(os.environ.get("SKLEARN_LECTURE_OUTPUT", "lecture_plots"))
output_dir = output_root / "examples"
output_dir.mkdir(parents=True, exist_ok=True)

X = StandardScaler().fit_transform(load_wine(return_X_y=True)[0])
pca = PCA(3).fit(X)
net = PCANetwork(3, lr=0.01, max_epochs=60, batch_size=32, random_state=0).fit(X)

# %%
# Each unit against the matching eigenvector (an absolute cosine of 1: the same
# axis up to sign) and its code's variance against the eigenvalue.
norms = np.linalg.norm(net.components_, axis=1)
cosines = np.abs(np.sum(net.components_ * pca.components_, axis=1)) / norms
for j, (c, var, lam) in enumerate(
    zip(cosines, net.explained_variance_, pca.explained_variance_), start=1
):
    print(f"unit {j}: |cos(w_j, e_j)| = {c:.4f}, Var(y_j) = {var:.3f}, "
          f"lambda_j = {lam:.3f}")

# %%
fig, axes = plt.subplots(1, 3, figsize=(10, 3.2), sharey=True)
for j, ax in enumerate(axes):
    sign = np.sign(net.components_[j] @ pca.components_[j])
    ax.bar(np.arange(X.shape[1]) - 0.2, pca.components_[j], 0.4, label="PCA e_j")
    ax.bar(np.arange(X.shape[1]) + 0.2, sign * net.components_[j], 0.4,
           label="network w_j")
    ax.set_title(f"axis {j + 1}: |cos| = {cosines[j]:.3f}")
    ax.set_xlabel("feature")
axes[0].legend()
fig.tight_layout()
path = output_dir / "pca_network.png"
fig.savefig(path, dpi=100)
plt.close(fig)
print(f"wrote {path}")
