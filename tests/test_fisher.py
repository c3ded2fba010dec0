"""FisherLDA against closed forms and scikit-learn's LinearDiscriminantAnalysis."""

import pickle
import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from scipy.linalg import subspace_angles
from sklearn.base import clone
from sklearn.cluster import KMeans
from sklearn.covariance import OAS
from sklearn.datasets import (
    load_breast_cancer,
    load_iris,
    load_wine,
    make_classification,
)
from sklearn.discriminant_analysis import LinearDiscriminantAnalysis
from sklearn.model_selection import GridSearchCV, StratifiedKFold, cross_val_score
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import make_pipeline

from sklearn_lecture import FisherLDA
from sklearn_lecture.discriminant_analysis._fisher import SingularScatterWarning


@pytest.fixture(scope="module")
def iris():
    return load_iris(return_X_y=True)


@pytest.fixture(scope="module")
def wine():
    return load_wine(return_X_y=True)


def _hand_scatters(X, y):
    """S_W and S_B by the textbook double sum, class by class."""
    m = X.mean(axis=0)
    S_W = np.zeros((X.shape[1], X.shape[1]))
    S_B = np.zeros_like(S_W)
    for k in np.unique(y):
        Xk = X[y == k]
        mk = Xk.mean(axis=0)
        S_W += (Xk - mk).T @ (Xk - mk)
        S_B += len(Xk) * np.outer(mk - m, mk - m)
    return S_W, S_B


# --------------------------------------------------------------- closed forms


def test_two_class_direction_is_sw_inverse_mean_difference():
    X, y = load_breast_cancer(return_X_y=True)
    lda = FisherLDA().fit(X, y)
    S_W, _ = _hand_scatters(X, y)
    w = np.linalg.solve(S_W, X[y == 1].mean(axis=0) - X[y == 0].mean(axis=0))
    ours = lda.scalings_[:, 0]
    cos = abs(ours @ w) / (np.linalg.norm(ours) * np.linalg.norm(w))
    assert cos > 1 - 1e-10
    assert lda.n_components_ == 1
    assert_allclose(lda.explained_variance_ratio_, [1.0])


@pytest.mark.parametrize("loader", [load_iris, load_wine])
def test_scatter_matrices_match_hand_computation(loader):
    X, y = loader(return_X_y=True)
    lda = FisherLDA().fit(X, y)
    S_W, S_B = _hand_scatters(X, y)
    assert_allclose(lda.within_scatter_, S_W, rtol=1e-9, atol=1e-9)
    assert_allclose(lda.between_scatter_, S_B, rtol=1e-9, atol=1e-9)
    Xc = X - X.mean(axis=0)
    assert_allclose(lda.within_scatter_ + lda.between_scatter_, Xc.T @ Xc, rtol=1e-9)
    for k, label in enumerate(lda.classes_):
        assert_allclose(lda.means_[k], X[y == label].mean(axis=0))
        assert_allclose(lda.priors_[k], np.mean(y == label))


@pytest.mark.parametrize("loader", [load_iris, load_wine])
def test_directions_maximise_fisher_criterion(loader):
    X, y = loader(return_X_y=True)
    lda = FisherLDA().fit(X, y)
    S_W, S_B = _hand_scatters(X, y)
    W = lda.scalings_
    # Generalised eigenvectors: S_B w = λ S_W w, and W^T Σ_W W = I.
    J = np.diag(W.T @ S_B @ W) / np.diag(W.T @ S_W @ W)
    assert np.all(np.diff(J) <= 0)
    assert_allclose(S_B @ W, S_W @ W * J, rtol=1e-6, atol=1e-8)
    assert_allclose(W.T @ (S_W / len(X)) @ W, np.eye(W.shape[1]), atol=1e-9)
    # No direction beats the first one (J is maximal among random directions).
    rng = np.random.default_rng(0)
    V = rng.standard_normal((X.shape[1], 200))
    J_random = np.diag(V.T @ S_B @ V) / np.diag(V.T @ S_W @ V)
    assert J_random.max() <= J[0] * (1 + 1e-12)
    # Projected classes have unit pooled within-class variance.
    T = lda.transform(X)
    within = sum(
        ((T[y == k] - T[y == k].mean(axis=0)) ** 2).sum(axis=0) for k in np.unique(y)
    )
    assert_allclose(within / len(X), 1.0, rtol=1e-9)


# ---------------------------------------------------------- against sklearn LDA


@pytest.mark.parametrize("loader", [load_iris, load_wine])
def test_same_subspace_and_accuracy_as_sklearn(loader):
    X, y = loader(return_X_y=True)
    ours = FisherLDA().fit(X, y)
    ref = LinearDiscriminantAnalysis(solver="eigen").fit(X, y)
    q = ours.n_components_
    assert q == len(np.unique(y)) - 1
    assert np.max(subspace_angles(ours.scalings_, ref.scalings_[:, :q])) < 1e-8
    assert_allclose(
        ours.explained_variance_ratio_, ref.explained_variance_ratio_, atol=1e-10
    )
    one_sample = 1 / len(y)
    assert abs(ours.score(X, y) - ref.score(X, y)) <= one_sample + 1e-12
    # With all n_classes - 1 directions the rule is scikit-learn's exactly.
    assert_array_equal(ours.predict(X), ref.predict(X))
    assert_allclose(ours.predict_proba(X), ref.predict_proba(X), atol=1e-8)
    cv = StratifiedKFold(5, shuffle=True, random_state=0)
    ours_cv = cross_val_score(FisherLDA(), X, y, cv=cv)
    ref_cv = cross_val_score(LinearDiscriminantAnalysis(solver="eigen"), X, y, cv=cv)
    assert abs(ours_cv.mean() - ref_cv.mean()) <= one_sample


_SOLVERS = [
    {"solver": "svd"},
    {"solver": "svd", "store_covariance": True, "n_components": 1},
    {"solver": "lsqr"},
    {"solver": "eigen"},
    {"solver": "lsqr", "shrinkage": "auto"},
    {"solver": "eigen", "shrinkage": 0.3},
    {"solver": "eigen", "shrinkage": "auto"},
    {"solver": "lsqr", "covariance_estimator": OAS()},
]


@pytest.mark.parametrize("loader", [load_iris, load_wine])
@pytest.mark.parametrize("priors", [False, True])
@pytest.mark.parametrize("params", _SOLVERS)
def test_drop_in_for_sklearns_lda(loader, priors, params):
    # Every attribute scikit-learn's LDA has, with its values and signs.
    X, y = loader(return_X_y=True)
    if priors:
        params = {**params, "priors": [0.5, 0.2, 0.3]}
    ours = FisherLDA(**params).fit(X, y)
    ref = LinearDiscriminantAnalysis(**params).fit(X, y)
    names = ["coef_", "intercept_", "means_", "priors_", "xbar_", "covariance_",
             "scalings_", "explained_variance_ratio_"]
    for name in names:
        assert hasattr(ours, name) == hasattr(ref, name) or name == "xbar_", name
        if hasattr(ref, name):
            actual, expected = getattr(ours, name), getattr(ref, name)
            if name == "scalings_":
                # The eigen solver's other eigenvectors span S_B's null space:
                # a degenerate eigenvalue, any basis of it.
                actual, expected = actual[:, :2], expected[:, :2]
            assert_allclose(actual, expected, atol=1e-10 * np.abs(expected).max())
    assert_array_equal(ours.predict(X), ref.predict(X))
    assert_allclose(ours.predict_proba(X), ref.predict_proba(X), atol=1e-10)
    assert_allclose(ours.decision_function(X), ref.decision_function(X), atol=1e-9)
    if params["solver"] == "lsqr":
        with pytest.raises(NotImplementedError, match="lsqr"):
            ours.transform(X)
    else:
        expected = ref.transform(X)[:, :2]
        scale = np.abs(expected).max()
        assert_allclose(ours.transform(X)[:, :2], expected, atol=1e-10 * scale)


def test_iris_projection_has_sklearns_signs(iris):
    X, y = iris
    assert_allclose(FisherLDA().fit(X, y).transform(X[:1]), [[8.1436, -0.3035]],
                    atol=1e-4)


@pytest.mark.parametrize("solver", ["svd", "lsqr", "eigen"])
def test_n_components_shapes_only_transform(wine, solver):
    X, y = wine
    full = FisherLDA(solver=solver).fit(X, y)
    one = FisherLDA(solver=solver, n_components=1).fit(X, y)
    assert_array_equal(one.coef_, full.coef_)
    assert_array_equal(one.predict_proba(X), full.predict_proba(X))
    assert one.score(X, y) == full.score(X, y)
    if solver != "lsqr":
        assert_allclose(one.transform(X), full.transform(X)[:, :1], rtol=1e-12)


@pytest.mark.parametrize("solver", ["svd", "lsqr", "eigen"])
def test_float32_is_kept(wine, solver):
    X, y = wine
    lda = FisherLDA(solver=solver).fit(X.astype(np.float32), y)
    ref = FisherLDA(solver=solver).fit(X, y)
    assert lda.coef_.dtype == lda.intercept_.dtype == lda.means_.dtype == np.float32
    assert_allclose(lda.coef_, ref.coef_, rtol=1e-5, atol=1e-6)


def test_refit_with_another_solver_drops_the_old_attributes(wine):
    X, y = wine
    lda = FisherLDA(solver="eigen").fit(X, y)
    lda.set_params(solver="lsqr").fit(X, y)
    assert not hasattr(lda, "scalings_")
    assert not hasattr(lda, "explained_variance_ratio_")
    lda.set_params(solver="svd").fit(X, y)
    assert not hasattr(lda, "covariance_")
    assert hasattr(lda, "scalings_")


def test_covariance_estimator_is_cloned_not_fitted(iris):
    X, y = iris
    estimator = OAS()
    FisherLDA(solver="eigen", covariance_estimator=estimator).fit(X, y)
    assert not hasattr(estimator, "covariance_")


@pytest.mark.parametrize(
    "params, error, match",
    [
        ({"shrinkage": 0.1}, NotImplementedError, "svd"),
        ({"covariance_estimator": OAS()}, ValueError, "not supported with svd"),
        ({"solver": "lsqr", "shrinkage": "auto", "covariance_estimator": OAS()},
         ValueError, "Only one of the two"),
        ({"priors": [0.5, 0.5]}, ValueError, "one per class"),
        ({"priors": [0.5, -0.2, 0.7]}, ValueError, "non-negative"),
        ({"priors": [0.0, 0.0, 0.0]}, ValueError, "zero"),
        ({"solver": "lsqr", "covariance_estimator": KMeans(2, n_init=1)},
         ValueError, "covariance_"),
    ],
)
def test_refused_parameter_combinations(iris, params, error, match):
    X, y = iris
    lda = FisherLDA(**params)
    with pytest.raises(error, match=match):
        lda.fit(X, y)
    assert not hasattr(lda, "coef_")


def test_priors_are_renormalised_with_a_warning(iris):
    X, y = iris
    with pytest.warns(UserWarning, match="Renormalizing"):
        lda = FisherLDA(priors=[1.0, 1.0, 2.0]).fit(X, y)
    assert_allclose(lda.priors_, [0.25, 0.25, 0.5])


@pytest.mark.parametrize(
    "params", [{"solver": "lsqr", "shrinkage": "auto"},
               {"solver": "eigen", "covariance_estimator": OAS()},
               {"solver": "eigen", "priors": [0.2, 0.3, 0.5]},
               {"store_covariance": True, "priors": [0.2, 0.3, 0.5]}],
)
def test_what_needs_each_class_samples_has_no_partial_fit(params):
    assert not hasattr(FisherLDA(**params), "partial_fit")


def test_svd_partial_fit_with_priors_is_the_fit(wine):
    X, y = wine
    priors = [0.2, 0.3, 0.5]
    ref = FisherLDA(priors=priors).fit(X, y)
    lda = FisherLDA(priors=priors).partial_fit(X[::2], y[::2], classes=[0, 1, 2])
    lda.partial_fit(X[1::2], y[1::2])
    assert_allclose(lda.coef_, ref.coef_, rtol=1e-10)
    assert_allclose(lda.transform(X), ref.transform(X), rtol=1e-9, atol=1e-12)


def test_lsqr_on_singular_covariance_is_sklearns_least_norm_solution():
    # Σ_W is estimated class by class as scikit-learn's, to its rounding, which
    # decides the least-squares solution of a singular Σ_W.
    rng = np.random.default_rng(0)
    X, y = rng.standard_normal((20, 40)), np.repeat([0, 1], 10)
    X[:, 0] += 2 * y
    X_test = rng.standard_normal((300, 40))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ours = FisherLDA(solver="lsqr").fit(X, y)
    ref = LinearDiscriminantAnalysis(solver="lsqr").fit(X, y)
    assert_array_equal(ours.covariance_, ref.covariance_)
    assert_array_equal(ours.predict(X_test), ref.predict(X_test))


def test_zero_within_scatter_is_refused():
    X = np.array([[0.0, 1.0], [0.0, 1.0], [2.0, 3.0], [2.0, 3.0]])
    with pytest.raises(ValueError, match="within-class scatter S_W is zero"):
        FisherLDA().fit(X, [0, 0, 1, 1])


def test_first_direction_only_subspace(wine):
    X, y = wine
    ours = FisherLDA(n_components=1).fit(X, y)
    ref = LinearDiscriminantAnalysis(solver="eigen").fit(X, y)
    assert ours.transform(X).shape == (len(X), 1)
    assert np.max(subspace_angles(ours.scalings_, ref.scalings_[:, :1])) < 1e-8


def test_data_far_from_origin_keep_their_digits(wine):
    # X'X - sum n_k m_k m_k' would cancel most digits at this offset; the
    # centred recomputation must give the same model.
    X, y = wine
    shifted = FisherLDA().fit(X + 1e7, y)
    plain = FisherLDA().fit(X, y)
    assert_allclose(shifted.within_scatter_, plain.within_scatter_, rtol=1e-7)
    assert np.max(subspace_angles(shifted.scalings_, plain.scalings_)) < 1e-6
    assert_array_equal(shifted.predict(X + 1e7), plain.predict(X))


# ------------------------------------------------------------------ shrinkage


def test_more_features_than_samples_with_auto_shrinkage():
    X, y = make_classification(
        n_samples=60, n_features=150, n_informative=4, n_redundant=0, n_classes=3,
        n_clusters_per_class=1, class_sep=2.0, random_state=0,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error", SingularScatterWarning)
        lda = FisherLDA(solver="eigen", shrinkage="auto").fit(X, y)
    assert np.all(np.isfinite(lda.scalings_))
    assert np.all(np.isfinite(lda.predict_proba(X)))
    cv = StratifiedKFold(3, shuffle=True, random_state=0)
    ours = cross_val_score(
        FisherLDA(solver="eigen", shrinkage="auto"), X, y, cv=cv
    ).mean()
    ref = cross_val_score(
        LinearDiscriminantAnalysis(solver="lsqr", shrinkage="auto"), X, y, cv=cv
    ).mean()
    assert ours > 0.85 and abs(ours - ref) <= 0.1


def test_float_shrinkage_formula(iris):
    X, y = iris
    alpha = 0.3
    lda = FisherLDA(solver="eigen", shrinkage=alpha).fit(X, y)
    sigma = lda.within_scatter_ / len(X)
    mu = np.trace(sigma) / X.shape[1]
    assert_allclose(lda.covariance_, (1 - alpha) * sigma + alpha * mu * np.eye(4))
    none = FisherLDA(solver="eigen").fit(X, y)
    zero = FisherLDA(solver="eigen", shrinkage=0.0).fit(X, y)
    assert_allclose(zero.scalings_, none.scalings_)


@pytest.mark.parametrize("priors", [None, [0.2, 0.3, 0.5]])
def test_auto_shrinkage_is_ledoit_wolf_of_standardized_within_data(iris, priors):
    # scikit-learn's meaning: each class's samples standardized, Ledoit-Wolf
    # shrunk and scaled back, the class covariances weighted by the priors.
    from sklearn.covariance import ledoit_wolf

    X, y = iris
    lda = FisherLDA(solver="lsqr", shrinkage="auto", priors=priors).fit(X, y)
    expected = 0.0
    for k, prior in zip(lda.classes_, lda.priors_):
        Z = X[y == k] - X[y == k].mean(axis=0)
        std = Z.std(axis=0)
        shrunk = ledoit_wolf(Z / std, assume_centered=True)[0]
        expected = expected + prior * shrunk * np.outer(std, std)
    assert_allclose(lda.covariance_, expected, rtol=1e-10)


# ------------------------------------------------------------ singular S_W


def test_singular_within_scatter_gives_finite_result(iris):
    X, y = iris
    X = np.column_stack([X, X[:, 0] + X[:, 1]])  # exactly collinear
    with pytest.warns(SingularScatterWarning, match="shrinkage='auto'"):
        eigen = FisherLDA(solver="eigen").fit(X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        svd = FisherLDA().fit(X, y)
    for lda in (eigen, svd):
        assert np.all(np.isfinite(lda.scalings_))
        assert np.all(np.isfinite(lda.transform(X)))
        assert np.all(np.isfinite(lda.predict_proba(X)))
        assert lda.score(X, y) > 0.95


def test_more_features_than_samples_without_shrinkage_is_sklearns_svd():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((12, 30))
    y = np.repeat([0, 1, 2], 4)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        lda = FisherLDA().fit(X, y)
    assert np.all(np.isfinite(lda.decision_function(X)))
    ref = LinearDiscriminantAnalysis().fit(X, y)
    X_test = rng.standard_normal((200, 30))
    assert_array_equal(lda.predict(X_test), ref.predict(X_test))
    assert_allclose(lda.predict_proba(X_test), ref.predict_proba(X_test), atol=1e-10)
    assert_allclose(lda.transform(X_test), ref.transform(X_test), atol=1e-10)
    with pytest.warns(SingularScatterWarning):
        FisherLDA(solver="eigen").fit(X, y)


def test_constant_feature_gives_finite_result(iris):
    X, y = iris
    X = np.column_stack([X, np.full(len(X), 2.5)])
    with pytest.warns(SingularScatterWarning):
        FisherLDA(solver="eigen").fit(X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        lda = FisherLDA().fit(X, y)
    assert np.all(np.isfinite(lda.predict_proba(X)))
    assert_allclose(lda.scalings_[-1], 0.0, atol=1e-12)
    assert_array_equal(lda.predict(X), FisherLDA().fit(X[:, :4], y).predict(X[:, :4]))


# ---------------------------------------------------------- classifier outputs


def test_string_labels_and_outputs(iris):
    X, y = iris
    species = np.array(["setosa", "versicolor", "virginica"])
    names = species[y]
    lda = FisherLDA().fit(X, names)
    assert_array_equal(lda.classes_, ["setosa", "versicolor", "virginica"])
    pred = lda.predict(X)
    assert pred.dtype.kind == "U"
    assert_array_equal(pred, species[FisherLDA().fit(X, y).predict(X)])
    proba = lda.predict_proba(X)
    assert_allclose(proba.sum(axis=1), 1.0)
    assert_array_equal(lda.classes_[np.argmax(proba, axis=1)], pred)
    assert_array_equal(lda.classes_[np.argmax(lda.decision_function(X), axis=1)], pred)
    assert_allclose(np.exp(lda.predict_log_proba(X)), proba, atol=1e-12)


def test_binary_decision_function(iris):
    X, y = iris
    mask = y > 0
    X, y = X[mask], np.where(y[mask] == 2, "b", "a")
    lda = FisherLDA().fit(X, y)
    d = lda.decision_function(X)
    assert d.shape == (len(X),)
    assert_array_equal(np.where(d > 0, "b", "a"), lda.predict(X))
    ref = LinearDiscriminantAnalysis(solver="eigen").fit(X, y)
    assert_allclose(d, ref.decision_function(X), rtol=1e-8, atol=1e-8)
    assert_allclose(lda.predict_proba(X), ref.predict_proba(X), atol=1e-10)


@pytest.mark.parametrize("binary", [False, True])
@pytest.mark.parametrize("shrinkage", [None, "auto"])
def test_coef_and_intercept_are_the_decision_rule(wine, binary, shrinkage):
    X, y = wine
    if binary:
        X, y = X[y > 0], y[y > 0]
    solver = "svd" if shrinkage is None else "eigen"
    lda = FisherLDA(solver=solver, shrinkage=shrinkage).fit(X, y)
    n_rows = 1 if binary else 3
    assert lda.coef_.shape == (n_rows, X.shape[1])
    assert lda.intercept_.shape == (n_rows,)
    scores = X @ lda.coef_.T + lda.intercept_
    assert_allclose(lda.decision_function(X), scores.ravel() if binary else scores)
    if binary:
        expected = lda.classes_[(scores[:, 0] > 0).astype(int)]
    else:
        expected = lda.classes_[np.argmax(scores, axis=1)]
    assert_array_equal(lda.predict(X), expected)


@pytest.mark.parametrize("binary", [False, True])
def test_coef_and_intercept_are_sklearns(wine, binary):
    # With every direction kept, the rule is scikit-learn's LDA's: the same
    # coef_ and intercept_ with two classes; with more, the same up to a
    # per-sample constant (a common row and a common intercept).
    X, y = wine
    if binary:
        X, y = X[y > 0], y[y > 0]
    lda = FisherLDA().fit(X, y)
    ref = LinearDiscriminantAnalysis(solver="eigen").fit(X, y)
    assert lda.coef_.shape == ref.coef_.shape
    assert lda.intercept_.shape == ref.intercept_.shape
    assert_array_equal(lda.predict(X), ref.predict(X))
    coef, ref_coef = lda.coef_, ref.coef_
    intercept, ref_intercept = lda.intercept_, ref.intercept_
    if not binary:
        coef, ref_coef = coef - coef.mean(0), ref_coef - ref_coef.mean(0)
        intercept = intercept - intercept.mean()
        ref_intercept = ref_intercept - ref_intercept.mean()
    assert_allclose(coef, ref_coef, atol=1e-8 * np.abs(ref_coef).max())
    assert_allclose(intercept, ref_intercept, atol=1e-8 * np.abs(ref_intercept).max())


def test_feature_names_out(wine):
    X, y = wine
    lda = FisherLDA().fit(X, y)
    assert_array_equal(lda.get_feature_names_out(), ["fisherlda0", "fisherlda1"])


# ------------------------------------------------------------ sklearn machinery


def test_pipeline_and_grid_search_on_wine(wine):
    X, y = wine
    pipe = make_pipeline(FisherLDA(), KNeighborsClassifier(5))
    grid = GridSearchCV(pipe, {"fisherlda__n_components": [1, 2]}, cv=3).fit(X, y)
    assert grid.best_params_["fisherlda__n_components"] == 2
    assert grid.best_score_ > 0.9
    grid = GridSearchCV(
        FisherLDA(solver="eigen"), {"shrinkage": [None, 0.1, "auto"]}, cv=3
    )
    assert grid.fit(X, y).best_score_ > 0.9


def test_clone_and_pickle_identical_predictions(wine):
    X, y = wine
    lda = FisherLDA(solver="eigen", shrinkage="auto").fit(X, y)
    again = clone(lda).fit(X, y)
    restored = pickle.loads(pickle.dumps(lda))
    assert_array_equal(again.predict_proba(X), lda.predict_proba(X))
    assert_array_equal(restored.predict_proba(X), lda.predict_proba(X))
    assert_array_equal(restored.transform(X), lda.transform(X))


# -------------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    "X, y, match",
    [
        (np.array([[1.0, np.nan], [2.0, 3.0]]), [0, 1], "NaN"),
        (np.array([[1.0, np.inf], [2.0, 3.0]]), [0, 1], "infinity"),
        (np.empty((0, 3)), [], "0 sample"),
        (np.ones((4, 3, 2)), [0, 1, 0, 1], "3"),
        (np.arange(8.0).reshape(4, 2), [1, 1, 1, 1], "got 1 class"),
        (np.arange(8.0).reshape(4, 2), [0.5, 1.5, 2.5, 3.7], "Unknown label type"),
    ],
)
def test_bad_training_input(X, y, match):
    with pytest.raises(ValueError, match=match):
        FisherLDA().fit(X, np.asarray(y))


@pytest.mark.parametrize(
    "params",
    [{"n_components": 0}, {"shrinkage": 2.0}, {"shrinkage": "oas"}, {"tol": -1.0}],
)
def test_invalid_parameters(params, iris):
    X, y = iris
    with pytest.raises(ValueError, match="n_components|shrinkage|tol"):
        FisherLDA(**params).fit(X, y)


def test_too_many_components_and_wrong_width(iris):
    X, y = iris
    with pytest.raises(ValueError, match="cannot be larger than"):
        FisherLDA(n_components=3).fit(X, y)
    lda = FisherLDA().fit(X, y)
    with pytest.raises(ValueError, match="features"):
        lda.predict(X[:, :3])
    with pytest.raises(ValueError, match="features"):
        lda.transform(X[:, :3])


@pytest.mark.parametrize(
    "method", ["transform", "decision_function", "predict", "predict_proba"]
)
@pytest.mark.parametrize("value, match", [(np.nan, "NaN"), (np.inf, "infinity")])
def test_inference_rejects_non_finite_input(method, value, match):
    X, y = make_classification(
        n_samples=80, n_features=6, n_informative=3, n_redundant=0, n_classes=3,
        random_state=0,
    )
    lda = FisherLDA().fit(X, y)
    bad = X.copy()
    bad[7, 2] = value
    with pytest.raises(ValueError, match=match):
        getattr(lda, method)(bad)
