"""Generated data sets for the sequence models (no download)."""

from ._sequences import make_adding_problem, make_mackey_glass
from ._trunk import make_trunk, trunk_bayes_error

__all__ = [
    "make_adding_problem",
    "make_mackey_glass",
    "make_trunk",
    "trunk_bayes_error",
]
