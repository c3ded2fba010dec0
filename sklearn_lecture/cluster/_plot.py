"""Placeholder, being written."""

from sklearn.base import BaseEstimator


class ElbowDisplay(BaseEstimator):
    pass

