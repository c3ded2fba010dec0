"""GAN and DCGAN: the lecture's losses, Algorithm 1's steps, sampling, errors."""

import pickle
import subprocess
import sys

import numpy as np
import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("skorch")

from sklearn.exceptions import NotFittedError  # noqa: E402

from sklearn_lecture import DCGAN, GAN  # noqa: E402
from sklearn_lecture.neural._gan import (  # noqa: E402
    discriminator_loss,
    generator_loss,
)

TINY = dict(
    latent_dim=2,
    generator_layer_sizes=(4,),
    discriminator_layer_sizes=(4,),
    max_epochs=2,
    batch_size=16,
)


@pytest.fixture(scope="module")
def X():
    return np.random.RandomState(0).normal(loc=5.0, scale=2.0, size=(64, 3))


@pytest.fixture(scope="module")
def digits():
    from sklearn.datasets import load_digits

    return load_digits().data[:96]


def _mlp_numpy(sequential, x, activation):
    """Forward a Linear/activation Sequential by hand in numpy."""
    for layer in sequential:
        if isinstance(layer, torch.nn.Linear):
            x = x @ layer.weight.detach().double().numpy().T
            x = x + layer.bias.detach().double().numpy()
        elif isinstance(layer, torch.nn.Tanh):
            x = np.tanh(x)
        else:
            x = activation(x)
    return x


@pytest.mark.parametrize("loss", ["minimax", "non_saturating"])
def test_losses_are_the_value_of_the_game_computed_by_hand(X, loss):
    gan = GAN(
        **{**TINY, "activation": "tanh", "batch_norm": False}, loss=loss, random_state=0
    ).fit(X)
    Z = np.random.RandomState(1).randn(50, 2)
    fake = _mlp_numpy(gan.generator_.net, Z, np.tanh)
    span = np.where(gan.data_max_ > gan.data_min_, gan.data_max_ - gan.data_min_, 1)
    scaled = 2 * (X - gan.data_min_) / span - 1
    d_real = 1 / (1 + np.exp(-_mlp_numpy(gan.discriminator_.net, scaled, np.tanh)))
    d_fake = 1 / (1 + np.exp(-_mlp_numpy(gan.discriminator_.net, fake, np.tanh)))
    value = np.mean(np.log(d_real)) + np.mean(np.log(1 - d_fake))  # V(D, G)
    g_expected = (
        np.mean(np.log(1 - d_fake)) if loss == "minimax" else -np.mean(np.log(d_fake))
    )
    losses = gan._losses(X, Z)
    assert losses["discriminator"] == pytest.approx(-value, rel=1e-10)
    assert losses["generator"] == pytest.approx(g_expected, rel=1e-10)
    # The samples of those codes are the generator's rows mapped back to X's scale.
    np.testing.assert_allclose(
        gan.generate(Z), (fake + 1) / 2 * span + gan.data_min_, rtol=1e-10
    )


@pytest.mark.parametrize("loss", ["minimax", "non_saturating"])
def test_the_training_step_minimises_those_losses(X, loss):
    import copy

    gan = GAN(
        **{**TINY, "activation": "tanh", "batch_norm": False, "max_epochs": 1},
        loss=loss,
        random_state=0,
    ).fit(X)
    real = torch.tensor(gan._scale(X))
    generator_before = copy.deepcopy(gan.generator_)
    discriminator_before = copy.deepcopy(gan.discriminator_)
    with torch.random.fork_rng(devices=[]):
        torch.random.default_generator.manual_seed(5)
        metrics = gan.net_.train_step((real, None))
    with torch.random.fork_rng(devices=[]):
        torch.random.default_generator.manual_seed(5)
        z1, z2 = torch.randn(len(X), 2), torch.randn(len(X), 2)

    def d(net, x):
        return 1 / (1 + np.exp(-_mlp_numpy(net.net, x, np.tanh)))

    fake1 = _mlp_numpy(generator_before.net, z1.double().numpy(), np.tanh)
    value = np.mean(np.log(d(discriminator_before, real.double().numpy())))
    value += np.mean(np.log(1 - d(discriminator_before, fake1)))
    assert float(metrics["discriminator_loss"]) == pytest.approx(-value, rel=1e-5)
    # The generator step follows the discriminator's update, on fresh codes.
    d_fake2 = d(
        gan.discriminator_, _mlp_numpy(generator_before.net, z2.numpy(), np.tanh)
    )
    expected = (
        np.mean(np.log(1 - d_fake2)) if loss == "minimax" else -np.mean(np.log(d_fake2))
    )
    assert float(metrics["generator_loss"]) == pytest.approx(expected, rel=1e-5)
    # And both nets moved.
    assert not torch.equal(generator_before.net[0].weight, gan.generator_.net[0].weight)


def test_minimax_saturates_and_non_saturating_does_not():
    # Early in training D rejects the samples: logit(D(G(z))) very negative.
    logits = torch.tensor([-8.0], requires_grad=True)
    grads = {}
    for loss in ("minimax", "non_saturating"):
        (grad,) = torch.autograd.grad(generator_loss(logits, loss), logits)
        grads[loss] = abs(float(grad))
    assert grads["minimax"] < 1e-3 < 0.99 < grads["non_saturating"]


def test_label_smoothing_targets_one_minus_s_for_real_rows():
    real, fake = torch.tensor([0.3, 2.0]), torch.tensor([-1.0])
    p_real, p_fake = torch.sigmoid(real), torch.sigmoid(fake)
    s = 0.1
    expected = -torch.mean(
        (1 - s) * torch.log(p_real) + s * torch.log(1 - p_real)
    ) - torch.mean(torch.log(1 - p_fake))
    assert float(discriminator_loss(real, fake, s)) == pytest.approx(float(expected))


@pytest.mark.parametrize("k", [1, 2, 3])
def test_k_discriminator_updates_per_generator_update(X, k):
    # 64 rows in batches of 16: 4 discriminator steps per epoch, 2 epochs.
    gan = GAN(**TINY, n_discriminator_steps=k, random_state=0).fit(X)
    optimizers = {
        "generator": gan.net_.optimizer_,
        "discriminator": gan.net_.discriminator_optimizer_,
    }
    steps = {
        name: {int(s["step"]) for s in opt.state.values()}
        for name, opt in optimizers.items()
    }
    assert steps["discriminator"] == {8}
    assert steps["generator"] == {8 // k}


def test_partial_fit_continues_the_optimizers_and_counts_epochs(X):
    gan = GAN(**TINY, random_state=0)
    for call in (1, 2, 3):
        gan.partial_fit(X)
        assert gan.n_iter_ == call == len(gan.loss_curve_)
    adam = gan.net_.discriminator_optimizer_
    assert {int(s["step"]) for s in adam.state.values()} == {12}
    # Two partial_fit epochs are the first two epochs of fit.
    fitted = GAN(**TINY, random_state=0).fit(X)
    np.testing.assert_array_equal(gan.loss_curve_[:2], fitted.loss_curve_)
    with pytest.raises(ValueError, match="features"):
        gan.partial_fit(X[:, :2])


def test_same_seed_same_samples_and_the_global_generators_untouched(X):
    torch_state = torch.random.get_rng_state()
    a = GAN(**TINY, random_state=3).fit(X)
    b = GAN(**TINY, random_state=3).fit(X)
    np.testing.assert_array_equal(
        a.sample(20, random_state=0), b.sample(20, random_state=0)
    )
    # Unseeded, fit draws its seed from numpy's global generator (scikit-learn's
    # convention for random_state=None); sample draws from a fresh one.
    unseeded = GAN(**TINY).fit(X)
    numpy_state = np.random.get_state()
    first, second = unseeded.sample(5), unseeded.sample(5)
    assert not np.array_equal(first, second)
    assert np.array_equal(np.random.get_state()[1], numpy_state[1])
    assert torch.equal(torch.random.get_rng_state(), torch_state)
    # Different seeds give different nets; sample() defaults to random_state.
    c = GAN(**TINY, random_state=4).fit(X)
    assert not np.array_equal(a.sample(5, random_state=0), c.sample(5, random_state=0))
    np.testing.assert_array_equal(a.sample(5), a.sample(5, random_state=3))


def test_samples_come_in_the_input_scale_and_dtype(X):
    gan = GAN(**TINY, random_state=0).fit(X.astype(np.float32))
    samples = gan.sample(200, random_state=0)
    assert samples.dtype == np.float32
    assert np.all(samples >= X.min(axis=0) - 1e-4)
    assert np.all(samples <= X.max(axis=0) + 1e-4)
    # A constant feature is generated exactly.
    Xc = np.column_stack([X[:, :2], np.full(len(X), 7.0)])
    assert np.all(GAN(**TINY, random_state=0).fit(Xc).sample(10)[:, 2] == 7.0)


def test_interpolate_ends_are_generate_and_slerp_stays_on_the_sphere(X):
    gan = GAN(**TINY, random_state=0).fit(X)
    rng = np.random.RandomState(0)
    z0, z1 = rng.randn(2), rng.randn(2)
    z1 *= np.linalg.norm(z0) / np.linalg.norm(z1)
    for method in ("linear", "slerp"):
        path = gan.interpolate(z0, z1, n_steps=7, method=method)
        assert path.shape == (7, 3)
        np.testing.assert_allclose(path[[0, -1]], gan.generate(np.vstack([z0, z1])))
    from sklearn_lecture.neural._gan import _slerp

    Z = _slerp(z0, z1, np.linspace(0, 1, 9))
    np.testing.assert_allclose(np.linalg.norm(Z, axis=1), np.linalg.norm(z0))
    # The linear path cuts inside the sphere.
    mid = (z0 + z1) / 2
    assert np.linalg.norm(mid) < np.linalg.norm(z0)
    with pytest.raises(ValueError, match="slerp"):
        gan.interpolate(z0, z1, method="cubic")
    with pytest.raises(ValueError, match="latent_dim"):
        gan.interpolate(np.zeros(3), z1)


def test_pickle_in_a_fresh_process_gives_identical_samples(X, tmp_path):
    gan = DCGAN(latent_dim=4, channels=(4,), max_epochs=1, random_state=0).fit(X)
    path = tmp_path / "gan.pkl"
    path.write_bytes(pickle.dumps(gan))
    code = (
        "import pickle, sys, numpy as np\n"
        f"gan = pickle.loads(open({str(path)!r}, 'rb').read())\n"
        "np.save(sys.argv[1], gan.sample(6, random_state=0))\n"
    )
    out = tmp_path / "samples.npy"
    subprocess.run([sys.executable, "-c", code, str(out)], check=True)
    np.testing.assert_array_equal(np.load(out), gan.sample(6, random_state=0))


def test_dcgan_folds_images_and_strips(digits, X):
    gan = DCGAN(latent_dim=4, channels=(4, 8), max_epochs=1, random_state=0)
    assert gan.fit(digits).image_shape_ == (8, 8, 1)
    assert gan.sample(3).shape == (3, 64)
    # 3 features: a 1 × 3 strip; 12 features as 2 × 2 × 3 (channels last).
    assert gan.fit(X).image_shape_ == (1, 3, 1)
    assert gan.sample(2).shape == (2, 3)
    X12 = np.random.RandomState(0).rand(40, 12)
    gan.set_params(image_shape=(2, 2, 3)).fit(X12)
    assert gan.sample(2).shape == (2, 12)
    assert gan.score_samples(X12).shape == (40,)


def test_snapshots_and_early_stopping(X):
    gan = GAN(**{**TINY, "max_epochs": 4}, snapshot_every=2, n_snapshots=5).fit(X)
    assert [epoch for epoch, _ in gan.sample_history_] == [2, 4]
    assert gan.sample_history_[0][1].shape == (5, 3)
    stopped = GAN(
        **{**TINY, "max_epochs": 50},
        early_stopping=True,
        validation_fraction=0.25,
        n_iter_no_change=2,
        random_state=0,
    ).fit(X)
    curve = stopped.validation_score_curve_
    assert len(curve) == stopped.n_iter_ < 50
    assert np.all((curve >= 0) & (curve <= 1))


def test_verbose_prints_an_epoch_table(X, capsys):
    GAN(**TINY, verbose=1, random_state=0).fit(X)
    out = capsys.readouterr().out
    for column in ("discriminator_loss", "generator_loss", "D(x)", "D(G(z))", "dur"):
        assert column in out
    assert len(out.strip().splitlines()) == 2 + TINY["max_epochs"]


@pytest.mark.parametrize(
    "make, data, match",
    [
        (lambda: GAN(**TINY), "nan", "NaN"),
        (lambda: DCGAN(image_shape=(4, 4)), "X", "image_shape"),
        (lambda: GAN(latent_dim=0), "X", "latent_dim"),
        (lambda: GAN(**TINY), "one", "n_samples=1"),
        (lambda: GAN(loss="wasserstein"), "X", "loss"),
        (lambda: DCGAN(channels=(8, 0)), "X", "channels"),
        (lambda: GAN(generator_layer_sizes=()), "X", "generator_layer_sizes"),
    ],
)
def test_bad_input_gets_a_clear_error(X, make, data, match):
    data = {
        "X": X,
        "nan": np.where(np.eye(*X.shape, dtype=bool), np.nan, X),
        "one": X[:1],
    }[data]
    with pytest.raises(ValueError, match=match):
        make().fit(data)


def test_wrong_feature_count_and_unfitted_use(X):
    with pytest.raises(NotFittedError):
        GAN().sample(2)
    gan = GAN(**TINY, random_state=0).fit(X)
    with pytest.raises(ValueError, match="features"):
        gan.score_samples(X[:, :2])
    with pytest.raises(ValueError, match="latent_dim"):
        gan.generate(np.zeros((2, 5)))
    with pytest.raises(ValueError, match="n_samples"):
        gan.sample(0)


def test_divergence_is_a_clear_error(X):
    gan = GAN(**TINY, optimizer="sgd", lr=1e12, batch_norm=False, random_state=0)
    with pytest.raises(ValueError, match="diverged"):
        gan.fit(X * 1e6)
    assert not hasattr(gan, "generator_")


def test_dcgan_without_batch_norm_has_none_and_trains(digits):
    gan = DCGAN(
        latent_dim=4,
        channels=(4, 8),
        batch_norm=False,
        loss="minimax",
        max_epochs=2,
        random_state=0,
    ).fit(digits)
    modules = [*gan.generator_.modules(), *gan.discriminator_.modules()]
    assert not any(isinstance(m, torch.nn.BatchNorm2d) for m in modules)
    assert np.isfinite(gan.loss_curve_).all()
    with_norm = DCGAN(latent_dim=4, channels=(4, 8), max_epochs=1).fit(digits)
    norms = [
        m
        for m in with_norm.discriminator_.modules()
        if isinstance(m, torch.nn.BatchNorm2d)
    ]
    assert len(norms) == 1  # none after the first convolution (Radford et al.)
