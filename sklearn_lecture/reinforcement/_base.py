"""Shared base of the tabular agents: the environment checks, exploration, the
episode loop and the greedy policy.

:class:`_GreedyPolicyMixin` gives every fitted table (the agents' and
:class:`~sklearn_lecture.reinforcement.ValueIteration`'s) ``predict``, ``act``,
``rollout`` and ``evaluate``. :class:`_BaseTabularAgent` holds the parameters,
constraints and episode loop that every temporal-difference agent shares; a
subclass writes only its update, the hook ``_td_update`` (Q-learning bootstraps on
the best next action, SARSA on the one taken, Expected SARSA on the behaviour
policy's mean, Double Q-learning on the other table's value of its own best).

Speed
-----
The loop over steps is Python by nature (the environment is a Python object), so it
is kept lean: during training the Q table is a list of lists of Python floats (an
element of a numpy array costs about ten times more to read and write one at a
time), the uniform random numbers are drawn from ``random_state`` in blocks, and a
step allocates nothing but what the environment returns. ``q_table_`` is a numpy
array again after every fit.
"""

from bisect import bisect_right
from itertools import accumulate
from math import exp
from numbers import Integral, Real

import gymnasium as gym
import numpy as np
from gymnasium.spaces import Discrete
from gymnasium.wrappers import TimeLimit
from sklearn.base import BaseEstimator
from sklearn.utils import check_random_state, check_scalar
from sklearn.utils.validation import check_is_fitted

from ..utils._callbacks import NO_TASK, CallbackSupportMixin, begin_fit
from ..utils._compat import Interval, StrOptions
from ..utils._params import store_params
from ..utils._validation import clear_fitted, fit_guard

__all__ = ["_BaseTabularAgent", "_GreedyPolicyMixin", "_check_env"]

# Uniform random numbers drawn from random_state at a time during training.
_UNIFORM_BLOCK = 4096

# The training episodes' step cap on an environment without a time limit (one
# built directly, or registered without max_episode_steps, as CliffWalking): a
# policy that loops, as a greedy one can, still ends its episodes.
_DEFAULT_MAX_STEPS = 10_000

# Seeds passed to env.reset are drawn below this bound (Gymnasium takes any
# non-negative int; numpy's RandomState draws int32 by default).
_SEED_BOUND = 2**31 - 1


def _check_env(env, owner):
    """Return ``(env, made_here)`` for a Gymnasium environment or a registered id.

    Raises a ValueError naming the problem for anything else (an id that
    ``gymnasium.make`` cannot make included), and for observation or action spaces
    that are not ``Discrete`` spaces starting at 0.
    """
    made_here = False
    if isinstance(env, str):
        try:
            env = gym.make(env)
        except gym.error.Error as exc:
            raise ValueError(
                f"{owner} could not make the environment {env!r} with "
                f"gymnasium.make: {exc}"
            ) from exc
        made_here = True
    if not isinstance(env, gym.Env):
        raise ValueError(
            f"{owner} needs a Gymnasium environment (a gymnasium.Env instance, or "
            f"the id of a registered one for gymnasium.make); got an object of type "
            f"{type(env).__name__}."
        )
    for what, space in (
        ("observation", env.observation_space),
        ("action", env.action_space),
    ):
        if not isinstance(space, Discrete):
            if made_here:
                env.close()
            raise ValueError(
                f"{owner} is tabular: it needs a Discrete {what} space, but this "
                f"environment's {what} space is {space}. Discretise a continuous "
                "space first (for instance with a Gymnasium wrapper)."
            )
        if int(space.start) != 0:
            if made_here:
                env.close()
            raise ValueError(
                f"{owner} indexes its table from 0, but this environment's "
                f"{what} space is {space} (start={int(space.start)})."
            )
    return env, made_here


def _has_time_limit(env):
    """Whether a ``TimeLimit`` wrapper (``gymnasium.make``'s ``max_episode_steps``)
    truncates the episodes of ``env``."""
    while isinstance(env, gym.Wrapper):
        if isinstance(env, TimeLimit):
            return True
        env = env.env
    return False


def _uniforms(random_state):
    """An endless stream of uniform floats in [0, 1), drawn in blocks."""
    while True:
        yield from random_state.random_sample(_UNIFORM_BLOCK).tolist()


def _make_chooser(exploration, n_actions, uniform):
    """The behaviour policy: ``choose(row, param) -> action`` for one Q-table row.

    ``row`` is a list of floats, ``param`` the current epsilon (epsilon-greedy) or
    temperature (softmax), unused by "greedy". Ties between equal Q-values are broken
    uniformly at random, with ``uniform()`` as the source of randomness.
    """
    actions = range(n_actions)

    def greedy(row, param=None):
        best = max(row)
        if row.count(best) == 1:
            return row.index(best)
        ties = [a for a in actions if row[a] == best]
        return ties[int(uniform() * len(ties))]

    def epsilon_greedy(row, epsilon):
        if uniform() < epsilon:
            return int(uniform() * n_actions)
        return greedy(row)

    def softmax(row, temperature):
        # Subtracting the maximum keeps exp from overflowing; the cumulative
        # weights turn one uniform draw into an action.
        best = max(row)
        cumulative = list(accumulate([exp((q - best) / temperature) for q in row]))
        return bisect_right(cumulative, uniform() * cumulative[-1])

    return {"greedy": greedy, "epsilon_greedy": epsilon_greedy, "softmax": softmax}[
        exploration
    ]


def _make_expectation(exploration, n_actions):
    """The behaviour policy's mean: ``expected(row, param) -> sum_a pi(a) row[a]``.

    The policy is the one :func:`_make_chooser` samples: ties of the greedy part
    share its probability, so the greedy part's mean is ``max(row)`` whatever the
    ties.
    """

    def greedy(row, param=None):
        return max(row)

    def epsilon_greedy(row, epsilon):
        return epsilon * sum(row) / n_actions + (1.0 - epsilon) * max(row)

    def softmax(row, temperature):
        best = max(row)
        weights = [exp((q - best) / temperature) for q in row]
        return sum(w * q for w, q in zip(weights, row)) / sum(weights)

    return {"greedy": greedy, "epsilon_greedy": epsilon_greedy, "softmax": softmax}[
        exploration
    ]


def _greedy_policy(q_table, random_state):
    """The greedy action of each row, ties broken uniformly at random."""
    is_best = q_table == q_table.max(axis=1, keepdims=True)
    scores = np.where(is_best, random_state.random_sample(q_table.shape), -1.0)
    return scores.argmax(axis=1)


class _GreedyPolicyMixin:
    """``predict``, ``act``, ``rollout`` and ``evaluate`` from a fitted ``policy_``."""

    def predict(self, states):
        """Greedy action for each state.

        Parameters
        ----------
        states : array-like of int
            States, integers in ``[0, n_states_)``, of any shape.

        Returns
        -------
        actions : ndarray of int, the shape of ``states``
            ``policy_[states]``.
        """
        check_is_fitted(self, "policy_")
        states = np.asarray(states)
        if states.dtype.kind not in "iu":
            if states.dtype.kind != "f" or not np.all(np.floor(states) == states):
                raise ValueError(
                    "states should be integer state indices; got an array of dtype "
                    f"{states.dtype}."
                )
        # The range is checked before the cast, which would wrap a float
        # beyond the integers (1e20) around to another value.
        if states.size and (states.min() < 0 or states.max() >= self.n_states_):
            raise ValueError(
                f"states should lie in [0, {self.n_states_}) (n_states_="
                f"{self.n_states_}); got values from {states.min()} to {states.max()}."
            )
        return self.policy_[states.astype(np.intp, copy=False)]

    def act(self, state):
        """One greedy action for one state, with no exploration.

        Parameters
        ----------
        state : int
            A state in ``[0, n_states_)``.

        Returns
        -------
        action : int
        """
        if np.ndim(state) != 0:
            raise ValueError(
                f"act takes one state; got an array of shape {np.shape(state)}. "
                "Use predict for several states."
            )
        return int(self.predict(state))

    def rollout(self, env, *, max_steps=1000, seed=None):
        """Run one episode of the greedy policy.

        Parameters
        ----------
        env : gymnasium.Env or str
            The environment (or a registered id), with the same numbers of states
            and actions as the one fitted.
        max_steps : int, default=1000
            The episode is cut after this many steps (if the environment's own time
            limit does not end it before), so that a greedy policy that loops, which
            a tabular agent can learn, still returns.
        seed : int or None, default=None
            Passed to ``env.reset``.

        Returns
        -------
        states : list of int
            The states visited, the first and the last included
            (``len(actions) + 1`` of them).
        actions : list of int
            The greedy actions taken.
        rewards : list of float
            The reward of each step.
        terminated : bool
            Whether the episode reached a terminal state (False when it was cut by
            ``max_steps`` or truncated by the environment).
        """
        check_is_fitted(self, "policy_")
        check_scalar(max_steps, "max_steps", Integral, min_val=1)
        env, made_here = self._check_same_env(env)
        policy = self.policy_.tolist()
        try:
            state, _ = env.reset(seed=seed)
            states, actions, rewards = [int(state)], [], []
            terminated = False
            for _ in range(max_steps):
                action = policy[state]
                state, reward, terminated, truncated, _ = env.step(action)
                states.append(int(state))
                actions.append(action)
                rewards.append(float(reward))
                if terminated or truncated:
                    break
        finally:
            if made_here:
                env.close()
        return states, actions, rewards, bool(terminated)

    def evaluate(self, env, n_episodes=100, *, max_steps=1000, random_state=None):
        """Mean and standard deviation of the greedy policy's return.

        The return is the undiscounted sum of rewards of an episode. Each episode
        is cut after ``max_steps`` steps (its return is then the sum so far): a
        greedy policy can loop forever in an environment without a time limit
        (Gymnasium's CliffWalking has none), and the cap makes such a policy score
        badly instead of hanging.

        Parameters
        ----------
        env : gymnasium.Env or str
            The environment (or a registered id).
        n_episodes : int, default=100
            Episodes to average over.
        max_steps : int, default=1000
            The cap on the length of an episode.
        random_state : int, RandomState instance or None, default=None
            Draws the seed of the first ``env.reset``.

        Returns
        -------
        mean : float
        std : float
        """
        check_is_fitted(self, "policy_")
        check_scalar(n_episodes, "n_episodes", Integral, min_val=1)
        env, made_here = self._check_same_env(env)
        seed = int(check_random_state(random_state).randint(_SEED_BOUND))
        seeds = [seed] + [None] * (n_episodes - 1)
        try:
            returns = [
                sum(self.rollout(env, max_steps=max_steps, seed=seed)[2])
                for seed in seeds
            ]
        finally:
            if made_here:
                env.close()
        return float(np.mean(returns)), float(np.std(returns))

    def _check_same_env(self, env):
        env, made_here = _check_env(env, type(self).__name__)
        shape = (int(env.observation_space.n), int(env.action_space.n))
        if shape != (self.n_states_, self.n_actions_):
            if made_here:
                env.close()
            raise ValueError(
                f"This environment has {shape[0]} states and {shape[1]} actions; "
                f"{type(self).__name__} was fitted on {self.n_states_} states and "
                f"{self.n_actions_} actions."
            )
        return env, made_here

    def _set_greedy_attributes(self, random_state):
        self.value_ = self.q_table_.max(axis=1)
        self.policy_ = _greedy_policy(self.q_table_, random_state)


class _BaseTabularAgent(CallbackSupportMixin, _GreedyPolicyMixin, BaseEstimator):
    """Tabular temporal-difference control on a Gymnasium environment.

    The episode loop is written once; an agent is its update, the hook
    :meth:`_td_update`. An agent that learns more than one table (Double
    Q-learning) also says how its tables are kept, with :meth:`_tables` and
    :meth:`_store_tables` (and creates them in ``_initialize``).

    scikit-learn's callbacks (``set_callbacks``, scikit-learn >= 1.9) see each
    episode as a subtask of the fit: ``ProgressBar()`` counts the episodes.
    ``ScoringMonitor`` is refused: there is no X and y to score.
    """

    _unscored_fit = (
        "an agent learns from an environment (fit(env)), not from X and y; "
        "episode_rewards_ records its returns"
    )

    _parameter_constraints: dict = {
        "n_episodes": [Interval(Integral, 1, None, closed="left")],
        "learning_rate": [Interval(Real, 0, 1, closed="right")],
        "discount": [Interval(Real, 0, 1, closed="both")],
        "exploration": [StrOptions({"epsilon_greedy", "softmax", "greedy"})],
        "epsilon": [Interval(Real, 0, 1, closed="both")],
        "epsilon_decay": [Interval(Real, 0, 1, closed="right"), None],
        "min_epsilon": [Interval(Real, 0, 1, closed="both")],
        "temperature": [Interval(Real, 0, None, closed="neither")],
        "initial_q": [Interval(Real, None, None, closed="neither")],
        "max_steps_per_episode": [Interval(Integral, 1, None, closed="left"), None],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
    }

    def __init__(
        self,
        *,
        n_episodes=500,
        learning_rate=0.1,
        discount=0.99,
        exploration="epsilon_greedy",
        epsilon=0.1,
        epsilon_decay=None,
        min_epsilon=0.0,
        temperature=1.0,
        initial_q=0.0,
        max_steps_per_episode=None,
        random_state=None,
        verbose=0,
    ):
        store_params(self, locals())

    @fit_guard
    def fit(self, env):
        """Learn the Q table from ``n_episodes`` episodes on ``env``.

        Parameters
        ----------
        env : gymnasium.Env or str
            A Gymnasium environment with ``Discrete`` observation and action
            spaces, or the id of a registered one (made with ``gymnasium.make``
            and closed after training). Its first reset is seeded from
            ``random_state``.

        Returns
        -------
        self : object
            The fitted agent.
        """
        env, made_here = _check_env(env, type(self).__name__)
        try:
            task = begin_fit(self, self.n_episodes)
            self._initialize(env)
            self._train(env, self.n_episodes, task)
            task.end({})
        finally:
            if made_here:
                env.close()
        return self

    @fit_guard
    def partial_fit(self, env, n_episodes=None):
        """Continue training on ``env`` (the first call initialises, as ``fit``).

        The exploration schedule (``epsilon_decay``) and the random stream carry on
        from the previous call. A call that fails or is interrupted (an error of
        the environment, ``KeyboardInterrupt``) leaves a fitted agent as it was
        before the call, its random stream included: the episodes of that call are
        discarded. A first call that fails leaves the agent unfitted, as ``fit``.

        Parameters
        ----------
        env : gymnasium.Env or str
            As in ``fit``, with the same numbers of states and actions on every
            call.
        n_episodes : int, default=None
            Episodes to run; None runs ``self.n_episodes``.

        Returns
        -------
        self : object
            The updated agent.
        """
        fitted = hasattr(self, "q_table_")
        if fitted:
            # _fit_context validates the parameters of the first call only; they
            # may have been changed with set_params since.
            self._validate_params()
        if n_episodes is None:
            n_episodes = self.n_episodes
        check_scalar(n_episodes, "n_episodes", Integral, min_val=1)
        if fitted:
            env, made_here = self._check_same_env(env)
        else:
            env, made_here = _check_env(env, type(self).__name__)
        try:
            task = begin_fit(self, n_episodes, task_name="partial_fit")
            if not fitted:
                self._initialize(env)
            self._train(env, n_episodes, task)
            task.end({})
        finally:
            if made_here:
                env.close()
        return self

    def _clear_fitted(self):
        clear_fitted(self, private=("_random_state",))

    def _initialize(self, env):
        self.n_states_ = int(env.observation_space.n)
        self.n_actions_ = int(env.action_space.n)
        self.q_table_ = np.full(
            (self.n_states_, self.n_actions_), float(self.initial_q)
        )
        self.episode_rewards_ = np.empty(0)
        self.episode_lengths_ = np.empty(0, dtype=np.intp)
        self.n_episodes_ = 0
        self.epsilon_ = float(self.epsilon)
        self._random_state = check_random_state(self.random_state)

    def _td_update(self, tables, choose, uniform, alpha, gamma):
        """The hook: the update of one transition, built once per call of ``fit``.

        Parameters
        ----------
        tables : list of list of list of float
            The tables of :meth:`_tables`, updated in place; the behaviour policy
            acts on the last one.
        choose : callable
            ``choose(row, param) -> action``, the behaviour policy on one row of
            the acting table (``param`` is the episode's epsilon or temperature).
        uniform : callable
            ``uniform() -> float`` in [0, 1), the agent's seeded random stream
            (the one ``choose`` draws from).
        alpha, gamma : float
            The step size and the discount.

        Returns
        -------
        update : callable
            ``update(state, action, reward, next_state, terminated, param) ->
            next_action``: it updates the tables after the step ``state, action
            -> reward, next_state`` and returns the action the agent takes in
            ``next_state`` (chosen with ``choose``). A terminal ``next_state`` has
            no value: the target is the reward alone. A truncated episode is not
            terminal and still bootstraps.
        """
        raise NotImplementedError

    def _tables(self):
        """The fitted tables, as lists for the loop; the acting table last."""
        return [self.q_table_.tolist()]

    def _store_tables(self, tables):
        """Set the fitted tables from the loop's lists (the inverse of ``_tables``)."""
        self.q_table_ = np.array(tables[-1], dtype=np.float64)

    def _epsilons(self, start, n_episodes):
        """Epsilon of episodes ``start, ..., start + n_episodes - 1``."""
        if self.epsilon_decay is None:
            return [float(self.epsilon)] * n_episodes
        k = np.arange(start, start + n_episodes)
        decayed = self.epsilon * np.power(float(self.epsilon_decay), k)
        return np.maximum(decayed, self.min_epsilon).tolist()

    def _train(self, env, n_episodes, task=NO_TASK):
        """Run ``n_episodes`` episodes; the agent changes only if all complete.

        The table is updated in a list of lists and the fitted attributes are set
        at the end; on an error or an interruption the random stream is rewound,
        so that the agent is left as it was before the call. Each episode is a
        subtask of ``task`` for scikit-learn's callbacks; one that asks to stop
        ends the call after that episode.
        """
        rng = self._random_state
        rng_state = rng.get_state()
        try:
            results = self._run_episodes(env, n_episodes, rng, task)
        except BaseException:
            rng.set_state(rng_state)
            raise
        self._set_training_results(*results, rng)

    def _run_episodes(self, env, n_episodes, rng, task=NO_TASK):
        """The episodes of ``_train``: ``(tables, returns, lengths, params)``."""
        # Seeding the first reset fixes the environment's generator for the whole
        # call (Gymnasium's convention; a seeded reset also costs four unseeded).
        seeds = [int(rng.randint(_SEED_BOUND))] + [None] * (n_episodes - 1)
        uniform = _uniforms(rng).__next__
        choose = _make_chooser(self.exploration, self.n_actions_, uniform)
        if self.exploration == "softmax":
            params = [float(self.temperature)] * n_episodes
        else:
            params = self._epsilons(self.n_episodes_, n_episodes)
        tables = self._tables()
        acting = tables[-1]
        update = self._td_update(
            tables, choose, uniform, float(self.learning_rate), float(self.discount)
        )
        max_steps = self.max_steps_per_episode
        if max_steps is None:
            max_steps = -1 if _has_time_limit(env) else _DEFAULT_MAX_STEPS
        step = env.step
        returns = [0.0] * n_episodes
        lengths = [0] * n_episodes
        report_every = max(1, n_episodes // 10)
        exploration_note = {
            "epsilon_greedy": ", epsilon {:.3g}",
            "softmax": ", temperature {:.3g}",
            "greedy": "",
        }[self.exploration]

        for episode in range(n_episodes):
            episode_task = task.subtask("episode")
            param = params[episode]
            state, _ = env.reset(seed=seeds[episode])
            action = choose(acting[state], param)
            total = 0.0
            n_steps = 0
            while True:
                next_state, reward, terminated, truncated, _ = step(action)
                n_steps += 1
                total += reward
                next_action = update(
                    state, action, reward, next_state, terminated, param
                )
                # Truncation (the environment's time limit or max_steps) ends the
                # episode after a bootstrapped update: the state is not terminal.
                if terminated or truncated or n_steps == max_steps:
                    break
                state = next_state
                action = next_action
            returns[episode] = total
            lengths[episode] = n_steps
            if self.verbose and (episode + 1) % report_every == 0:
                recent = returns[episode + 1 - report_every : episode + 1]
                print(
                    f"[{type(self).__name__}] episode {self.n_episodes_ + episode + 1}"
                    f": mean return {np.mean(recent):.3f} over the last "
                    f"{report_every}{exploration_note.format(param)}"
                )
            if episode_task.end():
                # A callback stops the training: the episodes run so far count.
                done = episode + 1
                return tables, returns[:done], lengths[:done], params[:done]
        return tables, returns, lengths, params

    def _set_training_results(self, tables, returns, lengths, params, rng):
        n_episodes = len(returns)
        self._store_tables(tables)
        self.episode_rewards_ = np.concatenate([self.episode_rewards_, returns])
        self.episode_lengths_ = np.concatenate(
            [self.episode_lengths_, np.asarray(lengths, dtype=np.intp)]
        )
        self.n_episodes_ += n_episodes
        if self.exploration != "softmax":
            self.epsilon_ = float(params[-1])
        self._set_greedy_attributes(rng)
