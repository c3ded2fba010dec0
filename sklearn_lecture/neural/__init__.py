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
from ._rnn import RNNRegressor
from ._stacked import StackedAutoencoder, StackedAutoencoderClassifier

__all__ = [
    "Autoencoder",
    "SparseAutoencoder",
    "DenoisingAutoencoder",
    "StackedAutoencoder",
    "StackedAutoencoderClassifier",
    "RNNRegressor",
]
