"""scikit-learn's estimator checks on every public estimator, none expected to fail.

Every estimator is checked with its defaults and with the variants below, which
exercise the code paths a default fit does not reach (imbalanced-learn's
``INIT_PARAMS`` habit). The defaults run every check; a variant runs every check
but those that train to a score on scikit-learn's toy data (``TRAINING_CHECKS``):
the family's own tests measure each variant's quality against a reference, and
on the nets these checks were half the suite's time. The nets' regularisation
(``alpha``, ``dropout``) rides on their existing variants rather than adding
a variant each, for the same reason.
"""

import pytest
from sklearn.utils.estimator_checks import (
    estimator_checks_generator,
    parametrize_with_checks,
)

from sklearn_lecture.utils import all_estimators

_NET_VARIANTS = [{"batch_norm": True, "alpha": 1e-3, "dropout": 0.2}]

VARIANTS = {
    "KMeans": [
        {"init": "random"},
        {"algorithm": "lloyd"},
        {"empty_cluster": "remove"},
    ],
    "ElbowKMeans": [{"algorithm": "lloyd"}],
    "FuzzyKMeans": [{"method": "fcm"}, {"beta": 0.5}],
    "PCA": [
        {"standardize": True},
        {"n_components": "kaiser"},
        {"n_components": "scree"},
        {"whiten": True},
        {"svd_solver": "randomized", "random_state": 0},
        {"svd_solver": "randomized", "random_state": 0, "n_components": "kaiser",
         "standardize": True},
    ],
    "FisherLDA": [
        {"solver": "eigen", "shrinkage": "auto"},
        {"solver": "eigen", "shrinkage": 0.5},
        {"store_covariance": True},
    ],
    "CommonFactorAnalysis": [
        {"method": "minres"},
        {"method": "ml"},
        {"rotation": None},
        {"rotation": "quartimax"},
        {"rotation": "promax"},
        {"rotation": "oblimin"},
        {"method": "ml", "rotation": "oblimin"},
        {"scores": "bartlett"},
        {"method": "minres", "rotation": "promax", "scores": "bartlett"},
        {"n_components": "parallel", "random_state": 0},
        {"n_components": 0.5},
        {"standardize": False},
        {"method": "ml", "standardize": False},
    ],
    "CorrelationMerging": [{"n_factors": 2}, {"threshold": 0.3}],
    "Autoencoder": _NET_VARIANTS,
    "SparseAutoencoder": _NET_VARIANTS,
    "DenoisingAutoencoder": _NET_VARIANTS,
    "StackedAutoencoder": _NET_VARIANTS,
    "StackedAutoencoderClassifier": _NET_VARIANTS,
    "RNNRegressor": [
        {"cell": "gru", "output": "sequence"},
        {"bidirectional": True, "num_layers": 2, "alpha": 1e-3, "dropout": 0.2},
    ],
    "RNNClassifier": [
        {"output": "sequence"},
        {"cell": "gru", "num_layers": 2, "alpha": 1e-3, "dropout": 0.2},
        {"bidirectional": True},
    ],
    "GAN": [
        {
            "loss": "minimax",
            "n_discriminator_steps": 2,
            "batch_norm": False,
            "label_smoothing": 0.1,
            "discriminator_optimizer": "rmsprop_nesterov",
            "alpha": 1e-3,
            "dropout": 0.2,
        }
    ],
    # Ten epochs: the checks exercise the code paths, not the samples' quality
    # (the default 300 epochs made this variant a minute).
    "DCGAN": [{"alpha": 1e-3, "dropout": 0.2, "batch_norm": False, "max_epochs": 10}],
}


TRAINING_CHECKS = {
    "check_classifiers_train",
    "check_regressors_train",
    "check_classifier_data_not_an_array",
    "check_regressor_data_not_an_array",
}


def _check_name(check):
    return getattr(check, "func", check).__name__


def _variant_checks():
    for name, Estimator in all_estimators():
        for params in VARIANTS.get(name, []):
            for estimator, check in estimator_checks_generator(Estimator(**params)):
                if _check_name(check) not in TRAINING_CHECKS:
                    yield pytest.param(
                        estimator, check, id=f"{estimator!r}-{_check_name(check)}"
                    )


@parametrize_with_checks([Estimator() for _, Estimator in all_estimators()])
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)


@pytest.mark.parametrize("estimator, check", list(_variant_checks()))
def test_sklearn_compatible_variant(estimator, check):
    check(estimator)


def test_all_estimators_are_found():
    names = {name for name, _ in all_estimators()}
    expected = {
        "KMeans",
        "ElbowKMeans",
        "FuzzyKMeans",
        "PCA",
        "FisherLDA",
        "CommonFactorAnalysis",
        "CorrelationMerging",
        "Autoencoder",
        "SparseAutoencoder",
        "DenoisingAutoencoder",
        "StackedAutoencoder",
        "StackedAutoencoderClassifier",
        "RNNRegressor",
        "RNNClassifier",
    }
    assert expected <= names
    # Every variant names an estimator that exists.
    assert set(VARIANTS) <= names


def test_import_is_light():
    import subprocess
    import sys

    code = (
        "import sys, sklearn_lecture;"
        "from sklearn_lecture import KMeans, PCA, FisherLDA, FuzzyKMeans, ElbowKMeans;"
        "heavy = ('torch', 'skorch', 'matplotlib', 'gymnasium', 'dask');"
        "bad = [m for m in heavy if m in sys.modules];"
        "assert not bad, bad"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_neural_estimators_without_torch_say_what_to_install():
    import subprocess
    import sys

    code = (
        "import sys\n"
        "import sklearn_lecture\n"
        "from sklearn_lecture import KMeans\n"
        # Hide torch only now: scikit-learn itself probes for it on import.
        "sys.modules['torch'] = None; sys.modules['skorch'] = None\n"
        "try:\n"
        "    sklearn_lecture.Autoencoder\n"
        "except ImportError as exc:\n"
        "    assert \"pip install 'sklearn_lecture[neural]'\" in str(exc), exc\n"
        "else:\n"
        "    raise AssertionError('no ImportError')\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_star_import_works_without_the_optional_extras():
    import subprocess
    import sys

    code = (
        "import sys\n"
        "import sklearn\n"  # scikit-learn itself probes for torch on import
        "for m in ('torch', 'skorch', 'gymnasium'):\n"
        "    sys.modules[m] = None\n"
        "from sklearn_lecture import *\n"
        "assert 'KMeans' in dir() and 'PCA' in dir()\n"
        "assert 'Autoencoder' not in dir() and 'QLearning' not in dir()\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
