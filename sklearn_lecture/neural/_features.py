"""Convolutional feature extractors for style transfer and feature inversion.

Three families of ``torch.nn.Module``, all taking a float batch of shape
``(n, 3, H, W)`` with values in [0, 1] (each module holds its own input
normalisation) and all exposing the same small protocol used by
:class:`~sklearn_lecture.neural.StyleTransfer` and
:class:`~sklearn_lecture.neural.FeatureInversion`:

``layer_names``
    The names of the layers whose activations can be asked for.
``forward_layers(x, layers)``
    A dict ``{name: activation}`` for the requested names, running the stack
    only as deep as the deepest of them.
``receptive_field(layer)``
    The side, in pixels, of the input window one unit of ``layer`` sees.

:class:`VGGFeatures`
    The ``features`` stack of VGG-16/19 (Simonyan & Zisserman, 2015) defined by
    its layer configuration, with torchvision's module indices, so torchvision's
    pretrained state dict loads into it (:meth:`VGGFeatures.pretrained`) with
    ``torch.load`` from the local torch hub cache, without torchvision and
    without the network.
:class:`RandomVGG`
    The same architecture (optionally narrower) with seeded random weights, as
    in He, Wang & Hopcroft (2016).
:class:`RandomMultiscale`
    One convolutional layer of random filters at several sizes, as in
    Ustyuzhaninov et al. (2017).

Layer names follow the VGG paper's blocks: ``conv{b}_{i}``, ``relu{b}_{i}`` (the
i-th convolution of block b and its rectification) and ``pool{b}``.
"""

import math
from pathlib import Path

import torch
import torch.nn.functional as F

__all__ = [
    "VGG_CONFIGS",
    "VGG_WEIGHT_FILES",
    "ImageNormalization",
    "VGGFeatures",
    "RandomVGG",
    "RandomMultiscale",
    "vgg_weights_path",
]


#: Convolution widths of each VGG block, ``"M"`` marking the 2x2 pooling that
#: ends a block (configurations D and E of Simonyan & Zisserman, as torchvision
#: builds them).
VGG_CONFIGS = {
    "vgg16": (64, 64, "M", 128, 128, "M", 256, 256, 256, "M",
              512, 512, 512, "M", 512, 512, 512, "M"),
    "vgg19": (64, 64, "M", 128, 128, "M", 256, 256, 256, 256, "M",
              512, 512, 512, 512, "M", 512, 512, 512, 512, "M"),
}  # fmt: skip

#: File names of torchvision's ImageNet weights (``IMAGENET1K_V1``) in
#: ``torch.hub.get_dir()/checkpoints`` and where torchvision downloads them from.
VGG_WEIGHT_FILES = {
    "vgg16": "vgg16-397923af.pth",
    "vgg19": "vgg19-dcbb9e9d.pth",
}
_WEIGHT_URL = "https://download.pytorch.org/models/{}"

# torchvision's input normalisation, the statistics of ImageNet's training set.
IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)


class ImageNormalization(torch.nn.Module):
    """Per-channel ``(x - mean) / std`` with ImageNet's statistics by default."""

    def __init__(self, mean=IMAGENET_MEAN, std=IMAGENET_STD):
        super().__init__()
        self.register_buffer("mean", torch.tensor(mean).view(1, -1, 1, 1))
        self.register_buffer("std", torch.tensor(std).view(1, -1, 1, 1))

    def forward(self, x):
        return (x - self.mean) / self.std


def _vgg_layers(config, width, pooling):
    """Modules and names of a VGG ``features`` stack, in torchvision's order."""
    layers, names = [], []
    in_channels, block, conv = 3, 1, 0
    for value in config:
        if value == "M":
            pool = torch.nn.MaxPool2d if pooling == "max" else torch.nn.AvgPool2d
            layers.append(pool(kernel_size=2, stride=2))
            names.append(f"pool{block}")
            block, conv = block + 1, 0
        else:
            conv += 1
            out_channels = max(1, round(value * width))
            layers += [_blank_conv(in_channels, out_channels, 3), torch.nn.ReLU()]
            names += [f"conv{block}_{conv}", f"relu{block}_{conv}"]
            in_channels = out_channels
    return layers, names


def _blank_conv(in_channels, out_channels, kernel_size):
    """A "same" convolution with zero weights, built without torch's default
    initialisation (which would draw from torch's global generator)."""
    conv = torch.nn.utils.skip_init(
        torch.nn.Conv2d, in_channels, out_channels, kernel_size,
        padding=kernel_size // 2,
    )  # fmt: skip
    with torch.no_grad():
        conv.weight.zero_()
        conv.bias.zero_()
    return conv


def _sequential_receptive_fields(layers):
    """Receptive field (pixels) after each module of a chain of convs and pools."""
    fields, field, jump = [], 1, 1
    for layer in layers:
        if isinstance(layer, (torch.nn.Conv2d, torch.nn.MaxPool2d, torch.nn.AvgPool2d)):
            kernel = _first(layer.kernel_size)
            dilation = _first(getattr(layer, "dilation", 1))
            field += (kernel - 1) * dilation * jump
            jump *= _first(layer.stride)
        fields.append(field)
    return fields


def _first(value):
    return value[0] if isinstance(value, tuple) else value


class VGGFeatures(torch.nn.Module):
    """The convolutional part (``features``) of VGG-16 or VGG-19.

    The convolutions are 3x3 with padding 1, each followed by a ReLU; a 2x2
    pooling of stride 2 ends each of the five blocks. ``self.features`` is a
    ``torch.nn.Sequential`` with torchvision's indices, so the keys of its
    state dict (``features.0.weight``, ``features.0.bias``, ``features.2.weight``,
    ...) are those of ``torchvision.models.vgg19().state_dict()``. Inputs in
    [0, 1] are normalised with ImageNet's mean and standard deviation first, as
    the pretrained weights expect.

    Parameters
    ----------
    arch : {"vgg16", "vgg19"}, default="vgg19"
        Which configuration (13 or 16 convolutions).
    width : float, default=1.0
        Multiplies every convolution's number of channels (1.0 is VGG; only 1.0
        can hold the pretrained weights).
    pooling : {"max", "avg"}, default="max"
        VGG uses max pooling; Gatys et al. (2016) found average pooling gives
        smoother gradients for image synthesis. Pooling has no weights, so both
        load the same state dict.

    Attributes
    ----------
    features : torch.nn.Sequential
        The stack, indexed as torchvision's ``vgg.features``.
    layer_names : tuple of str
        One name per module of ``features``: ``conv1_1``, ``relu1_1``, ...,
        ``pool5``.

    See Also
    --------
    RandomVGG : The same stack with seeded random weights.

    Examples
    --------
    >>> import torch
    >>> from sklearn_lecture.neural import VGGFeatures
    >>> vgg = VGGFeatures("vgg16", width=0.125)
    >>> vgg.layer_names[:4]
    ('conv1_1', 'relu1_1', 'conv1_2', 'relu1_2')
    >>> out = vgg.forward_layers(torch.rand(1, 3, 32, 32), ["relu2_1"])
    >>> tuple(out["relu2_1"].shape)
    (1, 16, 16, 16)
    >>> vgg.receptive_field("relu3_1")
    24
    """

    def __init__(self, arch="vgg19", *, width=1.0, pooling="max"):
        super().__init__()
        if arch not in VGG_CONFIGS:
            raise ValueError(
                f"arch must be one of {sorted(VGG_CONFIGS)}; got {arch!r}."
            )
        if pooling not in ("max", "avg"):
            raise ValueError(f"pooling must be 'max' or 'avg'; got {pooling!r}.")
        self.arch = arch
        self.width = width
        self.pooling = pooling
        layers, names = _vgg_layers(VGG_CONFIGS[arch], width, pooling)
        self.normalize = ImageNormalization()
        self.features = torch.nn.Sequential(*layers)
        self.layer_names = tuple(names)
        self._fields = dict(zip(names, _sequential_receptive_fields(layers)))

    def forward(self, x):
        return self.features(self.normalize(x))

    def _index(self, layer):
        try:
            return self.layer_names.index(layer)
        except ValueError:
            raise ValueError(
                f"{type(self).__name__}({self.arch!r}) has no layer {layer!r}; its "
                f"layers are {', '.join(self.layer_names)}."
            ) from None

    def forward_layers(self, x, layers):
        """Activations of the named layers, computing no deeper than needed.

        Parameters
        ----------
        x : torch.Tensor of shape (n, 3, H, W)
            Images with values in [0, 1].
        layers : iterable of str
            Names from :attr:`layer_names`.

        Returns
        -------
        activations : dict of str to torch.Tensor
        """
        wanted = {self._index(name): name for name in layers}
        out = {}
        h = self.normalize(x)
        for i, module in enumerate(self.features[: max(wanted) + 1]):
            h = module(h)
            if i in wanted:
                out[wanted[i]] = h
        return out

    def receptive_field(self, layer):
        """Side in pixels of the input window seen by one unit of ``layer``."""
        return self._fields[self.layer_names[self._index(layer)]]

    @classmethod
    def pretrained(cls, arch="vgg19", *, pooling="max", path=None):
        """VGG with torchvision's ImageNet weights, read from the local cache only.

        Nothing is downloaded: the weights file must already be at ``path``,
        by default ``torch.hub.get_dir()/checkpoints/vgg19-dcbb9e9d.pth`` (or
        ``vgg16-397923af.pth``), which is where torchvision stores them after
        ``torchvision.models.vgg19(weights="IMAGENET1K_V1")`` on a machine with
        internet access.

        Parameters
        ----------
        arch : {"vgg16", "vgg19"}, default="vgg19"
        pooling : {"max", "avg"}, default="max"
        path : str or path-like, default=None
            The weights file; ``None`` looks in torch hub's cache.

        Returns
        -------
        vgg : VGGFeatures
            In eval mode, weights not requiring gradients.

        Raises
        ------
        FileNotFoundError
            When the weights file is absent; the message says where to put it
            and how to obtain it.
        """
        vgg = VGGFeatures(arch, pooling=pooling)  # full width, whatever cls is
        path = Path(path) if path is not None else vgg_weights_path(arch)
        if not path.is_file():
            name = VGG_WEIGHT_FILES[arch]
            raise FileNotFoundError(
                f"The pretrained {arch.upper()} weights are not at {path}. They are "
                "never downloaded at run time. To obtain them, on a machine with "
                "internet access either run\n"
                f"    python -c \"import torchvision; torchvision.models.{arch}"
                "(weights='IMAGENET1K_V1')\"\n"
                f"(which stores {name} in torch hub's cache, "
                "torch.hub.get_dir()/checkpoints, set by $TORCH_HOME), or download "
                f"{_WEIGHT_URL.format(name)}; then copy the file to {path}. "
                "Random-weight features need no file: features='random_vgg'."
            )
        state = torch.load(path, map_location="cpu", weights_only=True)
        prefix = "features."
        features = {
            k[len(prefix) :]: v for k, v in state.items() if k.startswith(prefix)
        }
        expected = vgg.features.state_dict()
        if set(features) != set(expected) or any(
            features[k].shape != expected[k].shape for k in expected
        ):
            raise ValueError(
                f"{path} does not hold torchvision's {arch} weights: expected the "
                f"keys features.0.weight ... with the shapes of {arch}'s "
                f"configuration, got {len(features)} 'features.*' tensors."
            )
        vgg.features.load_state_dict(features)
        return vgg.requires_grad_(False).eval()


def vgg_weights_path(arch="vgg19"):
    """Where :meth:`VGGFeatures.pretrained` looks for torchvision's weights.

    Examples
    --------
    >>> from sklearn_lecture.neural import vgg_weights_path
    >>> vgg_weights_path("vgg16").name
    'vgg16-397923af.pth'
    """
    return Path(torch.hub.get_dir()) / "checkpoints" / VGG_WEIGHT_FILES[arch]


class RandomVGG(VGGFeatures):
    """A VGG-shaped stack with seeded random weights (He, Wang & Hopcroft, 2016).

    The weights are drawn from a local ``torch.Generator`` (torch's global
    generator is untouched): Gaussian with He et al.'s (2015) variance
    ``2 / fan_in``, zero biases. Each convolution is then rescaled once so that
    its rectified output has unit root mean square on a fixed seeded noise
    image: the per-layer normalisation that keeps the magnitude of random
    features from drifting with depth. Since ReLU is positively homogeneous the
    rescaling changes no pattern of activation, only the scale each layer
    contributes. The estimators then divide each layer's loss by its target's
    magnitude, He et al.'s automatic normalisation of the layer weights, so
    that no layer dominates the style loss by its scale alone.

    Parameters
    ----------
    arch : {"vgg16", "vgg19"}, default="vgg19"
    width : float, default=0.25
        Channel multiplier (0.25: 16, 32, 64, 128, 128 channels per block); the
        cost of a step falls roughly with its square.
    pooling : {"avg", "max"}, default="avg"
    seed : int, default=0
        Seed of the weights.

    Examples
    --------
    >>> import torch
    >>> from sklearn_lecture.neural import RandomVGG
    >>> a, b = RandomVGG(seed=0), RandomVGG(seed=0)
    >>> bool(torch.equal(a.features[0].weight, b.features[0].weight))
    True
    >>> a.features[0].weight.shape
    torch.Size([16, 3, 3, 3])
    """

    def __init__(self, arch="vgg19", *, width=0.25, pooling="avg", seed=0):
        super().__init__(arch, width=width, pooling=pooling)
        self.seed = seed
        generator = torch.Generator().manual_seed(int(seed))
        probe = torch.rand(1, 3, 64, 64, generator=generator)
        with torch.no_grad():
            h = self.normalize(probe)
            for module in self.features:
                if isinstance(module, torch.nn.Conv2d):
                    fan_in = module.in_channels * 9
                    weight = torch.randn(module.weight.shape, generator=generator)
                    module.weight.copy_(weight * math.sqrt(2.0 / fan_in))
                    module.bias.zero_()
                    rms = F.relu(module(h)).square().mean().sqrt()
                    module.weight.div_(rms.clamp_min(1e-12))
                h = module(h)
        self.requires_grad_(False).eval()


class RandomMultiscale(torch.nn.Module):
    """One layer of random filters at several sizes (Ustyuzhaninov et al., 2017).

    For each size k in ``kernel_sizes``, ``n_filters`` random k x k filters
    (zero-mean Gaussian weights scaled by ``1 / sqrt(3 k^2)``, drawn from a local
    generator) convolve the normalised image with "same" zero padding; the
    rectified maps of all sizes are stacked into one layer, ``"relu"``, whose
    Gram matrix is the texture model. Ustyuzhaninov et al. used eight sizes
    (3 to 55 pixels) with 128 filters each; the default keeps the smaller sizes
    and fewer filters so that a step takes milliseconds on a CPU.

    Parameters
    ----------
    kernel_sizes : tuple of odd int, default=(3, 5, 7, 11, 15)
    n_filters : int, default=16
        Filters per size.
    seed : int, default=0

    Examples
    --------
    >>> import torch
    >>> from sklearn_lecture.neural import RandomMultiscale
    >>> net = RandomMultiscale(kernel_sizes=(3, 5), n_filters=4)
    >>> tuple(net(torch.rand(1, 3, 20, 20)).shape)
    (1, 8, 20, 20)
    >>> net.receptive_field("relu")
    5
    """

    layer_names = ("relu",)

    def __init__(self, kernel_sizes=(3, 5, 7, 11, 15), n_filters=16, *, seed=0):
        super().__init__()
        if any(int(k) % 2 == 0 or int(k) < 1 for k in kernel_sizes):
            raise ValueError(
                f"kernel_sizes must be odd and positive; got {kernel_sizes}."
            )
        self.kernel_sizes = tuple(int(k) for k in kernel_sizes)
        self.n_filters = int(n_filters)
        self.seed = seed
        self.normalize = ImageNormalization()
        generator = torch.Generator().manual_seed(int(seed))
        self.convs = torch.nn.ModuleList()
        for k in self.kernel_sizes:
            conv = _blank_conv(3, self.n_filters, k)
            with torch.no_grad():
                weight = torch.randn(conv.weight.shape, generator=generator)
                weight -= weight.mean(dim=(1, 2, 3), keepdim=True)
                conv.weight.copy_(weight / math.sqrt(3 * k * k))
            self.convs.append(conv)
        self.requires_grad_(False).eval()

    def forward(self, x):
        h = self.normalize(x)
        return torch.cat([F.relu(conv(h)) for conv in self.convs], dim=1)

    def _check_layer(self, name):
        if name not in self.layer_names:
            raise ValueError(
                f"RandomMultiscale has the single layer 'relu'; got {name!r}."
            )

    def forward_layers(self, x, layers):
        """``{"relu": self(x)}``; see :meth:`VGGFeatures.forward_layers`."""
        for name in layers:
            self._check_layer(name)
        return {"relu": self(x)}

    def receptive_field(self, layer):
        """The largest filter size."""
        self._check_layer(layer)
        return max(self.kernel_sizes)
