"""The tour behind ``python -m sklearn_lecture`` (and ``make demo``).

Every estimator runs on data bundled with scikit-learn (no download); the report is
printed and the plots are written as PNG files to the folder given by
``--output-dir``.
"""

import argparse
import time
from contextlib import contextmanager
from pathlib import Path

import numpy as np
from sklearn.datasets import (
    load_breast_cancer,
    load_digits,
    load_iris,
    load_sample_image,
    load_wine,
)
from sklearn.metrics import adjusted_rand_score
from sklearn.model_selection import cross_val_score, train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import MinMaxScaler, StandardScaler

WIDTH = 78


def _title(text):
    print()
    print("=" * WIDTH)
    print(text)
    print("=" * WIDTH)


@contextmanager
def _timed(label):
    start = time.perf_counter()
    yield
    print(f"  [{label}: {time.perf_counter() - start:.2f} s]")


class _Plots:
    """Writes figures to the output folder and remembers what it wrote."""

    def __init__(self, folder):
        self.folder = Path(folder)
        self.written = []
        try:
            import matplotlib
        except ImportError:
            self.plt = None
            return
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        self.plt = plt
        self.folder.mkdir(parents=True, exist_ok=True)

    def save(self, fig, name):
        path = self.folder / name
        fig.savefig(path, dpi=110, bbox_inches="tight")
        self.plt.close(fig)
        self.written.append(path)


def tour_kmeans(plots):
    from sklearn.cluster import KMeans as SkKMeans

    from .cluster import ElbowDisplay, ElbowKMeans, KMeans

    _title("1. k-means (Lloyd) and the elbow method - iris")
    X, y = load_iris(return_X_y=True)
    with _timed("KMeans(3) fit"):
        km = KMeans(3, random_state=0).fit(X)
    ref = SkKMeans(3, init=km.cluster_centers_, n_init=1, algorithm="lloyd").fit(X)
    print(
        f"  KMeans(3): J = {km.distortion_:.4f}, inertia = {km.inertia_:.3f} "
        f"in {km.n_iter_} iterations"
    )
    print(
        f"  scikit-learn restarted from our centroids: inertia = {ref.inertia_:.3f}, "
        f"ARI with ours = {adjusted_rand_score(ref.labels_, km.labels_):.3f}"
    )
    print(f"  ARI with the species: {adjusted_rand_score(y, km.labels_):.3f}")

    elbow = ElbowKMeans(1, 10, n_init=5, random_state=0).fit(X)
    print("\n  K  J(K)       silhouette")
    for k, j in zip(elbow.k_values_, elbow.distortions_):
        s = elbow.silhouette_scores_.get(int(k)) if k >= 2 else None
        s_txt = "" if s is None else f"{s:.3f}"
        print(f"  {int(k):2d} {j:10.4f} {s_txt:>10}")
    best_sil = max(elbow.silhouette_scores_, key=elbow.silhouette_scores_.get)
    print(f"  elbow chooses K = {elbow.n_clusters_}; the silhouette would choose "
          f"K = {best_sil}")
    if plots.plt is not None:
        disp = ElbowDisplay.from_estimator(elbow)
        plots.save(disp.figure_, "elbow_iris.png")

    _title("2. k-means image segmentation - load_sample_image('china.jpg')")
    image = load_sample_image("china.jpg")[::3, ::3] / 255.0
    pixels = image.reshape(-1, 3)
    rng = np.random.RandomState(0)
    sample = pixels[rng.choice(len(pixels), 2000, replace=False)]
    segmented = {}
    for k in (2, 3, 10):
        seg = KMeans(k, random_state=0).fit(sample)
        labels = seg.predict(pixels)
        segmented[k] = seg.cluster_centers_[labels].reshape(image.shape)
        err = np.mean((segmented[k] - image) ** 2)
        print(f"  K = {k:2d}: colour quantisation MSE = {err:.5f}")
    if plots.plt is not None:
        fig, axes = plots.plt.subplots(1, 4, figsize=(14, 3.2))
        axes[0].imshow(image)
        axes[0].set_title("original")
        for ax, k in zip(axes[1:], segmented):
            ax.imshow(np.clip(segmented[k], 0, 1))
            ax.set_title(f"K = {k}")
        for ax in axes:
            ax.axis("off")
        plots.save(fig, "segmentation_china.png")


def tour_fuzzy(plots):
    from .cluster import FuzzyKMeans, KMeans

    _title("3. fuzzy k-means - iris")
    X, y = load_iris(return_X_y=True)
    hard = KMeans(3, random_state=0).fit(X)
    for method in ("soft", "fcm"):
        fz = FuzzyKMeans(3, method=method, random_state=0).fit(X)
        extra = f", beta = {fz.beta_:.3f}" if method == "soft" else ", m = 2"
        print(
            f"  method={method!r}{extra}: {fz.n_iter_} iterations, "
            f"partition coefficient = {fz.partition_coefficient_:.3f}, "
            f"partition entropy = {fz.partition_entropy_:.3f}, "
            f"ARI with k-means = {adjusted_rand_score(hard.labels_, fz.labels_):.3f}"
        )
    fz = FuzzyKMeans(3, method="fcm", random_state=0).fit(X)
    unsure = np.argsort(fz.membership_.max(axis=1))[:3]
    print("  the three least certain flowers (memberships):")
    for i in unsure:
        print("   ", np.array2string(fz.membership_[i], precision=3))


def tour_pca(plots):
    from sklearn.decomposition import PCA as SkPCA

    from .decomposition import PCA, ScreeDisplay

    _title("4. PCA and the contribution table - wine (standardized)")
    X, _ = load_wine(return_X_y=True)
    pca = PCA(0.7, standardize=True).fit(X)
    print(pca.contribution_table())
    for rule in (0.7, 0.9, "kaiser", "scree"):
        n = PCA(rule, standardize=True).fit(X).n_components_
        print(f"  n_components={rule!r:>8}: keeps {n} components")
    if plots.plt is not None:
        disp = ScreeDisplay.from_estimator(pca)
        plots.save(disp.figure_, "scree_wine.png")

    digits, _ = load_digits(return_X_y=True)
    print("\n  digits reconstruction (inverse_transform) error by kept components:")
    for n in (2, 5, 10, 20, 40):
        ours = PCA(n).fit(digits)
        ref = SkPCA(n).fit(digits)
        err = np.mean((ours.inverse_transform(ours.transform(digits)) - digits) ** 2)
        print(
            f"  {n:2d} components: MSE = {err:7.3f}, kept variance "
            f"{100 * ours.explained_variance_ratio_.sum():5.1f} % "
            f"(scikit-learn {100 * ref.explained_variance_ratio_.sum():5.1f} %)"
        )


def tour_fisher(plots):
    from sklearn.discriminant_analysis import LinearDiscriminantAnalysis
    from sklearn.linear_model import LogisticRegression

    from .decomposition import PCA
    from .discriminant_analysis import FisherLDA

    _title("5. Fisher's linear discriminant vs PCA")
    for name, loader in (
        ("iris", load_iris),
        ("wine", load_wine),
        ("breast_cancer", load_breast_cancer),
    ):
        X, y = loader(return_X_y=True)
        fisher = cross_val_score(make_pipeline(StandardScaler(), FisherLDA()), X, y)
        sk = cross_val_score(
            make_pipeline(StandardScaler(), LinearDiscriminantAnalysis(solver="eigen")),
            X,
            y,
        )
        n = len(np.unique(y)) - 1
        pca = cross_val_score(
            make_pipeline(StandardScaler(), PCA(n), LogisticRegression()), X, y
        )
        print(
            f"  {name:14s} 5-fold accuracy: FisherLDA {fisher.mean():.3f} "
            f"(scikit-learn LDA {sk.mean():.3f}); "
            f"PCA({n}) + logistic {pca.mean():.3f}"
        )
    if plots.plt is not None:
        X, y = load_wine(return_X_y=True)
        Xs = StandardScaler().fit_transform(X)
        fig, axes = plots.plt.subplots(1, 2, figsize=(10, 4))
        for ax, (title, Z) in zip(
            axes,
            (
                ("Fisher (2 directions)", FisherLDA(2).fit(Xs, y).transform(Xs)),
                ("PCA (2 components)", PCA(2).fit(Xs).transform(Xs)),
            ),
        ):
            ax.scatter(Z[:, 0], Z[:, 1], c=y, cmap="viridis", s=12)
            ax.set_title(f"wine: {title}")
        plots.save(fig, "fisher_vs_pca_wine.png")


def tour_neural(plots):
    try:
        from .datasets import make_adding_problem
        from .neural import Autoencoder, RNNRegressor
    except ImportError as exc:
        _title("6. neural estimators - skipped")
        print(f"  {exc}")
        return
    from .decomposition import PCA

    _title("6. neural estimators (short runs)")
    X, _ = load_digits(return_X_y=True)
    X = MinMaxScaler().fit_transform(X)
    X_train, X_test = train_test_split(X, test_size=0.25, random_state=0)
    with _timed("Autoencoder fit"):
        ae = Autoencoder((64, 8), max_epochs=60, random_state=0).fit(X_train)
    pca = PCA(8).fit(X_train)
    ae_mse = -ae.score(X_test)
    pca_mse = np.mean((pca.inverse_transform(pca.transform(X_test)) - X_test) ** 2)
    print(
        f"  digits, held-out reconstruction MSE with an 8-unit code: "
        f"Autoencoder {ae_mse:.4f} vs PCA(8) {pca_mse:.4f}"
    )
    if plots.plt is not None:
        shown = X_test[:8]
        rows = (
            ("original", shown),
            ("Autoencoder", ae.inverse_transform(ae.transform(shown))),
            ("PCA(8)", pca.inverse_transform(pca.transform(shown))),
        )
        fig, axes = plots.plt.subplots(3, 8, figsize=(8, 3.4))
        for row, (name, images) in zip(axes, rows):
            row[0].set_title(name, loc="left", fontsize=9)
            for ax, image in zip(row, images):
                ax.imshow(image.reshape(8, 8), cmap="gray_r", vmin=0, vmax=1)
                ax.axis("off")
        plots.save(fig, "autoencoder_vs_pca_digits.png")

    X, y = make_adding_problem(2000, 20, random_state=0)
    X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)
    baseline = np.mean((y_test - y_train.mean()) ** 2)
    print(f"  adding problem, T = 20: predicting the mean gives MSE {baseline:.3f}")
    curves = {}
    for cell in ("rnn", "lstm", "gru"):
        with _timed(f"RNNRegressor(cell={cell!r}) fit"):
            reg = RNNRegressor(cell, max_epochs=20, random_state=0).fit(
                X_train, y_train
            )
        curves[cell] = reg.loss_curve_
        mse = np.mean((reg.predict(X_test) - y_test) ** 2)
        print(f"  {cell:4s}: test MSE {mse:.4f}")
    if plots.plt is not None:
        fig, ax = plots.plt.subplots(figsize=(5.5, 3.8))
        for cell, curve in curves.items():
            ax.semilogy(np.arange(1, len(curve) + 1), curve, label=cell)
        ax.axhline(baseline, color="gray", ls="--", label="predict the mean")
        ax.set_xlabel("epoch")
        ax.set_ylabel("training MSE")
        ax.set_title("adding problem, T = 20")
        ax.legend()
        plots.save(fig, "rnn_adding_problem.png")


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="python -m sklearn_lecture",
        description="A tour of every sklearn_lecture estimator on bundled data.",
    )
    parser.add_argument(
        "--output-dir",
        default="lecture_plots",
        help="folder for the PNG plots (default: %(default)s)",
    )
    parser.add_argument(
        "--no-neural", action="store_true", help="skip the neural estimators"
    )
    args = parser.parse_args(argv)
    plots = _Plots(args.output_dir)
    start = time.perf_counter()
    tour_kmeans(plots)
    tour_fuzzy(plots)
    tour_pca(plots)
    tour_fisher(plots)
    if not args.no_neural:
        tour_neural(plots)
    _title("Done")
    print(f"  {time.perf_counter() - start:.1f} s in all.")
    if plots.plt is None:
        print("  matplotlib is not installed: no plots were written.")
    else:
        print(f"  {len(plots.written)} plots written to {plots.folder.resolve()}:")
        for path in plots.written:
            print(f"    {path.name}")
    return 0
