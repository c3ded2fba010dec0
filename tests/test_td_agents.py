"""Expected SARSA, Double Q-learning and the maximization-bias MDP, against the book.

References: Sutton & Barto, *Reinforcement Learning: An Introduction* (2nd ed.),
Example 6.7 and Figure 6.5 (maximization bias), with the MDP's exact values from
value iteration; the cliff-walking ranking of Figure 6.3 is tested in
``test_reinforcement.py``, which shares its fits with SARSA's and Q-learning's and
also runs every convention test of the agents on these two.
``benchmarks/td_book_figures.py`` draws both figures in full.
"""

import ast
import inspect
import pickle
import textwrap

import numpy as np
import pytest

gym = pytest.importorskip("gymnasium")

from gymnasium.utils.env_checker import check_env  # noqa: E402
from sklearn.base import clone  # noqa: E402

from sklearn_lecture.reinforcement import (  # noqa: E402
    MAXIMIZATION_BIAS_ID,
    SARSA,
    DoubleQLearning,
    ExpectedSARSA,
    MaximizationBiasEnv,
    QLearning,
    ValueIteration,
)
from sklearn_lecture.reinforcement._base import (  # noqa: E402
    _make_chooser,
    _make_expectation,
    _uniforms,
)
from sklearn_lecture.utils._compat import InvalidParameterError  # noqa: E402

LEFT_END, B, A, RIGHT_END = range(4)
# Figure 6.5: epsilon = 0.1, alpha = 0.1, undiscounted, 300 episodes.
BIAS_PARAMS = dict(n_episodes=300, learning_rate=0.1, discount=1.0, epsilon=0.1)
NEW_AGENTS = [ExpectedSARSA, DoubleQLearning]


# -- the maximization-bias MDP ---------------------------------------------------
def test_maximization_bias_env_passes_gymnasium_checks():
    check_env(gym.make(MAXIMIZATION_BIAS_ID).unwrapped)
    env = gym.make(MAXIMIZATION_BIAS_ID, render_mode="ansi")
    check_env(env.unwrapped, skip_render_check=False)
    env.reset(seed=0)
    assert env.render() == "left end  B  [A]  right end\n"


def test_maximization_bias_env_dynamics():
    env = MaximizationBiasEnv()
    assert (env.observation_space.n, env.action_space.n) == (4, 10)
    # Half of A's actions go left to B, half right to the terminal end, reward 0.
    for action in range(10):
        assert env.reset(seed=0) == (A, {})
        state, reward, terminated, truncated, _ = env.step(action)
        assert reward == 0.0 and not truncated
        assert (state, terminated) == ((B, False) if action < 5 else (RIGHT_END, True))
    # From B every action ends the episode with a reward of N(-0.1, 1).
    env.reset(seed=1)
    rewards = []
    for i in range(4000):
        env.reset()
        env.step(i % 5)
        state, reward, terminated, _, _ = env.step(i % 10)
        assert state == LEFT_END and terminated
        rewards.append(reward)
    assert np.mean(rewards) == pytest.approx(-0.1, abs=4 / np.sqrt(4000))
    assert np.std(rewards) == pytest.approx(1.0, abs=0.05)
    # The environment's generator makes the rewards repeat with the seed.
    draws = []
    for _ in range(2):
        env.reset(seed=5)
        env.step(0)
        draws.append(env.step(0)[1])
    assert draws[0] == draws[1]
    # Another size and reward, as the parameters say.
    env = MaximizationBiasEnv(n_actions=2, reward_mean=1.0, reward_std=0.0)
    env.reset(seed=0)
    assert env.step(0)[0] == B and env.step(1)[1] == 1.0
    env.reset()
    assert env.step(1)[0] == RIGHT_END


def test_maximization_bias_exact_values():
    # The model holds B's mean reward: value iteration gives the MDP's values.
    vi = ValueIteration(discount=1.0).fit(MAXIMIZATION_BIAS_ID)
    np.testing.assert_allclose(vi.q_table_[A], [-0.1] * 5 + [0.0] * 5, atol=1e-12)
    np.testing.assert_allclose(vi.q_table_[B], -0.1, atol=1e-12)
    assert vi.policy_[A] >= 5 and vi.value_[A] == 0.0


@pytest.mark.parametrize(
    "params, match",
    [
        ({"n_actions": 9}, "n_actions should be an even int, at least 2.* got 9"),
        ({"n_actions": 0}, "n_actions should be an even int"),
        ({"n_actions": 10.0}, "n_actions should be an even int"),
        ({"n_actions": True}, "n_actions should be an even int"),
        ({"reward_std": -1.0}, "reward_std should be a finite number at least 0"),
        ({"reward_std": np.nan}, "reward_std should be a finite number"),
        ({"reward_mean": np.inf}, "reward_mean should be a finite number; got inf"),
        ({"reward_mean": "-0.1"}, "reward_mean should be a finite number"),
        ({"render_mode": "human"}, "render_mode should be 'ansi' or None"),
    ],
)
def test_maximization_bias_env_refuses_bad_parameters(params, match):
    with pytest.raises(ValueError, match=match):
        MaximizationBiasEnv(**params)


def test_maximization_bias_env_refuses_bad_actions():
    env = MaximizationBiasEnv()
    env.reset(seed=0)
    for action in (10, -1, 1.5, "1"):
        with pytest.raises(ValueError, match="action should be an int from 0 to 9"):
            env.step(action)
    assert env.step(np.int64(7))[0] == RIGHT_END


def _left_share(cls, n_runs, **params):
    """The share of runs going left from A, per episode: an episode through B
    lasts two steps, one going right one step."""
    env = MaximizationBiasEnv()
    lengths = [
        cls(random_state=seed, **params).fit(env).episode_lengths_
        for seed in range(n_runs)
    ]
    return np.mean(np.equal(lengths, 2), axis=0)


def test_maximization_bias_figure():
    # Figure 6.5 with 300 runs (the book averages 10,000). The optimum goes left
    # only when exploring: epsilon / 2 = 5 %. Measured over 2,000 runs:
    # Q-learning 87 % over episodes 1-50 (95 % at its peak), 17 % over 201-300;
    # Double Q-learning 47 % and 7.1 % (4.9 % over episodes 951-1000).
    q_left = _left_share(QLearning, 300, **BIAS_PARAMS)
    dq_left = _left_share(DoubleQLearning, 300, **BIAS_PARAMS)
    # At the start every value is 0 and ties are broken at random: half go left.
    assert q_left[0] == pytest.approx(0.5, abs=0.1)
    assert dq_left[0] == pytest.approx(0.5, abs=0.1)
    # Early on Q-learning goes left far more often than is optimal...
    assert q_left[:50].mean() > 0.7
    assert q_left.max() > 0.85
    assert q_left[200:].mean() > 2 * 0.05
    # ...while Double Q-learning's share falls to near 5 %.
    assert q_left[:100].mean() - dq_left[:100].mean() > 0.3
    assert 0.03 < dq_left[200:].mean() < 0.09


# -- Expected SARSA --------------------------------------------------------------
@pytest.mark.parametrize("exploration", ["epsilon_greedy", "softmax", "greedy"])
def test_expectation_is_the_mean_of_the_chooser(exploration):
    # _make_expectation is the mean of the policy that _make_chooser samples,
    # ties included (the greedy part is shared among them).
    param = {"epsilon_greedy": 0.3, "softmax": 0.7, "greedy": None}[exploration]
    expected = _make_expectation(exploration, 5)
    choose = _make_chooser(exploration, 5, _uniforms(np.random.RandomState(0)).__next__)
    for row in ([0.0, 2.0, -1.0, 2.0, 0.5], [1.0, -3.0, 0.0, 0.25, -0.5]):
        draws = np.array([row[choose(row, param)] for _ in range(40_000)])
        standard_error = draws.std() / np.sqrt(draws.size) + 1e-12
        assert abs(draws.mean() - expected(row, param)) < 4 * standard_error
    row = [0.0, 2.0, -1.0, 2.0, 0.5]
    by_formula = {
        "epsilon_greedy": 0.3 * np.mean(row) + 0.7 * 2.0,
        "softmax": np.dot(np.exp(np.divide(row, 0.7)), row)
        / np.exp(np.divide(row, 0.7)).sum(),
        "greedy": 2.0,
    }[exploration]
    assert expected(row, param) == pytest.approx(by_formula, rel=1e-12)


@pytest.mark.parametrize(
    "params", [{"exploration": "greedy"}, {"epsilon": 0.0}], ids=["greedy", "eps=0"]
)
def test_expected_sarsa_under_a_greedy_policy_is_q_learning(params):
    # The mean of a greedy policy is the maximum: the same updates and the same
    # random stream, so the same table, bit for bit.
    env = gym.make("CliffWalking-v1")
    kw = dict(n_episodes=60, learning_rate=0.5, discount=1.0, random_state=0)
    expected_sarsa = ExpectedSARSA(**kw, **params).fit(env)
    q_learning = QLearning(**kw, **params).fit(env)
    np.testing.assert_array_equal(expected_sarsa.q_table_, q_learning.q_table_)
    np.testing.assert_array_equal(
        expected_sarsa.episode_rewards_, q_learning.episode_rewards_
    )


def test_expected_sarsa_values_the_exploring_policy():
    # Without B's noise and with two actions, B is worth -0.1 for sure; going
    # left from A is worth B's value under the policy, here -0.1 whatever it does.
    env = MaximizationBiasEnv(n_actions=2, reward_std=0.0)
    agent = ExpectedSARSA(
        n_episodes=400, learning_rate=0.5, discount=1.0, epsilon=0.5, random_state=0
    ).fit(env)
    np.testing.assert_allclose(agent.q_table_[B], -0.1, atol=1e-6)
    np.testing.assert_allclose(agent.q_table_[A], [-0.1, 0.0], atol=1e-6)


# -- Double Q-learning -----------------------------------------------------------
def test_double_q_learning_tables():
    env = gym.make("FrozenLake-v1", is_slippery=False)
    agent = DoubleQLearning(
        n_episodes=3000, learning_rate=0.5, discount=0.9, epsilon=0.5, random_state=0
    )
    agent.partial_fit(env, n_episodes=1000).partial_fit(env, n_episodes=2000)
    assert agent.q_tables_.shape == (2, 16, 4) and agent.n_episodes_ == 3000
    np.testing.assert_array_equal(agent.q_table_, agent.q_tables_.mean(axis=0))
    # Each table was learned from the other's values: on a deterministic
    # environment both converge to the optimal values.
    optimum = ValueIteration(discount=0.9).fit(env).q_table_
    for table in agent.q_tables_:
        np.testing.assert_allclose(table, optimum, atol=1e-3)
    assert not np.array_equal(agent.q_tables_[0], agent.q_tables_[1])
    # The mean is taken as halves: huge initial values do not overflow.
    huge = DoubleQLearning(n_episodes=2, initial_q=1e308, random_state=0).fit(env)
    assert np.all(np.isfinite(huge.q_table_))


@pytest.mark.parametrize(
    "cls, n_episodes", [(ExpectedSARSA, 100), (DoubleQLearning, 1000)]
)
def test_truncation_bootstraps_termination_does_not(cls, n_episodes):
    # As test_reinforcement's test for Q-learning and SARSA. The expectation
    # bootstraps also on the rarely taken action, and each table of Double
    # Q-learning on the other's, updated half as often: they reach the fixed
    # point after more episodes than the 60 that Q-learning needs.
    class EndlessReward(gym.Env):
        observation_space = gym.spaces.Discrete(1)
        action_space = gym.spaces.Discrete(2)

        def __init__(self, terminate):
            self.terminate = terminate

        def step(self, action):
            return 0, 1.0, self.terminate, not self.terminate, {}

        def reset(self, *, seed=None, options=None):
            super().reset(seed=seed)
            return 0, {}

    params = dict(n_episodes=n_episodes, learning_rate=1.0, discount=0.5)
    ended = cls(**params, random_state=0).fit(EndlessReward(terminate=True))
    assert ended.q_table_.max() == 1.0
    cut = cls(**params, random_state=0).fit(EndlessReward(terminate=False))
    np.testing.assert_allclose(cut.q_table_, 2.0, atol=1e-6)


# -- the conventions --------------------------------------------------------------
@pytest.mark.parametrize("cls", NEW_AGENTS)
def test_same_parameters_clone_and_pickle(cls):
    # The same parameters and constraints as Q-learning and SARSA.
    assert cls().get_params() == QLearning().get_params() == SARSA().get_params()
    assert cls._parameter_constraints == QLearning._parameter_constraints
    agent = cls(n_episodes=40, epsilon=0.3, epsilon_decay=0.95, random_state=0)
    assert clone(agent).get_params() == agent.get_params()
    agent.fit("CliffWalking-v1")
    assert not hasattr(clone(agent), "q_table_")
    restored = pickle.loads(pickle.dumps(agent))
    for name in ("q_table_", "q_tables_", "policy_", "value_", "episode_rewards_"):
        if hasattr(agent, name):
            np.testing.assert_array_equal(getattr(restored, name), getattr(agent, name))
    assert restored.evaluate("CliffWalking-v1", n_episodes=2, random_state=0) == (
        agent.evaluate("CliffWalking-v1", n_episodes=2, random_state=0)
    )
    assert agent.epsilon_ == pytest.approx(0.3 * 0.95**39)
    states = np.array([[36, 24], [0, 47]])
    np.testing.assert_array_equal(agent.predict(states), agent.policy_[states])


@pytest.mark.parametrize("cls", NEW_AGENTS)
@pytest.mark.parametrize(
    "params, name",
    [
        ({"learning_rate": 0.0}, "learning_rate"),
        ({"discount": 1.5}, "discount"),
        ({"epsilon": -0.1}, "epsilon"),
        ({"exploration": "ucb"}, "exploration"),
        ({"temperature": 0.0}, "temperature"),
    ],
)
def test_bad_parameters(cls, params, name):
    with pytest.raises(InvalidParameterError, match=f"'{name}' parameter"):
        cls(**params).fit("CliffWalking-v1")


def test_exported_and_registered():
    import sklearn_lecture

    assert sklearn_lecture.ExpectedSARSA is ExpectedSARSA
    assert sklearn_lecture.DoubleQLearning is DoubleQLearning
    assert sklearn_lecture.MaximizationBiasEnv is MaximizationBiasEnv
    assert {"ExpectedSARSA", "DoubleQLearning", "MaximizationBiasEnv"} <= set(
        sklearn_lecture.__all__
    )
    assert isinstance(gym.make(MAXIMIZATION_BIAS_ID).unwrapped, MaximizationBiasEnv)


@pytest.mark.parametrize("cls", NEW_AGENTS)
def test_a_new_agent_is_a_short_subclass(cls):
    # Adding an agent is its update, the hook _td_update: at most 30 lines
    # beyond the docstring, decorator included.
    source = textwrap.dedent(inspect.getsource(cls))
    node = ast.parse(source).body[0]
    docstring = node.body[0]
    assert isinstance(docstring.value, ast.Constant)
    n_lines = len(source.rstrip().splitlines())
    n_doc = docstring.end_lineno - docstring.lineno + 1
    assert n_lines - n_doc <= 30
    assert "_td_update" in vars(cls)
