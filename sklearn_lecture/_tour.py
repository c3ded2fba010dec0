"""The tour behind ``python -m sklearn_lecture`` (and ``make demo``).

The tour and the examples are one source: the tour runs the example scripts of
``examples/`` in the lecture's order, chapter by chapter, and shows what each
one reports. Every example runs on data bundled with scikit-learn or generated
(no download) and writes its figures to ``<output-dir>/examples/``. The scripts
are installed with the package (``<prefix>/share/sklearn_lecture/examples``, see
``setup.cfg``), so the tour runs from an installed package as from a checkout.
"""

import argparse
import importlib.util
import os
import runpy
import sys
import sysconfig
import time
from contextlib import contextmanager, redirect_stdout
from importlib import metadata
from pathlib import Path

WIDTH = 78

#: The lecture's chapters: (title, extra the chapter needs or None, examples).
CHAPTERS = (
    (
        "Clustering: k-means, choosing K, fuzzy k-means",
        None,
        (
            "plot_elbow",
            "plot_market_criterion",
            "plot_image_segmentation",
            "plot_fuzzy_memberships",
        ),
    ),
    (
        "Dimensionality reduction: the curse of dimensionality, factor analysis, "
        "PCA, Fisher's discriminant",
        None,
        (
            "plot_curse_of_dimensionality",
            "plot_factor_analysis",
            "plot_pca_contribution",
            "plot_pca_digits_reconstruction",
            "plot_fisher_vs_pca",
        ),
    ),
    (
        "Neural networks: autoencoders, RNN/LSTM/GRU, optimizers, model selection",
        "neural",
        (
            "plot_autoencoder_vs_pca",
            "plot_pca_network",
            "plot_sparse_activations",
            "plot_denoising",
            "plot_stacked_pretraining",
            "plot_rnn_adding_problem",
            "plot_mackey_glass",
            "plot_temporal_order",
            "plot_optimizers",
            "plot_model_selection",
        ),
    ),
    (
        "Reinforcement learning: Q-learning, SARSA, exploration",
        "rl",
        ("plot_cliff_walking", "plot_maximization_bias", "plot_robot_vacuum"),
    ),
    (
        "Generative adversarial networks: GAN, DCGAN, latent space",
        "neural",
        ("plot_gan_1d", "plot_gan_digits", "plot_latent_interpolation"),
    ),
    (
        "Neural style transfer and feature inversion (random VGG features, offline)",
        "neural",
        ("plot_style_losses", "plot_style_transfer"),
    ),
)

# What each extra needs importable, and how to install it.
_EXTRAS = {"neural": ("torch", "skorch"), "rl": ("gymnasium",)}


#: Where ``pip install`` puts the example scripts, relative to the prefix.
INSTALLED_EXAMPLES = Path("share", "sklearn_lecture", "examples")


def _holds_the_tour(folder):
    return all((folder / f"{name}.py").is_file() for _, _, names in CHAPTERS
               for name in names)


def _installed_examples():
    """The example scripts installed with the distribution, or None."""
    try:
        files = metadata.distribution("sklearn_lecture").files or ()
    except metadata.PackageNotFoundError:
        files = ()
    for file in files:
        if Path(file).parent.parts[-3:] == INSTALLED_EXAMPLES.parts:
            folder = Path(file.locate()).resolve().parent
            if _holds_the_tour(folder):
                return folder
    # The same scheme as pip's, for an installation without a RECORD.
    folder = Path(sysconfig.get_path("data")) / INSTALLED_EXAMPLES
    return folder if _holds_the_tour(folder) else None


def examples_dir():
    """The folder of the example scripts that the tour runs.

    ``examples/`` of the source checkout the package runs from, or else the
    copy installed with the package.
    """
    checkout = Path(__file__).resolve().parents[1] / "examples"
    if _holds_the_tour(checkout):
        return checkout
    return _installed_examples() or checkout


def _title(text, char="="):
    print()
    print(char * WIDTH)
    print(text)
    print(char * WIDTH)


def _example_title(path):
    """The example's title: the line under the first ``=====`` of its docstring."""
    lines = path.read_text(encoding="utf-8").splitlines()
    for i, line in enumerate(lines[:-1]):
        if line.startswith("===") and lines[i + 1].strip():
            return lines[i + 1].strip()
    return path.stem


def _missing(extra):
    if extra is None:
        return []
    return [m for m in _EXTRAS[extra] if importlib.util.find_spec(m) is None]


class _Indented:
    """A stdout that indents every line and passes it on at once."""

    def __init__(self, stream, prefix="  "):
        self.stream = stream
        self.prefix = prefix
        self.at_line_start = True

    def write(self, text):
        for piece in text.splitlines(keepends=True):
            if self.at_line_start and piece.strip():
                self.stream.write(self.prefix)
            self.stream.write(piece)
            self.at_line_start = piece.endswith("\n")
        return len(text)

    def flush(self):
        self.stream.flush()


@contextmanager
def _environment(output_dir):
    previous = os.environ.get("SKLEARN_LECTURE_OUTPUT")
    os.environ["SKLEARN_LECTURE_OUTPUT"] = str(output_dir)
    try:
        yield
    finally:
        if previous is None:
            del os.environ["SKLEARN_LECTURE_OUTPUT"]
        else:
            os.environ["SKLEARN_LECTURE_OUTPUT"] = previous


@contextmanager
def _one_torch_thread(extra):
    """One intra-op torch thread for the nets' chapters.

    The examples' nets are small: a second intra-op thread only adds
    synchronisation, and on a busy 2-core machine it made a fit 10 to 40 times
    slower. The user's setting is restored afterwards.
    """
    if extra != "neural":
        yield
        return
    import torch

    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(previous)


def run_example(path, output_dir):
    """Run one example script with its figures going to ``output_dir/examples``."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:  # pragma: no cover - the plot extra is missing
        plt = None
    with _environment(output_dir), redirect_stdout(_Indented(sys.stdout)):
        try:
            runpy.run_path(str(path), run_name="__main__")
        finally:
            if plt is not None:
                plt.close("all")


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="python -m sklearn_lecture",
        description="A tour of every sklearn_lecture estimator on bundled data: "
        "the examples, in the lecture's order.",
    )
    parser.add_argument(
        "--output-dir",
        default="lecture_plots",
        help="folder for the PNG plots (default: %(default)s)",
    )
    parser.add_argument(
        "--no-neural", action="store_true", help="skip the neural networks chapter"
    )
    parser.add_argument(
        "--only",
        default=None,
        help="comma-separated example names (e.g. plot_elbow,plot_pca_contribution)",
    )
    args = parser.parse_args(argv)
    folder = examples_dir()
    if not folder.is_dir():
        parser.error(
            f"the example scripts are missing (neither {folder} nor "
            f"<prefix>/{INSTALLED_EXAMPLES.as_posix()} holds them): reinstall "
            "sklearn_lecture with pip, or run the tour from a source checkout."
        )
    if importlib.util.find_spec("matplotlib") is None:
        parser.error("the tour draws figures: pip install 'sklearn_lecture[plot]'.")
    only = None if args.only is None else set(args.only.split(","))
    known = {name for _, _, names in CHAPTERS for name in names}
    if only is not None and not only <= known:
        parser.error(
            f"--only names no example {', '.join(sorted(only - known))}; the "
            f"examples are {', '.join(sorted(known))}."
        )
    output_dir = Path(args.output_dir)
    (output_dir / "examples").mkdir(parents=True, exist_ok=True)

    start = time.perf_counter()
    for number, (chapter, extra, names) in enumerate(CHAPTERS, start=1):
        names = [n for n in names if only is None or n in only]
        if not names:
            continue
        _title(f"{number}. {chapter}")
        missing = _missing(extra)
        if (extra == "neural" and args.no_neural) or missing:
            why = (
                "--no-neural"
                if not missing
                else f"{', '.join(missing)} not installed: "
                f"pip install 'sklearn_lecture[{extra}]'"
            )
            print(f"  skipped ({why})")
            continue
        for sub, name in enumerate(names, start=1):
            path = folder / f"{name}.py"
            print(f"\n{number}.{sub} {_example_title(path)}  (examples/{path.name})")
            tic = time.perf_counter()
            with _one_torch_thread(extra):
                run_example(path, output_dir)
            print(f"  [{time.perf_counter() - tic:.1f} s]")

    written = sorted((output_dir / "examples").glob("*.png"))
    _title("Done")
    print(f"  {time.perf_counter() - start:.1f} s in all.")
    print(f"  {len(written)} plots in {(output_dir / 'examples').resolve()}:")
    for path in written:
        print(f"    {path.name}")
    return 0
