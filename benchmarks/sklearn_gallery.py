"""scikit-learn's own gallery examples, run with only the import changed.

For each example of ``SCRIPTS`` (from the ``examples/`` folder of the scikit-learn
source distribution of the installed version), runs it twice in a fresh
interpreter (matplotlib's Agg backend, its own scratch folder, numpy's global
generator seeded with 0): as written, and
with the parallel estimators imported from sklearn_lecture under scikit-learn's
names (``tests/_sklearn_suite.py``'s substitution). Prints, per script, whether
both ran and how many numbers agree to ``--rtol``: those it prints, and the sum
and sum of squares of each line, scatter, image and bar of its figures. ``-v`` shows
the lines that differ (timings differ by nature).

The examples come from ``--examples DIR``, or else from the source distribution
downloaded from the package index into ``~/.cache/sklearn_lecture``::

    python benchmarks/sklearn_gallery.py [--examples DIR] [-v]
"""

import argparse
import json
import os
import re
import subprocess
import sys
import tarfile
import tempfile
import urllib.request
from pathlib import Path

import sklearn

ROOT = Path(__file__).resolve().parents[1]

NAMES = {
    "KMeans": "KMeans",
    "MiniBatchKMeans": "MiniBatchKMeans",
    "PCA": "PCA",
    "IncrementalPCA": "IncrementalPCA",
    "FactorAnalysis": "CommonFactorAnalysis",
    "LinearDiscriminantAnalysis": "FisherLDA",
}

SCRIPTS = [
    "cluster/plot_kmeans_stability_low_dim_dense.py",
    "cluster/plot_mini_batch_kmeans.py",
    "decomposition/plot_varimax_fa.py",
    "decomposition/plot_pca_vs_fa_model_selection.py",
    "classification/plot_lda.py",
    "compose/plot_compare_reduction.py",
    "cluster/plot_kmeans_digits.py",
    "cluster/plot_kmeans_assumptions.py",
    "cluster/plot_kmeans_silhouette_analysis.py",
    "cross_decomposition/plot_pcr_vs_pls.py",
    "neighbors/plot_nca_dim_reduction.py",
    "decomposition/plot_pca_vs_lda.py",
    "decomposition/plot_incremental_pca.py",
    "classification/plot_lda_qda.py",
]

# Runs one script, its imports substituted when asked (argv: script, names).
_RUNNER = """
import ast, json, runpy, sys
sys.path.insert(0, {tests!r})
from _sklearn_suite import _substituted
path, names = sys.argv[1], json.loads(sys.argv[2])
with open(path, encoding="utf-8") as f:
    tree = _substituted(ast.parse(f.read(), path), names)
sys.argv = [path]
__import__("numpy").random.seed(0)  # scripts that draw unseeded data draw the same
exec(compile(tree, path, "exec"), {{"__name__": "__main__", "__file__": path}})
if "matplotlib.pyplot" in sys.modules:  # what the figures show, summed
    import numpy as np
    plt = sys.modules["matplotlib.pyplot"]
    for number in plt.get_fignums():
        for i, ax in enumerate(plt.figure(number).axes):
            arrays = [np.asarray(line.get_xydata(), float) for line in ax.lines]
            arrays += [np.asarray(c.get_offsets(), float) for c in ax.collections]
            arrays += [np.asarray(im.get_array(), float) for im in ax.images]
            arrays += [np.asarray([p.get_height() for p in ax.patches
                                   if hasattr(p, "get_height")], float)]
            for a in arrays:
                if a.size:
                    print(f"[figure {{number}} axes {{i}}] {{np.nansum(a):.10g}} "
                          f"{{np.nansum(a * a):.10g}}")
"""

_NUMBER = re.compile(r"[-+]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?")


def _examples(cache=Path.home() / ".cache" / "sklearn_lecture"):
    """The examples folder of the installed scikit-learn's source distribution."""
    version = sklearn.__version__
    folder = cache / f"scikit_learn-{version}"
    if not folder.exists():
        cache.mkdir(parents=True, exist_ok=True)
        index = urllib.request.urlopen("https://pypi.org/simple/scikit-learn/").read()
        name = f"scikit_learn-{version}.tar.gz"
        link = re.search(rf'href="([^"]*/{re.escape(name)})[#"]', index.decode())
        url = link.group(1)
        archive = cache / name
        urllib.request.urlretrieve(url, archive)
        with tarfile.open(archive) as tar:
            tar.extractall(cache, filter="data")
    return folder / "examples"


def run(script, names, timeout):
    """(return code, stdout, stderr's tail) of one run of ``script``."""
    env = {**os.environ, "MPLBACKEND": "Agg", "PYTHONHASHSEED": "0"}
    with tempfile.TemporaryDirectory() as scratch:
        try:
            done = subprocess.run(
                [sys.executable, "-c", _RUNNER.format(tests=str(ROOT / "tests")),
                 str(script), json.dumps(names)],
                cwd=scratch, env=env, capture_output=True, text=True, timeout=timeout)
        except subprocess.TimeoutExpired:
            return -1, "", f"timed out after {timeout} s"
    return done.returncode, done.stdout, done.stderr[-2000:]


def compare(theirs, ours, rtol):
    """(numbers, equal numbers, differing line pairs) of two outputs."""
    n = equal = 0
    differing = []
    for a, b in zip(theirs.splitlines(), ours.splitlines()):
        x, y = _NUMBER.findall(a), _NUMBER.findall(b)
        same = [abs(float(u) - float(v)) <= rtol * max(abs(float(u)), 1.0)
                for u, v in zip(x, y)]
        n, equal = n + len(x), equal + sum(same)
        if len(x) != len(y) or not all(same) or _NUMBER.sub("#", a) != _NUMBER.sub(
                "#", b):
            differing.append((a, b))
    return n, equal, differing


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=Path, help="scikit-learn's examples/")
    parser.add_argument("--rtol", type=float, default=1e-6)
    parser.add_argument("--timeout", type=int, default=600)
    parser.add_argument("--only", help="a substring of the scripts to run")
    parser.add_argument("-v", "--verbose", action="store_true")
    args = parser.parse_args()
    examples = args.examples or _examples()
    print(f"scikit-learn {sklearn.__version__}, examples from {examples}\n")
    print(f"{'script':50s} {'theirs':>7s} {'ours':>7s}  numbers equal")
    failed = 0
    for name in SCRIPTS:
        if args.only and args.only not in name:
            continue
        script = examples / name
        theirs = run(script, {}, args.timeout)
        ours = run(script, NAMES, args.timeout)
        n, equal, differing = compare(theirs[1], ours[1], args.rtol)
        status = ["ran" if r[0] == 0 else "FAILED" for r in (theirs, ours)]
        failed += ours[0] != 0
        print(f"{name:50s} {status[0]:>7s} {status[1]:>7s}  {equal}/{n}")
        if ours[0] != 0:
            print("    " + ours[2].strip().splitlines()[-1])
        if args.verbose:
            for a, b in differing:
                print(f"    theirs: {a.strip()}\n    ours:   {b.strip()}")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
