"""Value iteration: the optimal Q table of an environment that exposes its model."""

import warnings
from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.exceptions import ConvergenceWarning

from ..utils._compat import Interval
from ..utils._params import store_params
from ..utils._validation import fit_guard
from ._base import _check_env, _GreedyPolicyMixin

__all__ = ["ValueIteration"]


def _model_entry(container, key, missing):
    """``container[key]``, or a ValueError saying what the model lacks."""
    try:
        return container[key]
    except (KeyError, IndexError):
        raise ValueError(f"The environment's model {missing}.") from None


def _transition_arrays(model, n_states, n_actions):
    """Flatten a Gymnasium model ``P[s][a] = [(p, s', r, terminated), ...]``.

    Returns the row ``s * n_actions + a`` of every transition with its probability,
    next state, reward and a continuation flag (0 when terminated).
    """
    rows, probs, next_states, rewards, continues = [], [], [], [], []
    for s in range(n_states):
        by_action = _model_entry(model, s, f"P has no entry for state {s}")
        for a in range(n_actions):
            transitions = _model_entry(
                by_action, a, f"P[{s}] has no entry for action {a}"
            )
            for transition in transitions:
                try:
                    p, s2, r, terminated = transition
                except (TypeError, ValueError):
                    raise ValueError(
                        f"The environment's model P[{s}][{a}] should be a list of "
                        "(probability, next_state, reward, terminated) tuples; it "
                        f"holds {transition!r}."
                    ) from None
                rows.append(s * n_actions + a)
                probs.append(p)
                next_states.append(s2)
                rewards.append(r)
                continues.append(not terminated)
    next_states = np.asarray(next_states, dtype=np.intp)
    if next_states.size and (next_states.min() < 0 or next_states.max() >= n_states):
        raise ValueError("The environment's model P leads to states out of range.")
    rows = np.asarray(rows, dtype=np.intp)
    return (
        rows,
        _finite(probs, "probability", rows, n_actions),
        next_states,
        _finite(rewards, "reward", rows, n_actions),
        np.asarray(continues, dtype=np.float64),
    )


def _finite(values, what, rows, n_actions):
    """``values`` as floats, or a ValueError naming the first that is not finite.

    A NaN reward or probability would make every value of the table NaN.
    """
    try:
        values = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(
            f"The environment's model P has a {what} that is not a number."
        ) from None
    bad = np.flatnonzero(~np.isfinite(values))
    if bad.size:
        s, a = divmod(int(rows[bad[0]]), n_actions)
        raise ValueError(
            f"The environment's model P has a {what} that is not finite: "
            f"{values[bad[0]]} in P[{s}][{a}]."
        )
    return values


class ValueIteration(_GreedyPolicyMixin, BaseEstimator):
    """Value iteration: exact dynamic programming on a known model.

    Repeats the Bellman optimality backup for every state at once,

        Q(s, a) = sum_s' p(s' | s, a) [r + gamma V(s')],   V(s) = max_a Q(s, a),

    with no bootstrap after a terminating transition, until V changes by less than
    ``tol``. The model is read from ``env.unwrapped.P`` in the form Gymnasium's
    toy-text environments use (``P[s][a]`` a list of ``(probability, next_state,
    reward, terminated)``). The result is the optimal Q table that the learning
    agents approach; it has the same ``q_table_``, ``value_``, ``policy_``,
    ``predict`` and ``evaluate``.

    Parameters
    ----------
    discount : float, default=0.99
        The discount factor gamma, in [0, 1]. With 1 the iteration converges when
        every policy's value is finite, as in episodic tasks whose episodes end
        (CliffWalking's shortest path, FrozenLake's probability of reaching the
        goal).

    tol : float, default=1e-10
        Stop when the largest change of V in a sweep is below ``tol``.

    max_iter : int, default=100_000
        The most sweeps; a ConvergenceWarning says when they did not suffice.

    Attributes
    ----------
    q_table_ : ndarray of shape (`n_states_`, `n_actions_`)
        The optimal action values.

    value_ : ndarray of shape (`n_states_`,)
        The optimal state values, max_a Q(s, a).

    policy_ : ndarray of shape (`n_states_`,)
        A greedy action of each state (of equal values, the lowest action).

    n_iter_ : int
        Sweeps done.

    n_states_ : int
        The size of the observation space.

    n_actions_ : int
        The size of the action space.

    See Also
    --------
    QLearning : Learns the same table from experience, without the model.

    References
    ----------
    R. S. Sutton and A. G. Barto, *Reinforcement Learning: An Introduction*,
    2nd ed., MIT Press, 2018, section 4.4.

    Examples
    --------
    >>> import gymnasium as gym
    >>> from sklearn_lecture.reinforcement import ValueIteration
    >>> env = gym.make("FrozenLake-v1")
    >>> vi = ValueIteration(discount=1.0).fit(env)
    >>> round(float(vi.value_[0]), 4)
    0.8235
    """

    _parameter_constraints: dict = {
        "discount": [Interval(Real, 0, 1, closed="both")],
        "tol": [Interval(Real, 0, None, closed="neither")],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
    }

    def __init__(self, discount=0.99, *, tol=1e-10, max_iter=100_000):
        store_params(self, locals())

    @fit_guard
    def fit(self, env):
        """Compute the optimal Q table of ``env``'s model.

        Parameters
        ----------
        env : gymnasium.Env or str
            A Gymnasium environment with ``Discrete`` spaces whose unwrapped
            environment has the model ``P``, or the id of a registered one.

        Returns
        -------
        self : object
            The fitted estimator.

        Raises
        ------
        ValueError
            For an environment without a model, or a model whose entries are not
            ``(probability, next_state, reward, terminated)`` tuples or hold a
            probability or reward that is not finite. A fitted estimator stays
            as it was.
        """
        env, made_here = _check_env(env, type(self).__name__)
        try:
            model = getattr(env.unwrapped, "P", None)
            if model is None:
                raise ValueError(
                    "ValueIteration needs the environment's model: env.unwrapped.P, "
                    "with P[s][a] a list of (probability, next_state, reward, "
                    f"terminated), as Gymnasium's toy-text environments have. "
                    f"{type(env.unwrapped).__name__} has no attribute P."
                )
            n_states = int(env.observation_space.n)
            n_actions = int(env.action_space.n)
            rows, probs, next_states, rewards, continues = _transition_arrays(
                model, n_states, n_actions
            )
        finally:
            if made_here:
                env.close()

        gamma = float(self.discount)
        expected_reward = np.bincount(
            rows, weights=probs * rewards, minlength=n_states * n_actions
        )
        weight = gamma * probs * continues
        value = np.zeros(n_states)
        converged = False
        n_pairs = n_states * n_actions
        for n_iter in range(1, self.max_iter + 1):
            q = expected_reward + np.bincount(
                rows, weights=weight * value[next_states], minlength=n_pairs
            )
            new_value = q.reshape(n_states, n_actions).max(axis=1)
            delta = np.max(np.abs(new_value - value)) if n_states else 0.0
            value = new_value
            if delta < self.tol:
                converged = True
                break
        if not converged:
            warnings.warn(
                f"ValueIteration did not converge in max_iter={self.max_iter} sweeps "
                f"(last change of V: {delta:.3g}, tol={self.tol:g}). With "
                "discount=1 some policy may never end: try discount < 1.",
                ConvergenceWarning,
                stacklevel=2,
            )
        self.n_states_ = n_states
        self.n_actions_ = n_actions
        self.n_iter_ = n_iter
        self.q_table_ = q.reshape(n_states, n_actions)
        self.value_ = self.q_table_.max(axis=1)
        self.policy_ = self.q_table_.argmax(axis=1)
        return self
