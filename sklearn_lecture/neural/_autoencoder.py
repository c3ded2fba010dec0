"""Placeholder, being written."""

from sklearn.base import BaseEstimator


class Autoencoder(BaseEstimator):
    pass


class SparseAutoencoder(BaseEstimator):
    pass


class DenoisingAutoencoder(BaseEstimator):
    pass

