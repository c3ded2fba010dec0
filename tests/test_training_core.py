"""The training core: a new net is a short file, and training can continue."""

import inspect

import numpy as np
import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("skorch")

from sklearn.base import RegressorMixin  # noqa: E402
from sklearn.utils.estimator_checks import parametrize_with_checks  # noqa: E402
from sklearn.utils.validation import check_is_fitted, validate_data  # noqa: E402

from sklearn_lecture.neural import Autoencoder  # noqa: E402
from sklearn_lecture.neural._base import (  # noqa: E402
    BaseNeuralNet,
    fill_net_doc,
    fit_guard,
)
from sklearn_lecture.neural._training import train_net  # noqa: E402
from sklearn_lecture.utils._params import store_params  # noqa: E402


class _LinearModule(torch.nn.Module):
    def __init__(self, n_in):
        super().__init__()
        self.linear = torch.nn.Linear(n_in, 1)

    def forward(self, x):
        return self.linear(x)[:, 0]


# -- a minimal net estimator: everything below up to the marker --------------------


@fill_net_doc
class TinyLinearNet(RegressorMixin, BaseNeuralNet):
    """Least squares by gradient descent: the smallest net estimator.

    Parameters
    ----------
    {net_parameters}

    Attributes
    ----------
    {net_attributes}
    """

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
        max_epochs=40,
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
        return _LinearModule(X.shape[1])

    def _build_criterion(self):
        return torch.nn.MSELoss()

    @fit_guard
    def fit(self, X, y):
        X, y = validate_data(self, X, y, dtype=np.float64, y_numeric=True)
        return self._fit_net(X, y.astype(np.float32))

    @fit_guard
    def partial_fit(self, X, y):
        first = not hasattr(self, "net_")
        X, y = validate_data(self, X, y, dtype=np.float64, y_numeric=True, reset=first)
        return self._partial_fit_net(X, y.astype(np.float32))

    def predict(self, X):
        check_is_fitted(self)
        return self._forward64(validate_data(self, X, reset=False, dtype=np.float64))


# -- end of the minimal net estimator -----------------------------------------------


def test_a_new_net_needs_under_60_lines_beyond_its_module():
    n_lines = len(inspect.getsource(TinyLinearNet).splitlines())
    assert n_lines < 60, n_lines
    # The shared entries were written into its docstring, with its own defaults.
    assert "lr : float, default=0.05" in TinyLinearNet.__doc__
    assert "n_iter_no_change : int, default=5" in TinyLinearNet.__doc__
    assert "loss_curve_ : ndarray of shape (n_iter_,)" in TinyLinearNet.__doc__
    assert "{net_parameters}" not in TinyLinearNet.__doc__


@parametrize_with_checks([TinyLinearNet(max_epochs=20, random_state=0)])
def test_the_minimal_net_passes_the_common_checks(estimator, check):
    check(estimator)


def test_the_minimal_net_learns_least_squares():
    rng = np.random.RandomState(0)
    X = rng.randn(300, 3)
    y = X @ np.array([1.0, -2.0, 0.5]) + 3.0
    net = TinyLinearNet(max_epochs=150, random_state=0).fit(X, y)
    np.testing.assert_allclose(net.predict(X), y, atol=0.02)


def test_training_continues_exactly_where_it_stopped():
    X = np.random.RandomState(0).rand(200, 10)
    params = dict(hidden_layer_sizes=(8, 3), random_state=0)
    four = Autoencoder(max_epochs=4, **params).fit(X)
    two = Autoencoder(max_epochs=2, **params).fit(X)
    # "Train N more epochs on this data" is one call of the core: the optimizer
    # state and the random stream carry over, so 2 + 2 epochs equal 4.
    train_net(two.net_, X, epochs=2, state=two._fitted.net_state)
    np.testing.assert_array_equal(
        np.asarray(two.net_.history[:, "train_loss"]), four.loss_curve_
    )
    np.testing.assert_array_equal(two.transform(X), four.transform(X))


def test_partial_fit_is_one_epoch_and_keeps_the_optimizer_state():
    rng = np.random.RandomState(0)
    X = rng.randn(120, 2)
    y = X @ np.array([2.0, -1.0])
    net = TinyLinearNet(random_state=0)
    for call in range(1, 4):
        net.partial_fit(X, y)
        assert net.n_iter_ == call == len(net.loss_curve_)
        steps = {int(s["step"]) for s in net.net_.optimizer_.state.values()}
        assert steps == {4 * call}  # 120 rows in batches of 32: 4 Adam steps
    assert net.loss_curve_[-1] < net.loss_curve_[0]
    with pytest.raises(ValueError, match="features"):
        net.partial_fit(X[:, :1], y)


def test_a_failed_refit_leaves_the_estimator_clearly_unfitted():
    from sklearn.exceptions import NotFittedError

    X = np.random.RandomState(0).rand(100, 6)
    ae = Autoencoder((4, 2), max_epochs=2, random_state=0).fit(X)
    ae.set_params(optimizer="sgd", lr=1e4)
    with pytest.raises(ValueError, match="diverged"):
        ae.fit(np.hstack([X, X]) * 100)
    # Not the new n_features_in_ beside the old net: no fitted state at all.
    assert not hasattr(ae, "n_features_in_") and not hasattr(ae, "net_")
    with pytest.raises(NotFittedError):
        ae.transform(X)


# -- partial_fit on the package's nets ----------------------------------------------


def test_autoencoder_partial_fit_one_epoch_per_call_and_parameter_guard():
    X = np.random.RandomState(0).rand(150, 8)
    ae = Autoencoder((6, 2), batch_size=50, random_state=0)
    for call in (1, 2, 3):
        ae.partial_fit(X)
        assert ae.n_iter_ == call
        steps = {int(s["step"]) for s in ae.net_.optimizer_.state.values()}
        assert steps == {3 * call}
    assert ae.transform(X).shape == (150, 2)
    # Changing what shapes the net, then continuing it, is a clear error.
    ae.set_params(hidden_layer_sizes=(4, 2))
    with pytest.raises(ValueError, match=r"hidden_layer_sizes=\(4, 2\)"):
        ae.partial_fit(X)
    ae.set_params(hidden_layer_sizes=(6, 2), verbose=0)
    ae.partial_fit(X)  # back to the fitted parameters: continues
    assert ae.n_iter_ == 4


def test_stacked_classifier_partial_fit_needs_classes_and_rejects_unseen_labels():
    from sklearn_lecture.neural import StackedAutoencoderClassifier

    rng = np.random.RandomState(0)
    X = rng.randn(120, 4)
    y = (X[:, 0] > 0).astype(int)
    clf = StackedAutoencoderClassifier((8,), lr=0.01, random_state=0)
    with pytest.raises(ValueError, match="classes must be passed"):
        clf.partial_fit(X, y)
    for _ in range(30):
        clf.partial_fit(X, y, classes=[0, 1, 2])
    np.testing.assert_array_equal(clf.classes_, [0, 1, 2])
    assert clf.score(X, y) > 0.9
    before = clf.loss_curve_.copy()
    with pytest.raises(ValueError, match="not in classes"):
        clf.partial_fit(X, np.where(y == 1, 5, 0))
    # The failed call left the model as it was.
    np.testing.assert_array_equal(clf.loss_curve_, before)


def test_inference_runs_in_the_precision_of_the_input():
    X = np.random.RandomState(0).rand(300, 8)
    ae = Autoencoder((6, 2), max_epochs=2, random_state=0).fit(X)
    codes32 = ae.transform(X.astype(np.float32))
    codes64 = ae.transform(X)
    assert codes32.dtype == np.float32 and codes64.dtype == np.float64
    np.testing.assert_allclose(codes32, codes64, rtol=1e-5, atol=1e-6)
    # The trained module itself is untouched (still float32, same mode): each
    # call runs an eval-mode copy of it in the input's precision.
    assert next(ae.net_.module_.parameters()).dtype == torch.float32
    assert ae.net_.module_.training
