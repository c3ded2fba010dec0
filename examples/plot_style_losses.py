"""
===============================================================
The style-transfer losses, term by term, on random VGG features
===============================================================

Before any optimisation, the lecture's three terms can be measured on given
images. With ``F_l`` the activations of layer ``l`` of a fixed network:

* the content loss ``1/2 sum (F_l - P_l)^2`` compares the activations
  themselves, so it knows *where* each feature occurs;
* the Gram matrix ``G_l = F_l F_l^T / M_l`` keeps only which features occur
  together, averaged over the ``M_l`` positions; the style loss of a layer,
  ``E_l = sum (G_l - A_l)^2 / (4 N_l^2)``, compares it with the style image's
  ``A_l``, and ``L_style = sum_l w_l E_l``;
* the total variation ``R_TV`` sums the squared differences of neighbouring
  pixels: small for smooth images, large for noise.

The style image (``load_sample_image("flower.jpg")``, every fourth pixel) is
compared with four others: itself mirrored, itself cut into 16-pixel tiles
shuffled at random, the content image of the style-transfer example
(``china.jpg``) and uniform noise. The mirrored and the shuffled images put the
same things in other places: their content loss is large, their style loss a
small fraction of that of the content image or of the noise (the borders of the
tiles, new edges, cost the shuffled image a little). The features are those of
the package's offline networks: VGG-19's layout with seeded random weights
(``RandomVGG``) and one layer of random filters at five sizes
(``RandomMultiscale``).
"""

# %%
import matplotlib

matplotlib.use("Agg")

import os
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import torch
from sklearn.datasets import load_sample_image

from sklearn_lecture.neural import (
    RandomMultiscale,
    RandomVGG,
    VGGFeatures,
    content_loss,
    gram_matrix,
    style_layer_loss,
    style_loss,
    total_variation,
    vgg_weights_path,
)

# One intra-op thread (given back at the end), as in the style-transfer example.
n_threads = torch.get_num_threads()
torch.set_num_threads(1)

output_root = Path(os.environ.get("SKLEARN_LECTURE_OUTPUT", "lecture_plots"))
output_dir = output_root / "examples"
output_dir.mkdir(parents=True, exist_ok=True)

# Every fourth pixel, cropped to whole 16-pixel tiles: 96 x 160 images.
tile = 16
style = load_sample_image("flower.jpg")[::4, ::4]
height, width = (side - side % tile for side in style.shape[:2])
style = style[:height, :width]
content = load_sample_image("china.jpg")[::4, ::4][:height, :width]

rng = np.random.default_rng(0)
grid = (height // tile, width // tile)
tiles = style.reshape(grid[0], tile, grid[1], tile, 3).swapaxes(1, 2)
tiles = tiles.reshape(-1, tile, tile, 3)[rng.permutation(grid[0] * grid[1])]
shuffled = tiles.reshape(*grid, tile, tile, 3)
shuffled = shuffled.swapaxes(1, 2).reshape(height, width, 3)
images = {
    "style": style,
    "mirrored": style[:, ::-1],
    "tiles shuffled": shuffled,
    "content image": content,
    "noise": rng.integers(0, 256, style.shape, dtype=np.uint8),
}


def to_tensor(image):
    """A uint8 (H, W, 3) image as the networks take it: (1, 3, H, W) in [0, 1]."""
    array = np.ascontiguousarray(image, dtype=np.float32) / 255
    return torch.from_numpy(array).permute(2, 0, 1)[None]


# %%
# The fixed networks
# ------------------
# ``RandomVGG`` is a ``VGGFeatures``: the same stack of 3x3 convolutions and
# poolings, here at a quarter of the width with random weights. The style
# layers stop at ``relu4_1``, whose units see 68 x 68 pixels.
vgg = RandomVGG(seed=0)
multiscale = RandomMultiscale(seed=0)
print(f"RandomVGG is a VGGFeatures: {isinstance(vgg, VGGFeatures)}")
for arch in ("vgg16", "vgg19"):
    layout = VGGFeatures(arch, width=0.25)
    fields = ", ".join(
        f"{layer} {layout.receptive_field(layer)} px"
        for layer in ("relu1_1", "relu2_1", "relu3_1", "relu4_1", "relu5_1")
    )
    print(f"  {arch}: {len(layout.layer_names)} modules; receptive fields {fields}")
print(
    f"RandomMultiscale: {len(multiscale.kernel_sizes)} filter sizes "
    f"{multiscale.kernel_sizes} x {multiscale.n_filters} filters, one layer"
)
weights = vgg_weights_path("vgg19")
print(
    f"torchvision's VGG-19 weights ({weights.name}) in the local torch hub cache: "
    f"{'yes' if weights.is_file() else 'no'}; this example uses the random networks."
)

# %%
# The losses against the style image
# ----------------------------------
# Each term is divided by its value for all-zero features (the squared norm
# of ``P_l`` for the content, of ``A_l`` for a layer's style), as
# ``StyleTransfer`` normalises them. ``style_loss`` is the lecture's sum over
# the four layers with equal weights, not normalised. The total variation is
# taken per pixel: its mean over the pixels and the three channels.
style_layers = ["relu1_1", "relu2_1", "relu3_1", "relu4_1"]
with torch.no_grad():
    target = vgg.forward_layers(to_tensor(style), style_layers)
    target_grams = [gram_matrix(target[layer])[0] for layer in style_layers]
    multiscale_target = multiscale(to_tensor(style))
    multiscale_gram = gram_matrix(multiscale_target)[0]
    zero_grams = [
        style_layer_loss(torch.zeros_like(target[layer]), gram)
        for layer, gram in zip(style_layers, target_grams)
    ]
    zero_content = content_loss(torch.zeros_like(target["relu3_1"]), target["relu3_1"])
    zero_multiscale = style_layer_loss(
        torch.zeros_like(multiscale_target), multiscale_gram
    )

    rows, first_grams = {}, {}
    for name, image in images.items():
        x = to_tensor(image)
        features = vgg.forward_layers(x, style_layers)
        first_grams[name] = gram_matrix(features["relu1_1"])[0].numpy()
        per_layer = [
            float(style_layer_loss(features[layer], gram) / zero)
            for layer, gram, zero in zip(style_layers, target_grams, zero_grams)
        ]
        rows[name] = {
            "content": float(
                content_loss(features["relu3_1"], target["relu3_1"]) / zero_content
            ),
            "per_layer": per_layer,
            "style_loss": float(
                style_loss([features[layer] for layer in style_layers], target_grams)
            ),
            "multiscale": float(
                style_layer_loss(multiscale(x), multiscale_gram) / zero_multiscale
            ),
            "tv": float(total_variation(x) / (3 * (height - 1) * (width - 1))),
        }

header = "".join(f"{layer:>9}" for layer in style_layers)
print(
    f"{'':>15} {'content':>8}   {'style of each layer (relative)':<33}"
    f"{'style_loss':>11} {'multiscale':>10} {'TV':>9}"
)
print(
    f"{'image':>15} {'relu3_1':>8} {header} {'(sum)':>11} {'(relative)':>10} "
    f"{'per pixel':>9}"
)
for name, row in rows.items():
    layers = "".join(f"{value:9.4f}" for value in row["per_layer"])
    print(
        f"{name:>15} {row['content']:8.3f} {layers} {row['style_loss']:11.4f} "
        f"{row['multiscale']:10.4f} {row['tv']:9.4f}"
    )

# %%
# The images and their Gram matrices at ``relu1_1``: the mirrored and shuffled
# images share the style's, the content image's differ.
fig, axes = plt.subplots(2, len(images), figsize=(14, 5.4))
vmax = np.abs(first_grams["style"]).max()
for (name, image), ax_image, ax_gram in zip(images.items(), axes[0], axes[1]):
    row = rows[name]
    ax_image.imshow(image)
    ax_image.set_title(
        f"{name}\ncontent {row['content']:.2f}, style {row['style_loss']:.3f}",
        fontsize=9,
    )
    ax_gram.imshow(first_grams[name], cmap="viridis", vmin=0, vmax=vmax)
    ax_gram.set_title(f"Gram matrix, relu1_1 (TV {row['tv']:.3f})", fontsize=9)
for ax in axes.ravel():
    ax.axis("off")
fig.tight_layout()
path = output_dir / "style_losses.png"
fig.savefig(path, dpi=80)
plt.close(fig)
print(f"wrote {path}")
torch.set_num_threads(n_threads)
