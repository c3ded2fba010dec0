"""The generated sequence data sets: shapes, definitions, reproducibility, dynamics."""

import numpy as np
import pytest

from sklearn_lecture.datasets import make_adding_problem, make_mackey_glass
from sklearn_lecture.datasets._sequences import _integrate_mackey_glass


@pytest.mark.parametrize("n_timesteps", [2, 3, 10, 51])
def test_adding_problem_definition(n_timesteps):
    X, y = make_adding_problem(300, n_timesteps, random_state=0)
    assert X.shape == (300, n_timesteps, 2) and y.shape == (300,)
    assert X.dtype == np.float64 and y.dtype == np.float64
    values, markers = X[..., 0], X[..., 1]
    assert values.min() >= 0.0 and values.max() <= 1.0
    assert set(np.unique(markers)) <= {0.0, 1.0}
    half = n_timesteps // 2
    np.testing.assert_array_equal(markers[:, :half].sum(axis=1), 1.0)
    np.testing.assert_array_equal(markers[:, half:].sum(axis=1), 1.0)
    # The target, recomputed by a loop over the marker positions.
    expected = [v[m == 1].sum() for v, m in zip(values, markers)]
    np.testing.assert_allclose(y, expected, rtol=0, atol=1e-15)


def test_adding_problem_statistics():
    X, y = make_adding_problem(20000, 20, random_state=0)
    # Uniform values and markers spread over each half; predicting the mean gives
    # Var(u1 + u2) = 1/6.
    assert X[..., 0].mean() == pytest.approx(0.5, abs=0.01)
    assert np.mean((y - y.mean()) ** 2) == pytest.approx(1 / 6, abs=0.01)
    counts = X[..., 1].sum(axis=0)
    np.testing.assert_allclose(counts[:10], 2000, rtol=0.1)
    np.testing.assert_allclose(counts[10:], 2000, rtol=0.1)


def test_adding_problem_is_reproducible():
    X1, y1 = make_adding_problem(50, 8, random_state=3)
    X2, y2 = make_adding_problem(50, 8, random_state=np.random.RandomState(3))
    X3, _ = make_adding_problem(50, 8, random_state=4)
    np.testing.assert_array_equal(X1, X2)
    np.testing.assert_array_equal(y1, y2)
    assert not np.array_equal(X1, X3)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"n_samples": 0, "n_timesteps": 5}, "n_samples must be >= 1"),
        ({"n_samples": 2.5, "n_timesteps": 5}, "n_samples must be an integer"),
        ({"n_samples": 5, "n_timesteps": 1}, "n_timesteps must be >= 2"),
        ({"n_samples": 5, "n_timesteps": "10"}, "n_timesteps must be an integer"),
    ],
)
def test_adding_problem_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        make_adding_problem(**kwargs)


def test_mackey_glass_range_and_reproducibility():
    x = make_mackey_glass(2000, random_state=0)
    assert x.shape == (2000,) and x.dtype == np.float64
    # The τ = 17 attractor lies within about [0.4, 1.35].
    assert 0.2 < x.min() < 0.5 and 1.2 < x.max() < 1.4
    np.testing.assert_array_equal(x, make_mackey_glass(2000, random_state=0))
    assert not np.allclose(x, make_mackey_glass(2000, random_state=1))


def _smallest_return_distance(x, min_period=10, max_period=500):
    # How close the series comes to repeating itself after some shift p: about 0 for
    # a periodic series (a shift by its period), large for a chaotic one.
    return min(np.abs(x[p:] - x[:-p]).max() for p in range(min_period, max_period + 1))


def test_mackey_glass_is_chaotic_at_tau_17_and_periodic_below():
    chaotic = make_mackey_glass(1500, tau=17, random_state=0)
    periodic = make_mackey_glass(1500, tau=7, random_state=0)
    assert chaotic.std() > 0.15
    assert _smallest_return_distance(chaotic[-1000:]) > 0.1
    # The same test recognises the limit cycle at τ = 7.
    assert _smallest_return_distance(periodic[-1000:]) < 0.01


def test_mackey_glass_sensitive_to_initial_conditions():
    # A history perturbed by 1e-9 ends up far away (positive Lyapunov exponent).
    dt, delay = 0.1, 170
    history = np.random.RandomState(0).uniform(0.5, 1.5, size=delay + 1)
    a = _integrate_mackey_glass(history, 30000, delay, dt, 0.2, 0.1, 10.0)
    b = _integrate_mackey_glass(history + 1e-9, 30000, delay, dt, 0.2, 0.1, 10.0)
    assert np.abs(a[:2000] - b[:2000]).max() < 1e-6
    assert np.abs(a[-5000:] - b[-5000:]).max() > 0.1


def test_mackey_glass_solves_the_equation():
    # Central differences of a finely sampled series against the right-hand side.
    h, delay = 0.1, 170
    x = make_mackey_glass(3000, sample_step=h, random_state=0)
    dx = (x[delay + 2 :] - x[delay:-2]) / (2 * h)
    x_now, x_lag = x[delay + 1 : -1], x[1 : -delay - 1]
    rhs = 0.2 * x_lag / (1 + x_lag**10) - 0.1 * x_now
    np.testing.assert_allclose(dx, rhs, atol=1e-4)


def test_mackey_glass_integrator_converges():
    # Halving dt shrinks the error against a fine reference (at least first order).
    def run(dt):
        delay = round(17 / dt)
        x = _integrate_mackey_glass(
            np.full(delay + 1, 1.2), round(200 / dt), delay, dt, 0.2, 0.1, 10.0
        )
        return x[round(1 / dt) - 1 :: round(1 / dt)]

    ref = run(0.025)
    errors = [np.abs(run(dt) - ref).max() for dt in (0.2, 0.1, 0.05)]
    assert errors[0] < 1e-3
    assert errors[1] < errors[0] / 2.5 and errors[2] < errors[1] / 2.5


def test_mackey_glass_windows():
    X, y = make_mackey_glass(100, n_timesteps=20, horizon=3, random_state=0)
    x = make_mackey_glass(100 + 20 + 3 - 1, random_state=0)
    assert X.shape == (100, 20) and y.shape == (100,)
    np.testing.assert_array_equal(X[7], x[7:27])
    np.testing.assert_array_equal(y, x[22:122])
    assert X.flags.c_contiguous


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"n_samples": 0}, "n_samples must be >= 1"),
        ({"n_samples": 10, "tau": -1}, "tau must be"),
        ({"n_samples": 10, "tau": 17.05}, "multiple of dt"),
        ({"n_samples": 10, "sample_step": 0.25}, "sample_step=0.25 must be"),
        ({"n_samples": 10, "dt": 0}, "dt must be"),
        ({"n_samples": 10, "beta": np.nan}, "beta must be"),
        ({"n_samples": 10, "burn_in": -1}, "burn_in must be"),
        ({"n_samples": 10, "n_timesteps": 0}, "n_timesteps must be >= 1"),
        ({"n_samples": 10, "horizon": 0}, "horizon must be >= 1"),
    ],
)
def test_mackey_glass_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        make_mackey_glass(**kwargs)


@pytest.mark.parametrize("gamma, dt", [(3, 1), (30, 1), (2.8, 1), (30, 0.1)])
def test_mackey_glass_refuses_an_unstable_step(gamma, dt):
    # Before: OverflowError (34, 'Numerical result out of range'), or, just
    # beyond RK4's limit, a finite series of meaningless, growing values.
    with pytest.raises(ValueError, match=r"unstable with dt=.*reduce dt"):
        make_mackey_glass(50, gamma=gamma, dt=dt)
    # A step 20 times smaller is stable: the series decays towards 0 (gamma >
    # beta), positive and finite.
    x = make_mackey_glass(50, gamma=gamma, dt=dt / 20, random_state=0)
    assert np.all(np.isfinite(x)) and np.all(x >= 0) and x.max() < 1.5


def test_mackey_glass_refuses_a_series_that_overflows():
    # A stable step, but constants whose series leaves the range of floats.
    with pytest.raises(ValueError, match="series overflowed with beta=1e"):
        make_mackey_glass(50, beta=1e300, n=0.5, random_state=0)
