"""Placeholder, being written."""

from sklearn.base import BaseEstimator


class ScreeDisplay(BaseEstimator):
    pass

