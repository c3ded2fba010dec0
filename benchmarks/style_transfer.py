"""Time a style transfer of a 256-pixel image on the CPU, per feature extractor.

``python benchmarks/style_transfer.py [--threads 1 2] [--steps 200]`` (one thread
by default: on a 2-core machine that others use, a second spinning thread made
each step up to ten times slower, measured).

Content ``china.jpg`` and style ``flower.jpg`` resized to 256 pixels on the
longer side (171 x 256). For each network: the whole ``transform`` (wall and
CPU seconds, iterations, loss reductions) and, as the floor any implementation
pays, one bare forward and backward pass through the same layers; their ratio
is what the estimator adds (L-BFGS-B, losses, conversions, and the extra
evaluations of a line search). The full-width
VGG-19 layout (random weights) stands in for the cost of ``features="vgg19"``.
Timings on a shared machine vary; the CPU seconds show how much of the wall
time the process actually ran.
"""

import argparse
import time

import numpy as np
import torch
from sklearn.datasets import load_sample_image

from sklearn_lecture.neural import RandomMultiscale, RandomVGG, StyleTransfer


def bare_step_seconds(module, layers, shape, repeats=7):
    """Median seconds of one forward and backward pass to the image."""
    x = torch.rand(shape, generator=torch.Generator().manual_seed(0))
    x.requires_grad_(True)
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        out = module.forward_layers(x, layers)
        sum(v.square().mean() for v in out.values()).backward()
        x.grad = None
        times.append(time.perf_counter() - start)
    return float(np.median(times))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, nargs="+", default=[1])
    parser.add_argument("--steps", type=int, default=200)
    args = parser.parse_args()

    content = load_sample_image("china.jpg")
    style = load_sample_image("flower.jpg")
    networks = [
        ("random_vgg (default, width 0.25)", "random_vgg", args.steps),
        ("random_multiscale (3-15 px, 16 each)", RandomMultiscale(), args.steps),
        ("VGG-19 layout, full width", RandomVGG(width=1.0), 20),
    ]
    print("| threads | features | steps | wall s | CPU s | ms / iteration | "
          "bare fwd+bwd ms | overhead | total loss | style loss |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    previous = torch.get_num_threads()
    for threads in args.threads:
        torch.set_num_threads(threads)
        for label, features, steps in networks:
            st = StyleTransfer(
                features=features, image_size=256, n_steps=steps, random_state=0
            ).fit(style)
            wall, cpu = time.perf_counter(), time.process_time()
            out = st.transform(content)
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
            per_iter = wall / max(st.n_iter_, 1)
            layers = list(dict.fromkeys(st.content_layers_ + st.style_layers_))
            shape = (1, 3, *out.shape[:2])
            bare = bare_step_seconds(st.features_, layers, shape)
            h = st.loss_history_
            print(
                f"| {threads} | {label} | {st.n_iter_} | {wall:.1f} | {cpu:.1f} | "
                f"{1000 * per_iter:.0f} | {1000 * bare:.0f} | {per_iter / bare:.2f} | "
                f"{h['total'][0]:.3g} -> {h['total'][-1]:.3g} | "
                f"{h['style'][0]:.3g} -> {h['style'][-1]:.3g} "
                f"({h['style'][0] / h['style'][-1]:.0f}x) |",
                flush=True,
            )
    torch.set_num_threads(previous)


if __name__ == "__main__":
    main()
