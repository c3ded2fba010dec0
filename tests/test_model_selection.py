"""The model-selection chapter's parameters: alpha, dropout, warm_start, callbacks.

And scikit-learn's callback API (``sklearn.callback``) on the nets' epochs, the
GANs' epochs, the agents' episodes and the style transfer's steps.
"""

import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("skorch")

from sklearn.datasets import load_digits  # noqa: E402
from sklearn.model_selection import GridSearchCV  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402
from skorch.callbacks import Checkpoint, EpochScoring  # noqa: E402

from sklearn_lecture.neural import (  # noqa: E402
    GAN,
    Autoencoder,
    RNNClassifier,
    StackedAutoencoderClassifier,
)
from sklearn_lecture.utils._callbacks import has_callback_api  # noqa: E402

needs_callbacks = pytest.mark.skipif(
    not has_callback_api, reason="scikit-learn without sklearn.callback"
)


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    return X[:240] / 16.0, y[:240]


def _weights(module):
    return [p for p in module.parameters() if p.ndim > 1]


# -- alpha ---------------------------------------------------------------------------


def test_alpha_is_mlp_penalty_on_the_weights_of_the_training_loss(digits):
    X, _ = digits
    ae = Autoencoder((12, 4), alpha=0.3, max_epochs=1, random_state=0).fit(X)
    net, batch = ae.net_, torch.tensor(X[:50], dtype=torch.float32)
    y_pred = net.module_(batch)
    trained = net.get_loss(y_pred, None, X=batch, training=True)
    validated = net.get_loss(y_pred, None, X=batch, training=False)
    squares = sum(float(w.detach().square().sum()) for w in _weights(net.module_))
    # alpha / (2 B) sum ||W||^2, B the batch's rows; the biases are not in it.
    penalty = trained - validated
    assert float(penalty.detach()) == pytest.approx(0.3 / 100 * squares, rel=1e-5)
    net.module_.zero_grad()
    penalty.backward()
    for name, p in net.module_.named_parameters():
        if p.ndim == 1:
            assert p.grad is None or not p.grad.any(), name


def test_alpha_shrinks_the_weights_monotonically_and_leaves_the_biases(digits):
    X, y = digits
    norms, biases = [], []
    for alpha in (0.0, 0.3, 3.0, 30.0):
        clf = StackedAutoencoderClassifier(
            (16,), pretrain=False, alpha=alpha, lr=0.01, max_epochs=15, random_state=0
        ).fit(X, y)
        module = clf.net_.module_
        norms.append(sum(float(w.detach().square().sum()) for w in _weights(module)))
        biases.append(module.head.bias.detach().numpy().copy())
    assert all(a > b for a, b in zip(norms, norms[1:])), norms
    # Under the strongest penalty the weights are near zero, and the head's
    # biases, free, give the class frequencies: log-odds, not zero.
    assert norms[-1] < 0.05 * norms[0]
    prior = np.log(np.bincount(y) / len(y))
    np.testing.assert_allclose(
        biases[-1] - biases[-1].mean(), prior - prior.mean(), atol=0.15
    )


# -- dropout -------------------------------------------------------------------------


def test_dropout_changes_training_but_never_inference(digits):
    X, y = digits
    plain = StackedAutoencoderClassifier(
        (16,), pretrain_epochs=2, max_epochs=4, random_state=0
    ).fit(X, y)
    dropped = StackedAutoencoderClassifier(
        (16,), pretrain_epochs=2, max_epochs=4, dropout=0.5, random_state=0
    ).fit(X, y)
    assert not np.allclose(plain.loss_curve_, dropped.loss_curve_)
    assert not any(
        isinstance(m, torch.nn.Dropout) for m in plain.net_.module_.modules()
    )
    proba = dropped.predict_proba(X)
    np.testing.assert_array_equal(proba, dropped.predict_proba(X))
    with torch.no_grad():
        module = dropped.net_.module_.eval()
        logits = module(torch.tensor(X, dtype=torch.float32)).double()
    np.testing.assert_allclose(proba, torch.softmax(logits, 1).numpy(), atol=1e-5)
    ae = Autoencoder((12, 4), dropout=0.5, max_epochs=2, random_state=0).fit(X)
    np.testing.assert_array_equal(ae.transform(X), ae.transform(X))
    np.testing.assert_array_equal(ae.score(X), ae.score(X))


def test_rnn_dropout_on_inputs_between_layers_and_outputs(digits):
    X, y = digits
    seqs = X.reshape(-1, 8, 8)
    clf = RNNClassifier(
        "gru", hidden_size=8, num_layers=2, dropout=0.25, max_epochs=2, random_state=0
    ).fit(seqs, y)
    module = clf.net_.module_
    assert module.rnn.dropout == 0.25
    assert module.input_dropout.p == module.output_dropout.p == 0.25
    np.testing.assert_array_equal(clf.predict_proba(seqs), clf.predict_proba(seqs))


# -- warm_start ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "make",
    [
        lambda n: Autoencoder((12, 4), max_epochs=n, random_state=0),
        lambda n: StackedAutoencoderClassifier(
            (12,), pretrain_epochs=2, dropout=0.2, max_epochs=n, random_state=0
        ),
        lambda n: GAN(2, generator_layer_sizes=(8,), discriminator_layer_sizes=(8,),
                      max_epochs=n, random_state=0),  # fmt: skip
    ],
    ids=["Autoencoder", "StackedAutoencoderClassifier", "GAN"],
)
def test_warm_start_four_plus_four_epochs_equal_eight(make, digits):
    X, y = digits
    y = y if "Classifier" in type(make(1)).__name__ else None
    X = X if not isinstance(make(1), GAN) else X[:, :2]
    warm = make(4).fit(X, y)
    warm.set_params(warm_start=True).fit(X, y)
    eight = make(8).fit(X, y)
    assert warm.n_iter_ == eight.n_iter_ == 8
    np.testing.assert_array_equal(warm.loss_curve_, eight.loss_curve_)
    for name, value in eight.net_.module_.state_dict().items():
        np.testing.assert_array_equal(warm.net_.module_.state_dict()[name], value)


def test_warm_start_with_other_architecture_or_data_trains_a_new_net(digits):
    X, _ = digits
    ae = Autoencoder((12, 4), max_epochs=3, warm_start=True, random_state=0).fit(X)
    ae.fit(X)
    assert ae.n_iter_ == 6
    ae.set_params(hidden_layer_sizes=(10, 4)).fit(X)
    assert ae.n_iter_ == 3  # a new net
    ae.fit(X[:, :32])
    assert ae.n_iter_ == 3 and ae.n_features_in_ == 32
    # Early stopping applies to a warm start on the split it draws.
    ae.set_params(early_stopping=True, max_epochs=2).fit(X[:, :32])
    assert ae.n_iter_ == 5 and np.isfinite(ae.validation_loss_curve_[-2:]).all()


# -- skorch callbacks ----------------------------------------------------------------


def _accuracy(net, X, y):
    # skorch's net predicts the class scores.
    return float((net.predict(X).argmax(1) == y).mean())


def test_skorch_callbacks_run_on_the_validation_split(digits, tmp_path):
    X, y = digits

    clf = StackedAutoencoderClassifier(
        (16,),
        pretrain=False,
        lr=0.01,
        max_epochs=5,
        early_stopping=True,
        validation_fraction=0.25,
        callbacks=[
            EpochScoring(_accuracy, lower_is_better=False, name="valid_acc"),
            ("checkpoint", Checkpoint(monitor="valid_acc_best", dirname=tmp_path)),
        ],
        random_state=0,
    ).fit(X, y)
    scores = clf.net_.history[:, "valid_acc"]
    assert len(scores) == clf.n_iter_ and max(scores) > 0.3  # chance: 0.1
    assert (tmp_path / "params.pt").is_file()
    # skorch's routing reaches the named callback; a pickled net keeps no task.
    clf.set_params(callbacks__checkpoint__monitor="valid_loss_best")
    assert clf.callbacks[1][1].monitor == "valid_loss_best"
    assert dict(clf.net_.callbacks_)["sklearn_callbacks"].task.active is False


def test_fit_runs_copies_of_the_callbacks_and_leaves_the_parameter(digits):
    from sklearn.utils.estimator_checks import check_estimators_overwrite_params

    scoring = EpochScoring(_accuracy, on_train=True, name="train_acc")
    clf = StackedAutoencoderClassifier(
        (8,), pretrain=False, max_epochs=2, callbacks=[scoring], random_state=0
    )
    check_estimators_overwrite_params("StackedAutoencoderClassifier", clf)
    clf.fit(*digits)
    assert not hasattr(scoring, "best_score_")
    assert len(clf.net_.history[:, "train_acc"]) == 2


def test_callbacks_and_routed_parameters_are_checked(digits):
    X, _ = digits
    with pytest.raises(ValueError, match="skorch callbacks"):
        Autoencoder(callbacks=["print"], max_epochs=1).fit(X)
    with pytest.raises(ValueError, match="GAN cannot use EpochScoring"):
        GAN(callbacks=[EpochScoring("r2")], max_epochs=1).fit(X[:, :2])
    with pytest.raises(ValueError, match="Weight decay is alpha"):
        Autoencoder().set_params(optimizer__weight_decay=1e-4)
    with pytest.raises(ValueError, match="named"):
        Autoencoder().set_params(callbacks__missing__monitor="x")


# -- scikit-learn's callbacks ----------------------------------------------------------


class _Recorder:
    """A scikit-learn callback recording the task tree; stops at ``stop_after``."""

    def __init__(self, stop_after=None):
        self.stop_after = stop_after
        self.ended, self.totals, self.torn_down = [], {}, 0

    def setup(self, estimator, context):
        self.totals[context.task_name] = context.max_subtasks

    def on_fit_task_begin(self, estimator, context):
        self.totals.setdefault(context.task_name, context.max_subtasks)

    def on_fit_task_end(self, estimator, context):
        self.ended.append(context.task_name)
        return self.ended.count(context.task_name) == self.stop_after

    def teardown(self, estimator, context):
        self.torn_down += 1


@needs_callbacks
def test_sklearn_callbacks_see_every_epoch_and_can_stop_training(digits):
    X, _ = digits
    recorder = _Recorder()
    Autoencoder((8, 2), max_epochs=3).set_callbacks(recorder).fit(X)
    assert recorder.totals == {"fit": 3, "epoch": 0}
    assert recorder.ended == ["epoch"] * 3 + ["fit"] and recorder.torn_down == 1
    # A callback that asks to stop ends the fit there, as an early stop.
    stopper = _Recorder(stop_after=2)
    ae = Autoencoder((8, 2), max_epochs=5).set_callbacks(stopper).fit(X)
    assert ae.n_iter_ == 2
    # A refused partial_fit still tears its callbacks down.
    recorder = _Recorder()
    ae.set_callbacks(recorder).set_params(hidden_layer_sizes=(6, 2))
    with pytest.raises(ValueError, match="partial_fit continues"):
        ae.partial_fit(X)
    assert recorder.torn_down == 1 and ae.n_iter_ == 2


@needs_callbacks
def test_scoring_monitor_scores_the_net_after_every_epoch(digits):
    from sklearn.callback import ScoringMonitor

    X, y = digits
    monitor = ScoringMonitor(scoring="accuracy")
    clf = StackedAutoencoderClassifier(
        (16,), pretrain=False, lr=0.01, max_epochs=4, random_state=0
    ).set_callbacks(monitor)
    clf.fit(X, y)
    rows = monitor.get_logs().data
    epochs = [row["accuracy"] for row in rows if row["task_name"] == "epoch"]
    assert len(epochs) == 4 and epochs[-1] == pytest.approx(clf.score(X, y))
    with pytest.raises(TypeError, match="GAN cannot use ScoringMonitor"):
        GAN().set_callbacks(ScoringMonitor(scoring="r2"))


@needs_callbacks
def test_progress_bar_alone_and_inside_grid_search(digits, capsys):
    pytest.importorskip("rich")
    from sklearn.callback import ProgressBar

    X, y = digits
    StackedAutoencoderClassifier(
        (8,), pretrain_epochs=2, max_epochs=3
    ).set_callbacks(ProgressBar()).fit(X, y)
    out = capsys.readouterr().out
    assert "StackedAutoencoderClassifier - fit" in out
    assert "pretrain layer 1" in out and "fine-tune" in out
    assert "100%" in out and not any(f" {p}%" in out for p in range(10, 100))

    search = GridSearchCV(
        make_pipeline(StandardScaler(), Autoencoder((8, 2), max_epochs=2)),
        {"autoencoder__alpha": [0.0, 0.1]},
        cv=2,
    )
    search.set_callbacks(ProgressBar(max_propagation_depth=None)).fit(X)
    out = capsys.readouterr().out
    assert "GridSearchCV - fit" in out and "Autoencoder - fit" in out
    assert "100%" in out


@needs_callbacks
def test_progress_bar_over_gan_epochs_agent_episodes_and_style_steps(capsys):
    pytest.importorskip("rich")
    pytest.importorskip("gymnasium")
    from sklearn.callback import ProgressBar, ScoringMonitor

    from sklearn_lecture.neural import StyleTransfer
    from sklearn_lecture.reinforcement import QLearning

    X = np.random.RandomState(0).randn(64, 2)
    recorder = _Recorder()
    GAN(2, generator_layer_sizes=(8,), discriminator_layer_sizes=(8,), max_epochs=3,
        random_state=0).set_callbacks(ProgressBar(), recorder).fit(X)  # fmt: skip
    assert recorder.totals == {"fit": 3, "epoch": 0}
    assert recorder.ended.count("epoch") == 3

    recorder = _Recorder(stop_after=7)
    agent = QLearning(n_episodes=20, random_state=0).set_callbacks(recorder)
    agent.fit("FrozenLake-v1")
    assert recorder.totals["fit"] == 20 and agent.n_episodes_ == 7
    agent.set_callbacks(ProgressBar()).partial_fit("FrozenLake-v1", n_episodes=5)
    with pytest.raises(TypeError, match="agent learns from an environment"):
        agent.set_callbacks(ScoringMonitor(scoring="accuracy"))

    image = np.random.RandomState(0).rand(24, 24, 3)
    recorder = _Recorder()
    style = StyleTransfer(features="random_multiscale", n_steps=6, optimizer="adam",
                          random_state=0).fit(image)  # fmt: skip
    style.set_callbacks(ProgressBar(), recorder).transform(image)
    assert recorder.totals == {"transform": 6, "step": 0}
    assert recorder.ended == ["step"] * 6 + ["transform"]
    out = capsys.readouterr().out
    for title in ("GAN - fit", "QLearning - partial_fit", "StyleTransfer - transform"):
        assert title in out


@needs_callbacks
def test_a_loop_over_estimators_hands_them_the_callbacks(digits, capsys):
    # The recipe of a scan (ElbowKMeans over K): one leaf task per fit, in
    # which the fitted estimator's own tasks nest.
    pytest.importorskip("rich")
    from sklearn.base import BaseEstimator
    from sklearn.callback import ProgressBar

    from sklearn_lecture.utils._callbacks import CallbackSupportMixin, begin_fit
    from sklearn_lecture.utils._validation import fit_guard

    class Scan(CallbackSupportMixin, BaseEstimator):
        _parameter_constraints = {}

        @fit_guard
        def fit(self, X, y=None):
            task = begin_fit(self, 2, X=X)
            for size in (2, 3):
                step = task.subtask(f"code size {size}")
                net = Autoencoder((4, size), max_epochs=2)
                with step.propagate(net):
                    net.fit(X)
                step.end()
            task.end({})
            return self

    Scan().set_callbacks(ProgressBar(max_propagation_depth=None)).fit(digits[0])
    out = capsys.readouterr().out
    assert "Scan - fit" in out and "Scan - code size 3 | Autoencoder - fit" in out


def test_the_package_works_without_rich():
    code = textwrap.dedent(
        """
        import sys
        sys.modules["rich"] = None
        import numpy as np
        from sklearn_lecture.neural import Autoencoder
        ae = Autoencoder((4, 2), max_epochs=2, random_state=0)
        ae.fit(np.random.RandomState(0).rand(50, 6))
        try:
            from sklearn.callback import ProgressBar
        except ImportError:
            pass
        else:
            try:
                ProgressBar()
            except ImportError as exc:
                assert "rich" in str(exc), exc
            else:
                raise AssertionError("ProgressBar without rich")
        print("ok", ae.n_iter_)
        """
    )
    out = subprocess.run(
        [sys.executable, "-c", code], check=True, capture_output=True, text=True
    )
    assert out.stdout.split() == ["ok", "2"]


def test_callback_support_without_sklearn_callback(monkeypatch):
    import importlib.util

    monkeypatch.setitem(sys.modules, "sklearn.callback", None)
    path = Path(__file__).parents[1] / "sklearn_lecture" / "utils" / "_callbacks.py"
    spec = importlib.util.spec_from_file_location("_callbacks_without", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.has_callback_api is False

    class Estimator(module.CallbackSupportMixin):
        pass

    est = Estimator()
    assert not hasattr(est, "set_callbacks")
    task = module.begin_fit(est, 10)
    assert task is module.NO_TASK and list(task.loop("i", range(3))) == [0, 1, 2]
    assert task.subtask("epoch").end() is False
    with task.propagate(est):
        pass
    assert module.with_callbacks(len) is len
