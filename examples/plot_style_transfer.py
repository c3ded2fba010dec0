"""
=======================================================================
Neural style transfer and feature inversion, offline on random features
=======================================================================

The lecture's last chapter optimises an *image*, not a network. Feature
inversion asks which image has given activations at one layer,
``x* = argmin ||Phi(x) - Phi_0||^2 + lambda R_TV(x)``; style transfer mixes the
content loss at a deep layer with the Gram-matrix style loss at several layers,
``alpha L_content + beta L_style``, and the ratio ``alpha / beta`` decides how much
of each image survives.

The lecture uses a pretrained VGG-19, whose weights are downloaded at run time.
Here the network is VGG-19's layout with seeded *random* weights (He, Wang &
Hopcroft, 2016, showed such features already carry much of the effect), so the
example runs offline; pass ``features="vgg19"`` when torchvision's weights are in
the local torch hub cache.

Content: ``load_sample_image("china.jpg")``; style: ``load_sample_image("flower.jpg")``,
both downscaled so that the whole example takes seconds on a CPU.
"""

# %%
import matplotlib

matplotlib.use("Agg")

import os
import time
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import torch
from sklearn.datasets import load_sample_image

from sklearn_lecture.neural import FeatureInversion, StyleTransfer

# One intra-op thread (given back at the end): on a busy 2-core machine a second
# spinning thread made these small convolutions 20-40x slower (measured), and on
# an idle one it saves less than half the time.
n_threads = torch.get_num_threads()
torch.set_num_threads(1)

output_root = Path(os.environ.get("SKLEARN_LECTURE_OUTPUT", "lecture_plots"))
output_dir = output_root / "examples"
output_dir.mkdir(parents=True, exist_ok=True)

# Every fourth pixel: 107 x 160 images (the network's deepest layer used here,
# relu4_1, sees 68 x 68 pixels).
content = load_sample_image("china.jpg")[::4, ::4]
style = load_sample_image("flower.jpg")[::4, ::4]


def psnr(a, b):
    """Peak signal-to-noise ratio of two uint8 images, in dB."""
    mse = np.mean((a.astype(float) - b.astype(float)) ** 2) / 255**2
    return 10 * np.log10(1 / mse)


# %%
# Style transfer with more weight on the content, then more on the style. The
# losses are normalised per layer (relative to the target's magnitude), so the
# weights mean the same on any network and at any image size.
results = {}
for label, style_weight in [("more content", 0.1), ("more style", 3.0)]:
    st = StyleTransfer(style_weight=style_weight, n_steps=150, random_state=0)
    st.fit(style)
    start = time.perf_counter()
    results[label] = st.transform(content)
    seconds = time.perf_counter() - start
    h = st.loss_history_
    print(
        f"style_weight={style_weight:<4} ({label}): {seconds:.1f} s for "
        f"{st.n_iter_} L-BFGS iterations; style loss {h['style'][0]:.3f} -> "
        f"{h['style'][-1]:.4f} ({h['style'][0] / h['style'][-1]:.0f}x lower), "
        f"content loss 0 -> {h['content'][-1]:.3f}"
    )

# %%
# Feature inversion from noise: how much of the image each depth keeps. The
# shallow layers give it back almost exactly; after each pooling less survives.
inversions = {}
for layer in ["relu1_1", "relu2_1", "relu3_1", "relu4_1"]:
    inv = FeatureInversion(layer, n_steps=100, random_state=0)
    start = time.perf_counter()
    image = inv.fit_transform(content)
    seconds = time.perf_counter() - start
    h = inv.loss_history_["content"]
    inversions[layer] = (image, psnr(image, content))
    print(
        f"inversion from {layer}: PSNR {inversions[layer][1]:5.1f} dB, feature "
        f"error {h[0]:.3f} -> {h[-1]:.2e} ({h[0] / h[-1]:.0e}x lower), {seconds:.1f} s"
    )

# %%
# Top: the two images and the two mixtures; bottom: inversions from four depths.
fig, axes = plt.subplots(2, 4, figsize=(14, 5.6))
top = [("content", content), ("style", style), *results.items()]
for ax, (title, image) in zip(axes[0], top):
    ax.imshow(image)
    ax.set_title(title)
for ax, (layer, (image, value)) in zip(axes[1], inversions.items()):
    ax.imshow(image)
    ax.set_title(f"inverted from {layer}: {value:.1f} dB")
for ax in axes.ravel():
    ax.axis("off")
fig.tight_layout()
fig.savefig(output_dir / "style_transfer.png", dpi=80)
print(f"wrote {output_dir / 'style_transfer.png'}")
torch.set_num_threads(n_threads)
