"""The lecture's PCA neural network: a linear autoassociator that finds the axes."""

import numpy as np
import torch
from sklearn.base import TransformerMixin
from sklearn.utils.validation import check_is_fitted, validate_data

from ..utils._params import store_params
from ._base import BaseNeuralNet, fill_net_doc, fit_guard
from ._modules import TrainedModule


class NestedAutoassociator(TrainedModule):
    def __init__(self, n_features, n_components):
        super().__init__()
        self.weight = torch.nn.Parameter(0.1 * torch.randn(n_components, n_features))

    def forward(self, x):  # x − Σ_{i≤j} y_i w_i for j = 1..k, shape (n, k, d)
        return x[:, None, :] - ((x @ self.weight.T)[:, :, None] * self.weight).cumsum(1)


class NestedLoss(torch.nn.Module):
    def forward(self, residuals, target):
        return residuals.pow(2).sum(dim=(1, 2)).mean()


@fill_net_doc
class PCANetwork(TransformerMixin, BaseNeuralNet):
    """Linear autoassociator whose weights converge to PCA's eigenvectors.

    A linear autoencoder finds only the principal subspace; the nested loss
    Σ_j ‖x − Σ_{i≤j} y_i w_i‖² (Sanger's generalized Hebbian rule in batch form)
    orders the units: w_j → ±e_j and Var(y_j) → λ_j, the covariance's eigenvalues.

    Parameters
    ----------
    n_components : int, default=2
        Number of units k.
    {net_parameters}

    Attributes
    ----------
    components_ : ndarray of shape (n_components, `n_features_in_`)
        The w_j (``explained_variance_``: Var(y_j) in training; ``mean_``: mean).
    {net_attributes}
    """

    _parameter_constraints = {
        **BaseNeuralNet._common_parameter_constraints,
        "n_components": BaseNeuralNet._common_parameter_constraints["batch_size"],
    }
    momentum = rho = 0.9  # shared settings this net does not expose
    early_stopping, validation_fraction, n_iter_no_change = False, 0.1, 10

    def __init__(self, n_components=2, *, optimizer="adam", lr=0.01, max_epochs=100,
                 batch_size=64, warm_start=False, callbacks=None, random_state=None,
                 device="cpu", verbose=0):
        store_params(self, locals())

    def _build_module(self, X, y):
        return NestedAutoassociator(X.shape[1], self.n_components)

    def _build_criterion(self):
        return NestedLoss()

    @fit_guard
    def fit(self, X, y=None):
        X = validate_data(self, X, dtype=[np.float64, np.float32])
        if self.n_components > X.shape[1]:
            raise ValueError(f"n_components={self.n_components} > n_features.")
        self.mean_ = X.mean(axis=0)
        self._fit_net(X - self.mean_)
        self.components_ = self.net_.module_.weight.detach().double().numpy().copy()
        self.explained_variance_ = self.transform(X).var(axis=0, ddof=1)
        return self

    def transform(self, X):
        check_is_fitted(self)
        X = validate_data(self, X, reset=False, dtype=[np.float64, np.float32])
        return ((X - self.mean_) @ self.components_.T).astype(X.dtype, copy=False)
