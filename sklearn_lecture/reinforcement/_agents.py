"""The temporal-difference agents: Q-learning, SARSA, Expected SARSA, Double Q.

Each shares :class:`~sklearn_lecture.reinforcement._base._BaseTabularAgent`'s
episode loop and writes only its update, the hook ``_td_update``: what the target
bootstraps on after the step s, a -> r, s'.
"""

import numpy as np

from ..utils._docstrings import fill_doc
from ._base import _BaseTabularAgent, _make_chooser, _make_expectation

__all__ = ["QLearning", "SARSA", "ExpectedSARSA", "DoubleQLearning"]

_PARAMETERS = """
    n_episodes : int, default=500
        Training episodes per call to ``fit``.

    learning_rate : float, default=0.1
        The step size alpha, in (0, 1].

    discount : float, default=0.99
        The discount factor gamma, in [0, 1].

    exploration : {"epsilon_greedy", "softmax", "greedy"}, default="epsilon_greedy"
        The behaviour policy during training:

        - ``"epsilon_greedy"``: a uniformly random action with probability
          epsilon, else the greedy one;
        - ``"softmax"``: action a with probability proportional to
          exp(Q(s, a) / temperature) (Boltzmann exploration);
        - ``"greedy"``: always the greedy action, pure exploitation. It explores
          only through an optimistic ``initial_q`` (above every attainable
          return): with a pessimistic one it settles on the first rewarding
          behaviour it finds.

        Ties between equal Q-values are broken uniformly at random (from
        ``random_state``), never towards the lowest action.

    epsilon : float, default=0.1
        The exploration rate of ``"epsilon_greedy"``, in [0, 1].

    epsilon_decay : float, default=None
        If set, in (0, 1]: episode k (counted from the start of ``fit``, on through
        ``partial_fit``) uses ``max(min_epsilon, epsilon * epsilon_decay**k)``.
        None keeps epsilon constant.

    min_epsilon : float, default=0.0
        The floor of the decayed epsilon, in [0, 1].

    temperature : float, default=1.0
        The temperature of ``"softmax"`` (> 0, in reward units): high explores
        uniformly, low is nearly greedy.

    initial_q : float, default=0.0
        The value every Q(s, a) starts from. A value above every return the
        environment can give (optimistic initialisation) makes even a greedy
        agent try every action.

    max_steps_per_episode : int, default=None
        Cut a training episode after this many steps. None leaves the
        environment's own time limit (a registered environment's
        ``max_episode_steps``), and cuts at 10,000 steps on an environment
        without one (built directly, as ``RobotVacuumEnv()``, or registered
        without a limit, as ``CliffWalking-v1``), so that the episodes of a
        policy that loops (greedy with a pessimistic ``initial_q``) end. A cut
        is a truncation, not a termination: the last update still bootstraps
        on the next state.

    random_state : int, RandomState instance or None, default=None
        Seeds the exploration, the tie-breaking and the environment: the first
        episode of each call to ``fit`` or ``partial_fit`` starts with
        ``env.reset(seed=...)``, the seed drawn from it (the later ones continue
        the environment's generator). Two fits with the same int give the same Q
        table.

    verbose : int, default=0
        If positive, print the mean return (and epsilon or the temperature)
        every tenth of the episodes of a call."""

_Q_TABLE = """
    q_table_ : ndarray of shape (`n_states_`, `n_actions_`)
        The learned action values Q(s, a)."""

_ATTRIBUTES = """
    {q_table}

    policy_ : ndarray of shape (`n_states_`,)
        The greedy action of each state (ties broken at random; states never
        visited keep ``initial_q`` everywhere, so their action is random).

    value_ : ndarray of shape (`n_states_`,)
        max_a Q(s, a).

    episode_rewards_ : ndarray of shape (`n_episodes_`,)
        The undiscounted return of each training episode (the online
        performance, exploration included).

    episode_lengths_ : ndarray of shape (`n_episodes_`,)
        The number of steps of each training episode.

    n_episodes_ : int
        Training episodes so far.

    n_states_ : int
        The size of the observation space.

    n_actions_ : int
        The size of the action space.

    epsilon_ : float
        The epsilon of the last training episode."""


_fill_doc = fill_doc(parameters=_PARAMETERS, attributes=_ATTRIBUTES, q_table=_Q_TABLE)


@_fill_doc
class QLearning(_BaseTabularAgent):
    """Q-learning: off-policy temporal-difference control.

    After each step from state s with action a, reward r and next state s',

        Q(s, a) <- Q(s, a) + alpha [r + gamma max_a' Q(s', a') - Q(s, a)],

    with target r alone when s' is terminal (a truncation by a time limit still
    bootstraps). The target follows the greedy policy whatever the behaviour policy
    does, so Q converges to the optimal action values while the agent explores
    (Watkins, 1989).

    Parameters
    ----------
    {parameters}

    Attributes
    ----------
    {attributes}

    See Also
    --------
    SARSA : The on-policy variant.
    DoubleQLearning : Two tables, without the maximization bias.
    ValueIteration : The optimal Q table from the environment's model.

    References
    ----------
    R. S. Sutton and A. G. Barto, *Reinforcement Learning: An Introduction*,
    2nd ed., MIT Press, 2018, section 6.5.

    Examples
    --------
    >>> import gymnasium as gym
    >>> from sklearn_lecture.reinforcement import QLearning
    >>> env = gym.make("CliffWalking-v1")
    >>> agent = QLearning(n_episodes=300, learning_rate=0.5, discount=1.0,
    ...                   random_state=0).fit(env)
    >>> agent.q_table_.shape
    (48, 4)
    >>> agent.evaluate(env, n_episodes=1)
    (-13.0, 0.0)
    """

    def _td_update(self, tables, choose, uniform, alpha, gamma):
        (Q,) = tables

        def update(state, action, reward, next_state, terminated, param):
            row, next_row = Q[state], Q[next_state]
            target = reward if terminated else reward + gamma * max(next_row)
            row[action] += alpha * (target - row[action])
            # A' is chosen from the updated table.
            return choose(next_row, param)

        return update


@_fill_doc
class SARSA(_BaseTabularAgent):
    """SARSA: on-policy temporal-difference control.

    The target bootstraps on the action a' that the behaviour policy actually takes
    in s' (the quintuple s, a, r, s', a' gives the name):

        Q(s, a) <- Q(s, a) + alpha [r + gamma Q(s', a') - Q(s, a)],

    with target r alone when s' is terminal. Q then values the exploring policy
    itself: with epsilon-greedy exploration next to a cliff, SARSA learns to keep
    its distance, where Q-learning walks the edge and falls during training.

    Parameters
    ----------
    {parameters}

    Attributes
    ----------
    {attributes}

    See Also
    --------
    QLearning : The off-policy variant.
    ExpectedSARSA : The mean over the next actions instead of one sample.

    References
    ----------
    R. S. Sutton and A. G. Barto, *Reinforcement Learning: An Introduction*,
    2nd ed., MIT Press, 2018, section 6.4 and Example 6.6.

    Examples
    --------
    >>> import gymnasium as gym
    >>> from sklearn_lecture.reinforcement import SARSA
    >>> env = gym.make("FrozenLake-v1", is_slippery=False)
    >>> agent = SARSA(n_episodes=500, learning_rate=0.5, epsilon=0.2,
    ...               random_state=0).fit(env)
    >>> agent.evaluate(env, n_episodes=1)
    (1.0, 0.0)
    """

    def _td_update(self, tables, choose, uniform, alpha, gamma):
        (Q,) = tables

        def update(state, action, reward, next_state, terminated, param):
            row, next_row = Q[state], Q[next_state]
            # A' is chosen first: the target bootstraps on Q(S', A').
            next_action = choose(next_row, param)
            target = reward if terminated else reward + gamma * next_row[next_action]
            row[action] += alpha * (target - row[action])
            return next_action

        return update


@_fill_doc
class ExpectedSARSA(_BaseTabularAgent):
    """Expected SARSA: temporal-difference control on the policy's mean.

    Where SARSA bootstraps on the one action a' it samples, Expected SARSA takes
    the mean over every action under the behaviour policy pi (epsilon-greedy,
    with its decay, or softmax):

        Q(s, a) <- Q(s, a) + alpha [r + gamma sum_a' pi(a' | s') Q(s', a') - Q(s, a)],

    with target r alone when s' is terminal. The same expected update as SARSA
    without the variance of sampling a': it learns the exploring policy's values
    as SARSA does, and tolerates a large alpha (the book's alpha = 1 on the
    cliff). With ``exploration="greedy"`` pi is greedy and the update is
    Q-learning's.

    Parameters
    ----------
    {parameters}

    Attributes
    ----------
    {attributes}

    See Also
    --------
    SARSA : The update on the sampled next action.
    QLearning : The update on the greedy next action.

    References
    ----------
    R. S. Sutton and A. G. Barto, *Reinforcement Learning: An Introduction*,
    2nd ed., MIT Press, 2018, section 6.6 and Figure 6.3.

    H. van Seijen, H. van Hasselt, S. Whiteson and M. Wiering, "A theoretical and
    empirical analysis of Expected Sarsa", *IEEE ADPRL*, 2009.

    Examples
    --------
    >>> import gymnasium as gym
    >>> from sklearn_lecture.reinforcement import ExpectedSARSA
    >>> env = gym.make("CliffWalking-v1")
    >>> agent = ExpectedSARSA(n_episodes=300, learning_rate=0.9, discount=1.0,
    ...                       random_state=0).fit(env)
    >>> agent.evaluate(env, n_episodes=1)  # one row away from the cliff
    (-15.0, 0.0)
    """

    def _td_update(self, tables, choose, uniform, alpha, gamma):
        (Q,) = tables
        expected = _make_expectation(self.exploration, self.n_actions_)

        def update(state, action, reward, next_state, terminated, param):
            row, next_row = Q[state], Q[next_state]
            if terminated:
                target = reward
            else:
                target = reward + gamma * expected(next_row, param)
            row[action] += alpha * (target - row[action])
            return choose(next_row, param)

        return update


_DOUBLE_Q_TABLES = """
    q_tables_ : ndarray of shape (2, `n_states_`, `n_actions_`)
        The two tables Q1 and Q2, each learned from the other's values.

    q_table_ : ndarray of shape (`n_states_`, `n_actions_`)
        Their mean (Q1 + Q2) / 2, on which the agent acts."""


@fill_doc(parameters=_PARAMETERS, attributes=_ATTRIBUTES, q_table=_DOUBLE_Q_TABLES)
class DoubleQLearning(_BaseTabularAgent):
    """Double Q-learning: Q-learning without its maximization bias.

    Q-learning's target max_a' Q(s', a') uses the same noisy estimates to pick the
    best action and to value it, and so overestimates: among equal noisy values
    the maximum is too high. Double Q-learning keeps two tables; after each step a
    fair coin picks one, say Q1, which picks the action and the other values it::

        Q1(s, a) <- Q1(s, a) + alpha [r + gamma Q2(s', argmax_a' Q1(s', a'))
                                      - Q1(s, a)],

    (Q1 and Q2 swapped when the coin says Q2), with target r alone when s' is
    terminal. The agent acts on their mean (the book's epsilon-greedy on the sum
    is the same policy; the mean keeps softmax's temperature in reward units).
    The coin and the ties of the argmax are drawn from ``random_state``.

    Parameters
    ----------
    {parameters}

    Attributes
    ----------
    {attributes}

    See Also
    --------
    QLearning : The single-table update, biased upwards.

    References
    ----------
    H. van Hasselt, "Double Q-learning", *NeurIPS*, 2010.

    R. S. Sutton and A. G. Barto, *Reinforcement Learning: An Introduction*,
    2nd ed., MIT Press, 2018, section 6.7 and Figure 6.5.

    Examples
    --------
    >>> import gymnasium as gym
    >>> import numpy as np
    >>> from sklearn_lecture.reinforcement import DoubleQLearning
    >>> env = gym.make("CliffWalking-v1")
    >>> agent = DoubleQLearning(n_episodes=300, learning_rate=0.5, discount=1.0,
    ...                         random_state=0).fit(env)
    >>> agent.q_tables_.shape
    (2, 48, 4)
    >>> bool(np.all(agent.q_table_ == agent.q_tables_.mean(axis=0)))
    True

    Its values are cautious: the states along the cliff recover slowly from the
    falls, and after 300 episodes it still walks the top row (Q-learning's path
    along the edge returns -13).

    >>> agent.evaluate(env, n_episodes=1)
    (-17.0, 0.0)
    """

    def _initialize(self, env):
        super()._initialize(env)
        self.q_tables_ = np.stack([self.q_table_, self.q_table_])

    def _tables(self):
        return [*self.q_tables_.tolist(), self.q_table_.tolist()]

    def _store_tables(self, tables):
        self.q_tables_ = np.array(tables[:2], dtype=np.float64)
        super()._store_tables(tables)

    def _td_update(self, tables, choose, uniform, alpha, gamma):
        Q1, Q2, mean = tables
        best = _make_chooser("greedy", self.n_actions_, uniform)

        def update(state, action, reward, next_state, terminated, param):
            picker, valuer = (Q1, Q2) if uniform() < 0.5 else (Q2, Q1)
            row = picker[state]
            target = reward
            if not terminated:
                target += gamma * valuer[next_state][best(picker[next_state])]
            row[action] += alpha * (target - row[action])
            # Halves, not the sum halved: the sum of two large values overflows.
            mean[state][action] = 0.5 * Q1[state][action] + 0.5 * Q2[state][action]
            return choose(mean[next_state], param)

        return update
