"""Placeholder, being written."""

from sklearn.base import BaseEstimator


class RNNRegressor(BaseEstimator):
    pass

