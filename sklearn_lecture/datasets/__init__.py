"""Generated data sets for the sequence models (no download)."""

from ._sequences import make_adding_problem, make_mackey_glass

__all__ = ["make_adding_problem", "make_mackey_glass"]
