"""Shape sweep: PCA, FisherLDA and KMeans against scikit-learn over many shapes.

Alternating pairs (``_harness.compare``), median ratio ours / scikit-learn, fit
and transform timed separately, five times the pairs for steps under 50 ms;
prints a markdown table. Run from the repository root:
``python benchmarks/shape_sweep.py [pca] [fisher] [kmeans]`` (all three when none
is named). ``benchmarks/run.py`` runs the same functions and writes the table
into ``BENCHMARKS.md``.
"""

import os
import sys
import time
import warnings

import numpy as np
from sklearn.cluster import KMeans as SklearnKMeans
from sklearn.decomposition import PCA as SklearnPCA
from sklearn.discriminant_analysis import LinearDiscriminantAnalysis

sys.path.insert(0, os.path.dirname(__file__))
from _harness import compare  # noqa: E402

from sklearn_lecture import PCA, FisherLDA, KMeans  # noqa: E402
from sklearn_lecture.discriminant_analysis._fisher import (  # noqa: E402
    SingularScatterWarning,
)

REPEATS = int(os.environ.get("SWEEP_REPEATS", 3))
# (name, n_samples, n_features[, rules]): the rules default to PCA_RULES.
PCA_SHAPES = [
    ("tall", 20_000, 50),
    ("square", 1_000, 1_000),
    ("wide", 500, 5_000),
    ("square", 2_000, 2_000, (50,)),
]
PCA_RULES = [10, 0.9, "kaiser"]
LDA_SHAPES = [("tall", 20_000, 50), ("wide", 100, 2_000)]
LDA_CLASSES = [2, 10, 50]
# (n, d, K, dtype): not a Cartesian product. Tiny and huge n, 2 to 512
# features, 2 to 256 clusters, both dtypes; a million rows only with few
# features, 512 features with about 1e4 rows.
KMEANS_CASES = [
    (1_000, 2, 2, np.float64),
    (1_000, 32, 8, np.float32),
    (2_000, 64, 10, np.float64),
    (10_000, 3, 256, np.float64),
    (10_000, 512, 8, np.float64),
    (10_000, 512, 64, np.float32),
    (20_000, 128, 32, np.float64),
    (50_000, 32, 256, np.float32),
    (100_000, 16, 10, np.float64),
    (200_000, 2, 8, np.float64),
    (300_000, 8, 64, np.float32),
    (1_000_000, 2, 4, np.float32),
    (1_000_000, 4, 16, np.float64),
    # The rows of the compiled engine's issue: 2-d demos, few and many features.
    (10_000, 2, 8, np.float64),
    (5_000, 3, 3, np.float32),
    (1_000_000, 4, 5, np.float64),
    (100_000, 32, 16, np.float32),
    (20_000, 512, 32, np.float32),
    (100_000, 256, 16, np.float64),
]
# KMeans fits are short and the peer's OpenMP threads are sensitive to other
# load: more pairs per row (about 2.5 minutes in all on 2 cores).
KMEANS_REPEATS = int(os.environ.get("SWEEP_KMEANS_REPEATS", 5))
# Iterations of the fixed-init runs (tol=0, so every run does them all unless
# the partition settles first).
KMEANS_MAX_ITER = 20


def _row(kind, shape, setting, step, result, quality, intelex=None):
    n, d = shape
    return (
        f"| {kind} | {n} x {d} | {setting} | {step} | "
        f"{np.median(result.ours_s):.4f} | {np.median(result.peer_s):.4f} | "
        f"{result.ratio:.2f} | {'–' if intelex is None else f'{intelex:.2f}'} | "
        f"{quality} |"
    )


def _intelex_kmeans():
    """scikit-learn-intelex's KMeans (the ``bench`` extra), or None."""
    try:
        from sklearnex.cluster import KMeans as IntelexKMeans
    except ImportError:
        return None
    return IntelexKMeans


def _compare(step, ours_fn, peer_fn):
    """``compare`` with five times the pairs for a step of milliseconds.

    Those pairs cost little and keep a few preempted ones (a busy two-core
    machine, two BLAS pools) from deciding the median.
    """
    start = time.perf_counter()
    ours_fn()
    fast = time.perf_counter() - start < 0.05
    return compare(
        step, "sklearn", ours_fn, peer_fn, repeats=5 * REPEATS if fast else REPEATS
    )


def _transform_row(kind, setting, ours, peer, X):
    res, _, _ = _compare(
        "transform", lambda: ours.transform(X), lambda: peer.transform(X)
    )
    return _row(kind, X.shape, setting, "transform", res, "")


def sweep_pca(rng):
    rows = []
    for name, n, d, *rules in PCA_SHAPES:
        X = rng.standard_normal((n, d)) * np.linspace(1, 3, d)
        for rule in rules[0] if rules else PCA_RULES:
            k = PCA(rule).fit(X).n_components_
            # The peer gets the number of components our rule selects (it has
            # no Kaiser rule; its fraction rule is "more than"). Both choose
            # their solver ("auto"), seeded alike.
            res, ours, peer = _compare(
                "fit",
                lambda: PCA(rule, random_state=0).fit(X),
                lambda: SklearnPCA(k, random_state=0).fit(X),
            )
            gap = abs(
                ours.explained_variance_ratio_.sum()
                - peer.explained_variance_ratio_.sum()
            )
            quality = f"k={k}, {ours._fit_svd_solver}, |Δ evr|={gap:.1e}"
            rows.append(_row("PCA", (n, d), f"{name}, {rule!r}", "fit", res, quality))
            rows.append(_transform_row("PCA", f"{name}, {rule!r}", ours, peer, X))
    return rows


def sweep_fisher(rng):
    rows = []
    for name, n, d in LDA_SHAPES:
        for n_classes in LDA_CLASSES:
            y = np.arange(n) % n_classes
            X = rng.standard_normal((n, d))
            X[:, :10] += rng.standard_normal((n_classes, 10))[y] * 2
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", SingularScatterWarning)
                res, ours, peer = _compare(
                    "fit",
                    lambda: FisherLDA().fit(X, y),
                    lambda: LinearDiscriminantAnalysis().fit(X, y),
                )
            agree = np.mean(ours.predict(X) == peer.predict(X))
            quality = (
                f"train acc {ours.score(X, y):.3f} / {peer.score(X, y):.3f}, "
                f"agree {agree:.3f}"
            )
            setting = f"{name}, {n_classes} classes"
            rows.append(_row("FisherLDA", (n, d), setting, "fit", res, quality))
            rows.append(_transform_row("FisherLDA", setting, ours, peer, X))
    return rows


def _kmeans_data(rng, n, d, dtype):
    """Gaussian blobs around 16 centres, overlapping enough to need iterations."""
    centres = rng.standard_normal((16, d)) * 3.0
    X = rng.standard_normal((n, d))
    X += centres[rng.integers(0, 16, n)]
    return X.astype(dtype)


def _kmeans_quality(ours, peer):
    return (
        f"inertia {ours.inertia_ / peer.inertia_:.6f}, "
        f"iter {ours.n_iter_}/{peer.n_iter_}"
    )


def sweep_kmeans(rng, cases=None):
    """KMeans against scikit-learn's, from a fixed init and as the default call.

    Fixed init: the same K rows of X as init, n_init=1, ``KMEANS_MAX_ITER``
    iterations, tol=0, scikit-learn's ``algorithm="lloyd"``. Default:
    ``KMeans(K, random_state=0).fit(X)`` on both sides (k-means++ seeding
    included; the seeds differ, so the quality column tells whether the
    partitions are as good).
    """
    rows, intelex = [], _intelex_kmeans()
    for n, d, k, dtype in KMEANS_CASES if cases is None else cases:
        X = _kmeans_data(rng, n, d, dtype)
        init = X[rng.choice(n, k, replace=False)]
        setting = f"K={k}, {np.dtype(dtype).name}"
        same = dict(init=init, n_init=1, max_iter=KMEANS_MAX_ITER, tol=0)
        for step, params, peer_params in (
            ("fit, same init", same, {**same, "algorithm": "lloyd"}),
            ("fit, default", {"random_state": 0}, {"random_state": 0}),
        ):
            res, ours, peer = compare(
                "fit",
                "sklearn",
                lambda: KMeans(k, **params).fit(X),
                lambda: SklearnKMeans(k, **peer_params).fit(X),
                repeats=KMEANS_REPEATS,
            )
            ratio = None
            if intelex is not None:  # the same pairs, the other peer against it
                ratio = compare(
                    "fit",
                    "sklearn",
                    lambda: intelex(k, **peer_params).fit(X),
                    lambda: SklearnKMeans(k, **peer_params).fit(X),
                    repeats=KMEANS_REPEATS,
                )[0].ratio
            rows.append(_row("KMeans", (n, d), setting, step, res,
                             _kmeans_quality(ours, peer), ratio))
    return rows


SWEEPS = {"pca": sweep_pca, "fisher": sweep_fisher, "kmeans": sweep_kmeans}

TABLE_HEADER = [
    "| estimator | shape | setting | step | ours (s) | scikit-learn (s) | ratio "
    "| intelex / scikit-learn | quality |",
    "|---|---|---|---|---|---|---|---|---|",
]


def main(argv=None):
    names = sys.argv[1:] if argv is None else argv
    unknown = set(names) - set(SWEEPS)
    if unknown:
        raise SystemExit(f"unknown sweep {sorted(unknown)}; pick from {list(SWEEPS)}")
    for line in TABLE_HEADER:
        print(line)
    for name, sweep in SWEEPS.items():
        if names and name not in names:
            continue
        # A generator of its own: a sweep run alone sees the data it sees in all.
        for row in sweep(np.random.default_rng(0)):
            print(row, flush=True)


if __name__ == "__main__":
    main()
