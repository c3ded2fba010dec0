"""RNNRegressor: cells, shapes, references, model selection, persistence, bad input."""

import pickle
import subprocess
import sys

import numpy as np
import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("skorch")

from sklearn.base import clone  # noqa: E402
from sklearn.dummy import DummyRegressor  # noqa: E402
from sklearn.metrics import r2_score  # noqa: E402
from sklearn.model_selection import GridSearchCV  # noqa: E402

from sklearn_lecture import RNNRegressor  # noqa: E402
from sklearn_lecture.datasets import make_adding_problem, make_mackey_glass  # noqa: E402
from sklearn_lecture.neural._optim import RMSPropNesterov  # noqa: E402
from sklearn_lecture.neural._rnn import RNNModule  # noqa: E402
from sklearn_lecture.utils._compat import InvalidParameterError  # noqa: E402


@pytest.fixture(scope="module", autouse=True)
def _one_torch_thread():
    # Tiny nets gain nothing from intra-op threads, and on a shared 2-core machine
    # two spinning threads slow every step tenfold; restored after the module.
    n_threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(n_threads)


@pytest.fixture(scope="module")
def running_sums():
    # y_t = mean of x_1..x_t: needs memory, learnable in a few epochs by any cell.
    rng = np.random.RandomState(0)
    X = rng.uniform(-1, 1, size=(400, 6))
    Y = np.cumsum(X, axis=1) / np.arange(1, 7)
    return X, Y


@pytest.fixture(scope="module")
def mackey_glass():
    X, y = make_mackey_glass(300, n_timesteps=8, sample_step=2.0, random_state=0)
    return X, y


@pytest.fixture(scope="module")
def fitted_gru(mackey_glass):
    X, y = mackey_glass
    return RNNRegressor("gru", hidden_size=16, max_epochs=20, random_state=0).fit(X, y)


# -- learning ------------------------------------------------------------------


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
def test_every_cell_learns_a_running_mean(cell, running_sums):
    X, Y = running_sums
    y = Y[:, -1]
    reg = RNNRegressor(cell, hidden_size=16, max_epochs=25, random_state=0)
    reg.fit(X[:300], y[:300])
    baseline = DummyRegressor().fit(X[:300], y[:300]).score(X[300:], y[300:])
    assert baseline < 0.01
    assert reg.score(X[300:], y[300:]) > 0.95
    assert reg.loss_curve_.shape == (25,) and reg.n_iter_ == 25
    assert reg.loss_curve_[-1] < 0.1 * reg.loss_curve_[0]


def test_plain_rnn_prediction_matches_the_recurrence_by_hand(mackey_glass):
    # h_t = tanh(W x_t + b_W + U h_{t-1} + b_U), y = v·h_T + c, in numpy.
    X, y = mackey_glass
    reg = RNNRegressor("rnn", hidden_size=8, num_layers=2, max_epochs=3)
    reg.fit(X, y)
    module = reg.net_.module_
    params = {k: v.detach().double().numpy() for k, v in module.named_parameters()}
    h = [np.zeros((len(X), 8)), np.zeros((len(X), 8))]
    for t in range(X.shape[1]):
        inp = X[:, t : t + 1]
        for layer in range(2):
            h[layer] = np.tanh(
                inp @ params[f"rnn.weight_ih_l{layer}"].T
                + params[f"rnn.bias_ih_l{layer}"]
                + h[layer] @ params[f"rnn.weight_hh_l{layer}"].T
                + params[f"rnn.bias_hh_l{layer}"]
            )
            inp = h[layer]
    expected = (h[1] @ params["head.weight"].T + params["head.bias"]).ravel()
    np.testing.assert_allclose(reg.predict(X), expected, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("bidirectional", [False, True])
def test_lstm_forget_gates_start_open(bidirectional):
    module = RNNModule(3, 1, hidden_size=5, num_layers=2, cell="lstm", output="last",
                       bidirectional=bidirectional)
    for layer in range(2):
        for suffix in ["", "_reverse"] if bidirectional else [""]:
            # The gate's bias is the sum of torch's two vectors (before, the
            # second kept its random start, about +-1/sqrt(hidden)).
            bias = sum(
                getattr(module.rnn, f"{kind}_l{layer}{suffix}").detach().numpy()
                for kind in ("bias_ih", "bias_hh")
            )
            np.testing.assert_array_equal(bias[5:10], 1.0)
    assert module.rnn.num_layers == 2


def test_sequence_output_shapes_and_causality(running_sums):
    X, Y = running_sums
    reg = RNNRegressor("gru", hidden_size=16, output="sequence", max_epochs=25)
    reg.set_params(random_state=0).fit(X[:300], Y[:300])
    pred = reg.predict(X[300:])
    assert pred.shape == (100, 6) and pred.dtype == np.float64
    assert r2_score(Y[300:].ravel(), pred.ravel()) > 0.95
    # Many-to-many is causal: changing the last steps leaves earlier outputs alone.
    X_changed = X[300:].copy()
    X_changed[:, 4:] = 0.0
    pred_changed = reg.predict(X_changed)
    np.testing.assert_array_equal(pred_changed[:, :4], pred[:, :4])
    assert not np.allclose(pred_changed[:, 4:], pred[:, 4:])


def test_sequence_output_multivariate_targets(running_sums):
    X, Y = running_sums
    X3 = np.stack([X, -X, X**2], axis=-1)  # (n, T, 3)
    Y3 = np.stack([Y, 2 * Y], axis=-1)  # (n, T, 2)
    reg = RNNRegressor(output="sequence", hidden_size=8, max_epochs=2, random_state=0)
    reg.fit(X3, Y3)
    pred = reg.predict(X3)
    assert pred.shape == (400, 6, 2)
    # score averages R² over every (time step, target) pair.
    expected = r2_score(Y3.reshape(400, 12), pred.reshape(400, 12))
    assert reg.score(X3, Y3) == pytest.approx(expected, rel=1e-12)
    with pytest.raises(ValueError, match="shape"):
        reg.score(X3, Y3[:, :, :1])
    assert (reg.n_features_in_, reg.n_step_features_, reg.n_outputs_) == (6, 3, 2)


def test_multivariate_sequences_and_multi_target_last():
    X, y = make_adding_problem(300, 10, random_state=0)
    Y = np.column_stack([y, -y])
    reg = RNNRegressor(hidden_size=8, max_epochs=2, random_state=0).fit(X, Y)
    assert reg.predict(X[:5]).shape == (5, 2)
    assert reg.n_features_in_ == 10 and reg.n_step_features_ == 2
    # A column vector y gives column-vector predictions.
    reg.fit(X, y[:, None])
    assert reg.predict(X[:5]).shape == (5, 1)


def test_univariate_2d_and_3d_inputs_agree(fitted_gru, mackey_glass):
    X, _ = mackey_glass
    np.testing.assert_array_equal(
        fitted_gru.predict(X[:20]), fitted_gru.predict(X[:20, :, None])
    )


def test_float32_input_gives_float64_predictions(mackey_glass):
    X, y = mackey_glass
    reg = RNNRegressor("gru", hidden_size=16, max_epochs=20, random_state=0)
    reg.fit(X.astype(np.float32), y.astype(np.float32))
    pred = reg.predict(X.astype(np.float32))
    assert pred.dtype == np.float64
    # Training runs in float32 either way: the same fit as from float64 input.
    ref = clone(reg).fit(X, y).predict(X)
    np.testing.assert_allclose(pred, ref, rtol=1e-5, atol=1e-6)


# -- optimizers, schedules, early stopping -----------------------------------------


def test_optimizer_and_schedule_reach_the_net(mackey_glass):
    X, y = mackey_glass
    reg = RNNRegressor(
        "gru",
        hidden_size=8,
        optimizer="rmsprop_nesterov",
        lr=3e-3,
        momentum=0.5,
        rho=0.95,
        lr_schedule="inverse_time",
        lr_decay=0.5,
        max_epochs=4,
        random_state=0,
    ).fit(X, y)
    opt = reg.net_.optimizer_
    assert isinstance(opt, RMSPropNesterov)
    assert opt.param_groups[0]["rho"] == 0.95
    assert opt.param_groups[0]["momentum"] == 0.5
    np.testing.assert_allclose(
        reg.net_.history[:, "event_lr"], [3e-3 / (1 + 0.5 * t) for t in range(4)]
    )


def test_early_stopping_holds_out_a_split(mackey_glass):
    X, y = mackey_glass
    reg = RNNRegressor(
        "gru",
        hidden_size=8,
        max_epochs=200,
        early_stopping=True,
        n_iter_no_change=3,
        lr=0.05,
        random_state=0,
    ).fit(X, y)
    assert reg.n_iter_ < 200
    assert reg.validation_loss_curve_.shape == reg.loss_curve_.shape == (reg.n_iter_,)


# -- model selection, cloning, seeding, persistence --------------------------------


def test_grid_search_over_cell(mackey_glass):
    X, y = mackey_glass
    search = GridSearchCV(
        RNNRegressor(hidden_size=16, max_epochs=15, random_state=0),
        {"cell": ["rnn", "lstm", "gru"]},
        cv=2,
    ).fit(X, y)
    scores = search.cv_results_["mean_test_score"]
    assert np.all(np.isfinite(scores))
    # Predicting the mean scores R² <= 0 on held-out folds; the best cell is far above.
    assert search.best_score_ > 0.8
    assert search.best_estimator_.cell == search.best_params_["cell"]
    assert search.best_estimator_.n_iter_ == 15
    assert search.score(X, y) > 0.8


def test_clone_keeps_parameters_and_drops_the_fit(fitted_gru):
    copy = clone(fitted_gru)
    assert copy.get_params() == fitted_gru.get_params()
    assert not hasattr(copy, "net_")


def test_random_state_repeats_and_leaves_global_rng(mackey_glass):
    X, y = mackey_glass
    state = torch.get_rng_state()
    a = RNNRegressor(hidden_size=8, max_epochs=3, random_state=5).fit(X, y)
    b = RNNRegressor(hidden_size=8, max_epochs=3, random_state=5).fit(X, y)
    c = RNNRegressor(hidden_size=8, max_epochs=3, random_state=6).fit(X, y)
    assert torch.equal(torch.get_rng_state(), state)
    np.testing.assert_array_equal(a.predict(X), b.predict(X))
    np.testing.assert_array_equal(a.loss_curve_, b.loss_curve_)
    assert not np.allclose(a.predict(X), c.predict(X))


def test_pickle_in_a_fresh_process(fitted_gru, mackey_glass, tmp_path):
    X, _ = mackey_glass
    (tmp_path / "model.pkl").write_bytes(pickle.dumps(fitted_gru))
    np.save(tmp_path / "X.npy", X)
    code = (
        "import pickle, numpy as np\n"
        f"d = {str(tmp_path)!r}\n"
        "model = pickle.loads(open(d + '/model.pkl', 'rb').read())\n"
        "np.save(d + '/pred.npy', model.predict(np.load(d + '/X.npy')))\n"
    )
    subprocess.run(
        [sys.executable, "-W", "error", "-c", code],
        check=True,
        capture_output=True,
        timeout=120,
    )
    np.testing.assert_array_equal(np.load(tmp_path / "pred.npy"), fitted_gru.predict(X))


# -- bad input ---------------------------------------------------------------------


@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_non_finite_input_is_refused(bad, mackey_glass):
    X, y = mackey_glass
    X3 = X[:, :, None].copy()
    X3[3, 2, 0] = bad
    with pytest.raises(ValueError, match="NaN|infinity"):
        RNNRegressor(max_epochs=1).fit(X3, y)
    y_bad = y.copy()
    y_bad[0] = bad
    with pytest.raises(ValueError, match="NaN|infinity"):
        RNNRegressor(max_epochs=1).fit(X, y_bad)


def test_wrong_shapes_at_predict(fitted_gru, mackey_glass):
    X, _ = mackey_glass
    with pytest.raises(ValueError, match="X has 7 features.*expecting 8"):
        fitted_gru.predict(X[:, :7])
    with pytest.raises(ValueError, match="2 features per time step.*fitted with 1"):
        fitted_gru.predict(np.stack([X, X], axis=-1))
    with pytest.raises(ValueError, match="4-D array"):
        fitted_gru.predict(X[:, :, None, None])


def test_sequence_output_with_one_target_per_sequence(running_sums):
    X, Y = running_sums
    reg = RNNRegressor("gru", hidden_size=16, output="sequence", max_epochs=25)
    reg.set_params(random_state=0).fit(X, Y[:, -1])
    # Every step is trained on the sequence's value; predict reads the last step.
    pred = reg.predict(X)
    assert pred.shape == (len(X),)
    assert r2_score(Y[:, -1], pred) > 0.9


@pytest.mark.parametrize(
    "X_shape, y_shape, output, match",
    [
        ((10, 4, 2, 1), (10,), "last", "4-D array"),
        ((10, 4, 0), (10,), "last", "one feature per step"),
        ((10, 4), (10, 4, 1), "last", "output='sequence'"),
        ((10, 4), (10, 4, 1, 1), "sequence", r"n_timesteps=4 as in X; got shape"),
        ((10, 4), (10, 5), "sequence", r"got shape \(10, 5\)"),
        ((10, 4), (9,), "last", "inconsistent numbers of samples"),
        ((10, 4), (9,), "sequence", "inconsistent numbers of samples"),
    ],
)
def test_bad_shapes_at_fit(X_shape, y_shape, output, match):
    X, y = np.ones(X_shape), np.ones(y_shape)
    with pytest.raises(ValueError, match=match):
        RNNRegressor(output=output, max_epochs=1).fit(X, y)


@pytest.mark.parametrize(
    "params",
    [
        {"cell": "transformer"},
        {"output": "all"},
        {"optimizer": "lbfgs"},
        {"lr_schedule": "cosine"},
        {"hidden_size": 0},
    ],
)
def test_bad_parameters(params, mackey_glass):
    X, y = mackey_glass
    with pytest.raises(InvalidParameterError, match=list(params)[0]):
        RNNRegressor(max_epochs=1, **params).fit(X, y)


def test_diverging_fit_stops_with_a_clear_error(mackey_glass):
    X, y = mackey_glass
    with pytest.raises(ValueError, match="diverged"):
        RNNRegressor("rnn", optimizer="sgd", lr=1e6, max_epochs=5, random_state=0).fit(
            X * 1e3, y * 1e6
        )


def test_rnn_in_a_pipeline_with_cross_validation():
    from sklearn.model_selection import cross_val_score
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    from sklearn_lecture.datasets import make_mackey_glass

    X, y = make_mackey_glass(400, n_timesteps=8, horizon=1, random_state=0)
    pipe = make_pipeline(
        StandardScaler(), RNNRegressor("gru", max_epochs=15, random_state=0)
    )
    scores = cross_val_score(pipe, X, y, cv=3)
    # One step ahead on a smooth series: far better than the mean's R² of 0.
    assert scores.min() > 0.8
