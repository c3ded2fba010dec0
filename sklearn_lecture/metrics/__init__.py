"""Download-free quality scores of generated samples."""

from ._generative import classifier_score, two_sample_score

__all__ = ["classifier_score", "two_sample_score"]
