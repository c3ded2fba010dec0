"""The download-free quality scores against closed forms and their definitions."""

import warnings

import numpy as np
import pytest
from scipy.stats import entropy
from sklearn.datasets import load_digits
from sklearn.decomposition import PCA
from sklearn.linear_model import LogisticRegression
from sklearn.neighbors import KNeighborsClassifier

from sklearn_lecture.metrics import classifier_score, two_sample_score


@pytest.fixture(scope="module")
def one_hot():
    # 1-NN on four points: p(y|x) is one-hot, the point's own class.
    centers = np.eye(4) * 10
    return centers, KNeighborsClassifier(n_neighbors=1).fit(centers, [0, 1, 2, 3])


def test_classifier_score_closed_forms(one_hot):
    centers, clf = one_hot
    # Every class equally often, each sample certain: exp(log K) = K.
    assert classifier_score(np.repeat(centers, 5, axis=0), clf) == pytest.approx(4.0)
    # One class only (mode collapse): 1.
    assert classifier_score(np.repeat(centers[:1], 7, axis=0), clf) == pytest.approx(1)
    # Two of four classes: 2, with half the samples in each.
    details = classifier_score(centers[[0, 0, 1, 1]], clf, return_details=True)
    assert details.score == pytest.approx(2.0)
    np.testing.assert_allclose(details.class_shares, [0.5, 0.5, 0, 0])
    assert details.min_class_share == 0 and details.confidence == 1.0
    np.testing.assert_array_equal(details.classes, [0, 1, 2, 3])


def test_classifier_score_is_exp_mean_kl_to_the_marginal():
    X, y = load_digits(return_X_y=True)
    clf = LogisticRegression(max_iter=500).fit(X[:300] / 16, y[:300])
    samples = X[300:500] / 16
    proba = clf.predict_proba(samples)
    marginal = proba.mean(axis=0)
    expected = np.exp(np.mean([entropy(p, marginal) for p in proba]))
    assert classifier_score(samples, clf) == pytest.approx(expected, rel=1e-10)
    assert 1.0 <= expected <= 10.0


def test_classifier_score_needs_a_fitted_probabilistic_classifier():
    from sklearn.exceptions import NotFittedError
    from sklearn.svm import LinearSVC

    X = np.random.RandomState(0).rand(20, 2)
    with pytest.raises(NotFittedError):
        classifier_score(X, LogisticRegression())
    svc = LinearSVC().fit(X, np.arange(20) % 2)
    with pytest.raises(ValueError, match="predict_proba"):
        classifier_score(X, svc)


def test_two_sample_score_is_chance_for_one_distribution_and_one_when_apart():
    rng = np.random.RandomState(0)
    a, b = rng.randn(300, 6), rng.randn(300, 6)
    assert abs(two_sample_score(a, b, random_state=0) - 0.5) < 0.07
    assert two_sample_score(a, b + 4, random_state=0) == 1.0
    # A narrower copy of the data (a blurry generator) is told apart.
    assert two_sample_score(a, 0.3 * b, random_state=0) > 0.7
    # Unequal sizes: the larger set is subsampled, chance stays 0.5.
    assert abs(two_sample_score(a, rng.randn(2000, 6), random_state=0) - 0.5) < 0.07


def test_two_sample_score_feature_spaces():
    # The two sets differ only along a direction of tiny variance: seen in the
    # raw features, invisible in the real data's first two principal components.
    rng = np.random.RandomState(0)
    scale = np.array([1.0, 1.0, 1.0, 0.01])
    a, b = rng.randn(200, 4) * scale, rng.randn(200, 4) * scale
    b[:, 3] += 1.0
    assert two_sample_score(a, b, features=None, random_state=0) > 0.8
    assert two_sample_score(a, b, n_components=2, random_state=0) < 0.6
    pca = PCA(n_components=4).fit(a)
    assert two_sample_score(a, b, features=pca, random_state=0) > 0.8
    assert two_sample_score(a, b, random_state=1) == two_sample_score(
        a, b, random_state=1
    )


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(X_generated=np.zeros((50, 3))), "features"),
        (dict(cv=1), "cv"),
        (dict(X_generated=np.zeros((3, 4))), "at least"),
        (dict(features="tsne"), "features"),
        (dict(n_components=0), "n_components"),
        (dict(n_components=2.5), "n_components"),
    ],
)
def test_two_sample_score_errors(kwargs, match):
    rng = np.random.RandomState(0)
    args = dict(X_real=rng.randn(50, 4), X_generated=rng.randn(50, 4))
    args.update(kwargs)
    with pytest.raises(ValueError, match=match):
        two_sample_score(**args)
    with pytest.raises(ValueError, match="NaN"):
        two_sample_score(np.full((10, 2), np.nan), rng.randn(10, 2))


@pytest.mark.parametrize(
    "features, shown",
    [
        (np.eye(4), "an object of type ndarray"),
        ([1, 2], "an object of type list"),
        ("PCA", "'PCA'"),
    ],
)
def test_two_sample_score_names_bad_features(features, shown):
    # Before: "The truth value of an array ... is ambiguous" for an array.
    rng = np.random.RandomState(0)
    with pytest.raises(ValueError, match="features must be 'pca', None or a") as info:
        two_sample_score(rng.randn(50, 4), rng.randn(50, 4), features=features)
    assert shown in str(info.value)


@pytest.mark.parametrize("features", ["pca", None])
@pytest.mark.parametrize("scale", [1e100, 1e-100, 1e200, 1e-200])
def test_two_sample_score_does_not_depend_on_the_scale(features, scale):
    # Before: a LinAlgError from PCA, or 0.5 (every distance overflowed or
    # underflowed to a tie) for two clearly separated sets. Squares beyond
    # float64 are now a clear error.
    rng = np.random.RandomState(0)
    a, b = rng.randn(200, 5), rng.randn(200, 5) + 5
    reference = two_sample_score(a, b, features=features, random_state=0)
    assert reference == 1.0
    if scale in (1e200, 1e-200):
        with pytest.raises(ValueError, match="(overflow|underflow).*[Ss]cale"):
            two_sample_score(a * scale, b * scale, features=features)
        return
    assert two_sample_score(
        a * scale, b * scale, features=features, random_state=0
    ) == reference


def test_two_sample_score_of_sets_in_different_dtypes_and_scales():
    # float32 real rows beside float64 rows of magnitude 1e200: their squares
    # overflow float64, a clear error (in float32 their extremes were inf, and
    # 0.5); of magnitude 1e30, the pooled float64 rows are compared.
    rng = np.random.RandomState(0)
    a, b = rng.randn(100, 4), rng.randn(100, 4)
    with pytest.raises(ValueError, match="overflow"):
        two_sample_score(a.astype(np.float32), b * 1e200, features=None)
    score = two_sample_score(
        a.astype(np.float32), b * 1e30, features=None, random_state=0
    )
    assert score > 0.95


def test_copies_of_the_real_rows_score_far_below_chance():
    # As the docstring says: memorisation shows as a score well under 0.5.
    a = np.random.RandomState(0).randn(200, 5)
    assert two_sample_score(a, a.copy(), random_state=0) < 0.25


def test_classifier_score_hands_data_frames_to_the_classifier():
    pd = pytest.importorskip("pandas")
    X, y = load_digits(return_X_y=True)
    df = pd.DataFrame(X[:, :3], columns=["a", "b", "c"])
    clf = LogisticRegression(max_iter=500).fit(df, y)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no "X does not have valid feature names"
        assert classifier_score(df, clf) == pytest.approx(
            classifier_score(df.to_numpy(), clf.fit(df.to_numpy(), y))
        )
    clf.fit(df, y)
    with pytest.raises(ValueError, match="feature names"):
        classifier_score(df[["c", "b", "a"]], clf)
