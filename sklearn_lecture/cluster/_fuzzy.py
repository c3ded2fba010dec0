"""Placeholder, being written."""

from sklearn.base import BaseEstimator


class FuzzyKMeans(BaseEstimator):
    pass

