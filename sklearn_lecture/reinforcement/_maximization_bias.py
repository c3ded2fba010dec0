"""Sutton & Barto's maximization-bias MDP (Example 6.7), where Q-learning goes wrong."""

from numbers import Integral, Real

import gymnasium as gym
import numpy as np
from gymnasium.spaces import Discrete

__all__ = ["MaximizationBiasEnv"]

#: The states, left to right as in the book's figure; the two ends are terminal.
STATES = ("left end", "B", "A", "right end")
_LEFT_END, _B, _A, _RIGHT_END = range(4)


class MaximizationBiasEnv(gym.Env):
    """Sutton & Barto's maximization-bias MDP (Example 6.7, Figure 6.5).

    Every episode starts in A. "Right" ends it at once with reward 0; "left"
    leads, with reward 0, to B, from which every action ends the episode with a
    reward drawn from a normal distribution of mean -0.1 and variance 1. Going
    left is worse on average (-0.1 against 0), but the largest of B's noisy value
    estimates is positive: an agent that bootstraps on a maximum (Q-learning)
    overestimates B and goes left far more often than it should, where Double
    Q-learning does not.

    ::

        left end  <--  B  <-- left --  A  -- right -->  right end
        (N(-0.1, 1))                        (0)

    **States.** 0 the left end, 1 B, 2 A, 3 the right end (``STATES``), left to
    right as drawn. 0 and 3 are terminal (a step there stays there, reward 0).

    **Actions.** The agents use one action space for every state, so every state
    has B's ``n_actions``. In A the first half go left and the second half right:
    a uniformly random action goes left half the time, and an epsilon-greedy
    agent that has learned to go right still goes left with probability
    epsilon / 2 (5 % at the book's epsilon = 0.1), the optimum of the book's
    figure. In B every action ends the episode.

    The model is exposed as ``P[s][a] = [(1.0, next_state, mean_reward,
    terminated)]``, as in Gymnasium's toy-text environments, with B's reward
    replaced by its mean: the optimal values it gives
    (:class:`~sklearn_lecture.reinforcement.ValueIteration`) are the MDP's, 0 for
    going right and -0.1 for going left. Registered as
    ``sklearn_lecture/MaximizationBias-v0``.

    Parameters
    ----------
    n_actions : int, default=10
        The number of actions of every state, even, at least 2 (the book's
        figure uses 10 in B).
    reward_mean : float, default=-0.1
        The mean of the reward on leaving B.
    reward_std : float, default=1.0
        Its standard deviation, at least 0.
    render_mode : {"ansi"} or None, default=None
        ``render()`` returns a line of text showing the current state.

    References
    ----------
    R. S. Sutton and A. G. Barto, *Reinforcement Learning: An Introduction*,
    2nd ed., MIT Press, 2018, section 6.7.

    Examples
    --------
    >>> from sklearn_lecture.reinforcement import MaximizationBiasEnv
    >>> env = MaximizationBiasEnv()
    >>> env.reset(seed=0)
    (2, {})
    >>> env.step(0)[:3]  # left, to B
    (1, 0.0, False)
    >>> env.step(7)[0]  # any action ends the episode at the left end
    0
    >>> env.reset()[0], env.step(5)[:3]  # right
    (2, (3, 0.0, True))
    """

    metadata = {"render_modes": ["ansi"], "render_fps": 4}
    state_names = STATES

    def __init__(
        self, n_actions=10, reward_mean=-0.1, reward_std=1.0, render_mode=None
    ):
        if (
            isinstance(n_actions, bool)
            or not isinstance(n_actions, Integral)
            or n_actions < 2
            or n_actions % 2
        ):
            raise ValueError(
                "n_actions should be an even int, at least 2 (half of A's actions "
                f"go left, half right); got {n_actions!r}."
            )
        for name, value, low in (
            ("reward_mean", reward_mean, -np.inf),
            ("reward_std", reward_std, 0.0),
        ):
            if (
                isinstance(value, bool)
                or not isinstance(value, Real)
                or not np.isfinite(value)
                or value < low
            ):
                raise ValueError(
                    f"{name} should be a finite number"
                    + (" at least 0" if low == 0 else "")
                    + f"; got {value!r}."
                )
        if render_mode is not None and render_mode not in self.metadata["render_modes"]:
            raise ValueError(
                f"render_mode should be 'ansi' or None; got {render_mode!r}."
            )
        self.n_actions = int(n_actions)
        self.reward_mean = float(reward_mean)
        self.reward_std = float(reward_std)
        self.render_mode = render_mode
        self.observation_space = Discrete(len(STATES))
        self.action_space = Discrete(self.n_actions)
        half = self.n_actions // 2
        self.P = {
            _A: {
                a: [(1.0, _B, 0.0, False) if a < half else (1.0, _RIGHT_END, 0.0, True)]
                for a in range(self.n_actions)
            },
            _B: {
                a: [(1.0, _LEFT_END, self.reward_mean, True)]
                for a in range(self.n_actions)
            },
            **{
                end: {a: [(1.0, end, 0.0, True)] for a in range(self.n_actions)}
                for end in (_LEFT_END, _RIGHT_END)
            },
        }
        self.s = _A

    def reset(self, *, seed=None, options=None):
        """Start in A: returns ``(2, {})``."""
        super().reset(seed=seed)
        self.s = _A
        return self.s, {}

    def step(self, action):
        """Take ``action`` (an int in ``[0, n_actions)``): ``(state, reward,
        terminated, truncated, info)``, as Gymnasium's ``Env.step``."""
        if not (type(action) is int and 0 <= action < self.n_actions):
            if not self.action_space.contains(action):
                raise ValueError(
                    f"action should be an int from 0 to {self.n_actions - 1}; got "
                    f"{action!r}."
                )
        leaving_b = self.s == _B
        _, self.s, reward, terminated = self.P[self.s][int(action)][0]
        if leaving_b:
            reward = float(self.np_random.normal(self.reward_mean, self.reward_std))
        return self.s, reward, terminated, False, {}

    def render(self):
        """The four states on a line, the current one in brackets (``"ansi"``)."""
        if self.render_mode is None:
            gym.logger.warn("MaximizationBiasEnv.render() needs render_mode='ansi'.")
            return None
        return "  ".join(
            f"[{name}]" if s == self.s else name for s, name in enumerate(STATES)
        ) + "\n"
