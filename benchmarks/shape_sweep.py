"""Shape sweep: PCA and FisherLDA against scikit-learn on tall, square and wide data.

Alternating pairs (``_harness.compare``), median ratio ours / scikit-learn, fit
and transform timed separately, five times the pairs for steps under 50 ms;
prints a markdown table. Run from the repository root:
``python benchmarks/shape_sweep.py``.
"""

import os
import sys
import time
import warnings

import numpy as np
from sklearn.decomposition import PCA as SklearnPCA
from sklearn.discriminant_analysis import LinearDiscriminantAnalysis

sys.path.insert(0, os.path.dirname(__file__))
from _harness import compare  # noqa: E402

from sklearn_lecture import PCA, FisherLDA  # noqa: E402
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


def _row(kind, shape, setting, step, result, quality):
    n, d = shape
    return (
        f"| {kind} | {n} x {d} | {setting} | {step} | "
        f"{np.median(result.ours_s):.4f} | {np.median(result.peer_s):.4f} | "
        f"{result.ratio:.2f} | {quality} |"
    )


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
            quality = f"k={k}, {ours._solver(n, d)}, |Δ evr|={gap:.1e}"
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


def main():
    rng = np.random.default_rng(0)
    print(
        "| estimator | shape | setting | step | ours s | sklearn s | ratio | quality |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for row in sweep_pca(rng) + sweep_fisher(rng):
        print(row, flush=True)


if __name__ == "__main__":
    main()
