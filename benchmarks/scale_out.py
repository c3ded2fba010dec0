"""Larger than memory: dask fits on a LocalCluster and partial_fit throughput.

1. PCA and KMeans on a dask array of ``--rows`` x 32 float64 (10^7 rows: 2.5 GB),
   generated lazily block by block (never whole in memory), on a LocalCluster of 2
   worker processes; ours against dask-ml's PCA / KMeans side by side, with the
   wall time and the peak memory of the client and of the workers.
2. ``partial_fit`` throughput of PCA and KMeans against scikit-learn's
   IncrementalPCA and MiniBatchKMeans on the same blocks (ratio ours / peer).

Run: ``python benchmarks/scale_out.py [--rows 10000000] [--skip-dask]``.
"""

import argparse
import resource
import time

import numpy as np


def _rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _generated_block(centers, block_info=None):
    """One block of the benchmark's data: blobs around ``centers``, seeded by the
    block's position, made on the worker that needs it."""
    index = block_info[None]["chunk-location"][0]
    n_rows, n_features = block_info[None]["chunk-shape"]
    rng = np.random.default_rng([0, index])
    labels = rng.integers(len(centers), size=n_rows)
    return rng.standard_normal((n_rows, n_features)) + centers[labels]


def bench_dask(n_rows, n_features=32, block_rows=250_000, k=8, iters=10):
    import dask.array as da
    import distributed
    from dask_ml.cluster import KMeans as DaskMLKMeans
    from dask_ml.decomposition import PCA as DaskMLPCA
    from distributed.diagnostics import MemorySampler

    from sklearn_lecture import PCA, KMeans

    rows = []
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
        memory_limit="6GiB",
    ) as cluster, distributed.Client(cluster) as client:
        centers = np.random.RandomState(0).uniform(-10, 10, (k, n_features))
        n_blocks = n_rows // block_rows
        X = da.map_blocks(
            _generated_block,
            dtype=np.float64,
            chunks=((block_rows,) * n_blocks, (n_features,)),
            centers=centers,
        )
        block_mb = block_rows * n_features * 8 / 2**20
        init = centers + 0.5

        cases = [
            ("PCA(0.9) fit", lambda: PCA(0.9).fit(X),
             lambda: DaskMLPCA(n_components=n_features, svd_solver="tsqr").fit(X)),
            (f"KMeans({k}) fit, same init, {iters} iterations",
             lambda: KMeans(k, init=init, max_iter=iters, tol=0).fit(X),
             lambda: DaskMLKMeans(k, init=init, max_iter=iters, tol=0,
                                  n_init=1).fit(X)),
        ]
        for name, ours, peer in cases:
            result = {"name": name}
            for side, fit in (("ours", ours), ("dask-ml", peer)):
                # Fresh worker processes: memory a previous fit left behind in
                # them must not count for this one.
                client.restart()
                sampler = MemorySampler()
                start = time.perf_counter()
                with sampler.sample(side, interval=0.5):
                    model = fit()
                result[side] = time.perf_counter() - start
                samples = sampler.to_pandas()
                result[f"{side} workers peak MB"] = float(samples.max().iloc[0]) / 2**20
                result[f"{side} model"] = model
            result["client peak MB"] = _rss_mb()
            result["block MB"] = block_mb
            rows.append(result)
            print(
                f"{name}: ours {result['ours']:.1f} s, dask-ml "
                f"{result['dask-ml']:.1f} s, ratio "
                f"{result['ours'] / result['dask-ml']:.2f}; workers' peak "
                f"{result['ours workers peak MB']:.0f} MB (ours) / "
                f"{result['dask-ml workers peak MB']:.0f} MB (dask-ml), "
                f"block {block_mb:.0f} MB; client peak {result['client peak MB']:.0f}"
                " MB",
                flush=True,
            )
        pca, ref = rows[0]["ours model"], rows[0]["dask-ml model"]
        print(
            "  PCA eigenvalues ours vs dask-ml, max relative difference: "
            f"{np.max(np.abs(pca.eigenvalues_[:5] - ref.explained_variance_[:5]) / ref.explained_variance_[:5]):.2e}"  # noqa: E501
        )
        km, ref = rows[1]["ours model"], rows[1]["dask-ml model"]
        print(
            "  KMeans inertia ours / dask-ml: "
            f"{km.inertia_ / ref.inertia_:.8f}"
        )
    return rows


def bench_partial_fit(n_rows=200_000, n_features=32, n_blocks=50, repeats=3):
    from sklearn.cluster import MiniBatchKMeans
    from sklearn.decomposition import IncrementalPCA

    from sklearn_lecture import PCA, KMeans

    rng = np.random.RandomState(0)
    X = rng.randn(n_rows, n_features) @ rng.randn(n_features, n_features)
    blocks = np.array_split(X, n_blocks)
    cases = [
        ("PCA.partial_fit", lambda: PCA(10), "IncrementalPCA(10)",
         lambda: IncrementalPCA(10)),
        ("KMeans(16).partial_fit", lambda: KMeans(16, init=X[:16]),
         "MiniBatchKMeans(16)",
         lambda: MiniBatchKMeans(16, init=X[:16], n_init=1, reassignment_ratio=0)),
    ]
    for name, make_ours, peer_name, make_peer in cases:
        ratios, ours_t, peer_t = [], [], []
        for _ in range(repeats):
            times = {}
            for side, make in (("ours", make_ours), ("peer", make_peer)):
                est = make()
                start = time.perf_counter()
                for block in blocks:
                    est.partial_fit(block)
                times[side] = time.perf_counter() - start
            ratios.append(times["ours"] / times["peer"])
            ours_t.append(times["ours"])
            peer_t.append(times["peer"])
        print(
            f"{name} vs {peer_name}, {n_blocks} blocks of {n_rows // n_blocks} x "
            f"{n_features}: ours {np.median(ours_t):.3f} s, peer "
            f"{np.median(peer_t):.3f} s, ratio {np.median(ratios):.2f}",
            flush=True,
        )


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--skip-dask", action="store_true")
    parser.add_argument("--skip-partial-fit", action="store_true")
    args = parser.parse_args(argv)
    if not args.skip_partial_fit:
        bench_partial_fit()
    if not args.skip_dask:
        bench_dask(args.rows)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
