"""Placeholder, being written."""

from sklearn.base import BaseEstimator


class StackedAutoencoder(BaseEstimator):
    pass


class StackedAutoencoderClassifier(BaseEstimator):
    pass

