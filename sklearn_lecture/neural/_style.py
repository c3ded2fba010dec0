"""Neural style transfer and feature inversion, optimised over the image.

The lecture's last chapter, step by step:

* feature inversion, ``x* = argmin_x ||Phi(x) - Phi_0||^2 + lambda R_TV(x)``
  (Mahendran & Vedaldi, 2015): which image has these features?
  :class:`FeatureInversion`;
* the content loss at a layer, ``1/2 sum (F - P)^2`` (:func:`content_loss`);
* the style representation by Gram matrices ``G = F F^T`` and the style loss
  (:func:`gram_matrix`, :func:`style_layer_loss`, :func:`style_loss`);
* the total loss ``alpha L_content + beta L_style (+ lambda R_TV)``, minimised
  over the pixels with the network fixed (Gatys, Ecker & Bethge, 2016):
  :class:`StyleTransfer`.

The losses are small pure torch functions, usable on their own; both
estimators minimise theirs over the pixels with one small function,
:func:`minimize_pixels` (L-BFGS or Adam, the network fixed), not a training
loop. They work offline: by default on a VGG-shaped network with seeded random
weights (He, Wang & Hopcroft, 2016) and optionally on torchvision's pretrained
VGG-16/19 read from the local cache (see :mod:`._features`).
"""

import copy
import time
import warnings
from numbers import Integral, Real

import numpy as np
import torch
import torch.nn.functional as F
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted

from ..utils._callbacks import CallbackSupportMixin, begin_fit, with_callbacks
from ..utils._compat import Interval, StrOptions
from ..utils._docstrings import ParameterDocs, fill_doc
from ..utils._params import store_params
from ..utils._validation import fit_guard
from ._features import RandomMultiscale, RandomVGG, VGGFeatures
from ._training import check_device

__all__ = [
    "StyleTransfer",
    "FeatureInversion",
    "gram_matrix",
    "content_loss",
    "style_layer_loss",
    "style_loss",
    "total_variation",
]


# -- the lecture's losses -----------------------------------------------------------


def gram_matrix(features, *, normalize=True):
    """Gram matrices ``G_ij = sum_k F_ik F_jk`` of feature maps, one per image.

    Parameters
    ----------
    features : torch.Tensor of shape (n, C, H, W)
        The activations ``F`` of one layer (C maps of M = H W positions).
    normalize : bool, default=True
        Divide by the number of positions M, so that images of different sizes
        give comparable matrices (the mean of ``F_i F_j`` over positions).

    Returns
    -------
    gram : torch.Tensor of shape (n, C, C)

    Examples
    --------
    >>> import torch
    >>> from sklearn_lecture.neural import gram_matrix
    >>> f = torch.tensor([[[[1.0, 2.0]], [[0.0, 3.0]]]])  # 1 image, 2 maps, 1x2
    >>> gram_matrix(f, normalize=False)
    tensor([[[5., 6.],
             [6., 9.]]])
    """
    n, c, h, w = features.shape
    flat = features.reshape(n, c, h * w)
    gram = flat @ flat.transpose(1, 2)
    return gram / (h * w) if normalize else gram


def content_loss(features, target):
    """The lecture's content loss ``1/2 sum_ij (F_ij - P_ij)^2``, per image.

    Parameters
    ----------
    features, target : torch.Tensor of shape (n, C, H, W)
        Activations of the generated image (F) and of the content image (P) at
        one layer; ``target`` may also have a batch of one.

    Returns
    -------
    loss : torch.Tensor of shape (n,)

    Examples
    --------
    >>> import torch
    >>> from sklearn_lecture.neural import content_loss
    >>> content_loss(torch.ones(2, 1, 2, 2), torch.zeros(1, 1, 2, 2))
    tensor([2., 2.])
    """
    return 0.5 * (features - target).square().flatten(1).sum(1)


def style_layer_loss(features, target_gram):
    """Gatys et al.'s style loss of one layer, ``E = sum (G - A)^2 / (4 N^2 M^2)``.

    With N maps of M positions, ``G`` and ``A`` the unnormalised Gram matrices
    of the generated and the style image. Written with the normalised matrices
    of :func:`gram_matrix` (``G / M``), ``E = sum (G/M - A/M)^2 / (4 N^2)``, which
    stays meaningful when the two images differ in size.

    Parameters
    ----------
    features : torch.Tensor of shape (n, N, H, W)
    target_gram : torch.Tensor of shape (N, N) or (n, N, N)
        ``gram_matrix(style_features)`` (normalised).

    Returns
    -------
    loss : torch.Tensor of shape (n,)

    Examples
    --------
    >>> import torch
    >>> from sklearn_lecture.neural import gram_matrix, style_layer_loss
    >>> f = torch.rand(1, 4, 5, 5)
    >>> style_layer_loss(f, gram_matrix(f)[0])
    tensor([0.])
    """
    gram = gram_matrix(features)
    n_maps = features.shape[1]
    return (gram - target_gram).square().flatten(1).sum(1) / (4 * n_maps**2)


def style_loss(features, target_grams, weights=None):
    """The style loss ``sum_l w_l E_l`` over several layers.

    Parameters
    ----------
    features : sequence of torch.Tensor of shape (n, N_l, H_l, W_l)
    target_grams : sequence of torch.Tensor of shape (N_l, N_l)
        The style image's normalised Gram matrices, in the same order.
    weights : sequence of float, default=None
        ``w_l``; equal weights ``1 / L`` when ``None`` (Gatys et al.).

    Returns
    -------
    loss : torch.Tensor of shape (n,)

    Examples
    --------
    >>> import torch
    >>> from sklearn_lecture.neural import style_loss
    >>> style_loss([torch.ones(1, 2, 3, 3)], [torch.zeros(2, 2)])
    tensor([0.2500])
    """
    features, target_grams = list(features), list(target_grams)
    if weights is None:
        weights = [1.0 / len(features)] * len(features)
    return sum(
        w * style_layer_loss(f, a) for w, f, a in zip(weights, features, target_grams)
    )


def total_variation(images, beta=2.0):
    """Total variation ``sum_ij ((x_i,j+1 - x_ij)^2 + (x_i+1,j - x_ij)^2)^(beta/2)``.

    Mahendran & Vedaldi's (2015) regulariser ``R_V^beta``, summed over the
    channels and the (H - 1) x (W - 1) pixels that have both neighbours. Small
    for smooth images; ``beta=2`` (the default) is smooth in ``x``; for
    ``beta < 2`` a tiny constant (1e-8) inside the power keeps the gradient
    finite where the image is flat.

    Parameters
    ----------
    images : torch.Tensor of shape (n, C, H, W)
    beta : float, default=2.0

    Returns
    -------
    tv : torch.Tensor of shape (n,)

    Examples
    --------
    >>> import torch
    >>> from sklearn_lecture.neural import total_variation
    >>> x = torch.tensor([[[[0.0, 1.0], [2.0, 4.0]]]])
    >>> total_variation(x)  # (1 - 0)^2 + (2 - 0)^2
    tensor([5.])
    """
    dx = images[..., :-1, 1:] - images[..., :-1, :-1]
    dy = images[..., 1:, :-1] - images[..., :-1, :-1]
    squared = dx.square() + dy.square()
    if beta != 2:
        squared = (squared + 1e-8).pow(beta / 2)
    return squared.flatten(1).sum(1)


# -- images in and out --------------------------------------------------------------


def _check_one_image_array(image, what):
    """A float32 batch (n, H, W, 3) in [0, 1] from one array; and its kind."""
    array = np.asarray(image)
    if array.dtype == np.uint8:
        values = array.astype(np.float32) / 255.0
    elif np.issubdtype(array.dtype, np.floating):
        values = array.astype(np.float32)
        if not np.isfinite(values).all():
            raise ValueError(f"{what} contains NaN or infinity.")
        if values.size and (values.min() < 0.0 or values.max() > 1.0):
            raise ValueError(
                f"{what}: float images must have values in [0, 1]; got values in "
                f"[{values.min():.3g}, {values.max():.3g}]. Divide 8-bit images by "
                "255, or pass them as uint8."
            )
    else:
        raise ValueError(
            f"{what} must be uint8 (0-255) or float (0-1), as "
            f"sklearn.datasets.load_sample_image gives them; got dtype {array.dtype}."
        )
    single = array.ndim in (2, 3)
    if array.ndim == 2:
        values = values[None, :, :, None]
    elif array.ndim == 3:
        values = values[None]
    elif array.ndim != 4:
        raise ValueError(
            f"{what} must be an image (H, W, 3), a grey image (H, W) or a batch "
            f"(n, H, W, 3); got an array of shape {array.shape}."
        )
    n, height, width, channels = values.shape
    if channels == 1:
        values = np.repeat(values, 3, axis=3)
    elif channels != 3:
        raise ValueError(
            f"{what} must have 3 colour channels (RGB) or 1 (grey) on its last "
            f"axis; got {channels} (shape {array.shape}). For an RGBA image drop "
            "the alpha channel: image[..., :3]."
        )
    if n == 0 or height == 0 or width == 0:
        raise ValueError(f"{what} is empty (shape {array.shape}).")
    return values, {"dtype": array.dtype, "single": single}


def _is_image_list(images):
    """Whether ``images`` is a list of separate images, not one nested list.

    A list holding arrays (or anything but lists) is a list of images, which may
    differ in size. A list of lists is what ``image.tolist()`` gives, one image (or
    a batch) to read as ``np.asarray`` does; only when it is ragged is it several
    images. Reading every list as several images would take the rows of one RGB
    image for as many grey images.
    """
    if not isinstance(images, (list, tuple)):
        return False
    if not images or not all(isinstance(item, (list, tuple)) for item in images):
        return True
    try:
        array = np.asarray(images)
    except ValueError:  # ragged: images of several sizes
        return True
    return array.dtype == object


def _check_images(images, what, *, allow_list=False):
    """Validate images; a list (of arrays of several sizes) when ``allow_list``."""
    if allow_list and _is_image_list(images):
        if not images:
            raise ValueError(f"{what} is an empty list.")
        return [
            _check_one_image_array(im, f"{what}[{i}]")[0] for i, im in enumerate(images)
        ]
    values, kind = _check_one_image_array(images, what)
    return ([values], kind) if allow_list else (values, kind)


def _to_output(x, kind):
    """Float batch in [0, 1] back to the input's dtype and rank."""
    x = np.clip(x, 0.0, 1.0)
    if kind["dtype"] == np.uint8:
        x = np.rint(x * 255.0).astype(np.uint8)
    else:
        x = x.astype(kind["dtype"])
    return x[0] if kind["single"] else x


# -- shared machinery ---------------------------------------------------------------

# Default layers per named feature extractor: (content, style). For VGG these are
# Gatys et al.'s choice (content conv4_2, style conv1_1 ... conv5_1, here after
# their ReLU); the random stack stops at block 4 (receptive field 68 px).
_DEFAULT_LAYERS = {
    "random_vgg": (("relu3_1",), ("relu1_1", "relu2_1", "relu3_1", "relu4_1")),
    "random_multiscale": (("relu",), ("relu",)),
    "vgg16": (("relu4_2",), ("relu1_1", "relu2_1", "relu3_1", "relu4_1", "relu5_1")),
    "vgg19": (("relu4_2",), ("relu1_1", "relu2_1", "relu3_1", "relu4_1", "relu5_1")),
}

#: The parameters both methods share; the defaults are read from each signature.
_COMMON_PARAMETERS = ParameterDocs({
    "features": (
        '{"random_vgg", "random_multiscale", "vgg19", "vgg16"} or torch.nn.Module',
        'The fixed network. ``"random_vgg"``: :class:`RandomVGG` (VGG-19\'s '
        "layout at a quarter of its width, seeded random weights); "
        '``"random_multiscale"``: :class:`RandomMultiscale`; ``"vgg19"`` / '
        '``"vgg16"``: torchvision\'s ImageNet weights read from the local torch '
        "hub cache by :meth:`VGGFeatures.pretrained` (a ``FileNotFoundError`` "
        "says how to obtain them when they are absent; nothing is downloaded). "
        "A module of your own receives float32 images of shape (n, 3, H, W) "
        "with values in [0, 1]; its layers are named as in "
        '``module.named_modules()`` (e.g. ``"0"``, ``"features.3"``), unless it '
        "defines ``forward_layers(x, layers)`` and ``layer_names`` as the "
        "modules here do. The module is copied; its weights are not changed.",
    ),
    "image_size": (
        "int",
        "Resize every image so that its longer side has this many pixels (the "
        "output has that size), at least 2. ``None`` keeps the sizes given. "
        "Either way an image must leave every layer a feature map of at least "
        "one pixel (a warning says when it is smaller than a layer's receptive "
        "field), and one that is optimised (transformed) needs 2 pixels or more "
        "on each side (the total variation compares neighbours).",
    ),
    "n_steps": (
        "int",
        "Evaluations of the loss and its gradient (forward and backward passes, "
        "the cost of a transform): Adam steps, or L-BFGS's budget of "
        "evaluations (line-search trials included; it stops at the end of the "
        "iteration that reaches the budget).",
    ),
    "optimizer": (
        '{"lbfgs", "adam"}',
        '``"lbfgs"``: ``torch.optim.LBFGS`` with a strong-Wolfe line search, as '
        'Gatys et al. used L-BFGS; ``"adam"``: Adam steps of size ``lr``. '
        "Either way the losses are those of the image clamped to [0, 1], and a "
        "quadratic penalty pulls pixels that leave the box back.",
    ),
    "lr": (
        "float",
        "Adam's step size (pixel values are in [0, 1]); unused by L-BFGS.",
    ),
    "random_state": (
        "int, RandomState instance or None",
        "Seeds the random network's weights and the noise image; drawn into a "
        "local ``torch.Generator``, torch's global generator is untouched.",
    ),
    "device": (
        "str",
        'The torch device of the optimisation (``"cuda"`` for a GPU).',
    ),
    "verbose": (
        "int",
        "1 prints the losses ten times per transform, 2 at every step.",
    ),
})  # fmt: skip

_HISTORY_DOC = """
    loss_history_ : dict of str to ndarray of shape (n_evaluations + 1,)
        After ``transform``: ``"content"``, ``"style"`` and ``"tv"`` (the
        normalised terms, unweighted) and ``"total"`` (their weighted sum,
        which was minimised), averaged over the images of the batch, at every
        evaluation (the first at the start image; for L-BFGS these include
        line-search trials) and, last, at the image returned.
    n_iter_ : int
        Iterations of the last ``transform`` (L-BFGS iterations, or Adam
        steps).
    features_ : torch.nn.Module
        The fixed network in eval mode (a copy when a module was passed)."""

_fill_style_doc = fill_doc(common=_COMMON_PARAMETERS, history=_HISTORY_DOC)


def _layer_tuple(layers, name):
    if isinstance(layers, str):
        return (layers,)
    layers = tuple(layers)
    if not layers or not all(isinstance(layer, str) for layer in layers):
        raise ValueError(f"{name} must be a layer name or a non-empty list of names.")
    return layers


class _HookedFeatures:
    """``forward_layers`` for any module: forward hooks on named submodules."""

    def __init__(self, module):
        self.module = module
        self.named = dict(module.named_modules())

    def forward_layers(self, x, layers):
        out, handles = {}, []
        for name in layers:
            if name not in self.named or name == "":
                names = [n for n in self.named if n]
                raise ValueError(
                    f"The features module has no submodule named {name!r}; its "
                    f"submodules (module.named_modules()) are {', '.join(names)}."
                )

            def hook(_module, _inputs, output, name=name):
                out[name] = output

            handles.append(self.named[name].register_forward_hook(hook))
        try:
            self.module(x)
        finally:
            for handle in handles:
                handle.remove()
        return out


class _ImageOptimizer(CallbackSupportMixin, TransformerMixin, BaseEstimator):
    """What StyleTransfer and FeatureInversion share: images, network, optimiser.

    scikit-learn's callbacks (``set_callbacks``, scikit-learn >= 1.9) see the
    optimisation of ``transform`` as a task whose subtasks are its
    ``n_steps`` evaluations: ``ProgressBar()`` counts them.
    """

    _unscored_fit = (
        "its work is the optimisation of pixels in transform, with no X and y "
        "to score; loss_history_ records its losses"
    )

    _parameter_constraints = {
        "features": [
            StrOptions({"random_vgg", "random_multiscale", "vgg16", "vgg19"}),
            torch.nn.Module,
        ],
        "tv_weight": [Interval(Real, 0, None, closed="left")],
        "image_size": [Interval(Integral, 2, None, closed="left"), None],
        "n_steps": [Interval(Integral, 1, None, closed="left")],
        "optimizer": [StrOptions({"lbfgs", "adam"})],
        "lr": [Interval(Real, 0, None, closed="neither")],
        "random_state": ["random_state"],
        "device": [str, torch.device],
        "verbose": ["verbose"],
    }

    def __sklearn_tags__(self):
        # scikit-learn's own tag for estimators that do not take a 2-D table
        # (its PatchExtractor sets the same): check_estimator does not apply,
        # and sklearn_lecture.utils.all_estimators leaves such estimators out.
        tags = super().__sklearn_tags__()
        tags.input_tags.two_d_array = False
        tags.input_tags.three_d_array = True
        return tags

    # -- network ------------------------------------------------------------------

    def _build_features(self, seed):
        """Set ``features_`` and return the default (content, style) layers."""
        self._device()  # a clear error before anything is built
        features = self.features
        if isinstance(features, torch.nn.Module):
            module = copy.deepcopy(features).requires_grad_(False).eval()
            self.features_ = module.to(self._device())
            # The modules of this package keep their defaults when passed built.
            for kind, name in ((RandomVGG, "random_vgg"), (VGGFeatures, "vgg19"),
                               (RandomMultiscale, "random_multiscale")):  # fmt: skip
                if isinstance(module, kind):
                    return _DEFAULT_LAYERS[name]
            return None, None
        if features == "random_vgg":
            module = RandomVGG("vgg19", seed=seed)
        elif features == "random_multiscale":
            module = RandomMultiscale(seed=seed)
        else:
            module = VGGFeatures.pretrained(features)
        self.features_ = module.to(self._device())
        return _DEFAULT_LAYERS[features]

    def _device(self):
        return check_device(self.device)

    def _extractor(self):
        if hasattr(self.features_, "forward_layers"):
            return self.features_
        return _HookedFeatures(self.features_)

    def _check_layers(self, layers):
        names = getattr(self.features_, "layer_names", None)
        if names is None:
            names = [name for name, _ in self.features_.named_modules() if name]
        unknown = [layer for layer in layers if layer not in names]
        if unknown:
            raise ValueError(
                f"Unknown layer(s) {', '.join(map(repr, unknown))}; the layers of "
                f"{type(self.features_).__name__} are {', '.join(names)}."
            )

    def _min_size(self, layers):
        field = getattr(self.features_, "receptive_field", None)
        return max(field(layer) for layer in layers) if field is not None else 1

    def _to_tensor(self, images, what, layers, *, optimised=True, stacklevel=4):
        """(n, H, W, 3) float array -> (n, 3, H, W) tensor, resized and checked.

        ``optimised`` says the images are those ``transform`` optimises (or
        starts from), whose total variation needs 2 pixels on each side; a style
        image only gives its features. ``stacklevel`` points the receptive-field
        warning at the caller of the public method.
        """
        x = torch.from_numpy(np.ascontiguousarray(images)).permute(0, 3, 1, 2)
        x = x.to(self._device())
        if self.image_size is not None:
            height, width = x.shape[-2:]
            scale = self.image_size / max(height, width)
            size = (max(1, round(height * scale)), max(1, round(width * scale)))
            if size != (height, width):
                x = F.interpolate(
                    x, size=size, mode="bilinear", antialias=True, align_corners=False
                ).clamp(0.0, 1.0)
        size = f"{what} of {x.shape[-2]}x{x.shape[-1]} pixels"
        if optimised and min(x.shape[-2:]) < 2:
            # The total variation is a mean over the (H - 1) x (W - 1) pixels
            # that have both neighbours: there are none on a single row or column.
            raise ValueError(
                f"{size} is too small: the total variation compares neighbouring "
                "pixels, so both sides need at least 2 pixels. Use a larger image "
                "(or image_size)."
            )
        smallest = self._min_size(layers)
        if min(x.shape[-2:]) < smallest:
            # Computable as long as no feature map is empty (the convolutions pad
            # with zeros): refused only then, else a warning.
            with torch.no_grad():
                try:
                    self._features_of(x[:1], layers)
                except ValueError as exc:
                    raise ValueError(
                        f"{size} is too small for the layers "
                        f"{', '.join(map(repr, layers))}: {exc} Use a larger image "
                        "(or image_size), or shallower layers."
                    ) from exc
            deepest = max(layers, key=self.features_.receptive_field)
            warnings.warn(
                f"{size} is smaller than the receptive field of layer {deepest!r} "
                f"({smallest} pixels): part of what its units see is the zero "
                "padding beyond the image's borders. A larger image (or "
                "image_size), or shallower layers, avoid it.",
                UserWarning,
                stacklevel=stacklevel,
            )
        return x.contiguous()

    def _features_of(self, x, layers):
        try:
            out = self._extractor().forward_layers(x, layers)
        except RuntimeError as exc:
            # A pooling of a map already reduced to one pixel, for instance.
            raise ValueError(
                f"The features module failed on images of shape {tuple(x.shape)} "
                f"(n, 3, H, W): {exc}."
            ) from exc
        for name in layers:
            if name not in out:
                raise ValueError(f"The features module did not produce layer {name!r}.")
            if out[name].ndim != 4:
                raise ValueError(
                    f"Layer {name!r} gives an output of shape {tuple(out[name].shape)}"
                    "; style and content losses need feature maps (n, C, H, W)."
                )
            if out[name].shape[-2] == 0 or out[name].shape[-1] == 0:
                raise ValueError(
                    f"Layer {name!r} gives an empty feature map (shape "
                    f"{tuple(out[name].shape)}) on images of shape {tuple(x.shape)}."
                )
        return out

    # -- optimisation ---------------------------------------------------------------

    def _objective(self, x):
        """Dict of the unweighted loss terms (batch means) and their weighted total."""
        raise NotImplementedError

    def _minimize(self, x0):
        """:func:`minimize_pixels` of ``_objective`` from ``x0``, with its record.

        Sets ``n_iter_`` and ``loss_history_`` (every evaluation's loss terms,
        then those of the image returned) and prints them when verbose.
        """
        history = {key: [] for key in ("content", "style", "tv", "total")}
        every = 1 if self.verbose >= 2 else max(1, self.n_steps // 10)
        start = time.perf_counter()
        # Each evaluation of the budget is a subtask for scikit-learn's
        # callbacks (L-BFGS's last line search may run past the budget).
        task = begin_fit(self, self.n_steps, task_name="transform")
        current = [task.subtask("step")]

        def record(terms):
            for key in history:
                history[key].append(float(terms[key].detach()))
            step = len(history["total"]) - 1
            if current[0] is not None and step < self.n_steps:
                current[0].end()
                current[0] = task.subtask("step") if step + 1 < self.n_steps else None
            if self.verbose and (step % every == 0 or step >= self.n_steps):
                print(
                    f"[{type(self).__name__}] step {step:4d}: total "
                    f"{history['total'][-1]:.4e}, content {history['content'][-1]:.4e}"
                    f", style {history['style'][-1]:.4e}, tv {history['tv'][-1]:.4e} "
                    f"({time.perf_counter() - start:.1f} s)"
                )

        x, self.n_iter_ = minimize_pixels(
            self._objective,
            x0,
            optimizer=self.optimizer,
            n_steps=self.n_steps,
            lr=self.lr,
            callback=record,
        )
        if current[0] is not None:
            current[0].end()
        task.end()
        self.loss_history_ = {k: np.asarray(v) for k, v in history.items()}
        return x

    def _noise(self, shape, seed):
        generator = torch.Generator().manual_seed(int(seed))
        return torch.rand(shape, generator=generator).to(self._device())

    def _finish(self, x, kind):
        images = x.permute(0, 2, 3, 1).cpu().numpy()
        return _to_output(images, kind)

    def _seeds(self):
        rng = check_random_state(self.random_state)
        return rng.randint(np.iinfo(np.int32).max, size=2)


# Weight of the quadratic penalty on pixels outside [0, 1] (see minimize_pixels):
# 10 gave the lowest losses among 1, 10 and 100 on the example's images.
_BOUND_PENALTY = 10.0


def minimize_pixels(objective, x0, *, optimizer="lbfgs", n_steps=300, lr=1.0,
                    callback=None):  # fmt: skip
    """Minimise ``objective(x)["total"]`` over the pixels x in [0, 1], from ``x0``.

    The one optimisation of the pixel methods (style transfer, feature
    inversion): the network is fixed, the image is the parameter. The loss is
    that of the image clamped to [0, 1], plus a penalty
    ``_BOUND_PENALTY * mean((x - clamp(x))^2)`` pulling back pixels that leave
    the box: one continuous function, which a line search can trust (clamping
    the image in place between evaluations misled the strong-Wolfe search into
    five evaluations per iteration). scipy's L-BFGS-B would bound the pixels
    exactly, but on 10^5 pixels each of its iterations cost more than the
    network's forward and backward pass (measured: ~80 ms against ~25 ms at
    256 px).

    Parameters
    ----------
    objective : callable
        ``objective(x)`` of images ``x`` in [0, 1] returns a dict of loss terms
        (scalar tensors) whose ``"total"`` is minimised.
    x0 : torch.Tensor
        The starting images; not modified.
    optimizer : {"lbfgs", "adam"}, default="lbfgs"
        L-BFGS with a strong-Wolfe line search (Gatys et al.'s optimiser),
        ``n_steps`` evaluations at most, or ``n_steps`` Adam steps of rate ``lr``.
    n_steps : int, default=300
    lr : float, default=1.0
        Adam's learning rate (L-BFGS steps by its line search).
    callback : callable, default=None
        Called with the terms of every evaluation, then with those of the
        image returned.

    Returns
    -------
    x : torch.Tensor
        The optimised images, clamped to [0, 1], without gradient.
    n_iter : int
        Iterations run (Adam: steps; L-BFGS: its iterations).

    Examples
    --------
    >>> import torch
    >>> target = torch.full((1, 3, 4, 4), 0.25)
    >>> def objective(x):
    ...     return {"total": (x - target).square().mean()}
    >>> x, n_iter = minimize_pixels(objective, torch.zeros(1, 3, 4, 4), n_steps=20)
    >>> round(float(x.mean()), 3)
    0.25
    """
    x = x0.detach().clone().requires_grad_(True)

    def closure():
        x.grad = None
        inside = x.clamp(0.0, 1.0)
        terms = objective(inside)
        loss = terms["total"] + _BOUND_PENALTY * (x - inside).square().mean()
        loss.backward()
        if callback is not None:
            callback(terms)
        return loss

    if optimizer == "adam":
        adam = torch.optim.Adam([x], lr=lr)
        for _ in range(n_steps):
            adam.step(closure)
        n_iter = n_steps
    elif optimizer == "lbfgs":
        # The tolerances are 0: the normalised loss becomes small, so stop on
        # the budget of evaluations, not on an absolute threshold.
        lbfgs = torch.optim.LBFGS(
            [x], lr=1.0, max_iter=n_steps, max_eval=n_steps,
            tolerance_grad=0.0, tolerance_change=0.0, history_size=10,
            line_search_fn="strong_wolfe",
        )  # fmt: skip
        lbfgs.step(closure)
        n_iter = int(lbfgs.state[x].get("n_iter", 0))
    else:
        raise ValueError(f"optimizer must be 'lbfgs' or 'adam'; got {optimizer!r}.")
    with torch.no_grad():
        x = x.clamp(0.0, 1.0)
        if callback is not None:
            callback(objective(x))
    return x, n_iter


def _check_finite(features):
    """The targets must be finite, or the optimisation would only spread NaN."""
    for name, value in features.items():
        if not torch.isfinite(value).all():
            raise ValueError(
                f"Layer {name!r} of the features module gives non-finite "
                "activations on these images."
            )
    return features


def _relative(loss, zero_loss):
    """``loss / zero_loss``: a layer's loss relative to its target's magnitude."""
    return loss / zero_loss.clamp_min(torch.finfo(zero_loss.dtype).tiny)


@_fill_style_doc
class StyleTransfer(_ImageOptimizer):
    """Neural style transfer: the content of one image in the style of another.

    Gatys, Ecker & Bethge (2016): the network is fixed and the pixels are the
    variables. ``fit(style_image)`` stores the style's Gram matrices
    ``A_l = F_l F_l^T / M_l`` at the style layers; ``transform(content)``
    minimises

        ``alpha L_content + beta L_style + lambda R_TV``

    over the image, starting from the content image (or noise). Each layer's
    term is taken relative to its target's magnitude:
    ``L_content = mean_l ||F_l - P_l||^2 / ||P_l||^2`` (Mahendran & Vedaldi's
    normalised reconstruction error) and ``L_style = mean_l ||G_l - A_l||^2 /
    ||A_l||^2``, that is the lecture's ``E_l`` with He, Wang & Hopcroft's
    (2016) automatic normalisation of the layer weights, ``w_l ∝ 1 / E_l(0)``.
    Layers of very different magnitude (random or pretrained, shallow or deep)
    then count alike, and the weights mean the same for every network and
    image size. ``R_TV`` is the mean squared difference of neighbouring pixels
    (:func:`total_variation` with ``beta=2``, per pixel).

    Read more in the lecture's chapter on neural style transfer.

    Parameters
    ----------
    content_layers : str or list of str, default=None
        Layers of the content loss; ``None``: ``relu3_1`` for ``random_vgg``,
        Gatys et al.'s ``relu4_2`` for VGG, ``relu`` for ``random_multiscale``.
    style_layers : str or list of str, default=None
        Layers of the style loss; ``None``: ``relu1_1``, ``relu2_1``,
        ``relu3_1``, ``relu4_1`` for ``random_vgg`` (receptive field 68 px),
        up to ``relu5_1`` for VGG (156 px), ``relu`` for
        ``random_multiscale``.
    content_weight : float, default=1.0
        ``alpha``.
    style_weight : float, default=1.0
        ``beta``; the ratio ``alpha / beta`` trades content for style.
    tv_weight : float, default=1.0
        ``lambda``, against noise and checkerboard artefacts.
    init : {"content", "noise"}, default="content"
        The starting image.
    {common}

    Attributes
    ----------
    content_layers_, style_layers_ : tuple of str
        The layers used.
    style_grams_ : dict of str to ndarray of shape (N_l, N_l)
        The style targets ``A_l`` (normalised Gram matrices, averaged over the
        style images).
    {history}

    See Also
    --------
    FeatureInversion : Reconstruct an image from one layer's features.
    gram_matrix, style_loss, content_loss, total_variation : The losses.

    References
    ----------
    .. [1] L. A. Gatys, A. S. Ecker and M. Bethge, "Image style transfer using
       convolutional neural networks", CVPR 2016.
    .. [2] K. He, Y. Wang and J. Hopcroft, "A powerful generative model using
       random weights for the deep image representation", NeurIPS 2016.
    .. [3] I. Ustyuzhaninov, W. Brendel, L. Gatys and M. Bethge, "What does it
       take to generate natural textures?", ICLR 2017.
    .. [4] A. Mahendran and A. Vedaldi, "Understanding deep image
       representations by inverting them", CVPR 2015.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.datasets import load_sample_image
    >>> from sklearn_lecture.neural import StyleTransfer
    >>> content = load_sample_image("china.jpg")
    >>> style = load_sample_image("flower.jpg")
    >>> st = StyleTransfer(image_size=128, n_steps=10, random_state=0).fit(style)
    >>> out = st.transform(content)
    >>> out.shape, out.dtype
    ((85, 128, 3), dtype('uint8'))
    >>> bool(st.loss_history_["total"][-1] < st.loss_history_["total"][0])
    True
    """

    _parameter_constraints = {
        **_ImageOptimizer._parameter_constraints,
        "content_layers": [str, list, tuple, None],
        "style_layers": [str, list, tuple, None],
        "content_weight": [Interval(Real, 0, None, closed="left")],
        "style_weight": [Interval(Real, 0, None, closed="left")],
        "init": [StrOptions({"content", "noise"})],
    }

    def __init__(
        self,
        *,
        features="random_vgg",
        content_layers=None,
        style_layers=None,
        content_weight=1.0,
        style_weight=1.0,
        tv_weight=1.0,
        image_size=None,
        n_steps=200,
        optimizer="lbfgs",
        lr=0.02,
        init="content",
        random_state=None,
        device="cpu",
        verbose=0,
    ):
        store_params(self, locals())

    @fit_guard
    def fit(self, X, y=None):
        """Compute the style targets from one or several style images.

        Parameters
        ----------
        X : ndarray of shape (H, W, 3), (H, W), (n, H, W, 3), or list of such
            The style image(s), uint8 or float in [0, 1]. With several, their
            Gram matrices are averaged (a list of arrays may mix sizes; a nested
            list of numbers, as ``image.tolist()`` gives, is read as one array).
        y : None
            Ignored.

        Returns
        -------
        self : StyleTransfer
        """
        styles = _check_images(X, "The style image", allow_list=True)
        if isinstance(styles, tuple):
            styles = styles[0]
        net_seed, self._init_seed = self._seeds()
        content, style = self._build_features(net_seed)
        if self.content_layers is not None:
            content = _layer_tuple(self.content_layers, "content_layers")
        if self.style_layers is not None:
            style = _layer_tuple(self.style_layers, "style_layers")
        if content is None or style is None:
            raise ValueError(
                "With a features module of your own, name its content_layers and "
                "style_layers (names from module.named_modules())."
            )
        self._check_layers(content + style)
        self.content_layers_, self.style_layers_ = content, style
        sums, count = {}, 0
        with torch.no_grad():
            for batch in styles:
                x = self._to_tensor(
                    batch, "The style image", style, optimised=False, stacklevel=5
                )
                feats = _check_finite(self._features_of(x, style))
                for layer in style:
                    total = gram_matrix(feats[layer]).sum(0)
                    sums[layer] = sums.get(layer, 0) + total
                count += len(batch)
        self.style_grams_ = {k: (v / count).cpu().numpy() for k, v in sums.items()}
        return self

    @with_callbacks
    def transform(self, X):
        """Stylise content images.

        Parameters
        ----------
        X : ndarray of shape (H, W, 3), (H, W) or (n, H, W, 3)
            Content image(s), uint8 or float in [0, 1]. Grey images are
            repeated over the three channels (the output has colour). A batch is
            optimised jointly (its losses are averaged).

        Returns
        -------
        X_new : ndarray of shape (H', W', 3) or (n, H', W', 3)
            Same dtype and range as ``X``; ``H', W'`` are ``H, W`` or as set by
            ``image_size``.
        """
        check_is_fitted(self, "style_grams_")
        values, kind = _check_images(X, "The content image")
        layers = self.content_layers_ + self.style_layers_
        x = self._to_tensor(values, "The content image", layers)
        device = self._device()
        with torch.no_grad():
            feats = _check_finite(self._features_of(x, self.content_layers_))
            self._targets = {k: feats[k] for k in self.content_layers_}
            self._target_norms = {
                k: content_loss(torch.zeros_like(v), v)
                for k, v in self._targets.items()
            }
            self._grams = {
                k: torch.from_numpy(v).to(device) for k, v in self.style_grams_.items()
            }
            self._gram_norms = {
                k: style_layer_loss(torch.zeros(1, v.shape[0], 1, 1, device=device), v)
                for k, v in self._grams.items()
            }
        x0 = x if self.init == "content" else self._noise(x.shape, self._init_seed)
        try:
            out = self._minimize(x0)
        finally:
            del self._targets, self._target_norms, self._grams, self._gram_norms
        return self._finish(out, kind)

    def _objective(self, x):
        layers = self.content_layers_ + self.style_layers_
        feats = self._features_of(x, dict.fromkeys(layers))
        content = sum(
            _relative(content_loss(feats[k], self._targets[k]), self._target_norms[k])
            for k in self.content_layers_
        ) / len(self.content_layers_)
        style = sum(
            _relative(style_layer_loss(feats[k], self._grams[k]), self._gram_norms[k])
            for k in self.style_layers_
        ) / len(self.style_layers_)
        tv = total_variation(x) / (x.shape[1] * (x.shape[2] - 1) * (x.shape[3] - 1))
        terms = {"content": content.mean(), "style": style.mean(), "tv": tv.mean()}
        terms["total"] = (
            self.content_weight * terms["content"]
            + self.style_weight * terms["style"]
            + self.tv_weight * terms["tv"]
        )
        return terms


@_fill_style_doc
class FeatureInversion(_ImageOptimizer):
    """Reconstruct images from the features of one layer (feature inversion).

    Mahendran & Vedaldi (2015), the first step of the lecture's style-transfer
    chapter: starting from noise, find

        ``x* = argmin_x ||Phi(x) - Phi_0||^2 / ||Phi_0||^2 + lambda R_TV(x)``

    where ``Phi_0`` are the activations of the given image at ``layer`` and
    ``R_TV`` the mean squared difference of neighbouring pixels. How close
    ``x*`` comes to the image shows how much of it that depth keeps: shallow
    layers give it back almost exactly, deeper ones (after more pooling) keep
    less and less. ``fit`` only builds the network; ``transform`` inverts.

    Measured on ``china.jpg`` at 107 x 160 pixels (the example), 100 L-BFGS
    evaluations from noise with the random VGG features give a PSNR of 42.6 dB
    from relu1_1, 20.9 from relu2_1, 18.6 from relu3_1 and 16.1 from relu4_1.

    Parameters
    ----------
    layer : str, default=None
        The layer to invert; ``None``: ``relu3_1`` (``relu4_2`` for VGG,
        ``relu`` for ``random_multiscale``).
    tv_weight : float, default=0.1
        ``lambda``: against the high-frequency noise the features do not
        constrain (on the example's image, 0.1 gave deep layers 2-3 dB more
        than 0.01, and relu1_1 still 42 dB).
    {common}

    Attributes
    ----------
    layer_ : str
        The layer inverted.
    {history}
        (``"style"`` is 0 throughout.)

    See Also
    --------
    StyleTransfer : Content and style losses together.

    References
    ----------
    .. [1] A. Mahendran and A. Vedaldi, "Understanding deep image
       representations by inverting them", CVPR 2015.
    .. [2] K. He, Y. Wang and J. Hopcroft, "A powerful generative model using
       random weights for the deep image representation", NeurIPS 2016.

    Examples
    --------
    >>> from sklearn.datasets import load_sample_image
    >>> from sklearn_lecture.neural import FeatureInversion
    >>> image = load_sample_image("china.jpg")[::8, ::8]
    >>> inv = FeatureInversion("relu2_1", n_steps=30, random_state=0)
    >>> out = inv.fit_transform(image)
    >>> out.shape
    (54, 80, 3)
    >>> bool(inv.loss_history_["content"][-1] < 0.1 * inv.loss_history_["content"][0])
    True
    """

    _parameter_constraints = {
        **_ImageOptimizer._parameter_constraints,
        "layer": [str, None],
    }

    def __init__(
        self,
        layer=None,
        *,
        features="random_vgg",
        tv_weight=0.1,
        image_size=None,
        n_steps=200,
        optimizer="lbfgs",
        lr=0.02,
        random_state=None,
        device="cpu",
        verbose=0,
    ):
        store_params(self, locals())

    @fit_guard
    def fit(self, X=None, y=None):
        """Build the network (and check the images, if given).

        Parameters
        ----------
        X : ndarray of shape (H, W, 3), (H, W) or (n, H, W, 3), default=None
            Images, only validated.
        y : None
            Ignored.

        Returns
        -------
        self : FeatureInversion
        """
        net_seed, self._init_seed = self._seeds()
        content, _ = self._build_features(net_seed)
        if self.layer is not None:
            self.layer_ = self.layer
        elif content is not None:
            self.layer_ = content[0]
        else:
            raise ValueError(
                "With a features module of your own, name the layer to invert "
                "(a name from module.named_modules())."
            )
        self._check_layers([self.layer_])
        if X is not None:
            values, _ = _check_images(X, "The image")
            self._to_tensor(values, "The image", [self.layer_], stacklevel=5)
        return self

    @with_callbacks
    def transform(self, X):
        """Reconstruct each image from its features at ``layer_``.

        Parameters
        ----------
        X : ndarray of shape (H, W, 3), (H, W) or (n, H, W, 3)
            uint8 or float in [0, 1].

        Returns
        -------
        X_new : ndarray of the same dtype, shape (H', W', 3) or (n, H', W', 3)
        """
        check_is_fitted(self, "layer_")
        values, kind = _check_images(X, "The image")
        x = self._to_tensor(values, "The image", [self.layer_])
        with torch.no_grad():
            feats = _check_finite(self._features_of(x, [self.layer_]))
            self._target = feats[self.layer_]
            self._target_norm = content_loss(
                torch.zeros_like(self._target), self._target
            )
        try:
            out = self._minimize(self._noise(x.shape, self._init_seed))
        finally:
            del self._target, self._target_norm
        return self._finish(out, kind)

    def _objective(self, x):
        feats = self._features_of(x, [self.layer_])[self.layer_]
        content = _relative(content_loss(feats, self._target), self._target_norm)
        tv = total_variation(x) / (x.shape[1] * (x.shape[2] - 1) * (x.shape[3] - 1))
        terms = {
            "content": content.mean(),
            "style": torch.zeros((), device=x.device),
            "tv": tv.mean(),
        }
        terms["total"] = terms["content"] + self.tv_weight * terms["tv"]
        return terms
