"""
==========================================================
Maximization bias: Q-learning, Expected SARSA, Double Q
==========================================================

Sutton & Barto's Example 6.7 (Figure 6.5) on the package's
:class:`~sklearn_lecture.reinforcement.MaximizationBiasEnv`, which Gymnasium
builds from its id, ``MAXIMIZATION_BIAS_ID``: from A, "right" ends the episode
with reward 0; "left" leads to B, whose every action ends it with a reward drawn
from N(-0.1, 1). Going left is worse on average, but the maximum of B's noisy
estimates is positive for a long time, so Q-learning, which bootstraps from that
maximum, goes left far more often than the optimal epsilon / 2 = 5 %. Double
Q-learning takes the maximising action from one table and its value from the
other, which removes the bias. Expected SARSA bootstraps from the mean under its
epsilon-greedy policy, a smaller but still positive bias. All three explore
epsilon-greedily (epsilon = 0.1, alpha = 0.1, no discount).
"""

# %%
import matplotlib

matplotlib.use("Agg")

import os
from pathlib import Path

import gymnasium as gym
import matplotlib.pyplot as plt
import numpy as np

from sklearn_lecture.reinforcement import (
    MAXIMIZATION_BIAS_ID,
    DoubleQLearning,
    ExpectedSARSA,
    QLearning,
)

output_root = Path(os.environ.get("SKLEARN_LECTURE_OUTPUT", "lecture_plots"))
output_dir = output_root / "examples"
output_dir.mkdir(parents=True, exist_ok=True)

# %%
# The environment, made from its registered id: four states in a row, the
# episode starting in A; B has 10 actions, and so, for the agents' one table,
# has every state (in A, half of them go left).
env = gym.make(MAXIMIZATION_BIAS_ID, render_mode="ansi")
env.reset(seed=0)
mdp = env.unwrapped
print(f"gym.make({MAXIMIZATION_BIAS_ID!r}): {type(mdp).__name__}, "
      f"{mdp.n_actions} actions, the start:")
print("  " + env.render())

# %%
# 200 runs of 300 episodes per agent (the book averages 10,000 runs). An episode
# through B lasts two steps, one going right one step: the share of runs whose
# episode lasted two steps is the share that went left from A.
params = dict(n_episodes=300, learning_rate=0.1, discount=1.0, epsilon=0.1)
n_runs = 200
shares = {}
for name, cls in [
    ("Q-learning", QLearning),
    ("Expected SARSA", ExpectedSARSA),
    ("Double Q-learning", DoubleQLearning),
]:
    lengths = [
        cls(random_state=seed, **params).fit(env).episode_lengths_
        for seed in range(n_runs)
    ]
    shares[name] = np.mean(np.equal(lengths, 2), axis=0)
    print(
        f"{name:>17}: left from A {shares[name][:50].mean():5.1%} over episodes "
        f"1-50, {shares[name][200:].mean():5.1%} over 201-300 (optimum 5 %)"
    )

# %%
fig, ax = plt.subplots(figsize=(6, 4))
for name, share in shares.items():
    ax.plot(np.arange(1, len(share) + 1), 100 * share, label=name)
ax.axhline(5, color="k", linestyle="--", linewidth=1, label="optimal (5 %)")
ax.set_xlabel("episode")
ax.set_ylabel("% left actions from A")
ax.set_title("Maximization bias (Sutton & Barto, Fig. 6.5)")
ax.legend()
fig.tight_layout()
path = output_dir / "maximization_bias.png"
fig.savefig(path, dpi=100)
plt.close(fig)
print(f"wrote {path}")
