"""The shared base of the neural estimators: seeding, dtypes, history, schedules."""

import pickle
import subprocess
import sys
import textwrap

import numpy as np
import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("skorch")

from sklearn.base import RegressorMixin, clone  # noqa: E402
from sklearn.datasets import load_digits  # noqa: E402
from sklearn.utils.validation import validate_data  # noqa: E402

from sklearn_lecture.neural import Autoencoder  # noqa: E402
from sklearn_lecture.neural._base import BaseNeuralNet  # noqa: E402
from sklearn_lecture.neural._modules import ACTIVATIONS, make_activation  # noqa: E402
from sklearn_lecture.neural._optim import LR_SCHEDULES, OPTIMIZERS  # noqa: E402
from sklearn_lecture.neural._training import (  # noqa: E402
    _batch_bounds,
    train_validation_split,
)
from sklearn_lecture.utils._compat import InvalidParameterError  # noqa: E402
from sklearn_lecture.utils._params import store_params  # noqa: E402


@pytest.fixture(scope="module", autouse=True)
def _one_torch_thread():
    # Tiny nets gain nothing from intra-op threads, and on a shared 2-core machine
    # two spinning threads slow every step tenfold; restored after the module.
    n_threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(n_threads)


@pytest.fixture(scope="module")
def X_digits():
    return load_digits().data[:300] / 16.0


# -- a minimal supervised subclass, written as the module docstring says ----------


class _LinearModule(torch.nn.Module):
    def __init__(self, n_in, n_out):
        super().__init__()
        self.linear = torch.nn.Linear(n_in, n_out)

    def forward(self, x):
        return self.linear(x.flatten(1))


class _TinyRegressor(RegressorMixin, BaseNeuralNet):
    _parameter_constraints = {**BaseNeuralNet._common_parameter_constraints}

    def __init__(
        self,
        *,
        optimizer="adam",
        lr=0.05,
        momentum=0.9,
        rho=0.9,
        lr_schedule=None,
        lr_decay=0.0,
        lr_step_size=10,
        lr_step_gamma=0.5,
        max_epochs=60,
        batch_size=32,
        early_stopping=False,
        validation_fraction=0.2,
        n_iter_no_change=5,
        random_state=None,
        device="cpu",
        verbose=0,
    ):
        store_params(self, locals())

    def _build_module(self, X, y):
        return _LinearModule(int(np.prod(X.shape[1:])), int(np.prod(y.shape[1:])))

    def _build_criterion(self):
        return torch.nn.MSELoss()

    def fit(self, X, y):
        self._validate_params()
        X = validate_data(self, X)
        y = np.asarray(y, dtype=np.float64)
        self._y_shape = y.shape[1:]
        y2 = y.reshape(len(y), -1).astype(np.float32)
        return self._fit_net(X, y2)

    def predict(self, X):
        X = validate_data(self, X, reset=False)
        return self._forward64(X).reshape((len(X), *self._y_shape))


@pytest.mark.parametrize("y_shape", [(), (2,), (2, 3)])
def test_supervised_subclass_fits_float_targets_of_any_shape(y_shape):
    rng = np.random.RandomState(0)
    X = rng.randn(200, 4)
    W = rng.randn(4, int(np.prod(y_shape, dtype=int)))
    y = (X @ W).reshape((200, *y_shape))
    reg = _TinyRegressor(random_state=0).fit(X, y)
    pred = reg.predict(X)
    assert pred.dtype == np.float64 and pred.shape == y.shape
    # A linear target: the net must get close to least squares' exact fit.
    np.testing.assert_allclose(pred, y, atol=0.05)


# -- seeding -----------------------------------------------------------------------


def test_fit_and_inference_leave_global_torch_rng_untouched(X_digits):
    torch.manual_seed(123)
    state = torch.random.get_rng_state()
    ae = Autoencoder((16, 4), max_epochs=3, random_state=0).fit(X_digits)
    codes = ae.transform(X_digits)
    ae.inverse_transform(codes)
    ae.score(X_digits)
    Autoencoder((16, 4), max_epochs=2, random_state=None).fit(X_digits)
    assert torch.equal(torch.random.get_rng_state(), state)


def test_same_seed_same_fit_other_seed_other_fit(X_digits):
    params = dict(hidden_layer_sizes=(16, 4), max_epochs=3)
    a = Autoencoder(**params, random_state=0).fit(X_digits)
    torch.manual_seed(999)  # the global generator must not matter
    b = Autoencoder(**params, random_state=0).fit(X_digits)
    c = Autoencoder(**params, random_state=1).fit(X_digits)
    np.testing.assert_array_equal(a.transform(X_digits), b.transform(X_digits))
    np.testing.assert_array_equal(a.loss_curve_, b.loss_curve_)
    assert not np.allclose(a.transform(X_digits), c.transform(X_digits))


def test_clone_refits_identically(X_digits):
    ae = Autoencoder((16, 4), max_epochs=3, random_state=0).fit(X_digits)
    twin = clone(ae).fit(X_digits)
    np.testing.assert_array_equal(ae.transform(X_digits), twin.transform(X_digits))


# -- dtypes ------------------------------------------------------------------------


def test_dtype_kept_by_transform_and_inference_in_float64(X_digits):
    ae = Autoencoder((16, 4), max_epochs=2, random_state=0).fit(
        X_digits.astype(np.float32)
    )
    assert ae.transform(X_digits.astype(np.float32)).dtype == np.float32
    codes = ae.transform(X_digits)
    assert codes.dtype == np.float64
    # Row by row equals all at once to float64 precision (batch-independent).
    one_by_one = np.vstack([ae.transform(X_digits[i : i + 1]) for i in range(10)])
    np.testing.assert_allclose(one_by_one, codes[:10], rtol=1e-12, atol=1e-12)
    # The float64 module reproduces the float32 training module up to float32 error.
    with torch.no_grad():
        module = ae.net_.module_.eval()
        codes32 = module.encode(torch.tensor(X_digits, dtype=torch.float32)).numpy()
    np.testing.assert_allclose(codes32, codes, rtol=1e-4, atol=1e-5)


# -- history, early stopping, verbosity -------------------------------------------


def test_history_without_early_stopping(X_digits):
    ae = Autoencoder((16, 4), max_epochs=4, random_state=0).fit(X_digits)
    assert ae.n_iter_ == 4
    assert ae.loss_curve_.shape == (4,)
    assert ae.validation_loss_curve_ is None
    assert ae.loss_curve_[-1] < ae.loss_curve_[0]
    recorded = [h["train_loss"] for h in ae.net_.history]
    np.testing.assert_allclose(ae.loss_curve_, recorded)


def test_early_stopping_stops_on_validation_loss_and_restores_best(X_digits):
    # A large lr makes the validation loss stall quickly.
    ae = Autoencoder(
        (16, 4),
        lr=0.05,
        max_epochs=200,
        early_stopping=True,
        validation_fraction=0.2,
        n_iter_no_change=3,
        random_state=0,
    ).fit(X_digits)
    curve = ae.validation_loss_curve_
    assert curve.shape == (ae.n_iter_,) and ae.n_iter_ < 200
    best = int(np.argmin(curve))
    # Stopped n_iter_no_change epochs after the last (relative 1e-4) improvement.
    assert ae.n_iter_ - 1 - best <= 3
    # 20 % of 300 samples held out: the training batches saw only the rest.
    assert sum(ae.net_.history[-1, "batches", :, "train_batch_size"]) == 240
    # The restored parameters are the best epoch's: the same validation loss.
    # The fitted net keeps no data: the held-out rows are drawn again from the seed.
    _, valid_idx = train_validation_split(300, 0.2, np.random.RandomState(0))
    valid_X = torch.tensor(X_digits[valid_idx], dtype=torch.float32)
    assert ae.net_.train_split is None
    with torch.no_grad():
        module = ae.net_.module_.eval()
        recon, _ = module(valid_X)
        loss = torch.nn.functional.mse_loss(recon, valid_X).item()
    best_epoch = dict(ae.net_.callbacks_)["early_stopping"].best_epoch_
    np.testing.assert_allclose(loss, curve[best_epoch - 1], rtol=1e-5)
    assert curve[best_epoch - 1] <= curve.min() * (1 + 1e-4)


def test_verbose_zero_prints_nothing_and_verbose_prints_the_table(X_digits, capsys):
    Autoencoder((8, 2), max_epochs=2, random_state=0).fit(X_digits)
    assert capsys.readouterr().out == ""
    Autoencoder((8, 2), max_epochs=2, random_state=0, verbose=1).fit(X_digits)
    out = capsys.readouterr().out
    assert "train_loss" in out and out.count("\n") >= 4


# -- divergence, batch norm --------------------------------------------------------


def test_diverging_fit_raises_naming_the_learning_rate(X_digits):
    ae = Autoencoder((16, 4), optimizer="sgd", lr=1e4, max_epochs=5, random_state=0)
    with pytest.raises(ValueError, match=r"diverged.*lr=10000\.0"):
        ae.fit(X_digits * 100)
    assert not hasattr(ae, "net_")


def test_batch_bounds_never_leave_a_batch_of_one():
    assert _batch_bounds(10, 3) == [(0, 3), (3, 6), (6, 10)]
    assert _batch_bounds(9, 3) == [(0, 3), (3, 6), (6, 9)]
    assert _batch_bounds(1, 5) == [(0, 1)]
    for n in range(2, 40):
        for b in range(2, 12):
            bounds = _batch_bounds(n, b)
            sizes = [stop - start for start, stop in bounds]
            assert bounds[0][0] == 0 and bounds[-1][1] == n and sum(sizes) == n
            assert min(sizes) >= 2 and max(sizes) <= b + 1


def test_batch_norm_trains_with_a_last_batch_of_one_and_infers_per_row(X_digits):
    X = X_digits[:65]  # 64 + 1 with batch_size=32
    ae = Autoencoder((16, 4), batch_norm=True, batch_size=32, max_epochs=3)
    ae.set_params(random_state=0).fit(X)
    assert ae.net_.history[-1, "batches", :, "train_batch_size"] == [32, 33]
    bn = ae.net_.module_.encoder.norms[0]
    assert isinstance(bn, torch.nn.BatchNorm1d) and int(bn.num_batches_tracked) > 0
    # Running statistics at inference: a row's code does not depend on its batch.
    np.testing.assert_allclose(
        ae.transform(X[:1]), ae.transform(X)[:1], rtol=1e-12, atol=1e-12
    )


def test_batch_norm_with_one_sample_raises():
    with pytest.raises(ValueError, match="n_samples=1"):
        Autoencoder(batch_norm=True).fit(np.ones((1, 3)))


# -- optimizers and schedules ------------------------------------------------------


@pytest.mark.parametrize("optimizer", OPTIMIZERS)
def test_every_optimizer_trains(X_digits, optimizer):
    lr = {"sgd": 0.5, "momentum": 0.05, "nesterov": 0.05, "adagrad": 0.05}.get(
        optimizer, 5e-3
    )
    ae = Autoencoder((16, 4), optimizer=optimizer, lr=lr, max_epochs=5)
    ae.set_params(random_state=0).fit(X_digits)
    assert np.all(np.isfinite(ae.loss_curve_))
    assert ae.loss_curve_[-1] < 0.9 * ae.loss_curve_[0]


def test_optimizer_names_map_to_torch_optimizers(X_digits):
    ae = Autoencoder((4,), optimizer="nesterov", momentum=0.8, max_epochs=1)
    ae.set_params(random_state=0).fit(X_digits)
    group = ae.net_.optimizer_.param_groups[0]
    assert type(ae.net_.optimizer_) is torch.optim.SGD
    assert group["nesterov"] and group["momentum"] == 0.8
    ae.set_params(optimizer="rmsprop", rho=0.7).fit(X_digits)
    assert ae.net_.optimizer_.param_groups[0]["alpha"] == 0.7


@pytest.mark.parametrize("schedule", LR_SCHEDULES)
def test_lr_schedule_follows_its_formula(X_digits, schedule):
    lr0, k, step, gamma, epochs = 0.01, 0.3, 2, 0.5, 6
    ae = Autoencoder(
        (8, 2),
        lr=lr0,
        lr_schedule=schedule,
        lr_decay=k,
        lr_step_size=step,
        lr_step_gamma=gamma,
        max_epochs=epochs,
        random_state=0,
    ).fit(X_digits)
    t = np.arange(epochs + 1)
    expected = {
        "exponential": lr0 * np.exp(-k * t),
        "inverse_time": lr0 / (1 + k * t),
        "step": lr0 * gamma ** (t // step),
    }[schedule]
    # The lr used in epoch t (0-based), and the one set for the next epoch.
    np.testing.assert_allclose(ae.net_.history[:, "event_lr"], expected[:epochs])
    np.testing.assert_allclose(
        ae.net_.optimizer_.param_groups[0]["lr"], expected[epochs]
    )


def test_no_schedule_keeps_the_learning_rate(X_digits):
    ae = Autoencoder((8, 2), lr=0.003, max_epochs=3, random_state=0).fit(X_digits)
    assert ae.net_.optimizer_.param_groups[0]["lr"] == 0.003


# -- bad parameters ----------------------------------------------------------------


@pytest.mark.parametrize(
    "params",
    [
        {"activation": "swish"},
        {"optimizer": "lbfgs"},
        {"lr_schedule": "cosine"},
        {"loss": "hinge"},
        {"lr": 0.0},
        {"max_epochs": 0},
        {"validation_fraction": 1.0},
    ],
)
def test_unknown_or_invalid_parameters_are_rejected(X_digits, params):
    with pytest.raises(InvalidParameterError, match=next(iter(params))):
        Autoencoder(**params).fit(X_digits)


def test_bad_device_is_a_value_error(X_digits):
    with pytest.raises(ValueError, match="device='tpu0'"):
        Autoencoder(device="tpu0").fit(X_digits)
    if not torch.cuda.is_available():
        with pytest.raises(ValueError, match="no CUDA device"):
            Autoencoder(device="cuda").fit(X_digits)


def test_make_activation_names():
    for name in ACTIVATIONS:
        assert isinstance(make_activation(name), torch.nn.Module)
    x = torch.linspace(-2, 2, 5)
    assert torch.equal(make_activation("logistic")(x), torch.sigmoid(x))
    with pytest.raises(ValueError, match="Unknown activation 'swish'"):
        make_activation("swish")


# -- pickling ----------------------------------------------------------------------


def test_pickle_in_a_fresh_process_gives_identical_output_without_warnings(
    X_digits, tmp_path
):
    ae = Autoencoder((16, 4), batch_norm=True, max_epochs=3, random_state=0)
    ae.fit(X_digits)
    (tmp_path / "model.pkl").write_bytes(pickle.dumps(ae))
    np.save(tmp_path / "X.npy", X_digits)
    np.save(tmp_path / "codes.npy", ae.transform(X_digits))
    np.save(tmp_path / "recon.npy", ae.inverse_transform(ae.transform(X_digits)))
    code = textwrap.dedent(
        f"""
        import pickle
        import numpy as np
        from pathlib import Path
        d = Path({str(tmp_path)!r})
        ae = pickle.loads((d / "model.pkl").read_bytes())
        X = np.load(d / "X.npy")
        codes = ae.transform(X)
        assert np.array_equal(codes, np.load(d / "codes.npy"))
        assert np.array_equal(ae.inverse_transform(codes), np.load(d / "recon.npy"))
        print("identical")
        """
    )
    result = subprocess.run(
        [sys.executable, "-W", "error", "-c", code],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "identical"
    assert result.stderr == ""
