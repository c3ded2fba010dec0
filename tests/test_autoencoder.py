"""Autoencoder, SparseAutoencoder and DenoisingAutoencoder against references."""

import copy

import numpy as np
import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("skorch")

from scipy.linalg import subspace_angles  # noqa: E402
from sklearn.datasets import load_digits, load_iris, load_wine  # noqa: E402
from sklearn.decomposition import PCA  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402
from sklearn.model_selection import GridSearchCV, train_test_split  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import MinMaxScaler, StandardScaler  # noqa: E402

from sklearn_lecture import (  # noqa: E402
    Autoencoder,
    DenoisingAutoencoder,
    SparseAutoencoder,
)
from sklearn_lecture.neural._modules import (  # noqa: E402
    Corruption,
    MLPEncoder,
    ReconstructionLoss,
)


@pytest.fixture(scope="module", autouse=True)
def _one_torch_thread():
    # Tiny nets gain nothing from intra-op threads, and on a shared 2-core machine
    # two spinning threads slow every step tenfold; restored after the module.
    n_threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(n_threads)


@pytest.fixture(scope="module")
def digits():
    """Digits scaled to [0, 1] on the training part, and a masked held-out copy."""
    X, y = load_digits(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.25, random_state=0, stratify=y
    )
    scaler = MinMaxScaler().fit(X_train)
    X_train, X_test = scaler.transform(X_train), scaler.transform(X_test)
    mask = np.random.default_rng(0).random(X_test.shape) >= 0.3
    return X_train, X_test, X_test * mask, y_train, y_test


@pytest.fixture(scope="module")
def ae_digits(digits):
    return Autoencoder((64, 8), max_epochs=40, random_state=0).fit(digits[0])


@pytest.fixture(scope="module")
def dae_digits(digits):
    return DenoisingAutoencoder(
        (64, 8), noise="mask", corruption=0.3, max_epochs=40, random_state=0
    ).fit(digits[0])


# -- Autoencoder -------------------------------------------------------------------


def test_transform_inverse_transform_score_are_consistent(ae_digits, digits):
    X_test = digits[1]
    codes = ae_digits.transform(X_test)
    assert codes.shape == (len(X_test), 8)
    recon = ae_digits.inverse_transform(codes)
    assert recon.shape == X_test.shape and recon.dtype == np.float64
    np.testing.assert_allclose(ae_digits.score(X_test), -np.mean((X_test - recon) ** 2))
    codes32 = ae_digits.transform(X_test.astype(np.float32))
    assert codes32.dtype == np.float32
    assert ae_digits.inverse_transform(codes32).dtype == np.float32
    names = ae_digits.get_feature_names_out()
    assert list(names) == [f"autoencoder{i}" for i in range(8)]


def test_code_layer_is_linear_and_decoder_mirrors_encoder(ae_digits):
    module = ae_digits.net_.module_
    enc = [tuple(lin.weight.shape) for lin in module.encoder.linears]
    dec = [tuple(lin.weight.shape) for lin in module.decoder.linears]
    assert enc == [(64, 64), (8, 64)]
    assert dec == [(64, 8), (64, 64)]
    assert isinstance(module.encoder.code_activation, torch.nn.Identity)
    # A linear code takes negative values; a ReLU code could not.
    assert (ae_digits.transform(np.eye(64)) < 0).any()


def test_eight_unit_code_reconstructs_held_out_digits_better_than_pca(
    ae_digits, digits
):
    X_train, X_test = digits[:2]
    pca = PCA(8).fit(X_train)
    pca_mse = np.mean((X_test - pca.inverse_transform(pca.transform(X_test))) ** 2)
    ae_mse = -ae_digits.score(X_test)
    assert ae_mse < 0.9 * pca_mse


@pytest.mark.parametrize(
    "load, k, tied",
    [(load_iris, 2, False), (load_wine, 3, False), (load_wine, 3, True)],
)
def test_linear_autoencoder_code_spans_the_pca_subspace(load, k, tied):
    X = StandardScaler().fit_transform(load().data)
    pca = PCA(k).fit(X)
    scores = pca.transform(X)
    # Full-batch Adam: the linear autoassociator's optimum is PCA's projection.
    ae = Autoencoder(
        (k,),
        activation="identity",
        tied_weights=tied,
        lr=0.02,
        batch_size=len(X),
        max_epochs=400,
        random_state=0,
    ).fit(X)
    codes = ae.transform(X)
    angles = np.degrees(subspace_angles(codes - codes.mean(0), scores))
    assert angles.max() < 1.0
    # Same reconstruction error as PCA's rank-k projection.
    pca_mse = np.mean((X - pca.inverse_transform(scores)) ** 2)
    np.testing.assert_allclose(-ae.score(X), pca_mse, rtol=1e-3)


def test_tied_weights_share_the_encoder_matrices(digits):
    X = digits[0][:200]
    tied = Autoencoder((16, 4), tied_weights=True, max_epochs=3, random_state=0).fit(X)
    free = Autoencoder((16, 4), max_epochs=3, random_state=0).fit(X)
    n_params = [
        sum(p.numel() for p in model.net_.module_.parameters())
        for model in (tied, free)
    ]
    # Tied: only the decoder's biases (16 + 64) besides the encoder.
    assert n_params[0] == (64 * 16 + 16) + (16 * 4 + 4) + 16 + 64
    assert n_params[1] == n_params[0] + 16 * 4 + 64 * 16
    # The decoder really is W^T: decode by hand with the encoder's weights.
    module = tied.net_.module_
    codes = tied.transform(X[:5])
    W1, W2 = (lin.weight.detach().double().numpy() for lin in module.encoder.linears)
    b1, b2 = (b.detach().double().numpy() for b in module.decoder.biases)
    hand = np.maximum(codes @ W2 + b1, 0) @ W1 + b2
    np.testing.assert_allclose(tied.inverse_transform(codes), hand, rtol=1e-10)


def test_bce_loss_gives_reconstructions_in_unit_interval(digits):
    X_train, X_test = digits[:2]
    ae = Autoencoder((32, 8), loss="bce", max_epochs=5, random_state=0).fit(X_train)
    recon = ae.inverse_transform(ae.transform(X_test))
    assert recon.min() >= 0 and recon.max() <= 1
    # The training loss is the mean binary cross-entropy of the reconstructions.
    recon_train = ae.inverse_transform(ae.transform(X_train))
    eps = 1e-12
    log_p, log_q = np.log(recon_train + eps), np.log(1 - recon_train + eps)
    bce = -np.mean(X_train * log_p + (1 - X_train) * log_q)
    assert 0.5 * bce < ae.loss_curve_[-1] < 2 * bce


def test_bce_refuses_inputs_outside_unit_interval(digits):
    with pytest.raises(ValueError, match=r"loss='bce'.*\[0, 1\]"):
        Autoencoder(loss="bce").fit(digits[0] * 2 - 0.5)


@pytest.mark.parametrize(
    "X, match",
    [
        (np.array([[0.0, np.nan], [1.0, 2.0]]), "NaN"),
        (np.array([[0.0, np.inf], [1.0, 2.0]]), "infinity"),
        (np.zeros((4, 2, 2)), "dim 3"),
    ],
)
def test_bad_input_raises_value_error(X, match):
    with pytest.raises(ValueError, match=match):
        Autoencoder().fit(X)


def test_wrong_feature_count_and_code_width_raise(ae_digits, digits):
    with pytest.raises(ValueError, match="expecting 64 features"):
        ae_digits.transform(digits[1][:, :10])
    with pytest.raises(ValueError, match="8 columns"):
        ae_digits.inverse_transform(np.zeros((2, 5)))


@pytest.mark.parametrize("sizes", [(), (8, 0), (4.5,)])
def test_bad_layer_sizes_raise(sizes):
    with pytest.raises(ValueError, match="hidden_layer_sizes"):
        Autoencoder(sizes).fit(np.ones((5, 3)))


def test_pipeline_grid_search_over_layer_sizes(digits):
    X_train, X_test, _, y_train, y_test = digits
    pipe = make_pipeline(
        StandardScaler(),
        Autoencoder(max_epochs=10, random_state=0),
        LogisticRegression(max_iter=300),
    )
    grid = GridSearchCV(
        pipe, {"autoencoder__hidden_layer_sizes": [(8,), (32, 16)]}, cv=2
    ).fit(X_train[:600], y_train[:600])
    assert grid.best_params_["autoencoder__hidden_layer_sizes"] == (32, 16)
    assert grid.score(X_test, y_test) > 0.85


# -- SparseAutoencoder -------------------------------------------------------------


def test_kl_penalty_matches_the_formula():
    rng = np.random.default_rng(0)
    code = rng.uniform(0.05, 0.95, size=(50, 7))
    recon, target = rng.random((50, 3)), rng.random((50, 3))
    rho, lam = 0.1, 0.7
    loss = ReconstructionLoss("mse", sparsity_target=rho, sparsity_weight=lam)
    value = loss((torch.tensor(recon), torch.tensor(code)), torch.tensor(target))
    rho_hat = code.mean(axis=0)
    kl = rho * np.log(rho / rho_hat) + (1 - rho) * np.log((1 - rho) / (1 - rho_hat))
    expected = np.mean((recon - target) ** 2) + lam * kl.sum()
    np.testing.assert_allclose(value.item(), expected, rtol=1e-12)


@pytest.mark.parametrize("rho", [0.05, 0.2])
def test_sparse_autoencoder_overcomplete_mean_activation_is_rho(digits, rho):
    X_train = digits[0]
    sae = SparseAutoencoder(
        (100,), sparsity_target=rho, max_epochs=30, random_state=0
    ).fit(X_train)
    codes = sae.transform(X_train)
    assert codes.shape[1] == 100 > X_train.shape[1]
    mean_activation = codes.mean(axis=0)
    assert np.abs(mean_activation - rho).max() < 0.05
    # It still reconstructs: better than the mean image.
    assert -sae.score(X_train) < 0.5 * np.mean((X_train - X_train.mean(0)) ** 2)


def test_without_penalty_the_code_is_not_sparse(digits):
    X_train = digits[0]
    dense = SparseAutoencoder(
        (100,), sparsity_target=0.05, sparsity_weight=0.0, max_epochs=30, random_state=0
    ).fit(X_train)
    assert abs(dense.transform(X_train).mean() - 0.05) > 0.1


# -- DenoisingAutoencoder ----------------------------------------------------------


def test_denoising_reconstructs_corrupted_digits_better(ae_digits, dae_digits, digits):
    _, X_test, X_noisy = digits[:3]

    def error(model):
        recon = model.inverse_transform(model.transform(X_noisy))
        return np.mean((recon - X_test) ** 2)

    assert error(dae_digits) < 0.8 * error(ae_digits)


def test_no_noise_at_transform_and_score(dae_digits, digits):
    X_test = digits[1]
    codes = dae_digits.transform(X_test)
    np.testing.assert_array_equal(codes, dae_digits.transform(X_test))
    # transform is the plain encoder on the clean input.
    encoder = copy.deepcopy(dae_digits.net_.module_.encoder).double().eval()
    with torch.no_grad():
        hand = encoder(torch.tensor(X_test)).numpy()
    np.testing.assert_allclose(codes, hand, rtol=1e-12, atol=1e-12)
    recon = dae_digits.inverse_transform(codes)
    mse = np.mean((X_test - recon) ** 2)
    np.testing.assert_allclose(dae_digits.score(X_test), -mse)


def test_denoising_noise_comes_from_the_seed(digits):
    X = digits[0][:200]
    state = torch.random.get_rng_state()
    fits = [
        DenoisingAutoencoder((16, 4), max_epochs=3, random_state=seed).fit(X)
        for seed in (0, 0, 1)
    ]
    assert torch.equal(torch.random.get_rng_state(), state)
    np.testing.assert_array_equal(fits[0].loss_curve_, fits[1].loss_curve_)
    assert not np.array_equal(fits[0].loss_curve_, fits[2].loss_curve_)


def test_mask_and_gaussian_corruption_statistics():
    x = torch.ones(20000, 10, dtype=torch.float64)
    gen_state = torch.random.get_rng_state()
    mask = Corruption("mask", 0.3).train()
    zeroed = (mask(x) == 0).double().mean().item()
    assert abs(zeroed - 0.3) < 0.01
    gauss = Corruption("gaussian", 0.5).train()
    assert abs((gauss(x) - x).std().item() - 0.5) < 0.01
    assert torch.equal(mask.eval()(x), x) and torch.equal(gauss.eval()(x), x)
    torch.random.set_rng_state(gen_state)


def test_gaussian_denoising_trains_and_mask_level_is_checked(digits):
    X = digits[0][:300]
    dae = DenoisingAutoencoder((16, 4), noise="gaussian", corruption=1.5, max_epochs=3)
    dae.set_params(random_state=0).fit(X)
    assert dae.loss_curve_[-1] < dae.loss_curve_[0]
    with pytest.raises(ValueError, match="corruption"):
        DenoisingAutoencoder(noise="mask", corruption=1.0).fit(X)


def test_encoder_is_reusable_on_its_own():
    encoder = MLPEncoder(5, (7, 3), "tanh", batch_norm=True)
    out = encoder(torch.randn(4, 5))
    assert out.shape == (4, 3) and encoder.code_size == 3
    assert isinstance(encoder.norms[0], torch.nn.BatchNorm1d)
