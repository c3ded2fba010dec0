"""Q-learning on CliffWalking-v1: our agent against the textbook numpy loop.

The peer is the loop of Gymnasium's tutorials written with a numpy Q table
(``np.flatnonzero(q == q.max())`` for random tie-breaking, one generator call per
draw); both run 500 episodes of Sutton & Barto's Example 6.6 on the same
environment, and ``env.step`` alone is timed for the same number of steps, the
floor of any Python agent. ``bench_q_learning`` returns the harness's ``Result``, so
that ``run.py`` can list it in ``BENCHES``; run this file for the numbers alone.
"""

import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from _harness import compare  # noqa: E402

PARAMS = dict(n_episodes=500, learning_rate=0.5, discount=1.0, epsilon=0.1)


def _textbook_q_learning(env, seed, n_episodes=500, alpha=0.5, gamma=1.0, eps=0.1):
    rng = np.random.default_rng(seed)
    Q = np.zeros((env.observation_space.n, env.action_space.n))
    n_actions = env.action_space.n

    def choose(s):
        if rng.random() < eps:
            return int(rng.integers(n_actions))
        q = Q[s]
        return int(rng.choice(np.flatnonzero(q == q.max())))

    for episode in range(n_episodes):
        s, _ = env.reset(seed=int(rng.integers(2**31)) if episode == 0 else None)
        a = choose(s)
        while True:
            s2, r, terminated, truncated, _ = env.step(a)
            target = r if terminated else r + gamma * Q[s2].max()
            Q[s, a] += alpha * (target - Q[s, a])
            if terminated or truncated:
                break
            s, a = s2, choose(s2)
    return Q


def bench_q_learning(repeats=5, n_runs=10):
    import gymnasium as gym

    from sklearn_lecture.reinforcement import QLearning

    env = gym.make("CliffWalking-v1")

    def ours():
        return [QLearning(random_state=s, **PARAMS).fit(env) for s in range(n_runs)]

    def peer():
        return [_textbook_q_learning(env, s) for s in range(n_runs)]

    res, agents, tables = compare(
        f"QLearning fit, CliffWalking-v1, {n_runs} x 500 episodes",
        "textbook numpy loop",
        ours,
        peer,
        repeats=repeats,
    )
    n_steps = sum(int(a.episode_lengths_.sum()) for a in agents)
    episodes = n_runs * PARAMS["n_episodes"]
    ours_s = float(np.median(res.ours_s))
    actions = np.random.RandomState(0).randint(4, size=n_steps).tolist()
    env.reset(seed=0)
    start = time.perf_counter()
    for action in actions:
        if env.step(action)[2]:
            env.reset()
    step_s = time.perf_counter() - start
    greedy = [a.evaluate(env, n_episodes=1)[0] for a in agents]
    peer_greedy = []
    for Q in tables:
        s, _ = env.reset(seed=0)
        total = 0.0
        for _ in range(1000):
            s, r, terminated, _, _ = env.step(int(Q[s].argmax()))
            total += r
            if terminated:
                break
        peer_greedy.append(total)
    res.quality = (
        f"{episodes / ours_s:.0f} episodes/s, {n_steps / ours_s:.0f} steps/s "
        f"(env.step alone: {n_steps / step_s:.0f} steps/s); greedy return "
        f"{np.mean(greedy):g} (ours), {np.mean(peer_greedy):g} (peer)"
    )
    return res


if __name__ == "__main__":
    result = bench_q_learning()
    print(
        f"{result.name}: ours {np.median(result.ours_s):.3f} s, {result.peer} "
        f"{np.median(result.peer_s):.3f} s, ratio {result.ratio:.2f}"
    )
    print(f"  {result.quality}")
