"""``make bench``: every estimator against the peer a user would pick instead.

Same data, same start, same number of iterations; runs alternate after a warm-up.
Writes ``BENCHMARKS.md`` (and the KMeans scaling plot) at the repository root,
with the shape sweep of ``shape_sweep.py`` (PCA, FisherLDA, KMeans) under its
own heading. Run with ``--only NAME`` (a substring of a benchmark's key, or of
``sweep_pca``, ``sweep_fisher``, ``sweep_kmeans``) to run a subset while working.
"""

import argparse
import datetime
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from _harness import compare, machine_description, markdown_table  # noqa: E402
from shape_sweep import (  # noqa: E402
    KMEANS_MAX_ITER,
    KMEANS_REPEATS,
    SWEEPS,
    TABLE_HEADER,
)
from shape_sweep import REPEATS as SWEEP_REPEATS  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


def _blobs(n, d, k, dtype=np.float64, seed=0):
    from sklearn.datasets import make_blobs

    X, y = make_blobs(n, d, centers=k, cluster_std=2.0, random_state=seed)
    return X.astype(dtype), y


def bench_kmeans(dtype=np.float64, n=100_000, max_iter=50, repeats=5):
    from sklearn.cluster import KMeans as SkKMeans

    from sklearn_lecture import KMeans

    X, _ = _blobs(n, 32, 16, dtype)
    init = X[np.random.RandomState(0).choice(n, 16, replace=False)]

    def ours():
        return KMeans(16, init=init, n_init=1, max_iter=max_iter, tol=0).fit(X)

    def peer():
        return SkKMeans(
            16, init=init, n_init=1, max_iter=max_iter, tol=0, algorithm="lloyd"
        ).fit(X)

    name = f"KMeans fit {n:,}x32, K=16, {np.dtype(dtype).name}"
    target = 1.3 if dtype == np.float64 else 1.5
    res, o, p = compare(name, "sklearn KMeans(lloyd)", ours, peer, repeats=repeats,
                        target=target)
    res.quality = (
        f"inertia ours/peer {o.inertia_ / p.inertia_:.8f}; "
        f"iterations {o.n_iter_}/{p.n_iter_}"
    )
    return res


def bench_minibatch(repeats=5, n=1_000_000):
    """The default call on both sides: the same seeds and batches, so the same
    steps and centroids."""
    from sklearn.cluster import MiniBatchKMeans as SkMiniBatchKMeans

    from sklearn_lecture import MiniBatchKMeans

    X, _ = _blobs(n, 4, 10)
    res, o, p = compare(
        f"MiniBatchKMeans fit {n:,}x4, K=10", "sklearn MiniBatchKMeans",
        lambda: MiniBatchKMeans(10, random_state=0).fit(X),
        lambda: SkMiniBatchKMeans(10, random_state=0).fit(X),
        repeats=repeats, target=1.0,
    )
    gap = np.abs(o.cluster_centers_ - p.cluster_centers_).max()
    res.quality = (f"largest centroid difference {gap:.1e}; steps "
                   f"{o.n_steps_}/{p.n_steps_}")
    return res


def bench_kmeans_scaling(plot_path):
    """Fit time against n, both libraries, log-log."""
    sizes = [10_000, 31_623, 100_000, 316_228, 1_000_000]
    rows = []
    for n in sizes:
        r = bench_kmeans(n=n, max_iter=20, repeats=3)
        rows.append((n, np.median(r.ours_s), np.median(r.peer_s), r.ratio))
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        fig, ax = plt.subplots(figsize=(5.5, 4))
        ns = [r[0] for r in rows]
        ax.loglog(ns, [r[1] for r in rows], "o-", label="sklearn_lecture KMeans")
        ax.loglog(ns, [r[2] for r in rows], "s--", label="scikit-learn KMeans (lloyd)")
        ax.set_xlabel("n_samples (32 features, K=16, 20 iterations)")
        ax.set_ylabel("fit time (s)")
        ax.legend()
        ax.grid(True, which="both", alpha=0.3)
        fig.savefig(plot_path, dpi=110, bbox_inches="tight")
        plt.close(fig)
    except ImportError:
        pass
    return rows


def bench_fcm(repeats=5, max_iter=30):
    import skfuzzy

    from sklearn_lecture import FuzzyKMeans

    X, _ = _blobs(50_000, 16, 8)
    rng = np.random.RandomState(0)
    u0 = rng.rand(8, X.shape[0])
    u0 /= u0.sum(axis=0)
    # Both start from the same memberships: the first centroids are their u**m means.
    init = (u0**2 @ X) / (u0**2).sum(axis=1, keepdims=True)

    def ours():
        return FuzzyKMeans(8, method="fcm", m=2.0, init=init, max_iter=max_iter,
                           tol=0).fit(X)

    def peer():
        return skfuzzy.cluster.cmeans(X.T, 8, 2.0, error=0.0, maxiter=max_iter,
                                      init=u0, seed=0)

    res, o, p = compare("FuzzyKMeans(fcm, m=2) fit 50,000x16, K=8",
                        "skfuzzy.cluster.cmeans", ours, peer, repeats=repeats,
                        target=0.25)
    objective = o.objective_history_[-1]
    res.quality = (
        f"objective ours/peer {objective / p[4][-1]:.6f}; "
        f"iterations {o.n_iter_}/{p[5]}"
    )
    return res


def bench_pca(repeats=15):
    from sklearn.decomposition import PCA as SkPCA

    from sklearn_lecture import PCA

    rng = np.random.RandomState(0)
    X = rng.randn(100_000, 100) @ rng.randn(100, 100)

    res, o, p = compare("PCA fit 100,000x100, 10 components", "sklearn PCA (auto)",
                        lambda: PCA(10).fit(X), lambda: SkPCA(10).fit(X),
                        repeats=repeats, target=1.1)
    res.quality = (
        "explained variance ratio ours/peer "
        f"{o.explained_variance_ratio_.sum() / p.explained_variance_ratio_.sum():.8f}"
    )
    return res


def bench_fisher(repeats=15):
    from sklearn.discriminant_analysis import LinearDiscriminantAnalysis

    from sklearn_lecture import FisherLDA

    X, y = _blobs(50_000, 50, 10, seed=1)
    X += np.random.RandomState(1).randn(*X.shape) * 4

    res, o, p = compare(
        "FisherLDA fit 50,000x50, 10 classes",
        "sklearn LDA (svd, both defaults)",
        lambda: FisherLDA().fit(X, y),
        lambda: LinearDiscriminantAnalysis().fit(X, y),
        repeats=repeats,
        target=1.1,
    )
    res.quality = f"training accuracy ours/peer {o.score(X, y) / p.score(X, y):.5f}"
    return res


def _torch_loop(module, X, y, loss_fn, *, epochs, batch_size, lr, seed=0):
    """The plain hand-written loop a user would write: Adam, shuffled mini-batches."""
    import torch

    torch.manual_seed(seed)
    opt = torch.optim.Adam(module.parameters(), lr)
    Xt = torch.tensor(X, dtype=torch.float32)
    yt = Xt if y is None else torch.tensor(y, dtype=torch.float32)
    module.train()
    for _ in range(epochs):
        perm = torch.randperm(len(Xt))
        for start in range(0, len(Xt), batch_size):
            idx = perm[start : start + batch_size]
            opt.zero_grad()
            loss = loss_fn(module(Xt[idx]), yt[idx])
            loss.backward()
            opt.step()
    return module


def _autoencoder_pair(X, sizes, *, epochs, batch_size, lr=2e-3):
    """Our Autoencoder and the plain loop on the same module, data and settings."""
    import torch

    from sklearn_lecture import Autoencoder
    from sklearn_lecture.neural._autoencoder import AutoencoderModule

    def ours():
        return Autoencoder(sizes, max_epochs=epochs, batch_size=batch_size, lr=lr,
                           random_state=0).fit(X)

    def peer():
        torch.manual_seed(0)
        module = AutoencoderModule(X.shape[1], sizes, "relu")
        return _torch_loop(
            module, X, None,
            lambda out, target: torch.nn.functional.mse_loss(out[0], target),
            epochs=epochs, batch_size=batch_size, lr=lr,
        )

    return ours, peer


def bench_autoencoder(repeats=5, epochs=20):
    import torch
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    from sklearn_lecture import PCA

    # One intra-op thread for both sides: these nets are too small for two.
    torch.set_num_threads(1)
    X = load_digits().data / 16.0
    X_train, X_test = train_test_split(X, test_size=0.25, random_state=0)
    sizes = (64, 8)

    ours, peer = _autoencoder_pair(X_train, sizes, epochs=epochs, batch_size=64)
    res, o, _ = compare(f"Autoencoder{sizes} fit, digits, {epochs} epochs",
                        "plain torch loop", ours, peer, repeats=repeats, target=1.25)
    pca = PCA(8).fit(X_train)
    pca_mse = np.mean((pca.inverse_transform(pca.transform(X_test)) - X_test) ** 2)
    res.quality = (
        f"held-out MSE {-o.score(X_test):.4f} vs PCA(8) {pca_mse:.4f} "
        f"(after {epochs} epochs)"
    )
    return res


def bench_autoencoder_large(repeats=3, epochs=2, n_samples=100_000, batch_size=256):
    """Per-epoch overhead on a larger case: 100 000 rows, batches of 256."""
    import torch

    torch.set_num_threads(1)
    rng = np.random.default_rng(0)
    # Data on an 8-dimensional subspace plus noise, in [0, 1] like pixels.
    latent = rng.random((n_samples, 8))
    X = np.clip(latent @ rng.random((8, 64)) / 4 + 0.05 * rng.random((n_samples, 64)),
                0, 1)
    sizes = (64, 8)

    ours, peer = _autoencoder_pair(X, sizes, epochs=epochs, batch_size=batch_size)
    res, o, _ = compare(
        f"Autoencoder{sizes} fit, {n_samples} x 64, batch {batch_size}, "
        f"{epochs} epochs",
        "plain torch loop", ours, peer, repeats=repeats, target=1.1,
    )
    res.quality = f"training MSE {-o.score(X):.4f}"
    return res


def bench_rnn(repeats=3, epochs=3, n_samples=2000, n_timesteps=50):
    import torch

    from sklearn_lecture import RNNRegressor
    from sklearn_lecture.datasets import make_adding_problem
    from sklearn_lecture.neural._rnn import RNNModule

    torch.set_num_threads(1)
    X, y = make_adding_problem(n_samples, n_timesteps, random_state=0)
    hidden, lr, batch = 32, 1e-2, 32

    def ours():
        return RNNRegressor("lstm", hidden_size=hidden, lr=lr, batch_size=batch,
                            max_epochs=epochs, random_state=0).fit(X, y)

    def peer():
        torch.manual_seed(0)
        module = RNNModule(2, 1, hidden, 1, "lstm", "last")
        return _torch_loop(
            module, X, y[:, None], torch.nn.functional.mse_loss,
            epochs=epochs, batch_size=batch, lr=lr,
        )

    name = (
        f"RNNRegressor(lstm, hidden {hidden}) fit, adding problem T={n_timesteps}, "
        f"{n_samples} sequences, {epochs} epochs"
    )
    res, o, _ = compare(name, "plain torch loop", ours, peer, repeats=repeats,
                        target=1.25)
    res.quality = f"training MSE after {epochs} epochs {o.loss_curve_[-1]:.4f}"
    return res


BENCHES = {
    "kmeans": lambda: bench_kmeans(),
    "kmeans32": lambda: bench_kmeans(np.float32),
    "minibatch": bench_minibatch,
    "fcm": bench_fcm,
    "pca": bench_pca,
    "fisher": bench_fisher,
    "autoencoder": bench_autoencoder,
    "autoencoder_large": bench_autoencoder_large,
    "rnn": bench_rnn,
}


def _ahead_of_both(rows):
    """A sentence: the KMeans rows where we are ahead of scikit-learn and of
    scikit-learn-intelex (the intelex column is its ratio to scikit-learn)."""
    kmeans = [[c.strip() for c in row.split("|")[1:-1]] for row in rows
              if row.startswith("| KMeans")]
    measured = [r for r in kmeans if r[7] != "–"]
    if not measured:
        return "scikit-learn-intelex was not installed: no intelex column."
    both = [r for r in measured if float(r[6]) < 1 and float(r[6]) < float(r[7])]
    return (f"KMeans is ahead of both scikit-learn and scikit-learn-intelex on "
            f"{len(both)} of {len(measured)} rows: "
            + "; ".join(f"{r[1]} {r[2]} {r[3]}" for r in both) + ".")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default="", help="run the benchmarks whose key "
                        "contains this text; do not write BENCHMARKS.md")
    parser.add_argument("--no-scaling", action="store_true")
    parser.add_argument("--no-sweep", action="store_true",
                        help="skip the shape sweep")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    results = []
    for key, bench in BENCHES.items():
        if args.only and args.only not in key:
            continue
        print(f"running {key} ...", flush=True)
        r = bench()
        print(f"  {r.name}: ours {np.median(r.ours_s):.4f} s, peer "
              f"{np.median(r.peer_s):.4f} s, ratio {r.ratio:.2f}  {r.quality}",
              flush=True)
        results.append(r)
    scaling = []
    if not args.only and not args.no_scaling:
        print("running kmeans scaling ...", flush=True)
        scaling = bench_kmeans_scaling(ROOT / "benchmarks" / "kmeans_scaling.png")
    sweep_rows = []
    for name, sweep in SWEEPS.items():
        key = f"sweep_{name}"
        if args.no_sweep or (args.only and args.only not in key):
            continue
        print(f"running {key} ...", flush=True)
        # A generator of its own: the same data as ``shape_sweep.py`` draws.
        for row in sweep(np.random.default_rng(0)):
            print(f"  {row}", flush=True)
            sweep_rows.append(row)
    elapsed = time.perf_counter() - start
    print(markdown_table(results))
    if sweep_rows:
        print("\n".join([*TABLE_HEADER, *sweep_rows]))
    if args.only:
        return 0
    text = [
        "# Benchmarks",
        "",
        f"Measured with `make bench` on {datetime.date.today().isoformat()} "
        f"({elapsed:.0f} s in all) on:",
        "",
        *[f"- {line}" for line in machine_description()],
        "",
        "Each row: ours and the peer on the same data, the same start and the same",
        "number of iterations; runs alternate (ours, peer, peer, ours, ...) after a",
        "warm-up. The ratio is the median of the per-pair ratios ours/peer (below 1:",
        "we are faster).",
        "",
        markdown_table(results),
        "",
    ]
    if scaling:
        text += [
            "## KMeans fit time against n",
            "",
            "32 features, K=16, 20 iterations, same init; medians of 3 runs.",
            "",
            "| n_samples | ours (s) | scikit-learn (s) | ratio |",
            "|---|---|---|---|",
            *[f"| {n:,} | {o:.4f} | {p:.4f} | {r:.2f} |" for n, o, p, r in scaling],
            "",
            "![KMeans scaling](benchmarks/kmeans_scaling.png)",
            "",
        ]
    if sweep_rows:
        text += [
            "## Shape sweep (`benchmarks/shape_sweep.py`)",
            "",
            f"{SWEEP_REPEATS} alternating pairs after a warm-up per row "
            f"({KMEANS_REPEATS} for KMeans); the ratio is the",
            "median of the per-pair ratios ours / scikit-learn. PCA: "
            "scikit-learn's PCA picks its",
            "own solver and gets the number of components our rule selects. "
            "KMeans \"same init\":",
            f"the same init array, n_init=1, {KMEANS_MAX_ITER} iterations at "
            "tol=0, scikit-learn's",
            "`algorithm=\"lloyd\"`; \"default\": `KMeans(K, random_state=0)"
            ".fit(X)` on both sides",
            "(k-means++ seeding included; the seeds differ). Quality: inertia "
            "ours / scikit-learn,",
            "iterations ours/theirs. See the notes below.",
            "",
            _ahead_of_both(sweep_rows),
            "",
            *TABLE_HEADER,
            *sweep_rows,
            "",
        ]
    notes = ROOT / "benchmarks" / "NOTES.md"
    if notes.exists():
        text += [notes.read_text()]
    (ROOT / "BENCHMARKS.md").write_text("\n".join(text))
    print(f"wrote {ROOT / 'BENCHMARKS.md'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
