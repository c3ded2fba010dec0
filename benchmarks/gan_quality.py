"""Quality of the GANs on the 8 × 8 digits, against real data and simple baselines.

Scored without any download: a standardized logistic regression trained on the
real training digits rates the samples (``classifier_score``: the Inception-score
analogue, plus the share of each predicted class), and a 1-NN two-sample test in
the PCA(10) space of held-out real digits tells real from generated
(``two_sample_score``: 0.5 is indistinguishable). The digits are split 75/25
(stratified); every model is fitted on the 1347 training rows with its defaults
and only ``random_state`` given, and the fit is timed on one torch thread.

Baselines: the held-out real digits themselves, a single Gaussian
(``GaussianMixture(1)``) and ``GaussianMixture(10)``, both with full covariances.

Run ``python benchmarks/gan_quality.py [--seeds 0 1 2] [--models GAN DCGAN]``;
it prints a table and writes ``gan_quality.json`` next to itself.
"""

import argparse
import json
import os
import time
from pathlib import Path

import numpy as np
from sklearn.datasets import load_digits
from sklearn.linear_model import LogisticRegression
from sklearn.mixture import GaussianMixture
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_lecture.metrics import classifier_score, two_sample_score

N_SCORED = 2000  # samples rated by the classifier


def _data():
    X, y = load_digits(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.25, stratify=y, random_state=0
    )
    classifier = make_pipeline(StandardScaler(), LogisticRegression(max_iter=5000))
    classifier.fit(X_train, y_train)
    return X_train, X_test, classifier


def _scores(samples_for_classifier, samples_for_test, X_test, classifier):
    details = classifier_score(samples_for_classifier, classifier, return_details=True)
    return {
        "classifier_score": details.score,
        "min_class_share": details.min_class_share,
        "confidence": details.confidence,
        "two_sample_score": two_sample_score(X_test, samples_for_test, random_state=0),
    }


def baselines(X_train, X_test, classifier):
    rng = np.random.RandomState(0)
    rows = {}
    real = X_train[rng.permutation(len(X_train))[: len(X_test)]]
    rows["held-out real digits"] = _scores(X_test, real, X_test, classifier)
    for k in (1, 10):
        gm = GaussianMixture(k, covariance_type="full", random_state=0).fit(X_train)
        # GaussianMixture.sample returns its rows grouped by component.
        many = rng.permutation(gm.sample(N_SCORED)[0])
        rows[f"GaussianMixture({k})"] = _scores(
            many, many[: len(X_test)], X_test, classifier
        )
    return rows


def bench_model(name, seed, X_train, X_test, classifier):
    import torch

    from sklearn_lecture import DCGAN, GAN

    Estimator = {"GAN": GAN, "DCGAN": DCGAN}[name]
    tic = time.perf_counter()
    model = Estimator(random_state=seed).fit(X_train)
    fit_time = time.perf_counter() - tic
    many = model.sample(N_SCORED, random_state=seed)
    row = _scores(many, many[: len(X_test)], X_test, classifier)
    row["fit_seconds"] = fit_time
    row["torch_threads"] = torch.get_num_threads()
    return row


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--models", nargs="+", default=["GAN", "DCGAN"])
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument(
        "--full-fit-time",
        action="store_true",
        help="also time DCGAN(random_state=0).fit on all 1797 digits",
    )
    parser.add_argument(
        "--output", default=str(Path(__file__).with_name("gan_quality.json"))
    )
    args = parser.parse_args(argv)
    import torch

    torch.set_num_threads(args.threads)
    X_train, X_test, classifier = _data()
    results = {
        "load": os.getloadavg(),
        "baselines": baselines(X_train, X_test, classifier),
    }
    header = (
        f"{'model':<24}{'seed':>5}{'clf score':>11}{'min share':>11}"
        f"{'2-sample':>10}{'fit s':>8}"
    )
    print(header)
    print("-" * len(header))
    for name, row in results["baselines"].items():
        print(
            f"{name:<24}{'':>5}{row['classifier_score']:>11.2f}"
            f"{row['min_class_share']:>11.3f}{row['two_sample_score']:>10.3f}"
        )
    results["models"] = []
    for name in args.models:
        for seed in args.seeds:
            row = bench_model(name, seed, X_train, X_test, classifier)
            row.update(model=name, seed=seed, load=os.getloadavg()[0])
            results["models"].append(row)
            print(
                f"{name:<24}{seed:>5}{row['classifier_score']:>11.2f}"
                f"{row['min_class_share']:>11.3f}{row['two_sample_score']:>10.3f}"
                f"{row['fit_seconds']:>8.0f}   (load {row['load']:.1f})",
                flush=True,
            )
            Path(args.output).write_text(json.dumps(results, indent=2))
    if args.full_fit_time:
        from sklearn_lecture import DCGAN

        tic = time.perf_counter()
        DCGAN(random_state=0).fit(load_digits().data)
        seconds = time.perf_counter() - tic
        results["dcgan_full_fit_seconds"] = seconds
        print(
            f"DCGAN(random_state=0).fit(all 1797 digits): {seconds:.0f} s "
            f"(load {os.getloadavg()[0]:.1f})"
        )
        Path(args.output).write_text(json.dumps(results, indent=2))
    return results


if __name__ == "__main__":
    main()
