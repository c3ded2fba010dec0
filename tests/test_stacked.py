"""Tests of StackedAutoencoder and StackedAutoencoderClassifier."""

import copy
import pickle
import subprocess
import sys

import numpy as np
import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("skorch")

from sklearn.base import clone  # noqa: E402
from sklearn.datasets import load_digits  # noqa: E402
from sklearn.decomposition import PCA  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402
from sklearn.model_selection import train_test_split  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import MinMaxScaler, StandardScaler  # noqa: E402

from sklearn_lecture import (  # noqa: E402
    StackedAutoencoder,
    StackedAutoencoderClassifier,
)
from sklearn_lecture.neural import _base, _stacked  # noqa: E402
from sklearn_lecture.utils._compat import InvalidParameterError  # noqa: E402

SMALL = dict(pretrain_epochs=8, max_epochs=8, random_state=0)


@pytest.fixture(scope="module")
def digits_split():
    X, y = load_digits(return_X_y=True)
    return train_test_split(X, y, test_size=0.25, random_state=0, stratify=y)


@pytest.fixture(scope="module")
def small_digits():
    X, y = load_digits(return_X_y=True)
    return MinMaxScaler().fit_transform(X[:300]), y[:300]


@pytest.fixture(scope="module")
def fitted_sae(small_digits):
    X, _ = small_digits
    return StackedAutoencoder((32, 16, 8), **SMALL).fit(X)


@pytest.fixture(scope="module")
def fitted_clf(small_digits):
    X, y = small_digits
    return StackedAutoencoderClassifier((32, 16), **SMALL).fit(X, y)


@pytest.fixture
def stage_log(monkeypatch):
    """Record, for every training stage, its input and module weights around it."""
    log = []
    original = _stacked.fit_module

    def spy(settings, module, criterion, X, y=None, **kwargs):
        entry = {
            "module": module,
            "X": np.array(X, copy=True),
            "split": kwargs.get("split"),
            "before": copy.deepcopy(module.state_dict()),
        }
        result = original(settings, module, criterion, X, y, **kwargs)
        entry["after"] = copy.deepcopy(module.state_dict())
        log.append(entry)
        return result

    # The layers train in _stacked, the fine-tuning in the shared base.
    monkeypatch.setattr(_stacked, "fit_module", spy)
    monkeypatch.setattr(_base, "fit_module", spy)
    return log


# -- the classifier learns ---------------------------------------------------------


def test_classifier_defaults_beat_93_percent_on_digits(digits_split):
    X_train, X_test, y_train, y_test = digits_split
    clf = make_pipeline(
        StandardScaler(), StackedAutoencoderClassifier(random_state=0)
    ).fit(X_train, y_train)
    accuracy = clf.score(X_test, y_test)
    assert accuracy > 0.93
    # Against a reference: as good as a logistic regression, to within a point.
    reference = make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000))
    assert accuracy >= reference.fit(X_train, y_train).score(X_test, y_test) - 0.01

    proba = clf.predict_proba(X_test)
    assert proba.dtype == np.float64
    assert proba.shape == (len(X_test), 10)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-12)
    np.testing.assert_array_equal(clf.predict(X_test), np.argmax(proba, axis=1))
    np.testing.assert_array_equal(clf[-1].classes_, np.arange(10))
    net = clf[-1]
    assert [len(c) for c in net.pretrain_loss_curves_] == [10, 10]
    assert net.n_iter_ == 50 == len(net.loss_curve_)
    assert net.validation_loss_curve_ is None


def test_string_labels(small_digits):
    X, y = small_digits
    names = np.array(["zero", "one", "two", "three", "four"])
    keep = y < 5
    labels = names[y[keep]]
    clf = StackedAutoencoderClassifier((32,), **{**SMALL, "max_epochs": 30})
    clf.fit(X[keep], labels)
    assert set(clf.classes_) == set(names)
    pred = clf.predict(X[keep])
    assert pred.dtype == labels.dtype
    assert np.mean(pred == labels) > 0.9


# -- pre-training happens and matters ----------------------------------------------


def test_each_layer_is_pretrained_on_the_codes_below(small_digits, stage_log):
    X, _ = small_digits
    sae = StackedAutoencoder((32, 16, 8), **SMALL).fit(X)

    # One stage per layer, then the fine-tuning of the whole deep autoencoder.
    assert len(stage_log) == 4
    assert stage_log[-1]["module"] is sae.net_.module_
    assert len(sae.pretrain_loss_curves_) == 3
    for curve in sae.pretrain_loss_curves_:
        assert curve.shape == (SMALL["pretrain_epochs"],)
        assert curve[-1] < 0.8 * curve[0]

    # Layer 0 sees x; layer k sees relu(W h + b) of the pre-trained layer k − 1.
    np.testing.assert_allclose(stage_log[0]["X"], X)
    for k in (1, 2):
        weights = stage_log[k - 1]["after"]
        h = stage_log[k - 1]["X"]
        expected = np.maximum(
            h @ weights["linear.weight"].double().numpy().T
            + weights["linear.bias"].double().numpy(),
            0,
        )
        np.testing.assert_allclose(stage_log[k]["X"], expected, atol=1e-10)


def test_pretrained_weights_initialise_fine_tuning(small_digits, stage_log):
    X, y = small_digits
    StackedAutoencoderClassifier((32, 16), **SMALL).fit(X, y)
    pretrained = [entry["after"] for entry in stage_log[:2]]
    start = stage_log[2]["before"]
    for k, layer in enumerate(pretrained):
        for name in ("weight", "bias"):
            torch.testing.assert_close(
                start[f"encoder.linears.{k}.{name}"], layer[f"linear.{name}"]
            )
            # Pre-training moved them away from their random initialisation.
            assert not torch.equal(
                stage_log[k]["before"][f"linear.{name}"], layer[f"linear.{name}"]
            )

    # pretrain=False draws the same initial network and fine-tunes it directly;
    # only the pre-trained layers differ, not the softmax layer.
    stage_log.clear()
    StackedAutoencoderClassifier((32, 16), pretrain=False, **SMALL).fit(X, y)
    assert len(stage_log) == 1
    random_start = stage_log[0]["before"]
    assert not torch.equal(
        random_start["encoder.linears.0.weight"], start["encoder.linears.0.weight"]
    )
    torch.testing.assert_close(random_start["head.weight"], start["head.weight"])


def test_pretrain_false_skips_pretraining_and_pretraining_helps(small_digits):
    X, _ = small_digits
    params = dict(hidden_layer_sizes=(32, 16, 8), pretrain_epochs=10, max_epochs=2)
    scratch = StackedAutoencoder(pretrain=False, random_state=0, **params).fit(X)
    assert scratch.pretrain_loss_curves_ == []
    # After two fine-tuning epochs the pre-trained stack reconstructs far better.
    errors = []
    for seed in (0, 1):
        pre = StackedAutoencoder(random_state=seed, **params).fit(X)
        raw = StackedAutoencoder(pretrain=False, random_state=seed, **params).fit(X)
        errors.append((-pre.score(X), -raw.score(X)))
    for pre_error, raw_error in errors:
        assert pre_error < 0.8 * raw_error


def test_linear_stack_finds_the_pca_subspace(small_digits):
    # With identity activations the best code of size 4 is PCA's: a linear stacked
    # autoencoder, pre-trained and fine-tuned, must reach PCA(4)'s error.
    X, _ = small_digits
    pca = PCA(n_components=4).fit(X)
    pca_error = np.mean((X - pca.inverse_transform(pca.transform(X))) ** 2)
    sae = StackedAutoencoder(
        (16, 4),
        activation="identity",
        lr=0.01,
        pretrain_epochs=30,
        max_epochs=60,
        random_state=0,
    ).fit(X)
    error = -sae.score(X)
    assert pca_error * (1 - 1e-4) <= error < 1.03 * pca_error


def test_denoising_pretraining(small_digits, stage_log):
    X, _ = small_digits
    clean = StackedAutoencoder((32, 8), **SMALL).fit(X)
    noisy = StackedAutoencoder((32, 8), noise="mask", corruption=0.5, **SMALL).fit(X)
    # Reconstructing the clean codes from half of them is harder.
    assert noisy.pretrain_loss_curves_[0][-1] > clean.pretrain_loss_curves_[0][-1]
    corrupt = stage_log[-3]["module"].corrupt
    assert corrupt.noise == "mask" and corrupt.level == 0.5
    # The fine-tuned net has no noise: transform is deterministic.
    np.testing.assert_array_equal(noisy.transform(X), noisy.transform(X))
    gaussian = StackedAutoencoder(
        (32, 8), noise="gaussian", corruption=0.1, **SMALL
    ).fit(X)
    assert gaussian.pretrain_loss_curves_[1][-1] < gaussian.pretrain_loss_curves_[1][0]


# -- transformer API ---------------------------------------------------------------


def test_transformer_api(fitted_sae, small_digits):
    X, _ = small_digits
    codes = fitted_sae.transform(X)
    assert codes.shape == (300, 8)
    reconstruction = fitted_sae.inverse_transform(codes)
    assert reconstruction.shape == X.shape
    assert fitted_sae.score(X) == pytest.approx(-np.mean((X - reconstruction) ** 2))
    assert list(fitted_sae.get_feature_names_out()) == [
        f"stackedautoencoder{i}" for i in range(8)
    ]
    assert fitted_sae.n_features_in_ == 64
    assert fitted_sae.n_iter_ == SMALL["max_epochs"] == len(fitted_sae.loss_curve_)
    assert fitted_sae.validation_loss_curve_ is None
    assert fitted_sae.pretrain_validation_loss_curves_ is None
    with pytest.raises(ValueError, match="8 columns"):
        fitted_sae.inverse_transform(codes[:, :5])


@pytest.mark.parametrize("option", ["tied_weights", "batch_norm", "bce"])
def test_variants_pretrain_and_reconstruct(small_digits, option):
    X, _ = small_digits
    kwargs = {"loss": "bce"} if option == "bce" else {option: True}
    sae = StackedAutoencoder((32, 8), **kwargs, **SMALL).fit(X)
    for curve in sae.pretrain_loss_curves_:
        assert curve[-1] < curve[0]
    assert sae.loss_curve_[-1] < sae.loss_curve_[0]
    reconstruction = sae.inverse_transform(sae.transform(X))
    assert np.all(np.isfinite(reconstruction))
    if option == "tied_weights":
        assert not hasattr(sae.net_.module_.decoder, "linears")
    if option == "bce":
        assert reconstruction.min() >= 0 and reconstruction.max() <= 1


def test_early_stopping_uses_one_split_for_all_stages(small_digits, stage_log):
    X, y = small_digits
    clf = StackedAutoencoderClassifier(
        (32, 16),
        early_stopping=True,
        validation_fraction=0.2,
        pretrain_epochs=5,
        max_epochs=5,
        random_state=0,
    ).fit(X, y)
    assert len(clf.pretrain_validation_loss_curves_) == 2
    assert len(clf.validation_loss_curve_) == clf.n_iter_
    # Pre-training never trains on the rows the fine-tuning validates on.
    assert len(stage_log) == 3
    train, valid = stage_log[0]["split"]
    for entry in stage_log[1:]:
        np.testing.assert_array_equal(entry["split"][0], train)
        np.testing.assert_array_equal(entry["split"][1], valid)
    assert len(valid) == 60 and len(np.intersect1d(train, valid)) == 0
    # Stratified: every class is in the validation rows in its proportion.
    np.testing.assert_allclose(
        np.bincount(y[valid], minlength=10) / len(valid),
        np.bincount(y, minlength=10) / len(y),
        atol=0.02,
    )


# -- reproducibility, dtypes, pickling ---------------------------------------------


def test_random_state_fits_identically_and_keeps_global_rng(small_digits):
    X, y = small_digits
    state = torch.get_rng_state()
    a = StackedAutoencoderClassifier((16, 8), **SMALL).fit(X, y).predict_proba(X)
    b = StackedAutoencoderClassifier((16, 8), **SMALL).fit(X, y).predict_proba(X)
    np.testing.assert_array_equal(a, b)
    assert torch.equal(state, torch.get_rng_state())
    c = StackedAutoencoderClassifier((16, 8), **{**SMALL, "random_state": 1})
    assert not np.array_equal(a, c.fit(X, y).predict_proba(X))


def test_float32_and_float64(fitted_sae, fitted_clf, small_digits):
    X, _ = small_digits
    X32 = X.astype(np.float32)
    assert fitted_sae.transform(X32).dtype == np.float32
    assert fitted_sae.transform(X).dtype == np.float64
    codes32 = fitted_sae.transform(X32)
    assert fitted_sae.inverse_transform(codes32).dtype == np.float32
    np.testing.assert_allclose(codes32, fitted_sae.transform(X), rtol=1e-4, atol=1e-5)
    assert fitted_clf.predict_proba(X32).dtype == np.float64
    sae32 = StackedAutoencoder((16, 8), **SMALL).fit(X32)
    assert sae32.transform(X32).dtype == np.float32


def test_pickle_in_a_fresh_process(fitted_sae, fitted_clf, small_digits, tmp_path):
    X, _ = small_digits
    path = tmp_path / "models.pkl"
    with open(path, "wb") as f:
        pickle.dump((fitted_sae, fitted_clf, X), f)
    out = tmp_path / "out.npz"
    code = (
        "import pickle, numpy as np\n"
        f"with open({str(path)!r}, 'rb') as f:\n"
        "    sae, clf, X = pickle.load(f)\n"
        f"np.savez({str(out)!r}, codes=sae.transform(X), proba=clf.predict_proba(X),"
        " pred=clf.predict(X))\n"
    )
    result = subprocess.run(
        [sys.executable, "-W", "error", "-c", code], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    saved = np.load(out)
    np.testing.assert_array_equal(saved["codes"], fitted_sae.transform(X))
    np.testing.assert_array_equal(saved["proba"], fitted_clf.predict_proba(X))
    np.testing.assert_array_equal(saved["pred"], fitted_clf.predict(X))


def test_clone_is_unfitted_with_same_params(fitted_sae, fitted_clf):
    for est in (fitted_sae, fitted_clf):
        twin = clone(est)
        assert twin.get_params() == est.get_params()
        assert not hasattr(twin, "net_")


# -- bad input -------------------------------------------------------------------


@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_nan_and_inf_are_rejected(small_digits, bad):
    X, y = small_digits
    X = X[:20].copy()
    X[3, 5] = bad
    with pytest.raises(ValueError, match="NaN|infinity"):
        StackedAutoencoder((8,), **SMALL).fit(X)
    with pytest.raises(ValueError, match="NaN|infinity"):
        StackedAutoencoderClassifier((8,), **SMALL).fit(X, y[:20])


def test_wrong_shapes_are_rejected(fitted_sae, fitted_clf, small_digits):
    X, y = small_digits
    for est in (fitted_sae, fitted_clf):
        method = est.transform if est is fitted_sae else est.predict
        with pytest.raises(ValueError, match="64 features"):
            method(X[:, :10])
        with pytest.raises(ValueError, match="3"):
            method(X.reshape(300, 8, 8))
    with pytest.raises(ValueError, match="3"):
        StackedAutoencoder((8,), **SMALL).fit(X.reshape(300, 8, 8))


def test_single_class_is_sklearns_error(small_digits):
    X, _ = small_digits
    with pytest.raises(ValueError, match="at least 2 classes.*only one class"):
        StackedAutoencoderClassifier((8,), **SMALL).fit(X[:10], np.ones(10))


@pytest.mark.parametrize(
    "params, error, match",
    [
        ({"pretrain_epochs": 0}, InvalidParameterError, "pretrain_epochs"),
        ({"noise": "salt"}, InvalidParameterError, "noise"),
        ({"corruption": -0.1}, InvalidParameterError, "corruption"),
        ({"noise": "mask", "corruption": 1.0}, ValueError, r"\[0, 1\)"),
        ({"hidden_layer_sizes": (16, 0)}, ValueError, "positive integers"),
        ({"hidden_layer_sizes": ()}, ValueError, "non-empty"),
        ({"optimizer": "lbfgs"}, InvalidParameterError, "optimizer"),
        ({"pretrain": "yes"}, InvalidParameterError, "pretrain"),
    ],
)
def test_invalid_parameters(small_digits, params, error, match):
    X, y = small_digits
    for est in (
        StackedAutoencoder(**SMALL),
        StackedAutoencoderClassifier(**SMALL),
    ):
        with pytest.raises(error, match=match):
            est.set_params(**params).fit(X[:20], y[:20])


def test_one_sample_with_batch_norm(small_digits):
    X, _ = small_digits
    with pytest.raises(ValueError, match="n_samples=1"):
        StackedAutoencoder((8,), batch_norm=True, **SMALL).fit(X[:1])


def test_diverging_pretraining_stops_with_a_clear_error(small_digits):
    X, _ = small_digits
    sae = StackedAutoencoder((16, 8), optimizer="sgd", lr=1e6, **SMALL)
    with pytest.raises(ValueError, match="diverged"):
        sae.fit(X)


def test_verbose_reports_each_stage(small_digits, capsys):
    X, _ = small_digits
    StackedAutoencoder((16, 8), verbose=1, pretrain_epochs=2, max_epochs=2).fit(X)
    out = capsys.readouterr().out
    assert "Pre-training layer 1/2 (64 -> 16)" in out
    assert "Pre-training layer 2/2 (16 -> 8)" in out
    assert "Fine-tuning" in out
    assert "train_loss" in out


def test_grid_search_and_cross_validation_in_a_pipeline(small_digits):
    from sklearn.model_selection import GridSearchCV, cross_val_score

    X, y = small_digits
    pipe = make_pipeline(
        StandardScaler(),
        StackedAutoencoderClassifier((32, 16), **{**SMALL, "max_epochs": 40}),
    )
    scores = cross_val_score(pipe, X, y, cv=3)
    # Ten classes: chance is 0.1; 200 training digits per fold do far better.
    assert scores.min() > 0.8

    grid = GridSearchCV(
        make_pipeline(StackedAutoencoder((16, 8), **SMALL), LogisticRegression()),
        {"stackedautoencoder__pretrain": [True, False]},
        cv=2,
    ).fit(X, y)
    assert set(grid.cv_results_["param_stackedautoencoder__pretrain"]) == {True, False}
    assert grid.best_score_ > 0.5
    assert grid.score(X, y) == pytest.approx(
        np.mean(grid.predict(X) == y)
    )
