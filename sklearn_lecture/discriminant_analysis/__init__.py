"""Fisher's linear discriminant."""

from ._fisher import FisherLDA, SingularScatterWarning

__all__ = ["FisherLDA", "SingularScatterWarning"]
