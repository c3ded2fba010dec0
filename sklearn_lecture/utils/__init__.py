"""Utilities shared by the estimators of sklearn_lecture."""

from ._dask import partial_fit_blocks
from .discovery import all_estimators

__all__ = ["all_estimators", "partial_fit_blocks"]
