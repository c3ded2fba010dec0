"""Fisher's linear discriminant."""

from ._fisher import FisherLDA

__all__ = ["FisherLDA"]
