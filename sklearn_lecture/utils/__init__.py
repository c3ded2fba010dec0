"""Utilities shared by the estimators of sklearn_lecture."""

from .discovery import all_estimators

__all__ = ["all_estimators"]
