"""The lecture's optimizers and schedules against their algorithms written in numpy."""

import math
import pickle

import numpy as np
import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("skorch")

from skorch import NeuralNetRegressor  # noqa: E402

from sklearn_lecture.neural._optim import (  # noqa: E402
    LR_SCHEDULES,
    OPTIMIZERS,
    RMSPropNesterov,
    make_lr_scheduler,
    resolve_optimizer,
)

# A small ill-conditioned quadratic L(θ) = ½ θᵀAθ − bᵀθ, gradient Aθ − b.
_A = np.array([[3.0, 0.5, 0.0], [0.5, 1.0, 0.2], [0.0, 0.2, 0.3]])
_B = np.array([1.0, -2.0, 0.5])
_THETA0 = np.array([0.7, -1.3, 2.1])


def _grad(theta):
    return _A @ theta - _B


def _torch_trajectory(cls, kwargs, lr, n_steps):
    theta = torch.nn.Parameter(torch.tensor(_THETA0, dtype=torch.float64))
    A, b = torch.tensor(_A), torch.tensor(_B)
    opt = cls([theta], lr=lr, **kwargs)
    out = []
    for _ in range(n_steps):
        opt.zero_grad()
        loss = 0.5 * theta @ A @ theta - b @ theta
        loss.backward()
        opt.step()
        out.append(theta.detach().numpy().copy())
    return np.array(out)


# The lecture's algorithms (Goodfellow et al., Deep Learning, ch. 8), by hand. Each
# returns the parameters torch stores after every step; for the Nesterov variants
# that is the look-ahead point θ + αv.
def _sgd(lr, n, **_):
    theta, out = _THETA0.copy(), []
    for _ in range(n):
        theta = theta - lr * _grad(theta)
        out.append(theta)
    return np.array(out)


def _momentum(lr, n, alpha, **_):  # Alg. 8.2
    theta, v, out = _THETA0.copy(), np.zeros(3), []
    for _ in range(n):
        v = alpha * v - lr * _grad(theta)
        theta = theta + v
        out.append(theta)
    return np.array(out)


def _nesterov(lr, n, alpha, **_):  # Alg. 8.3
    theta, v, out = _THETA0.copy(), np.zeros(3), []
    for _ in range(n):
        g = _grad(theta + alpha * v)
        v = alpha * v - lr * g
        theta = theta + v
        out.append(theta + alpha * v)
    return np.array(out)


def _adagrad(lr, n, delta=1e-10, **_):  # Alg. 8.4 (torch adds δ outside the root)
    theta, r, out = _THETA0.copy(), np.zeros(3), []
    for _ in range(n):
        g = _grad(theta)
        r = r + g * g
        theta = theta - lr * g / (delta + np.sqrt(r))
        out.append(theta)
    return np.array(out)


def _rmsprop(lr, n, rho, delta=1e-8, **_):  # Alg. 8.5 (torch adds δ outside the root)
    theta, r, out = _THETA0.copy(), np.zeros(3), []
    for _ in range(n):
        g = _grad(theta)
        r = rho * r + (1 - rho) * g * g
        theta = theta - lr * g / (delta + np.sqrt(r))
        out.append(theta)
    return np.array(out)


def _rmsprop_nesterov(lr, n, alpha, rho, delta=1e-6, **_):  # Alg. 8.6
    theta, v, r, out = _THETA0.copy(), np.zeros(3), np.zeros(3), []
    for _ in range(n):
        theta_tilde = theta + alpha * v
        g = _grad(theta_tilde)
        r = rho * r + (1 - rho) * g * g
        v = alpha * v - lr / np.sqrt(delta + r) * g
        theta = theta + v
        out.append(theta + alpha * v)
    return np.array(out)


def _adam(lr, n, rho1=0.9, rho2=0.999, delta=1e-8, **_):  # Alg. 8.7
    theta, s, r, out = _THETA0.copy(), np.zeros(3), np.zeros(3), []
    for t in range(1, n + 1):
        g = _grad(theta)
        s = rho1 * s + (1 - rho1) * g
        r = rho2 * r + (1 - rho2) * g * g
        s_hat, r_hat = s / (1 - rho1**t), r / (1 - rho2**t)
        theta = theta - lr * s_hat / (np.sqrt(r_hat) + delta)
        out.append(theta)
    return np.array(out)


_REFERENCES = {
    "sgd": _sgd,
    "momentum": _momentum,
    "nesterov": _nesterov,
    "adagrad": _adagrad,
    "rmsprop": _rmsprop,
    "rmsprop_nesterov": _rmsprop_nesterov,
    "adam": _adam,
}


def test_every_lecture_optimizer_has_a_reference():
    assert set(_REFERENCES) == set(OPTIMIZERS)


@pytest.mark.parametrize("name", OPTIMIZERS)
@pytest.mark.parametrize("alpha, rho", [(0.9, 0.9), (0.5, 0.99)])
def test_optimizer_follows_the_lecture_algorithm(name, alpha, rho):
    lr, n_steps = 0.05, 12
    cls, kwargs = resolve_optimizer(name, momentum=alpha, rho=rho)
    got = _torch_trajectory(cls, kwargs, lr, n_steps)
    expected = _REFERENCES[name](lr, n_steps, alpha=alpha, rho=rho)
    np.testing.assert_allclose(got, expected, rtol=1e-10, atol=1e-12)
    # The trajectory moves: the test would catch a no-op optimizer.
    assert np.linalg.norm(got[-1] - _THETA0) > 1e-2


def test_rmsprop_nesterov_by_hand_two_groups_and_float32():
    # Two parameter groups with different hyperparameters, float32 as in training.
    w1 = torch.nn.Parameter(torch.tensor([1.0, -2.0]))
    w2 = torch.nn.Parameter(torch.tensor([0.5]))
    opt = RMSPropNesterov(
        [{"params": [w1]}, {"params": [w2], "lr": 0.2, "momentum": 0.3}],
        lr=0.1,
        rho=0.8,
        momentum=0.7,
        eps=1e-4,
    )
    # L = Σ c_i w_i², gradient 2 c w.
    c1, c2 = np.array([1.0, 3.0]), np.array([2.0])
    ref = []
    for c, th0, lr, alpha in [(c1, [1.0, -2.0], 0.1, 0.7), (c2, [0.5], 0.2, 0.3)]:
        theta, v, r = np.array(th0), np.zeros(len(th0)), np.zeros(len(th0))
        for _ in range(5):
            g = 2 * c * (theta + alpha * v)
            r = 0.8 * r + 0.2 * g * g
            v = alpha * v - lr / np.sqrt(1e-4 + r) * g
            theta = theta + v
        ref.append(theta + alpha * v)
    for _ in range(5):
        opt.zero_grad()
        loss = (torch.tensor(c1, dtype=torch.float32) * w1**2).sum() + (
            torch.tensor(c2, dtype=torch.float32) * w2**2
        ).sum()
        loss.backward()
        opt.step()
    np.testing.assert_allclose(w1.detach().numpy(), ref[0], rtol=1e-5)
    np.testing.assert_allclose(w2.detach().numpy(), ref[1], rtol=1e-5)


def test_rmsprop_nesterov_state_survives_pickle():
    w = torch.nn.Parameter(torch.tensor([1.0, -2.0]))
    opt = RMSPropNesterov([w], lr=0.1)
    (w**2).sum().backward()
    opt.step()
    state = pickle.loads(pickle.dumps(opt.state_dict()))
    opt2 = RMSPropNesterov([w], lr=0.1)
    opt2.load_state_dict(state)
    np.testing.assert_array_equal(
        opt2.state[w]["velocity"].numpy(), opt.state[w]["velocity"].numpy()
    )


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"lr": -1.0}, "lr"),
        ({"rho": 1.0}, "rho"),
        ({"momentum": -0.1}, "momentum"),
        ({"eps": 0.0}, "eps"),
    ],
)
def test_rmsprop_nesterov_rejects_bad_hyperparameters(kwargs, match):
    w = torch.nn.Parameter(torch.zeros(2))
    with pytest.raises(ValueError, match=match):
        RMSPropNesterov([w], **kwargs)


def test_resolve_optimizer_kwargs():
    assert resolve_optimizer("sgd", momentum=0.9, rho=0.9) == (torch.optim.SGD, {})
    assert resolve_optimizer("momentum", momentum=0.8, rho=0.9) == (
        torch.optim.SGD,
        {"momentum": 0.8},
    )
    assert resolve_optimizer("rmsprop", momentum=0.8, rho=0.95) == (
        torch.optim.RMSprop,
        {"alpha": 0.95},
    )
    assert resolve_optimizer("rmsprop_nesterov", momentum=0.8, rho=0.95) == (
        RMSPropNesterov,
        {"rho": 0.95, "momentum": 0.8},
    )


def test_resolve_optimizer_unknown_name_lists_the_valid_ones():
    with pytest.raises(ValueError, match="Unknown optimizer 'lbfgs'") as exc:
        resolve_optimizer("lbfgs", momentum=0.9, rho=0.9)
    for name in OPTIMIZERS:
        assert name in str(exc.value)


@pytest.mark.parametrize(
    "name, momentum, rho, match",
    [
        ("nesterov", 0.0, 0.9, "momentum > 0"),
        ("momentum", 1.5, 0.9, "momentum"),
        ("rmsprop", 0.9, 1.0, "rho"),
    ],
)
def test_resolve_optimizer_bad_values(name, momentum, rho, match):
    with pytest.raises(ValueError, match=match):
        resolve_optimizer(name, momentum=momentum, rho=rho)


def _expected_lr(schedule, lr0, t, k=0.3, step_size=2, gamma=0.5):
    if schedule == "exponential":
        return lr0 * math.exp(-k * t)
    if schedule == "inverse_time":
        return lr0 / (1 + k * t)
    return lr0 * gamma ** (t // step_size)


@pytest.mark.parametrize("schedule", LR_SCHEDULES)
def test_schedule_follows_its_formula(schedule):
    rng = np.random.RandomState(0)
    X = rng.rand(32, 3).astype(np.float32)
    y = X.sum(axis=1, keepdims=True)
    cb = make_lr_scheduler(schedule, lr_decay=0.3, lr_step_size=2, lr_step_gamma=0.5)
    # Pickled before use, as GridSearchCV clones and fitted nets are pickled.
    cb = pickle.loads(pickle.dumps(cb))
    lr0, n_epochs = 0.1, 7
    net = NeuralNetRegressor(
        torch.nn.Linear(3, 1),
        lr=lr0,
        max_epochs=n_epochs,
        train_split=None,
        callbacks=[cb],
        verbose=0,
    ).fit(X, y)
    # History holds the learning rate used during epoch t (t epochs done before it).
    expected = [_expected_lr(schedule, lr0, t) for t in range(n_epochs)]
    np.testing.assert_allclose(net.history[:, "event_lr"], expected, rtol=1e-12)
    np.testing.assert_allclose(
        net.optimizer_.param_groups[0]["lr"],
        _expected_lr(schedule, lr0, n_epochs),
        rtol=1e-12,
    )
    restored = pickle.loads(pickle.dumps(net))
    assert restored.optimizer_.param_groups[0]["lr"] == pytest.approx(
        _expected_lr(schedule, lr0, n_epochs)
    )


def test_no_schedule_is_none():
    assert (
        make_lr_scheduler(None, lr_decay=0.1, lr_step_size=1, lr_step_gamma=0.1) is None
    )


@pytest.mark.parametrize(
    "schedule, kwargs, match",
    [
        ("cosine", {}, "Unknown lr_schedule 'cosine'"),
        ("step", {"lr_step_size": 0}, "lr_step_size"),
        ("step", {"lr_step_gamma": 0.0}, "lr_step_gamma"),
        ("exponential", {"lr_decay": -1.0}, "lr_decay"),
    ],
)
def test_schedule_bad_values(schedule, kwargs, match):
    params = {"lr_decay": 0.1, "lr_step_size": 1, "lr_step_gamma": 0.5} | kwargs
    with pytest.raises(ValueError, match=match):
        make_lr_scheduler(schedule, **params)
