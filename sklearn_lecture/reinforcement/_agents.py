"""Q-learning and SARSA: tabular temporal-difference control.

Both share :class:`~sklearn_lecture.reinforcement._base._BaseTabularAgent`; they
differ in one line of the update, the action the target bootstraps on.
"""

from ..utils._docstrings import fill_doc
from ._base import _BaseTabularAgent

__all__ = ["QLearning", "SARSA"]

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

_ATTRIBUTES = """
    q_table_ : ndarray of shape (n_states_, n_actions_)
        The learned action values Q(s, a).

    policy_ : ndarray of shape (n_states_,)
        The greedy action of each state (ties broken at random; states never
        visited keep ``initial_q`` everywhere, so their action is random).

    value_ : ndarray of shape (n_states_,)
        max_a Q(s, a).

    episode_rewards_ : ndarray of shape (n_episodes_,)
        The undiscounted return of each training episode (the online
        performance, exploration included).

    episode_lengths_ : ndarray of shape (n_episodes_,)
        The number of steps of each training episode.

    n_episodes_ : int
        Training episodes so far.

    n_states_ : int
        The size of the observation space.

    n_actions_ : int
        The size of the action space.

    epsilon_ : float
        The epsilon of the last training episode."""


_fill_doc = fill_doc(parameters=_PARAMETERS, attributes=_ATTRIBUTES)


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

    _on_policy = False


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

    _on_policy = True
