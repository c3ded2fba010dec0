"""Neural estimators built on PyTorch and skorch.

This subpackage is the only part of sklearn_lecture that imports torch and skorch.
Install them with ``pip install "sklearn_lecture[neural]"``.

Importing it imports neither: it lists its names (``ESTIMATORS``, ``__all__``)
and loads each from its module on first use (PEP 562), so that the top-level
package reads the list without loading torch. Adding a net is its file under
``neural/`` and its name in ``_ESTIMATORS`` below.
"""

from importlib import import_module

from ..utils._optional import import_optional

# Each public name -> the module of this subpackage that defines it.
_ESTIMATORS = {
    "Autoencoder": "_autoencoder",
    "SparseAutoencoder": "_autoencoder",
    "DenoisingAutoencoder": "_autoencoder",
    "StackedAutoencoder": "_stacked",
    "StackedAutoencoderClassifier": "_stacked",
    "RNNRegressor": "_rnn",
    "RNNClassifier": "_rnn",
    "StyleTransfer": "_style",
    "FeatureInversion": "_style",
    "GAN": "_gan",
    "DCGAN": "_gan",
    "PCANetwork": "_pca_net",
}
# The style methods' feature extractors and losses.
_OTHERS = {
    "RandomMultiscale": "_features",
    "RandomVGG": "_features",
    "VGGFeatures": "_features",
    "vgg_weights_path": "_features",
    "content_loss": "_style",
    "gram_matrix": "_style",
    "style_layer_loss": "_style",
    "style_loss": "_style",
    "total_variation": "_style",
}

ESTIMATORS = tuple(_ESTIMATORS)
__all__ = [*_ESTIMATORS, *_OTHERS]


def __getattr__(name):
    module = _ESTIMATORS.get(name) or _OTHERS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import_optional(
        ["torch", "skorch"],
        extra="neural",
        needed_by="The neural estimators",
        hint=" (PyTorch's CPU build is enough)",
    )
    return getattr(import_module(f".{module}", __name__), name)


def __dir__():
    return sorted(set(globals()) | set(__all__))
