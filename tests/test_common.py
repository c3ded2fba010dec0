"""scikit-learn's estimator checks on every public estimator, none expected to fail."""

from sklearn.utils.estimator_checks import parametrize_with_checks

from sklearn_lecture.utils import all_estimators


def _instances():
    for _, Estimator in all_estimators():
        yield Estimator()


@parametrize_with_checks(list(_instances()))
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)


def test_all_estimators_are_found():
    names = {name for name, _ in all_estimators()}
    expected = {
        "KMeans",
        "ElbowKMeans",
        "FuzzyKMeans",
        "PCA",
        "FisherLDA",
        "Autoencoder",
        "SparseAutoencoder",
        "DenoisingAutoencoder",
        "StackedAutoencoder",
        "StackedAutoencoderClassifier",
        "RNNRegressor",
    }
    assert expected <= names


def test_import_is_light():
    import subprocess
    import sys

    code = (
        "import sys, sklearn_lecture;"
        "from sklearn_lecture import KMeans, PCA, FisherLDA, FuzzyKMeans, ElbowKMeans;"
        "bad = [m for m in ('torch', 'skorch', 'matplotlib') if m in sys.modules];"
        "assert not bad, bad"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
