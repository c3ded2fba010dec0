"""Neural estimators built on PyTorch and skorch: autoencoders and recurrent regressors.

This subpackage is the only part of sklearn_lecture that imports torch and skorch.
Install them with ``pip install "sklearn_lecture[neural]"``.
"""

try:
    import skorch  # noqa: F401
    import torch  # noqa: F401
except ImportError as exc:  # pragma: no cover - exercised without the extra
    raise ImportError(
        "The neural estimators of sklearn_lecture need torch and skorch. Install them "
        "with: pip install 'sklearn_lecture[neural]' (PyTorch's CPU build is enough)."
    ) from exc

from ._autoencoder import Autoencoder, DenoisingAutoencoder, SparseAutoencoder
from ._features import RandomMultiscale, RandomVGG, VGGFeatures, vgg_weights_path
from ._rnn import RNNRegressor
from ._stacked import StackedAutoencoder, StackedAutoencoderClassifier
from ._style import (
    FeatureInversion,
    StyleTransfer,
    content_loss,
    gram_matrix,
    style_layer_loss,
    style_loss,
    total_variation,
)

__all__ = [
    "Autoencoder",
    "SparseAutoencoder",
    "DenoisingAutoencoder",
    "StackedAutoencoder",
    "StackedAutoencoderClassifier",
    "RNNRegressor",
    "StyleTransfer",
    "FeatureInversion",
    "VGGFeatures",
    "RandomVGG",
    "RandomMultiscale",
    "vgg_weights_path",
    "gram_matrix",
    "content_loss",
    "style_layer_loss",
    "style_loss",
    "total_variation",
]
