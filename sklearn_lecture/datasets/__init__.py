"""Generated data sets for the sequence models (no download)."""

from ._sequences import (
    make_adding_problem,
    make_mackey_glass,
    make_sequence_labelling,
    make_temporal_order,
    to_channels_last,
)
from ._trunk import make_trunk, trunk_bayes_error

__all__ = [
    "make_adding_problem",
    "make_mackey_glass",
    "make_temporal_order",
    "make_sequence_labelling",
    "to_channels_last",
    "make_trunk",
    "trunk_bayes_error",
]
