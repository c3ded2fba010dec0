"""RNNClassifier, bidirectional and variable-length RNNs, the sequence data sets."""

import pickle
import subprocess
import sys

import numpy as np
import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("skorch")

from sklearn.datasets import load_digits  # noqa: E402
from sklearn.model_selection import GridSearchCV, train_test_split  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import FunctionTransformer  # noqa: E402
from sklearn.utils.class_weight import compute_class_weight  # noqa: E402

from sklearn_lecture import RNNClassifier, RNNRegressor  # noqa: E402
from sklearn_lecture.datasets import (  # noqa: E402
    make_sequence_labelling,
    make_temporal_order,
    to_channels_last,
)
from sklearn_lecture.datasets._sequences import TEMPORAL_ORDER_SYMBOLS  # noqa: E402
from sklearn_lecture.neural._training import forward64  # noqa: E402


@pytest.fixture(scope="module")
def digits_sequences():
    # Each digit read row by row: 8 steps of 8 pixels.
    X, y = load_digits(return_X_y=True)
    return train_test_split(X.reshape(-1, 8, 8) / 16, y, test_size=0.25, random_state=0)


@pytest.fixture(scope="module")
def fitted_digits(digits_sequences):
    X_train, _, y_train, _ = digits_sequences
    clf = RNNClassifier("gru", hidden_size=32, max_epochs=15, random_state=0)
    return clf.fit(X_train, y_train)


@pytest.fixture(scope="module")
def temporal_order():
    X, y = make_temporal_order(1400, 100, random_state=0)
    return X[:1000], X[1000:], y[:1000], y[1000:]


def _varying_lengths(n_samples, n_timesteps, rng):
    return rng.randint(1, n_timesteps + 1, size=n_samples)


# -- learning ------------------------------------------------------------------


# The budget: 1000 training sequences of 100 steps, batches of 16, the default
# forget-gate bias (3) and gradient clipping (1). Measured on this data: the GRU
# leaves the chance plateau after ~13 epochs, the LSTM of seed 0 after 28 (seeds
# 0-5: 28, 29, none within 40, 18, 10, 12 epochs, with the forget gates' bias
# exactly 3; 19, none, none, 22, 17, 15 when torch's second bias vector kept its
# random start); both then reach 100 % held-out; the plain RNN stays at 25 % for
# 30 epochs. When a gated cell leaves the plateau depends on the seed
# (benchmarks/rnn_temporal_order.py --seeds 4 measures it); these seeds are
# fixed, so the test is deterministic.
@pytest.mark.parametrize("cell, max_epochs", [("lstm", 34), ("gru", 16)])
def test_gated_cells_solve_temporal_order_at_100_steps(
    cell, max_epochs, temporal_order
):
    X_train, X_test, y_train, y_test = temporal_order
    clf = RNNClassifier(cell, max_epochs=max_epochs, batch_size=16, random_state=0)
    clf.fit(X_train, y_train)
    assert clf.score(X_test, y_test) >= 0.95


def test_plain_rnn_stays_near_chance_on_temporal_order(temporal_order):
    # The vanishing gradient: within the gated cells' budget the tanh RNN cannot
    # connect the label to the symbols 40-90 steps back.
    X_train, X_test, y_train, y_test = temporal_order
    clf = RNNClassifier("rnn", max_epochs=16, batch_size=16, random_state=0)
    clf.fit(X_train, y_train)
    chance = np.max(np.bincount(y_test)) / len(y_test)
    assert clf.score(X_test, y_test) < chance + 0.1


def test_digits_as_sequences_of_rows(fitted_digits, digits_sequences):
    _, X_test, _, y_test = digits_sequences
    assert fitted_digits.score(X_test, y_test) > 0.95
    proba = fitted_digits.predict_proba(X_test)
    assert proba.shape == (len(X_test), 10)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-12)
    np.testing.assert_array_equal(
        fitted_digits.predict(X_test), fitted_digits.classes_[proba.argmax(axis=1)]
    )
    logits = fitted_digits.decision_function(X_test)
    np.testing.assert_allclose(
        proba, np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True), rtol=1e-10
    )


def test_sequence_labelling_of_the_running_parity():
    X, y = make_sequence_labelling(1200, 10, random_state=0)
    clf = RNNClassifier("gru", output="sequence", max_epochs=20, random_state=0)
    clf.fit(X[:900], y[:900])
    assert clf.predict(X[900:]).shape == (300, 10)
    proba = clf.predict_proba(X[900:])
    assert proba.shape == (300, 10, 2)
    np.testing.assert_allclose(proba.sum(axis=-1), 1.0, rtol=1e-12)
    # The current bit alone gives 50 %; the network keeps the parity.
    assert clf.score(X[900:], y[900:]) > 0.98


def test_string_labels_round_trip_per_sequence_and_per_step():
    X, y = make_sequence_labelling(200, 5, random_state=1)
    names = np.array(["even", "odd"])
    clf = RNNClassifier("gru", output="sequence", max_epochs=3, random_state=0)
    clf.fit(X, names[y])
    assert clf.classes_.tolist() == ["even", "odd"]
    assert set(np.unique(clf.predict(X))) <= {"even", "odd"}
    clf = RNNClassifier("lstm", max_epochs=3, random_state=0).fit(X, names[y[:, -1]])
    pred = clf.predict(X)
    assert pred.shape == (200,) and set(pred) <= {"even", "odd"}
    # Binary decision function: positive means classes_[1].
    np.testing.assert_array_equal(
        clf.classes_[(clf.decision_function(X) > 0).astype(int)], pred
    )


def test_one_label_per_sequence_with_sequence_output():
    X, y = make_sequence_labelling(300, 6, random_state=0)
    clf = RNNClassifier("gru", output="sequence", max_epochs=3, random_state=0)
    clf.fit(X, y[:, -1])
    # Trained on the label at every step; predict reads the last step.
    assert clf.predict(X).shape == (300,)
    assert clf.predict_proba(X).shape == (300, 2)


def test_class_weight_reaches_the_loss():
    X, y = make_temporal_order(60, 20, random_state=0)
    y = np.where(y == 0, "a", "b")
    clf = RNNClassifier(class_weight="balanced", max_epochs=1, random_state=0)
    clf.fit(X, y)
    expected = compute_class_weight("balanced", classes=np.array(["a", "b"]), y=y)
    np.testing.assert_allclose(clf.net_.criterion_.weight.numpy(), expected)
    clf.set_params(class_weight={"a": 5.0, "b": 1.0}).fit(X, y)
    np.testing.assert_allclose(clf.net_.criterion_.weight.numpy(), [5.0, 1.0])


def test_gradient_clip_is_a_callback_of_the_net():
    X, y = make_temporal_order(40, 20, random_state=0)
    clf = RNNClassifier(max_epochs=1, gradient_clip=0.5, random_state=0).fit(X, y)
    clip = dict(clf.net_.callbacks_)["gradient_clip"]
    assert clip.gradient_clip_value == 0.5
    reg = RNNRegressor(max_epochs=1, random_state=0).fit(X[:, :, 0], y * 1.0)
    assert "gradient_clip" not in dict(reg.net_.callbacks_)


def test_lstm_forget_bias_is_a_parameter():
    X, y = make_temporal_order(40, 20, random_state=0)
    clf = RNNClassifier(forget_bias=2.5, max_epochs=1, random_state=0)
    # After one epoch the biases moved, so look at the freshly built module.
    module = clf.fit(X, y)._build_module(np.zeros((2, 20, 9)), None)
    np.testing.assert_array_equal(module.rnn.bias_ih_l0.detach().numpy()[32:64], 2.5)


# -- bidirectional and variable lengths -------------------------------------------


def _by_hand(module, x, length):
    """Forward and backward stacks run separately on the valid steps: h_fwd, h_bwd."""
    rnn = module.rnn
    params = dict(rnn.named_parameters())
    cell = type(rnn)
    one_way = [cell(rnn.input_size, rnn.hidden_size, batch_first=True) for _ in "fb"]
    for net, suffix in zip(one_way, ["", "_reverse"]):
        for name in ("weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0"):
            getattr(net, name).data.copy_(params[name + suffix])
    x = torch.tensor(x[None, :length], dtype=torch.float32)
    with torch.no_grad():
        forward_states = one_way[0](x)[0][0]
        backward_states = one_way[1](torch.flip(x, [1]))[0][0].flip(0)
    return forward_states, backward_states


@pytest.mark.parametrize("cell", ["gru", "lstm"])
def test_bidirectional_last_reads_forward_last_and_backward_first(cell):
    X, y = make_temporal_order(80, 12, random_state=0)
    lengths = _varying_lengths(80, 12, np.random.RandomState(0))
    clf = RNNClassifier(cell, hidden_size=6, bidirectional=True, max_epochs=2)
    clf.set_params(random_state=0).fit(X, y, sample_lengths=lengths)
    module = clf.net_.module_
    logits = clf.decision_function(X[:5], sample_lengths=lengths[:5])
    for i in range(5):
        fwd, bwd = _by_hand(module, X[i], lengths[i])
        h = torch.cat([fwd[-1], bwd[0]])
        with torch.no_grad():
            expected = module.head(h).numpy()
        np.testing.assert_allclose(logits[i], expected, rtol=1e-4, atol=1e-5)


def test_bidirectional_sequence_output_sees_the_future():
    X, y = make_sequence_labelling(100, 6, random_state=0)
    clf = RNNClassifier("gru", output="sequence", bidirectional=True, max_epochs=2)
    clf.set_params(random_state=0).fit(X, y)
    X_changed = X.copy()
    X_changed[:, -1] = 1 - X_changed[:, -1]
    before = clf.predict_proba(X)[:, 0]
    after = clf.predict_proba(X_changed)[:, 0]
    assert not np.allclose(before, after)


@pytest.mark.parametrize("Estimator", [RNNClassifier, RNNRegressor])
@pytest.mark.parametrize("output", ["last", "sequence"])
@pytest.mark.parametrize("bidirectional", [False, True])
def test_padding_never_influences_the_result(Estimator, output, bidirectional):
    rng = np.random.RandomState(0)
    X, y = make_sequence_labelling(120, 10, random_state=0)
    lengths = _varying_lengths(120, 10, rng)
    y = y if output == "sequence" else y[np.arange(120), lengths - 1]
    params = dict(output=output, bidirectional=bidirectional, hidden_size=8)
    est = Estimator("gru", max_epochs=2, random_state=0, **params)
    padded = X >= 0  # True everywhere: only the mask below decides
    padded &= np.arange(10) >= lengths[:, None]
    X_noise, y_noise = X.copy(), np.array(y, dtype=np.float64)
    X_noise[padded] = rng.normal(0, 100, size=padded.sum())
    if output == "sequence":
        y_noise[padded] = 1 - y_noise[padded] if Estimator is RNNClassifier else 1e6
    y_noise = y_noise.astype(y.dtype) if Estimator is RNNClassifier else y_noise
    a = est.fit(X, y, sample_lengths=lengths)
    pred_a = a.predict(X, sample_lengths=lengths)
    b = Estimator("gru", max_epochs=2, random_state=0, **params)
    b.fit(X_noise, y_noise, sample_lengths=lengths)
    # Neither the padded inputs nor the padded targets change the fit ...
    np.testing.assert_allclose(b.predict(X_noise, sample_lengths=lengths), pred_a)
    # ... and a padded sequence gets the prediction of the sequence alone.
    module = a.net_.module_
    for i in range(4):
        # The lengths travel beside X (no mask channel): alone, a sequence has none.
        alone = forward64(module, X[i, : lengths[i], None][None])[0]
        expected = alone if output == "last" else alone[-1]
        got = a._forward64(a._module_input(X[i : i + 1, :, None], lengths[i : i + 1]))
        got = got[0] if output == "last" else got[0, lengths[i] - 1]
        np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-12)


def test_score_counts_only_the_valid_steps():
    X, y = make_sequence_labelling(200, 8, random_state=0)
    lengths = _varying_lengths(200, 8, np.random.RandomState(1))
    clf = RNNClassifier("gru", output="sequence", max_epochs=3, random_state=0)
    clf.fit(X, y, sample_lengths=lengths)
    pred = clf.predict(X, sample_lengths=lengths)
    valid = np.arange(8) < lengths[:, None]
    expected = np.mean(pred[valid] == y[valid])
    assert clf.score(X, y, sample_lengths=lengths) == pytest.approx(expected)
    # Steps past a sequence's end repeat its last valid step.
    last = pred[np.arange(200), lengths - 1]
    np.testing.assert_array_equal(pred[:, -1], last)


# -- model selection and persistence --------------------------------------------


def test_pipeline_and_grid_search_over_cell_and_hidden_size(digits_sequences):
    X_train, _, y_train, _ = digits_sequences
    flat = X_train[:300].reshape(300, 64)
    pipe = make_pipeline(
        FunctionTransformer(lambda X: X.reshape(len(X), 8, 8)),
        RNNClassifier(max_epochs=3, random_state=0),
    )
    grid = GridSearchCV(
        pipe,
        {"rnnclassifier__cell": ["gru", "rnn"], "rnnclassifier__hidden_size": [8, 16]},
        cv=2,
    ).fit(flat, y_train[:300])
    assert grid.best_params_["rnnclassifier__hidden_size"] in (8, 16)
    assert len(grid.cv_results_["mean_test_score"]) == 4
    assert grid.score(flat, y_train[:300]) > 0.3


def test_pickle_in_a_fresh_process(fitted_digits, digits_sequences, tmp_path):
    _, X_test, _, _ = digits_sequences
    (tmp_path / "clf.pkl").write_bytes(pickle.dumps(fitted_digits))
    np.save(tmp_path / "X.npy", X_test)
    code = (
        "import pickle, numpy as np, pathlib\n"
        f"d = pathlib.Path({str(tmp_path)!r})\n"
        "clf = pickle.loads((d / 'clf.pkl').read_bytes())\n"
        "np.save(d / 'proba.npy', clf.predict_proba(np.load(d / 'X.npy')))\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
    np.testing.assert_array_equal(
        np.load(tmp_path / "proba.npy"), fitted_digits.predict_proba(X_test)
    )


# -- bad input ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "output, y_shape, match",
    [
        ("last", (10, 4), "output='sequence'"),
        ("sequence", (10, 5), r"n_timesteps=4 as in X; got shape \(10, 5\)"),
        ("sequence", (10, 4, 2), r"got shape \(10, 4, 2\)"),
    ],
)
def test_y_of_the_wrong_shape(output, y_shape, match):
    rng = np.random.RandomState(0)
    X, y = rng.normal(size=(10, 4)), rng.randint(0, 2, size=y_shape)
    with pytest.raises(ValueError, match=match):
        RNNClassifier(output=output, max_epochs=1).fit(X, y)


def test_a_single_class_is_refused():
    with pytest.raises(ValueError, match="only one class"):
        RNNClassifier(max_epochs=1).fit(np.ones((10, 4)), np.zeros(10))
    with pytest.raises(ValueError, match="only one class"):
        RNNClassifier(output="sequence", max_epochs=1).fit(
            np.ones((10, 4)), np.zeros((10, 4))
        )


@pytest.mark.parametrize("Estimator", [RNNClassifier, RNNRegressor])
@pytest.mark.parametrize(
    "lengths, match",
    [
        (np.full(10, 5), "between 1 and n_timesteps=4; got values from 5 to 5"),
        (np.r_[0, np.ones(9, int)], "between 1 and n_timesteps=4; got values from 0"),
        (np.ones(9, int), r"shape \(n_samples,\) = \(10,\)"),
        (np.full(10, 1.5), "integers"),
    ],
)
def test_bad_lengths(Estimator, lengths, match):
    X, y = np.random.RandomState(0).normal(size=(10, 4)), np.arange(10) % 2
    with pytest.raises(ValueError, match=match):
        Estimator(max_epochs=1).fit(X, y, sample_lengths=lengths)


def test_bad_lengths_at_predict(fitted_digits, digits_sequences):
    _, X_test, _, _ = digits_sequences
    with pytest.raises(ValueError, match="between 1 and n_timesteps=8"):
        fitted_digits.predict(X_test, sample_lengths=np.full(len(X_test), 9))


def test_four_d_input_and_continuous_y_are_refused(fitted_digits, digits_sequences):
    _, X_test, _, _ = digits_sequences
    with pytest.raises(ValueError, match="4-D array"):
        fitted_digits.predict(X_test[..., None])
    with pytest.raises(ValueError, match="Unknown label type"):
        RNNClassifier(max_epochs=1).fit(X_test, np.linspace(0, 1, len(X_test)))


# -- data sets ---------------------------------------------------------------------


def test_temporal_order_class_is_the_order_of_the_two_symbols():
    X, y = make_temporal_order(300, 100, random_state=0)
    symbols = np.array(TEMPORAL_ORDER_SYMBOLS)[X.argmax(axis=2)]
    assert np.all(X.sum(axis=2) == 1)
    # The paper's frame: E first, the trigger symbol B last.
    assert np.all(symbols[:, 0] == "E") and np.all(symbols[:, -1] == "B")
    for row, label in zip(symbols, y):
        positions = np.flatnonzero(np.isin(row, ["X", "Y"]))
        assert len(positions) == 2
        assert 10 <= positions[0] <= 20 and 50 <= positions[1] <= 60
        order = "".join(row[positions])
        assert order == ["XX", "XY", "YX", "YY"][label]
    # The four classes are about equally frequent (300 draws).
    assert np.bincount(y, minlength=4).min() > 50


def test_sequence_labelling_is_the_running_parity():
    X, y = make_sequence_labelling(50, 12, random_state=0)
    parity = np.zeros(50, dtype=int)
    for t in range(12):
        parity ^= X[:, t].astype(int)
        np.testing.assert_array_equal(y[:, t], parity)


def test_to_channels_last():
    X = np.arange(2 * 3 * 5).reshape(2, 3, 5)  # sktime: (n, channels, time)
    X_last = to_channels_last(X)
    assert X_last.shape == (2, 5, 3) and X_last.flags.c_contiguous
    assert X_last[1, 4, 2] == X[1, 2, 4]
    np.testing.assert_array_equal(to_channels_last(X_last), X)
    with pytest.raises(ValueError, match="3-D array"):
        to_channels_last(X[0])


@pytest.mark.parametrize(
    "make, args, match",
    [
        (make_temporal_order, (10, 5), "n_timesteps must be >= 10"),
        (make_temporal_order, (0, 100), "n_samples must be >= 1"),
        (make_sequence_labelling, (10, 0), "n_timesteps must be >= 1"),
    ],
)
def test_data_set_arguments_are_checked(make, args, match):
    with pytest.raises(ValueError, match=match):
        make(*args)
