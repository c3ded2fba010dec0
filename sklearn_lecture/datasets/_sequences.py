"""Generated sequence data sets: the adding problem and the Mackey-Glass series."""

import numbers

import numpy as np
from sklearn.utils import check_random_state

__all__ = ["make_adding_problem", "make_mackey_glass"]


def _check_int(name, value, minimum):
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise ValueError(f"{name} must be an integer, got {value!r}.")
    if value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value!r}.")
    return int(value)


def _check_positive(name, value):
    if (
        isinstance(value, bool)
        or not isinstance(value, numbers.Real)
        or not np.isfinite(value)
        or value <= 0
    ):
        raise ValueError(f"{name} must be a finite number > 0, got {value!r}.")
    return float(value)


def _check_multiple(name, value, dt):
    # The delay and the sampling step must fall on the integration grid, otherwise
    # the delayed value would need interpolation between grid points.
    steps = round(value / dt)
    if steps < 1 or abs(steps * dt - value) > 1e-9 * max(1.0, value):
        raise ValueError(
            f"{name}={value!r} must be a positive integer multiple of dt={dt!r}."
        )
    return steps


def make_adding_problem(n_samples, n_timesteps, random_state=None):
    """Generate the adding problem, a long-memory test for recurrent networks.

    Each sequence has two channels: values drawn uniformly on [0, 1], and markers
    that are 0 everywhere except for exactly two 1s, one in the first half of the
    sequence and one in the second half. The target is the sum of the two marked
    values, so a network must carry the first one across about ``n_timesteps / 2``
    steps: the test of Hochreiter & Schmidhuber (1997), in the form of Le, Jaitly &
    Hinton (2015). Predicting the mean, 1, always gives a mean squared error of
    Var(u₁ + u₂) = 1/6 ≈ 0.167.

    Parameters
    ----------
    n_samples : int
        Number of sequences (>= 1).
    n_timesteps : int
        Length ``T`` of each sequence (>= 2). The first half is the steps
        ``0 .. T // 2 - 1``, the second half ``T // 2 .. T - 1``.
    random_state : int, RandomState instance or None, default=None
        Seed of the values and marker positions.

    Returns
    -------
    X : ndarray of shape (n_samples, n_timesteps, 2)
        ``X[..., 0]`` the values, ``X[..., 1]`` the markers (float64).
    y : ndarray of shape (n_samples,)
        The sum of the two marked values.

    References
    ----------
    .. [1] S. Hochreiter and J. Schmidhuber, "Long short-term memory", Neural
       Computation 9(8), 1997.
    .. [2] Q. V. Le, N. Jaitly and G. E. Hinton, "A simple way to initialize
       recurrent networks of rectified linear units", arXiv:1504.00941, 2015.

    Examples
    --------
    >>> from sklearn_lecture.datasets import make_adding_problem
    >>> X, y = make_adding_problem(4, 10, random_state=0)
    >>> X.shape, y.shape
    ((4, 10, 2), (4,))
    >>> X[..., 1].sum(axis=1)
    array([2., 2., 2., 2.])
    """
    n_samples = _check_int("n_samples", n_samples, 1)
    n_timesteps = _check_int("n_timesteps", n_timesteps, 2)
    rng = check_random_state(random_state)
    half = n_timesteps // 2
    values = rng.uniform(0.0, 1.0, size=(n_samples, n_timesteps))
    first = rng.randint(0, half, size=n_samples)
    second = rng.randint(half, n_timesteps, size=n_samples)
    rows = np.arange(n_samples)
    markers = np.zeros((n_samples, n_timesteps))
    markers[rows, first] = 1.0
    markers[rows, second] = 1.0
    X = np.stack([values, markers], axis=-1)
    y = values[rows, first] + values[rows, second]
    return X, y


def _integrate_mackey_glass(history, n_steps, delay, dt, beta, gamma, n):
    """RK4 on the grid ``dt`` with the delayed term linearly interpolated.

    ``history`` holds x on the ``delay + 1`` grid points t = −τ, ..., 0. The loop
    runs over time steps, each depending on the previous one: a delay differential
    equation cannot be vectorised over time.
    """
    x = list(map(float, history))
    x.extend([0.0] * n_steps)

    def f(x_now, x_delayed):
        return beta * x_delayed / (1.0 + x_delayed**n) - gamma * x_now

    for i in range(delay, delay + n_steps):
        lag0 = x[i - delay]  # x(t − τ)
        lag1 = x[i - delay + 1]  # x(t + dt − τ)
        lag_half = 0.5 * (lag0 + lag1)  # x(t + dt/2 − τ), interpolated
        xi = x[i]
        k1 = f(xi, lag0)
        k2 = f(xi + 0.5 * dt * k1, lag_half)
        k3 = f(xi + 0.5 * dt * k2, lag_half)
        k4 = f(xi + dt * k3, lag1)
        x[i + 1] = xi + dt / 6.0 * (k1 + 2.0 * k2 + 2.0 * k3 + k4)
    return np.asarray(x[delay + 1 :])


def make_mackey_glass(
    n_samples,
    tau=17,
    *,
    n_timesteps=None,
    horizon=1,
    beta=0.2,
    gamma=0.1,
    n=10,
    sample_step=1.0,
    dt=0.1,
    burn_in=1000.0,
    random_state=None,
):
    r"""Generate the chaotic Mackey-Glass series, optionally as forecasting windows.

    The series solves the delay differential equation

    .. math::

        \frac{dx}{dt} = \beta \frac{x(t - \tau)}{1 + x(t - \tau)^n} - \gamma x(t),

    chaotic for τ = 17 with the usual β = 0.2, γ = 0.1, n = 10 (periodic for
    τ below about 16.8). It is integrated by the classical fourth-order Runge-Kutta
    scheme with step ``dt``; the delayed value at the half step is the mean of its
    two grid neighbours. The initial history on [−τ, 0] is drawn uniformly on
    [0.5, 1.5] at each grid point from ``random_state``; the first ``burn_in`` time
    units are dropped so the series lies on the attractor, and the rest is sampled
    every ``sample_step`` time units.

    Parameters
    ----------
    n_samples : int
        Length of the returned series, or number of windows when ``n_timesteps``
        is given (>= 1).
    tau : float, default=17
        The delay τ; a positive integer multiple of ``dt``.
    n_timesteps : int or None, default=None
        ``None`` returns the series. An integer returns sliding windows of that
        many consecutive samples as ``X`` and the sample ``horizon`` steps after
        each window as ``y``: a one-step (or multi-step) forecasting task whose
        ``X`` is read by :class:`~sklearn_lecture.RNNRegressor` as univariate
        sequences.
    horizon : int, default=1
        How many samples after the window's last one the target lies (>= 1).
    beta, gamma, n : float, default=0.2, 0.1, 10
        The equation's constants.
    sample_step : float, default=1.0
        Time between two returned samples; a positive integer multiple of ``dt``.
    dt : float, default=0.1
        Integration step.
    burn_in : float, default=1000.0
        Time units integrated and dropped before the first sample (>= 0).
    random_state : int, RandomState instance or None, default=None
        Seed of the initial history.

    Returns
    -------
    x : ndarray of shape (n_samples,)
        The series, when ``n_timesteps`` is None.
    X, y : ndarray of shape (n_samples, n_timesteps) and (n_samples,)
        Windows and their targets, when ``n_timesteps`` is given. Window ``i`` is
        ``x[i : i + n_timesteps]`` and ``y[i] = x[i + n_timesteps - 1 + horizon]``
        of one series of length ``n_samples + n_timesteps + horizon - 1``.

    References
    ----------
    .. [1] M. C. Mackey and L. Glass, "Oscillation and chaos in physiological
       control systems", Science 197(4300), 1977.

    Examples
    --------
    >>> from sklearn_lecture.datasets import make_mackey_glass
    >>> x = make_mackey_glass(500, random_state=0)
    >>> x.shape, bool(0.2 < x.min() < x.max() < 1.4)
    ((500,), True)
    >>> X, y = make_mackey_glass(100, n_timesteps=20, random_state=0)
    >>> X.shape, y.shape
    ((100, 20), (100,))
    """
    n_samples = _check_int("n_samples", n_samples, 1)
    if n_timesteps is not None:
        n_timesteps = _check_int("n_timesteps", n_timesteps, 1)
    horizon = _check_int("horizon", horizon, 1)
    tau = _check_positive("tau", tau)
    beta = _check_positive("beta", beta)
    gamma = _check_positive("gamma", gamma)
    n = _check_positive("n", n)
    dt = _check_positive("dt", dt)
    sample_step = _check_positive("sample_step", sample_step)
    if (
        isinstance(burn_in, bool)
        or not isinstance(burn_in, numbers.Real)
        or not np.isfinite(burn_in)
        or burn_in < 0
    ):
        raise ValueError(f"burn_in must be a finite number >= 0, got {burn_in!r}.")
    delay = _check_multiple("tau", tau, dt)
    stride = _check_multiple("sample_step", sample_step, dt)
    rng = check_random_state(random_state)

    length = n_samples if n_timesteps is None else n_samples + n_timesteps + horizon - 1
    n_burn = int(np.ceil(burn_in / dt))
    history = rng.uniform(0.5, 1.5, size=delay + 1)
    x = _integrate_mackey_glass(
        history, n_burn + length * stride, delay, dt, beta, gamma, n
    )
    series = x[n_burn + stride - 1 :: stride][:length]
    if n_timesteps is None:
        return series
    windows = np.lib.stride_tricks.sliding_window_view(series, n_timesteps)
    X = np.ascontiguousarray(windows[:n_samples])
    y = series[n_timesteps - 1 + horizon :][:n_samples].copy()
    return X, y
