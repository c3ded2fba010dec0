"""The tabular agents and value iteration against published figures and exact models.

References: Sutton & Barto's cliff walking (Example 6.6, Figures 6.3 and 6.4) on
Gymnasium's ``CliffWalking-v1``; the exact success probabilities of
``FrozenLake-v1`` computed from its model; Gymnasium's own environment checker for
the robot vacuum. The conventions of the estimators are checked on every agent
(``AGENTS``); ``test_td_agents.py`` holds what is particular to Expected SARSA and
Double Q-learning.
"""

import pickle
import subprocess
import sys
from functools import partial

import numpy as np
import pytest

gym = pytest.importorskip("gymnasium")

from gymnasium.utils.env_checker import check_env  # noqa: E402
from sklearn.base import clone  # noqa: E402
from sklearn.exceptions import NotFittedError  # noqa: E402

from sklearn_lecture.reinforcement import (  # noqa: E402
    ROBOT_VACUUM_ID,
    SARSA,
    DoubleQLearning,
    ExpectedSARSA,
    QLearning,
    RobotVacuumEnv,
    ValueIteration,
)
from sklearn_lecture.utils._compat import InvalidParameterError  # noqa: E402

CLIFF_SEEDS = range(5)
# Sutton & Barto, Example 6.6: epsilon = 0.1, alpha = 0.5, undiscounted.
CLIFF_PARAMS = dict(n_episodes=500, learning_rate=0.5, discount=1.0, epsilon=0.1)
CLIFF_START, CLIFF_GOAL = 36, 47
# Every temporal-difference agent: the conventions below hold for each. Double
# Q-learning runs undiscounted, as in the book: on the cliff at the default
# discount 0.99 with alpha = 0.5 its values flatten near -1 / (1 - gamma), and
# some seeds wander (random_state=0: 269,002 steps in 50 episodes, 5 s; a
# textbook numpy loop shows the same tail over seeds).
AGENTS = [QLearning, SARSA, ExpectedSARSA, partial(DoubleQLearning, discount=1.0)]


def _agent_name(cls):
    return getattr(cls, "__name__", None) or cls.func.__name__


@pytest.fixture(scope="module")
def cliff():
    env = gym.make("CliffWalking-v1")
    yield env
    env.close()


@pytest.fixture(scope="module")
def cliff_agents(cliff):
    return {
        cls.__name__: [
            cls(random_state=seed, **CLIFF_PARAMS).fit(cliff) for seed in CLIFF_SEEDS
        ]
        for cls in (QLearning, SARSA, ExpectedSARSA)
    }


def _rows(states):
    return sorted({s // 12 for s in states})


# -- cliff walking -------------------------------------------------------------
def test_cliff_q_learning_walks_the_edge(cliff, cliff_agents):
    for agent in cliff_agents["QLearning"]:
        states, _, rewards, terminated = agent.rollout(cliff)
        assert terminated and states[-1] == CLIFF_GOAL
        # The optimal path: one step up, eleven along the cliff, one down.
        assert sum(rewards) == -13
        assert _rows(states) == [2, 3]
        assert agent.evaluate(cliff, n_episodes=3) == (-13.0, 0.0)


def test_cliff_sarsa_keeps_its_distance(cliff, cliff_agents):
    reached = 0
    for agent in cliff_agents["SARSA"]:
        states, _, rewards, terminated = agent.rollout(cliff, max_steps=200)
        if not terminated:
            # With a constant alpha = 0.5 some greedy SARSA policies loop: the cap
            # of rollout and evaluate ends them.
            assert len(rewards) == 200
            assert agent.evaluate(cliff, n_episodes=1, max_steps=200)[0] <= -200
            continue
        reached += 1
        # A safer path than Q-learning's, away from the cliff (about -17).
        assert -19 <= sum(rewards) <= -15
        assert min(_rows(states)) <= 1
    assert reached >= 3


def test_cliff_sarsa_online_return_higher(cliff_agents):
    # Figure 6.4: during training (epsilon-greedy) Q-learning falls off the cliff
    # now and then, SARSA rarely. Measured over 120 seeds: about -50 and -26.
    online = {
        name: np.mean([a.episode_rewards_[-100:].mean() for a in agents])
        for name, agents in cliff_agents.items()
    }
    assert online["SARSA"] > online["QLearning"] + 10
    assert -75 < online["QLearning"] < -35
    assert -40 < online["SARSA"] < -18


def test_cliff_expected_sarsa_online_return_at_least_sarsa(cliff, cliff_agents):
    # Figure 6.3 at alpha = 0.5: the return per episode during training, over all
    # 500 episodes and the seeds, ranks Expected SARSA >= SARSA > Q-learning.
    # Measured over 20 seeds: -28.1, -37.1 and -55.8 (seeds 0-4: -28.8, -37.5,
    # -57.0); over the first 100 episodes (the figure's interim performance)
    # -55.9, -71.6 and -78.6.
    online = {
        name: np.mean([a.episode_rewards_.mean() for a in agents])
        for name, agents in cliff_agents.items()
    }
    assert online["ExpectedSARSA"] >= online["SARSA"] > online["QLearning"] + 10
    assert -35 < online["ExpectedSARSA"] < -20
    interim = {
        name: np.mean([a.episode_rewards_[:100].mean() for a in agents])
        for name, agents in cliff_agents.items()
    }
    assert interim["ExpectedSARSA"] >= interim["SARSA"] + 10
    # Its greedy policy keeps a distance from the cliff, as SARSA's does.
    for agent in cliff_agents["ExpectedSARSA"]:
        states, _, rewards, terminated = agent.rollout(cliff, max_steps=200)
        assert terminated and -17 <= sum(rewards) <= -15
        assert min(_rows(states)) <= 1


def test_value_iteration_on_cliff(cliff):
    vi = ValueIteration(discount=1.0).fit(cliff)
    assert vi.value_[CLIFF_START] == pytest.approx(-13)
    states, _, rewards, terminated = vi.rollout(cliff)
    assert terminated and sum(rewards) == -13


# -- FrozenLake ----------------------------------------------------------------
def _success_probability(env, policy, horizon=None):
    """Exact probability of reaching the goal from the start under ``policy``,
    within ``horizon`` steps (None: ever), from the environment's model."""
    model = env.unwrapped.P
    n = env.observation_space.n
    T = np.zeros((n, n))
    R = np.zeros(n)
    for s in range(n):
        for p, s2, r, terminated in model[s][int(policy[s])]:
            if terminated:
                R[s] += p * r
            else:
                T[s, s2] += p
    if horizon is None:
        return np.linalg.solve(np.eye(n) - T, R)[0]
    v = np.zeros(n)
    for _ in range(horizon):
        v = R + T @ v
    return v[0]


def test_frozen_lake_deterministic():
    env = gym.make("FrozenLake-v1", is_slippery=False)
    agent = QLearning(n_episodes=300, learning_rate=0.5, epsilon=0.2, random_state=0)
    agent.fit(env)
    states, _, rewards, terminated = agent.rollout(env)
    assert terminated and sum(rewards) == 1.0
    assert len(rewards) == 6  # the shortest path on the 4 x 4 map


@pytest.fixture(scope="module")
def slippery():
    env = gym.make("FrozenLake-v1")
    yield env
    env.close()


def test_value_iteration_frozen_lake_figures(slippery):
    vi = ValueIteration(discount=1.0).fit(slippery)
    # The optimum: 0.8235 without a time limit, 0.740 within 100 steps.
    assert vi.value_[0] == pytest.approx(0.8235, abs=1e-4)
    assert _success_probability(slippery, vi.policy_) == pytest.approx(vi.value_[0])
    within_limit = _success_probability(slippery, vi.policy_, horizon=100)
    assert within_limit == pytest.approx(0.740, abs=5e-4)
    # evaluate (a Monte Carlo estimate under the 100-step limit) agrees.
    mean, std = vi.evaluate(slippery, n_episodes=1000, random_state=0)
    standard_error = np.sqrt(within_limit * (1 - within_limit) / 1000)
    assert abs(mean - within_limit) < 3 * standard_error
    assert std == pytest.approx(np.sqrt(mean * (1 - mean)))


def test_q_learning_slippery_frozen_lake_matches_value_iteration(slippery):
    vi = ValueIteration(discount=0.99).fit(slippery)
    optimum = _success_probability(slippery, vi.policy_, horizon=100)
    desc = slippery.unwrapped.desc.ravel()
    open_states = np.flatnonzero((desc == b"F") | (desc == b"S"))
    for seed in range(2):
        agent = QLearning(
            n_episodes=10_000, learning_rate=0.05, epsilon=0.3, random_state=seed
        ).fit(slippery)
        error = np.abs(agent.q_table_ - vi.q_table_)[open_states]
        assert error.mean() < 0.05
        assert np.abs(agent.value_ - vi.value_).max() < 0.1
        learned = _success_probability(slippery, agent.policy_, horizon=100)
        assert learned > optimum - 0.01


# -- the robot vacuum ------------------------------------------------------------
@pytest.fixture(scope="module")
def vacuum():
    env = gym.make(ROBOT_VACUUM_ID)
    yield env
    env.close()


@pytest.fixture(scope="module")
def vacuum_optimum(vacuum):
    return ValueIteration(discount=0.99).fit(vacuum)


def test_vacuum_passes_gymnasium_checks():
    for mode in ("ansi", "rgb_array"):
        env = gym.make(ROBOT_VACUUM_ID, render_mode=mode)
        check_env(env.unwrapped, skip_render_check=False)


def test_vacuum_model_matches_step():
    env = RobotVacuumEnv(battery=100)
    rng = np.random.RandomState(0)
    for _ in range(50):
        state, _ = env.reset()
        for _ in range(20):
            action = int(rng.randint(6))
            [(p, expected, reward, done)] = env.P[state][action]
            state, r, terminated, truncated, info = env.step(action)
            assert (p, expected, reward, done) == (1.0, state, r, terminated)
            assert info["room"] == env.decode(state).room
            if terminated:
                break
    for s in range(env.observation_space.n):
        assert env.encode(*env.decode(s)) == s


def test_vacuum_lecture_numbers():
    env = RobotVacuumEnv()
    state, _ = env.reset(seed=0)
    assert env.decode(state) == ("outlet", 30, ("kitchen", "new room"))
    # 19 % to the new room, 10 % back to the outlet: 29 % of the 30 %.
    state, *_ = env.step(1)
    assert env.decode(state).battery == 11
    env.step(4)
    state, *_ = env.step(3)
    assert env.decode(state) == ("outlet", 1, ("kitchen",))
    # From there any move empties the battery.
    _, reward, terminated, *_ = env.step(2)
    assert reward == -100 and terminated


def test_vacuum_render():
    env = RobotVacuumEnv(render_mode="ansi")
    env.reset(seed=0)
    text = env.render()
    assert "[robot]" in text and "30%" in text
    assert all(name in text for name in env.room_names)
    env = RobotVacuumEnv(render_mode="rgb_array")
    env.reset(seed=0)
    image = env.render()
    assert image.dtype == np.uint8 and image.ndim == 3 and image.shape[2] == 3


def test_vacuum_value_iteration(vacuum, vacuum_optimum):
    # Exploring the new room (26) beats the kitchen (11) and docking at once (9).
    states, actions, rewards, terminated = vacuum_optimum.rollout(vacuum)
    env = vacuum.unwrapped
    assert terminated and sum(rewards) == 26
    assert [env.decode(s).room for s in states] == [
        "outlet", "new room", "new room", "outlet", "outlet"
    ]
    full = ValueIteration(discount=1.0).fit(RobotVacuumEnv(battery=100))
    assert full.value_[env.encode("outlet", 100, ("kitchen", "new room"))] == 28


class _NewRoomVisits(gym.Wrapper):
    """Counts the episodes in which the robot entered the new room."""

    def __init__(self, env):
        super().__init__(env)
        self.episodes_in_new_room = 0
        self._seen = False

    def reset(self, **kwargs):
        self._seen = False
        return self.env.reset(**kwargs)

    def step(self, action):
        result = self.env.step(action)
        if result[4]["room"] == "new room" and not self._seen:
            self._seen = True
            self.episodes_in_new_room += 1
        return result


def _q_on_path(agent, optimum, env):
    states, actions, _, _ = optimum.rollout(env)
    return [agent.q_table_[s, a] for s, a in zip(states, actions)], [
        optimum.q_table_[s, a] for s, a in zip(states, actions)
    ]


@pytest.mark.parametrize("seed", range(3))
def test_vacuum_exploration(seed, vacuum, vacuum_optimum):
    params = dict(n_episodes=1000, learning_rate=0.2, random_state=seed)
    # Pure exploitation from zero values: docking's +9 is the first positive value
    # at the start, and every other action there scored below zero once.
    counted = _NewRoomVisits(gym.make(ROBOT_VACUUM_ID))
    greedy = QLearning(exploration="greedy", **params).fit(counted)
    assert counted.episodes_in_new_room <= 1
    assert greedy.evaluate(vacuum, n_episodes=1) == (9.0, 0.0)
    assert greedy.episode_rewards_[-100:].mean() == 9.0

    explorers = [
        QLearning(exploration="epsilon_greedy", epsilon=0.1, **params),
        QLearning(exploration="greedy", initial_q=30.0, **params),
    ]
    for agent in explorers:
        agent.fit(vacuum)
        assert agent.evaluate(vacuum, n_episodes=1) == (26.0, 0.0)
        learned, exact = _q_on_path(agent, vacuum_optimum, vacuum)
        np.testing.assert_allclose(learned, exact, atol=0.25)


# -- the estimator conventions -----------------------------------------------------
def test_same_seed_same_table(cliff):
    for cls in AGENTS:
        for exploration in ("epsilon_greedy", "softmax", "greedy"):
            params = dict(n_episodes=50, exploration=exploration, random_state=3)
            a = cls(**params).fit(cliff)
            b = cls(**params).fit(gym.make("CliffWalking-v1"))
            np.testing.assert_array_equal(a.q_table_, b.q_table_)
            np.testing.assert_array_equal(a.policy_, b.policy_)
            np.testing.assert_array_equal(a.episode_rewards_, b.episode_rewards_)
    a, b = (QLearning(n_episodes=50, random_state=s).fit(cliff) for s in (3, 4))
    assert not np.array_equal(a.q_table_, b.q_table_)


def test_ties_are_broken_at_random():
    # Deterministic FrozenLake always starts in 0 and pays nothing until the goal,
    # so a greedy agent's Q table stays equal and the tie-breaking alone moves it.
    # Always action 0 (left, into the wall) would last the 100-step limit each time.
    env = gym.make("FrozenLake-v1", is_slippery=False)
    lengths = {
        tuple(
            QLearning(n_episodes=20, exploration="greedy", random_state=seed)
            .fit(env)
            .episode_lengths_
        )
        for seed in range(5)
    }
    assert len(lengths) == 5
    assert all(max(run) < 100 for run in lengths)
    # States never visited keep equal values: their greedy action is random.
    agent = QLearning(n_episodes=20, random_state=0).fit(RobotVacuumEnv())
    untouched = np.all(agent.q_table_ == 0, axis=1)
    counts = np.bincount(agent.policy_[untouched], minlength=6)
    assert untouched.sum() > 1500
    assert counts.min() > untouched.sum() / 6 * 0.8


class _TwoArmedBandit(gym.Env):
    """One state, one step: arm 1 pays 1, arm 0 nothing. It has no model P."""

    observation_space = gym.spaces.Discrete(1)
    action_space = gym.spaces.Discrete(2)

    def reset(self, *, seed=None, options=None):
        super().reset(seed=seed)
        return 0, {}

    def step(self, action):
        return 0, float(action), True, False, {}


class _EndlessReward(gym.Env):
    """One state, reward 1 a step; each step ends the episode either as a
    termination or as a truncation (a time limit)."""

    observation_space = gym.spaces.Discrete(1)
    action_space = gym.spaces.Discrete(2)

    def __init__(self, terminate):
        self.terminate = terminate

    def reset(self, *, seed=None, options=None):
        super().reset(seed=seed)
        return 0, {}

    def step(self, action):
        return 0, 1.0, self.terminate, not self.terminate, {}


# Expected SARSA and Double Q-learning need more episodes to reach the fixed
# point: test_td_agents.py checks them.
@pytest.mark.parametrize("cls", [QLearning, SARSA])
def test_truncation_bootstraps_termination_does_not(cls):
    params = dict(n_episodes=60, learning_rate=1.0, discount=0.5, random_state=0)
    # Terminal: the target is the reward alone.
    ended = cls(**params).fit(_EndlessReward(terminate=True))
    assert ended.q_table_.max() == 1.0
    # Truncated: r + gamma Q(s', a') converges to 1 / (1 - gamma) = 2.
    cut = cls(**params).fit(_EndlessReward(terminate=False))
    assert cut.q_table_.max() == pytest.approx(2.0, abs=1e-6)


def test_softmax_follows_boltzmann_probabilities():
    # On the bandit, SARSA's online choices are the softmax of its current values.
    agent = SARSA(
        n_episodes=2000, exploration="softmax", temperature=0.5, random_state=0
    ).fit(_TwoArmedBandit())
    assert agent.q_table_[0, 1] == pytest.approx(1.0, abs=1e-3)
    last = agent.episode_rewards_[-1000:].mean()  # the share of arm 1
    assert last == pytest.approx(1 / (1 + np.exp(-1 / 0.5)), abs=0.04)
    # The chooser alone, against the Boltzmann law.
    from sklearn_lecture.reinforcement._base import _make_chooser, _uniforms

    draws = _uniforms(np.random.RandomState(0)).__next__
    choose = _make_chooser("softmax", 3, draws)
    row = [0.0, 1.0, 2.0]
    counts = np.bincount([choose(row, 1.0) for _ in range(30_000)], minlength=3)
    expected = np.exp(row) / np.exp(row).sum()
    np.testing.assert_allclose(counts / counts.sum(), expected, atol=0.01)


def test_clone_get_params_pickle(cliff):
    agent = SARSA(n_episodes=40, epsilon=0.2, epsilon_decay=0.99, random_state=0)
    params = agent.get_params()
    assert params["epsilon_decay"] == 0.99 and params["n_episodes"] == 40
    fresh = clone(agent)
    assert fresh.get_params() == params
    agent.fit(cliff)
    assert not hasattr(clone(agent), "q_table_")
    restored = pickle.loads(pickle.dumps(agent))
    np.testing.assert_array_equal(restored.q_table_, agent.q_table_)
    np.testing.assert_array_equal(restored.predict(np.arange(48)), agent.policy_)
    vi = pickle.loads(pickle.dumps(ValueIteration(discount=1.0).fit(cliff)))
    assert vi.value_[CLIFF_START] == pytest.approx(-13)


def test_partial_fit_continues(cliff):
    agent = QLearning(n_episodes=30, epsilon=0.5, epsilon_decay=0.9, random_state=0)
    agent.partial_fit(cliff)
    agent.partial_fit(cliff, n_episodes=20)
    assert agent.n_episodes_ == 50
    assert agent.episode_rewards_.shape == agent.episode_lengths_.shape == (50,)
    assert agent.epsilon_ == pytest.approx(0.5 * 0.9**49)
    # fit starts again.
    agent.fit(cliff)
    assert agent.n_episodes_ == 30
    with pytest.raises(ValueError, match="16 states and 4 actions"):
        agent.partial_fit(gym.make("FrozenLake-v1"))


class _StopsAfter(gym.Wrapper):
    """Raises ``error`` at step ``n_steps + 1``, as a Ctrl-C during training."""

    def __init__(self, env, n_steps, error=KeyboardInterrupt):
        super().__init__(env)
        self.n_steps, self.error, self.count = n_steps, error, 0

    def step(self, action):
        self.count += 1
        if self.count > self.n_steps:
            raise self.error
        return self.env.step(action)


@pytest.mark.parametrize("cls", AGENTS, ids=_agent_name)
def test_partial_fit_revalidates_changed_parameters(cls, cliff):
    agent = cls(n_episodes=5, random_state=0).fit(cliff)
    table = agent.q_table_.copy()
    for params, name in [
        ({"learning_rate": 5.0}, "learning_rate"),
        ({"epsilon": 3.0}, "epsilon"),
        ({"discount": 2.0}, "discount"),
        ({"exploration": "bogus"}, "exploration"),
    ]:
        valid = agent.get_params()
        agent.set_params(**params)
        with pytest.raises(InvalidParameterError, match=f"'{name}' parameter"):
            agent.partial_fit(cliff, n_episodes=3)
        agent.set_params(**valid)
    # Refused before any step: the table is the one fitted.
    np.testing.assert_array_equal(agent.q_table_, table)
    assert agent.n_episodes_ == 5


@pytest.mark.parametrize("cls", AGENTS, ids=_agent_name)
@pytest.mark.parametrize("first", ["fit", "partial_fit"])
def test_interrupted_fit_leaves_the_agent_unfitted(cls, first):
    # Fitted on FrozenLake (16 states), then refitted on CliffWalking (48) and
    # interrupted: no mix of the 48-state table and the 16-state policy.
    agent = cls(n_episodes=50, learning_rate=0.5, random_state=0)
    agent.fit("FrozenLake-v1")
    if first == "partial_fit":
        agent = clone(agent)
    with pytest.raises(KeyboardInterrupt):
        getattr(agent, first)(_StopsAfter(gym.make("CliffWalking-v1"), 30))
    assert not [name for name in vars(agent) if name.endswith("_")]
    with pytest.raises(NotFittedError):
        agent.predict([20])
    with pytest.raises(NotFittedError):
        agent.evaluate("CliffWalking-v1", n_episodes=1)
    # A new fit works as on a fresh agent.
    agent.fit(gym.make("CliffWalking-v1"))
    fresh = cls(n_episodes=50, learning_rate=0.5, random_state=0).fit(
        gym.make("CliffWalking-v1")
    )
    np.testing.assert_array_equal(agent.q_table_, fresh.q_table_)


@pytest.mark.parametrize("cls", AGENTS, ids=_agent_name)
@pytest.mark.parametrize("error", [KeyboardInterrupt, RuntimeError])
def test_interrupted_partial_fit_keeps_the_fitted_agent(cls, error):
    kw = dict(n_episodes=50, learning_rate=0.5, epsilon_decay=0.99, random_state=0)
    agent = cls(**kw).fit("CliffWalking-v1")
    before = {k: np.copy(v) for k, v in vars(agent).items() if k.endswith("_")}
    with pytest.raises(error):
        agent.partial_fit(_StopsAfter(gym.make("CliffWalking-v1"), 300, error), 20)
    for name, value in before.items():
        np.testing.assert_array_equal(getattr(agent, name), value)
    assert agent.predict(np.arange(48)).shape == (48,)
    # The random stream was rewound too: the call again gives what an
    # uninterrupted one gives.
    agent.partial_fit("CliffWalking-v1", n_episodes=20)
    reference = cls(**kw).fit("CliffWalking-v1")
    reference.partial_fit("CliffWalking-v1", n_episodes=20)
    np.testing.assert_array_equal(agent.q_table_, reference.q_table_)
    np.testing.assert_array_equal(agent.policy_, reference.policy_)
    assert agent.n_episodes_ == 70


def test_epsilon_decay_floor(cliff):
    agent = QLearning(
        n_episodes=100, epsilon=1.0, epsilon_decay=0.5, min_epsilon=0.05, random_state=0
    ).fit(cliff)
    assert agent.epsilon_ == 0.05


def test_fit_takes_an_id_and_truncation(capsys):
    agent = QLearning(n_episodes=20, max_steps_per_episode=7, verbose=1, random_state=0)
    agent.fit("CliffWalking-v1")
    assert agent.episode_lengths_.max() <= 7
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 10
    assert lines[-1].startswith("[QLearning] episode 20: mean return")
    assert "epsilon 0.1" in lines[-1]


def test_predict_act_and_the_evaluation_cap(cliff):
    agent = QLearning(n_episodes=30, random_state=0).fit(cliff)
    states = np.array([[36, 24], [0, 47]])
    np.testing.assert_array_equal(agent.predict(states), agent.policy_[states])
    assert agent.act(36) == agent.policy_[36]
    # A policy that walks into the top wall forever: the cap ends each episode.
    agent.policy_ = np.zeros(48, dtype=np.intp)
    assert agent.evaluate(cliff, n_episodes=2, max_steps=50) == (-50.0, 0.0)
    _, _, rewards, terminated = agent.rollout(cliff, max_steps=30)
    assert len(rewards) == 30 and not terminated
    with pytest.raises(ValueError, match=r"lie in \[0, 48\)"):
        agent.predict([48])
    with pytest.raises(ValueError, match="integer state indices"):
        agent.predict([0.5])
    with pytest.raises(ValueError, match="one state"):
        agent.act([1, 2])


# -- bad input ---------------------------------------------------------------------
@pytest.mark.parametrize("cls", [*AGENTS, ValueIteration], ids=_agent_name)
def test_continuous_space_is_refused(cls):
    with pytest.raises(ValueError, match="Discrete observation space.*Box"):
        cls().fit(gym.make("CartPole-v1"))


@pytest.mark.parametrize("cls", [*AGENTS, ValueIteration], ids=_agent_name)
def test_not_an_environment(cls):
    with pytest.raises(ValueError, match="needs a Gymnasium environment.*ndarray"):
        cls().fit(np.zeros((3, 3)))


@pytest.mark.parametrize("cls", [*AGENTS, ValueIteration], ids=_agent_name)
def test_unknown_environment_id(cls):
    with pytest.raises(ValueError, match="could not make the environment 'NoSuch"):
        cls().fit("NoSuchEnv-v0")
    with pytest.raises(ValueError, match="could not make") as info:
        cls().fit("CliffWalking-v9")
    assert isinstance(info.value.__cause__, gym.error.Error)


def test_vacuum_refuses_bad_actions_and_batteries():
    env = RobotVacuumEnv()
    env.reset(seed=0)
    for action in (6, -1, 1.5):
        with pytest.raises(ValueError, match=r"action should be an int from 0 to 5"):
            env.step(action)
    state, *_ = env.step(np.int64(1))  # numpy ints, as action_space.sample gives
    assert env.decode(state) == ("new room", 11, ("kitchen", "new room"))
    # reset checks the battery as the constructor does.
    for battery in (30.7, True, "30"):
        with pytest.raises(ValueError, match="battery should be an int from 0 to 100"):
            RobotVacuumEnv(battery=battery)
        with pytest.raises(ValueError, match="battery should be an int from 0 to 100"):
            env.reset(options={"battery": battery})
    with pytest.raises(ValueError, match="battery should be from 0 to 100"):
        env.reset(options={"battery": 101})
    state, _ = env.reset(options={"battery": np.int32(50)})
    assert env.decode(state).battery == 50


@pytest.mark.parametrize(
    "params, name",
    [
        ({"n_episodes": -5}, "n_episodes"),
        ({"n_episodes": 0}, "n_episodes"),
        ({"discount": 1.5}, "discount"),
        ({"discount": -0.1}, "discount"),
        ({"epsilon": 1.2}, "epsilon"),
        ({"epsilon": -0.1}, "epsilon"),
        ({"learning_rate": 0.0}, "learning_rate"),
        ({"exploration": "ucb"}, "exploration"),
        ({"temperature": 0.0}, "temperature"),
    ],
)
def test_bad_parameters(params, name, cliff):
    with pytest.raises(InvalidParameterError, match=f"'{name}' parameter"):
        QLearning(**params).fit(cliff)


def test_bad_partial_fit_episodes_and_model(cliff):
    with pytest.raises(ValueError, match="n_episodes == -1, must be >= 1"):
        QLearning().partial_fit(cliff, n_episodes=-1)
    with pytest.raises(InvalidParameterError, match="'discount' parameter"):
        ValueIteration(discount=2.0).fit(cliff)
    with pytest.raises(ValueError, match="_TwoArmedBandit has no attribute P"):
        ValueIteration().fit(_TwoArmedBandit())
    with pytest.raises(ValueError, match="battery should be from 0 to 100"):
        RobotVacuumEnv(battery=120)


def test_value_iteration_warns_when_not_converged(cliff):
    from sklearn.exceptions import ConvergenceWarning

    with pytest.warns(ConvergenceWarning, match="did not converge"):
        ValueIteration(discount=1.0, max_iter=3).fit(cliff)


def test_training_episodes_end_without_a_time_limit():
    # Greedy with pessimistic values repeats its first updated action: a move
    # into a wall keeps the robot in place forever. An environment built
    # directly has no time limit, so the agents' own cap ends the episode; the
    # wrapper turns a regression into an error instead of a hang.
    cap = 10_000
    params = dict(exploration="greedy", initial_q=-1000, n_episodes=1)
    lengths = [
        QLearning(**params, random_state=seed)
        .fit(_StopsAfter(RobotVacuumEnv(), 5 * cap, RuntimeError))
        .episode_lengths_[0]
        for seed in range(3)
    ]
    assert max(lengths) == cap and min(lengths) >= 1
    # The reproducer, unseeded, returns.
    QLearning(**params).fit(_StopsAfter(RobotVacuumEnv(), 5 * cap, RuntimeError))
    # The registered id keeps its own limit, and max_steps_per_episode its own.
    agent = QLearning(**params, random_state=0).fit(ROBOT_VACUUM_ID)
    assert agent.episode_lengths_[0] == 100
    agent = QLearning(**params, max_steps_per_episode=20_000, random_state=0)
    assert agent.fit(RobotVacuumEnv()).episode_lengths_[0] == 20_000


@pytest.mark.parametrize("battery", [-5, 2.7, 150, 101, True, "30", None])
def test_vacuum_encode_refuses_bad_batteries(battery):
    env = RobotVacuumEnv()
    with pytest.raises(ValueError, match="battery should be"):
        env.encode("outlet", battery, ())


@pytest.mark.parametrize(
    "room, dirty, match",
    [
        ("garage", (), "room should be one of .* got 'garage'"),
        ("outlet", ("hall",), "dirty should hold rooms that get dirty.* got 'hall'"),
        ("outlet", ("kitchen", "attic"), "got 'attic'"),
        ("outlet", "kitchen", "not the string 'kitchen'"),
        (0, (), "room should be one of .* got 0"),
    ],
)
def test_vacuum_encode_names_a_bad_room(room, dirty, match):
    with pytest.raises(ValueError, match=match):
        RobotVacuumEnv().encode(room, 10, dirty)


def test_vacuum_decode_refuses_indices_out_of_range():
    env = RobotVacuumEnv()
    n = env.observation_space.n
    for state in (-1, n, 10**20, 2.5, True, "3"):
        with pytest.raises(ValueError, match=r"state should be an int in \[0, 1616\)"):
            env.decode(state)
    assert env.decode(np.int64(n - 1)) == ("hall", 100, ("kitchen", "new room"))
    assert env.decode(0) == ("outlet", 0, ())


def test_predict_reports_the_real_out_of_range_value():
    agent = QLearning(n_episodes=2, random_state=0).fit(RobotVacuumEnv())
    cases = [([1e20], "1e+20"), ([3.0, -(2.0**70)], "-1.18"), ([np.inf], "inf")]
    for states, shown in cases:
        with pytest.raises(ValueError, match=r"lie in \[0, 1616\)") as info:
            agent.predict(states)
        assert shown in str(info.value)
        assert "-9223372036854775808" not in str(info.value)
    with pytest.raises(ValueError, match="integer state indices"):
        agent.predict([np.nan])
    np.testing.assert_array_equal(agent.predict([3.0, 5]), agent.policy_[[3, 5]])


@pytest.mark.parametrize(
    "entry, match",
    [
        ([(1.0, 4, -1.0)], r"model P\[3\]\[2\] should be a list of \(probability"),
        ([(1.0, 4, -1.0, False, {})], r"P\[3\]\[2\] .* holds \(1.0, 4, -1.0, False"),
        ([1.0], r"P\[3\]\[2\] should be a list"),
        ([(1.0, 4, np.nan, False)], r"P has a reward that is not finite: nan in P"),
        ([(1.0, 4, -np.inf, False)], r"reward that is not finite: -inf in P\[3\]\[2\]"),
        ([(np.nan, 4, -1.0, False)], r"probability that is not finite: nan in P\[3\]"),
        ([(1.0, 4, "bad", False)], "P has a reward that is not a number"),
    ],
)
def test_value_iteration_names_a_bad_model(entry, match):
    env = RobotVacuumEnv()
    fitted = ValueIteration().fit(env)
    table = fitted.q_table_.copy()
    env.P[3][2] = entry
    with pytest.raises(ValueError, match=match):
        fitted.fit(env)
    # The failed refit leaves the fitted table as it was.
    np.testing.assert_array_equal(fitted.q_table_, table)
    assert np.all(np.isfinite(fitted.q_table_))


# -- optional dependency -------------------------------------------------------------
def test_import_does_not_load_gymnasium():
    code = (
        "import sys, sklearn_lecture; "
        "assert 'gymnasium' not in sys.modules; "
        "from sklearn_lecture import QLearning; "
        "assert 'gymnasium' in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_missing_gymnasium_names_the_extra():
    code = (
        "import sys; sys.modules['gymnasium'] = None\n"
        "import sklearn_lecture\n"
        "try:\n    sklearn_lecture.QLearning\n"
        "except ImportError as e:\n    print(e)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], check=True, capture_output=True, text=True
    ).stdout
    assert "pip install 'sklearn_lecture[rl]'" in out
