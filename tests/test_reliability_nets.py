"""The nets' failure rule and the wrong answers adversarial testing found in them.

A ``fit`` that fails leaves the estimator clearly unfitted; a ``partial_fit``
that refuses its call leaves it as it was; inference reads what was fitted, not
parameters set since. Each test below failed before its fix: with a silent wrong
answer (the old net beside the new classes, a changed output shape) or a torch
error later on.
"""

import warnings

import numpy as np
import pytest
import torch
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.exceptions import NotFittedError

from sklearn_lecture.neural import (
    GAN,
    Autoencoder,
    RNNClassifier,
    RNNRegressor,
    StackedAutoencoderClassifier,
)

TINY = dict(max_epochs=2, batch_size=8, random_state=0)


def _sequences(n=16, t=5, d=2, seed=0):
    return np.random.RandomState(seed).rand(n, t, d)


def _assert_unfitted(est, method, X):
    assert not hasattr(est, "n_features_in_")
    with pytest.raises(NotFittedError):
        getattr(est, method)(X)


# --- A failed fit leaves the estimator clearly unfitted -------------------------


def test_a_refit_refused_for_its_classes_does_not_keep_the_old_net():
    X = _sequences()
    clf = RNNClassifier(hidden_size=4, **TINY).fit(X, np.arange(16) % 3)
    clf.set_params(class_weight={"c": 1})
    with pytest.raises(ValueError, match="class_weight"):
        clf.fit(X, np.where(np.arange(16) % 2, "a", "b"))
    # Before: classes_ ['a', 'b'] beside the 3-class net, predicting 'a'.
    assert not hasattr(clf, "classes_")
    _assert_unfitted(clf, "predict", X)


def test_a_refit_refused_on_its_input_does_not_keep_the_old_net():
    rng = np.random.RandomState(0)
    ae = Autoencoder((4, 2), **TINY).fit(rng.rand(40, 5))
    ae.set_params(loss="bce")
    with pytest.raises(ValueError, match="needs inputs in"):
        ae.fit(rng.randn(40, 7))
    # Before: n_features_in_ 7 beside the 5-input net, then a torch shape error.
    _assert_unfitted(ae, "transform", rng.randn(3, 7))

    clf = StackedAutoencoderClassifier((3,), pretrain_epochs=1, **TINY)
    clf.fit(rng.rand(20, 4), np.arange(20) % 2)
    with pytest.raises(ValueError, match="at least 2 classes"):
        clf.fit(rng.rand(20, 6), np.zeros(20))
    _assert_unfitted(clf, "predict", rng.rand(3, 6))


# --- A refused partial_fit leaves the estimator as it was -----------------------


def test_a_refused_partial_fit_keeps_the_shape_predict_returns():
    X = _sequences(d=1)
    clf = RNNClassifier(output="sequence", hidden_size=4, **TINY)
    clf.fit(X, (X[..., 0] > 0.5).astype(int))
    n_iter = clf.n_iter_
    with pytest.raises(ValueError, match="not in classes"):
        clf.partial_fit(X, np.full((16, 5), 7))
    assert clf.predict(X[:2]).shape == (2, 5)  # before: (2,)
    assert clf.n_iter_ == n_iter
    # A per-sequence y after per-step labels is refused, not taken silently.
    with pytest.raises(ValueError, match="shaped as on the first call"):
        clf.partial_fit(X, np.arange(16) % 2)
    assert clf.predict(X[:2]).shape == (2, 5)

    reg = RNNRegressor(output="sequence", hidden_size=4, **TINY).fit(X, X[..., 0])
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        reg.partial_fit(X, X[:3, 0, 0])
    assert reg.predict(X[:2]).shape == (2, 5)
    with pytest.raises(ValueError, match="shaped as on the first call"):
        reg.partial_fit(X, X[:, 0, 0])
    assert reg.predict(X[:2]).shape == (2, 5)


@pytest.mark.parametrize("make", [
    lambda: Autoencoder((3, 2), batch_norm=True, **TINY),
    lambda: GAN(
        latent_dim=2,
        generator_layer_sizes=(8,),
        discriminator_layer_sizes=(8,),
        **TINY,
    ),
])
def test_a_one_row_block_is_refused_and_the_fitted_net_kept(make):
    X = np.random.RandomState(0).rand(20, 4)
    est = make().fit(X)
    n_iter = est.n_iter_
    with pytest.raises(ValueError, match="at least 2 training samples"):
        est.partial_fit(X[:1])
    # Before: the torch batch-norm error, and the trained net deleted.
    assert est.n_iter_ == n_iter
    est.partial_fit(X)
    assert est.n_iter_ == n_iter + 1


@pytest.mark.parametrize("make", [
    lambda: Autoencoder((3, 2), batch_norm=True, max_epochs=1, batch_size=1),
    lambda: GAN(latent_dim=2, generator_layer_sizes=(8,), max_epochs=1, batch_size=1),
])
def test_batch_norm_with_batches_of_one_row_is_refused(make):
    X = np.random.RandomState(0).rand(20, 4)
    with pytest.raises(ValueError, match="needs batch_size >= 2"):
        make().fit(X)


def test_gan_partial_fit_refuses_changed_parameters_and_sampling_reads_the_fit():
    X = np.random.RandomState(0).rand(20, 4)
    gan = GAN(latent_dim=2, generator_layer_sizes=(8,), discriminator_layer_sizes=(8,),
              **TINY).fit(X)
    before = gan.sample(3, random_state=0)
    for change in [{"generator_layer_sizes": (16,)}, {"label_smoothing": 0.5},
                   {"latent_dim": 5}]:
        est = gan.set_params(**change)
        with pytest.raises(ValueError, match="parameters changed since"):
            est.partial_fit(X)
    # Before: a torch shape error (the generator takes 2-D codes).
    assert_allclose(gan.sample(3, random_state=0), before)
    assert gan.generate(np.zeros((1, 2))).shape == (1, 4)


# --- Inference reads the fit --------------------------------------------------------


def test_reconstruction_reads_the_fitted_loss():
    X = np.random.RandomState(0).rand(20, 4)
    ae = Autoencoder((3, 2), loss="bce", **TINY).fit(X)
    codes = ae.transform(X[:2])
    before, score = ae.inverse_transform(codes), ae.score(X)
    ae.set_params(loss="mse")
    assert_allclose(ae.inverse_transform(codes), before)  # still through the sigmoid
    assert ae.score(X) == score


# --- partial_fit after an early-stopping fit ------------------------------------


def test_partial_fit_after_early_stopping_no_longer_validates_on_the_fits_split():
    rng = np.random.RandomState(0)
    X = rng.rand(60, 4)
    ae = Autoencoder((3,), early_stopping=True, max_epochs=5, batch_size=16,
                     random_state=0).fit(X)
    n_fit = ae.n_iter_
    weights = [p.detach().clone() for p in ae.net_.module_.parameters()]
    ae.partial_fit(rng.rand(30, 4))
    assert ae.n_iter_ == n_fit + 1
    assert len(ae.validation_loss_curve_) == ae.n_iter_
    assert np.isfinite(ae.validation_loss_curve_[:n_fit]).all()
    assert np.isnan(ae.validation_loss_curve_[n_fit:]).all()
    # The epoch's update is kept, not replaced by the fit's best epoch.
    after = list(ae.net_.module_.parameters())
    assert any(not np.allclose(a.detach(), b) for a, b in zip(after, weights))


# --- Sequences: padding and ragged input ----------------------------------------


def test_padded_steps_may_hold_nan_or_none():
    X = _sequences()
    lengths = [3] * 8 + [5] * 8
    kw = dict(output="sequence", hidden_size=4, **TINY)
    y = X[..., 0].copy()
    y_nan = y.copy()
    y_nan[:8, 3:] = np.nan
    assert_allclose(
        RNNRegressor(**kw).fit(X, y_nan, sample_lengths=lengths).predict(X),
        RNNRegressor(**kw).fit(X, y, sample_lengths=lengths).predict(X),
    )
    labels = np.where(y > 0.5, "p", "q").astype(object)
    padded = labels.copy()
    padded[:8, 3:] = None
    assert_array_equal(
        RNNClassifier(**kw).fit(X, padded, sample_lengths=lengths).predict(X),
        RNNClassifier(**kw).fit(X, labels, sample_lengths=lengths).predict(X),
    )
    # NaN at a valid step is still refused.
    y_nan[9, 1] = np.nan
    with pytest.raises(ValueError, match="NaN at valid time steps"):
        RNNRegressor(**kw).fit(X, y_nan, sample_lengths=lengths)


def test_ragged_sequences_are_told_to_pad():
    rng = np.random.RandomState(0)
    with pytest.raises(ValueError, match="pad the shorter ones"):
        RNNRegressor(**TINY).fit([rng.rand(3, 2), rng.rand(5, 2)], [1.0, 2.0])


def test_a_stratified_early_stopping_split_that_cannot_be_made_says_why():
    X = np.random.RandomState(0).rand(8, 4)
    clf = StackedAutoencoderClassifier((3,), early_stopping=True, pretrain_epochs=1,
                                       **TINY)
    with pytest.raises(ValueError, match="every class needs 2 samples"):
        clf.fit(X, list("abcdabce"))


def test_inference_on_read_only_input_is_quiet(tmp_path):
    X = np.random.RandomState(0).rand(20, 4)
    ae = Autoencoder((3,), **TINY).fit(X)
    path = tmp_path / "X.npy"
    np.save(path, X)
    X_ro = np.load(path, mmap_mode="r")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert_allclose(ae.transform(X_ro), ae.transform(X))


def test_the_verbose_table_is_plain_text(capsys):
    # skorch colours its table with ANSI codes, which clutter logs and CI output.
    X = np.random.RandomState(0).rand(30, 4)
    Autoencoder((2,), max_epochs=2, random_state=0, verbose=1).fit(X)
    out = capsys.readouterr().out
    assert "train_loss" in out and "\x1b[" not in out


@pytest.mark.parametrize("schedule", ["step", "exponential", "inverse_time"])
def test_partial_fit_follows_the_schedule_of_one_fit(schedule):
    # torch's StepLR multiplies the current rate: rebuilt at each partial_fit,
    # it applied every step twice (0.1, 0.1, 0.025 ... instead of 0.1, 0.1, 0.05).
    X = np.random.RandomState(0).rand(40, 5)
    kw = dict(lr=0.1, lr_schedule=schedule, lr_decay=0.3, lr_step_size=2,
              lr_step_gamma=0.5, optimizer="sgd", random_state=0)
    continued = Autoencoder((3,), **kw)
    for _ in range(6):
        continued.partial_fit(X)
    fitted = Autoencoder((3,), max_epochs=6, **kw).fit(X)
    rates = [epoch["event_lr"] for epoch in continued.net_.history]
    assert_allclose(rates, [epoch["event_lr"] for epoch in fitted.net_.history])
    if schedule == "step":
        assert_allclose(rates, [0.1, 0.1, 0.05, 0.05, 0.025, 0.025])


# --- Divergence, degenerate paths and bad arguments (issue 19) -------------------


def test_a_divergence_in_the_last_generator_step_is_an_error():
    # The epoch's losses are measured before each update: the last generator
    # step made every weight NaN while every recorded loss stayed finite, and
    # fit returned a GAN whose samples were all NaN.
    X = np.random.RandomState(0).rand(40, 16)
    gan = GAN(lr=1e10, max_epochs=2, random_state=0)
    with pytest.raises(ValueError, match="diverged.*generator's weights"):
        gan.fit(X)
    assert not hasattr(gan, "generator_")
    # Finite weights of 1e19 whose batch-norm statistics overflow float32.
    gan = GAN(lr=1e3, optimizer="sgd", max_epochs=2, random_state=0)
    with pytest.raises(ValueError, match="diverged.*batch-norm statistics"):
        gan.fit(X)
    assert not hasattr(gan, "generator_")


def _tiny_gan(latent_dim=4):
    X = np.random.RandomState(0).rand(20, 3)
    return GAN(latent_dim=latent_dim, generator_layer_sizes=(8,),
               discriminator_layer_sizes=(8,), **TINY).fit(X), X


@pytest.mark.parametrize("nudge", [0.0, 1e-10])
def test_slerp_between_opposite_codes_stays_on_the_sphere(nudge):
    from sklearn_lecture.neural._gan import _slerp

    z = np.array([1.0, 2.0, 3.0, 4.0])
    t = np.linspace(0, 1, 9)
    path = _slerp(z, -z + nudge, t)
    # The norm moves linearly from ||z0|| to ||z1||. Before: 6e-10 half-way, or
    # 1e6 times too large when nudged.
    norms = (1 - t) * np.linalg.norm(z) + t * np.linalg.norm(-z + nudge)
    assert_allclose(np.linalg.norm(path, axis=1), norms, rtol=1e-12)
    assert_allclose(path[0], z, atol=1e-12)
    assert_allclose(path[-1], -z + nudge, atol=1e-9)
    gan, _ = _tiny_gan()
    samples = gan.interpolate(z, -z + nudge, n_steps=5, method="slerp")
    assert np.isfinite(samples).all()
    assert_allclose(samples[[0, -1]], gan.generate(np.stack([z, -z + nudge])))


def test_slerp_keeps_the_norm_near_parallel_codes_and_refuses_opposite_scalars():
    from sklearn_lecture.neural._gan import _slerp

    z0, z1 = np.array([3.0, 4.0]), np.array([6.0, 8.0 + 1e-9])
    t = np.linspace(0, 1, 5)
    norms = (1 - t) * 5 + t * np.linalg.norm(z1)
    assert_allclose(np.linalg.norm(_slerp(z0, z1, t), axis=1), norms, rtol=1e-12)
    gan, _ = _tiny_gan(latent_dim=1)
    assert np.isfinite(gan.interpolate([1.0], [2.0], method="slerp")).all()
    with pytest.raises(ValueError, match="opposite sign.*dimension 1"):
        gan.interpolate([1.0], [-1.0], method="slerp")


def test_score_samples_far_outside_the_training_range():
    gan, X = _tiny_gan()
    # Before: [nan nan nan], the scaled rows overflowing float32.
    scores = gan.score_samples(X[:3] * 1e39)
    assert np.isfinite(scores).all()
    with np.errstate(over="ignore"), pytest.raises(ValueError, match="overflow"):
        gan.score_samples(np.full((2, 3), 1.7e308))


@pytest.mark.parametrize("n_samples", [True, np.True_, 2.0, "3"])
def test_sample_refuses_a_count_that_is_not_an_integer(n_samples):
    gan, _ = _tiny_gan()
    # Before: numpy's "TypeError: an integer is required" for True.
    with pytest.raises(ValueError, match="n_samples must be a positive integer"):
        gan.sample(n_samples)


@pytest.mark.parametrize("class_weight", [{0: np.nan}, {0: 0, 1: 0}, {0: -1.0},
                                          {1: np.inf}])
def test_class_weights_that_leave_no_finite_loss_are_refused(class_weight):
    X = _sequences()
    y = np.arange(16) % 2
    clf = RNNClassifier(hidden_size=4, class_weight=class_weight, **TINY)
    # Before: "Training diverged ... lower the learning rate".
    with pytest.raises(ValueError, match="class_weight must give every class"):
        clf.fit(X, y)
    with pytest.raises(ValueError, match="class_weight must give every class"):
        clf.partial_fit(X, y, classes=[0, 1])
    assert not hasattr(clf, "classes_")


def test_a_class_of_weight_zero_leaves_batches_of_it_at_loss_zero():
    # A batch of only that class divided 0 by 0 in the weighted mean: NaN.
    X = _sequences()
    y = np.arange(16) % 2
    clf = RNNClassifier(hidden_size=4, class_weight={0: 0.0}, max_epochs=2,
                        batch_size=1, random_state=0).fit(X, y)
    assert np.isfinite(clf.loss_curve_).all()


def test_score_refuses_sample_weight_of_another_length():
    X = _sequences(d=1)
    lengths = np.r_[[3] * 8, [5] * 8]
    Y = X[..., 0]
    reg = RNNRegressor(output="sequence", hidden_size=4, **TINY)
    reg.fit(X, Y, sample_lengths=lengths)
    clf = RNNClassifier(output="sequence", hidden_size=4, **TINY)
    clf.fit(X, (Y > 0.5).astype(int), sample_lengths=lengths)
    for est, y in ((reg, Y), (clf, (Y > 0.5).astype(int))):
        # Before: a numpy broadcast error.
        with pytest.raises(ValueError, match=r"sample_weight.shape == \(29,\)"):
            est.score(X, y, sample_weight=np.ones(29), sample_lengths=lengths)
        assert est.score(X, y, sample_weight=np.ones(16), sample_lengths=lengths) == (
            est.score(X, y, sample_lengths=lengths)
        )


def test_sample_lengths_beyond_int64_are_reported_as_given():
    X = _sequences()
    reg = RNNRegressor(hidden_size=4, **TINY).fit(X, X[:, -1, 0])
    # Before: "got values from -9223372036854775808", the cast overflowing first.
    with pytest.raises(ValueError, match=r"got values from 1e\+20 to 1e\+20"):
        reg.predict(X, sample_lengths=np.full(16, 1e20))


# --- Inference reads the net the user sees ----------------------------------------


def test_inference_follows_weights_loaded_into_the_net(tmp_path):
    X = np.random.RandomState(0).rand(20, 4)
    source = Autoencoder((3,), **TINY).fit(X)
    target = Autoencoder((3,), max_epochs=2, batch_size=8, random_state=1).fit(X)
    for dtype in (np.float32, np.float64):
        assert not np.allclose(target.transform(X.astype(dtype)), source.transform(X))
    path = tmp_path / "params.pt"
    source.net_.save_params(f_params=path)
    target.net_.load_params(f_params=path)
    # Before: the copy made by the first transform, with the old weights.
    for dtype in (np.float32, np.float64):
        assert_allclose(
            target.transform(X.astype(dtype)), source.transform(X), rtol=1e-5
        )


def test_inference_follows_a_module_edited_in_place():
    X = _sequences()
    clf = RNNClassifier(hidden_size=4, **TINY).fit(X, np.arange(16) % 3)
    assert not np.allclose(clf.predict_proba(X), 1 / 3)
    with torch.no_grad():
        for weight in clf.net_.module_.parameters():
            weight.zero_()
    assert_allclose(clf.predict_proba(X), 1 / 3)


# --- The private fitted state: one object, no data in it -------------------------


def _fitted_nets():
    rng = np.random.RandomState(0)
    X, S = rng.rand(40, 5), _sequences(40)
    es = dict(early_stopping=True, validation_fraction=0.25)
    return [
        (Autoencoder((4, 2), **TINY, **es), X, None),
        (StackedAutoencoderClassifier((4, 2), pretrain_epochs=1, **TINY, **es), X,
         np.arange(40) % 2),
        (RNNRegressor(hidden_size=4, **TINY, **es), S, S[:, :, 0].sum(axis=1)),
        (GAN(latent_dim=2, generator_layer_sizes=(4,),
             discriminator_layer_sizes=(4,), snapshot_every=1, **TINY, **es), X, None),
    ]  # fmt: skip


def test_a_fitted_net_keeps_its_private_state_in_one_object_without_rows():
    import pickle

    for est, X, y in _fitted_nets():
        est.fit(X, y)
        private = [k for k in vars(est) if k.startswith("_") and not k.endswith("_")]
        assert private == ["_fitted"], (type(est).__name__, private)
        data = pickle.dumps(est)
        for row in X.astype(np.float32):
            assert row.tobytes() not in data, type(est).__name__
        for row in X:
            assert row.tobytes() not in data, type(est).__name__
        # A failed refit clears it whole.
        with pytest.raises(ValueError):
            est.fit(X[:, :1] * np.nan, y)
        assert not hasattr(est, "_fitted") and not hasattr(est, "net_")
