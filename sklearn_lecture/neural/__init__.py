"""Neural estimators built on PyTorch and skorch.

This subpackage is the only part of sklearn_lecture that imports torch and skorch.
Install them with ``pip install "sklearn_lecture[neural]"``.
"""

from ..utils._optional import import_optional

import_optional(
    ["torch", "skorch"],
    extra="neural",
    needed_by="The neural estimators",
    hint=" (PyTorch's CPU build is enough)",
)

# The estimators are listed once, in the top-level package's _NEURAL (which
# exposes them lazily); the imports below re-export them.
from .. import _NEURAL
from ._autoencoder import (  # noqa: F401
    Autoencoder,
    DenoisingAutoencoder,
    SparseAutoencoder,
)
from ._gan import DCGAN, GAN  # noqa: F401
from ._modules import RandomMultiscale, RandomVGG, VGGFeatures, vgg_weights_path
from ._pca_net import PCANetwork  # noqa: F401
from ._rnn import RNNClassifier, RNNRegressor  # noqa: F401
from ._stacked import StackedAutoencoder, StackedAutoencoderClassifier  # noqa: F401
from ._style import (  # noqa: F401
    FeatureInversion,
    StyleTransfer,
    content_loss,
    gram_matrix,
    style_layer_loss,
    style_loss,
    total_variation,
)

__all__ = [
    *_NEURAL,
    "RandomMultiscale",
    "RandomVGG",
    "VGGFeatures",
    "vgg_weights_path",
    "content_loss",
    "gram_matrix",
    "style_layer_loss",
    "style_loss",
    "total_variation",
]
