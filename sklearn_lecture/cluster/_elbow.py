"""Placeholder."""

from sklearn.base import BaseEstimator


class NoElbowWarning(UserWarning):
    pass


class ElbowKMeans(BaseEstimator):
    pass
