"""Generated sequence data sets and a layout helper.

The adding problem, the Mackey-Glass series, the temporal-order problem and a
sequence-labelling task (running parity), plus :func:`to_channels_last`.
"""

import numbers

import numpy as np
from sklearn.utils import check_random_state


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


# Where RK4's amplification of x' = -gamma x, 1 + z + z^2/2 + z^3/6 + z^4/24 at
# z = -gamma * dt, reaches 1 (its real root is -2.78529...).
_RK4_LIMIT = 2.785


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

    Raises
    ------
    ValueError
        For a parameter out of range, a ``dt`` too large for the integration
        to be stable (``gamma * dt`` must stay below 2.785), or constants whose
        series overflows.

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
    # RK4 damps the decay -gamma x only for gamma * dt below _RK4_LIMIT; beyond
    # it the iterates grow until they overflow, or stay finite but meaningless.
    if gamma * dt >= _RK4_LIMIT:
        raise ValueError(
            f"The Runge-Kutta integration is unstable with dt={dt!r} and gamma="
            f"{gamma!r}: reduce dt (gamma * dt must stay below {_RK4_LIMIT})."
        )
    rng = check_random_state(random_state)

    length = n_samples if n_timesteps is None else n_samples + n_timesteps + horizon - 1
    n_burn = int(np.ceil(burn_in / dt))
    history = rng.uniform(0.5, 1.5, size=delay + 1)
    try:
        x = _integrate_mackey_glass(
            history, n_burn + length * stride, delay, dt, beta, gamma, n
        )
    except OverflowError:
        x = None
    if x is None or np.iscomplexobj(x) or not np.all(np.isfinite(x)):
        raise ValueError(
            f"The Mackey-Glass series overflowed with beta={beta!r}, gamma="
            f"{gamma!r}, n={n!r} and dt={dt!r}: its values leave the range of "
            "floats."
        )
    series = x[n_burn + stride - 1 :: stride][:length]
    if n_timesteps is None:
        return series
    windows = np.lib.stride_tricks.sliding_window_view(series, n_timesteps)
    X = np.ascontiguousarray(windows[:n_samples])
    y = series[n_timesteps - 1 + horizon :][:n_samples].copy()
    return X, y


#: Symbols of the temporal-order problem, in the order of the one-hot features.
TEMPORAL_ORDER_SYMBOLS = ("a", "b", "c", "d", "B", "E", "X", "Y")


def make_temporal_order(n_samples, n_timesteps=100, random_state=None):
    """Generate the temporal-order problem of Hochreiter & Schmidhuber (1997).

    Each sequence is a string of symbols, one-hot encoded over
    ``("a", "b", "c", "d", "B", "E", "X", "Y")`` (8 features per step): as in
    the paper, it starts with ``E``, ends with ``B`` (the trigger symbol, after
    which the class is read), and between them holds random
    distractors from ``a, b, c, d`` except at two steps ``t1`` and ``t2``, which
    hold ``X`` or ``Y``. The class is the order of the two relevant symbols:
    0 = XX, 1 = XY, 2 = YX, 3 = YY (chance: 25 %). As in experiment 6a of the
    paper, ``t1`` is drawn uniformly in the first tenth to fifth of the
    sequence (steps 10–20 of 100) and ``t2`` in its middle (steps 50–60 of
    100), so the first symbol must be remembered for ~80 steps among
    distractors: LSTM and GRU learn it, a plain tanh RNN stays at chance.

    Parameters
    ----------
    n_samples : int
        Number of sequences (>= 1).
    n_timesteps : int, default=100
        Length of each sequence (>= 10).
    random_state : int, RandomState instance or None, default=None
        Seed of the symbols and positions.

    Returns
    -------
    X : ndarray of shape (n_samples, n_timesteps, 8)
        One-hot symbols (float64).
    y : ndarray of shape (n_samples,)
        Classes 0 (XX), 1 (XY), 2 (YX), 3 (YY).

    References
    ----------
    S. Hochreiter and J. Schmidhuber, "Long short-term memory", Neural
    Computation 9(8), 1997, experiment 6a.

    Examples
    --------
    >>> from sklearn_lecture.datasets import make_temporal_order
    >>> X, y = make_temporal_order(4, 100, random_state=0)
    >>> X.shape, y.tolist()
    ((4, 100, 8), [3, 0, 1, 3])
    """
    n_samples = _check_int("n_samples", n_samples, 1)
    n_timesteps = _check_int("n_timesteps", n_timesteps, 10)
    rng = check_random_state(random_state)
    symbols = rng.randint(0, 4, size=(n_samples, n_timesteps))
    symbols[:, 0] = 5  # E
    symbols[:, -1] = 4  # B, the trigger
    t1 = rng.randint(n_timesteps // 10, n_timesteps // 5 + 1, size=n_samples)
    t2 = rng.randint(n_timesteps // 2, 6 * n_timesteps // 10 + 1, size=n_samples)
    first, second = rng.randint(0, 2, size=(2, n_samples))
    rows = np.arange(n_samples)
    symbols[rows, t1] = 6 + first
    symbols[rows, t2] = 6 + second
    X = np.eye(len(TEMPORAL_ORDER_SYMBOLS))[symbols]
    return X, 2 * first + second


def make_sequence_labelling(n_samples, n_timesteps=10, random_state=None):
    """Generate a sequence-labelling task: the running parity of random bits.

    Each sequence is ``n_timesteps`` random bits x_1 … x_T (0 or 1, equally
    likely); the label of step t is the parity of the ones seen so far,
    ``y_t = (x_1 + … + x_t) mod 2``. The answer is known exactly and depends on
    the whole past, so a network must keep one bit of state and flip it on
    each 1: a many-to-many task where predicting from the current input alone
    gets 50 %.

    Parameters
    ----------
    n_samples : int
        Number of sequences (>= 1).
    n_timesteps : int, default=10
        Length of each sequence (>= 1).
    random_state : int, RandomState instance or None, default=None
        Seed of the bits.

    Returns
    -------
    X : ndarray of shape (n_samples, n_timesteps)
        The bits (float64), one feature per step.
    y : ndarray of shape (n_samples, n_timesteps)
        The running parity (int64).

    Examples
    --------
    >>> from sklearn_lecture.datasets import make_sequence_labelling
    >>> X, y = make_sequence_labelling(1, 6, random_state=0)
    >>> X[0].astype(int).tolist(), y[0].tolist()
    ([0, 1, 1, 0, 1, 1], [0, 1, 0, 0, 1, 0])
    """
    n_samples = _check_int("n_samples", n_samples, 1)
    n_timesteps = _check_int("n_timesteps", n_timesteps, 1)
    rng = check_random_state(random_state)
    bits = rng.randint(0, 2, size=(n_samples, n_timesteps))
    return bits.astype(np.float64), np.cumsum(bits, axis=1) % 2


def to_channels_last(X):
    """Turn channels-first sequences (sktime, aeon) into this package's layout.

    sktime's and aeon's estimators take 3-D arrays of shape
    ``(n_samples, n_channels, n_timesteps)``; the recurrent estimators here are
    batch-first with channels last, ``(n_samples, n_timesteps, n_channels)``, as
    torch's ``batch_first=True``. This swaps the last two axes (a contiguous
    copy); applying it twice gives back the input.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_channels, n_timesteps)
        Channels-first sequences.

    Returns
    -------
    X_last : ndarray of shape (n_samples, n_timesteps, n_channels)

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_lecture.datasets import to_channels_last
    >>> X = np.zeros((5, 3, 20))  # 5 series, 3 channels, 20 steps
    >>> to_channels_last(X).shape
    (5, 20, 3)
    """
    X = np.asarray(X)
    if X.ndim != 3:
        raise ValueError(
            "to_channels_last expects a 3-D array of shape (n_samples, n_channels, "
            f"n_timesteps); got a {X.ndim}-D array of shape {X.shape}."
        )
    return np.ascontiguousarray(np.swapaxes(X, 1, 2))
