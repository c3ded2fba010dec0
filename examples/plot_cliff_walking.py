"""
========================================================
Cliff walking: Q-learning walks the edge, SARSA does not
========================================================

Sutton & Barto's Example 6.6 on Gymnasium's ``CliffWalking-v1``: a 4 x 12 grid,
start in the bottom-left corner, goal in the bottom-right, the cells between them
a cliff (reward -100 and back to the start), every other step -1. Both agents
explore epsilon-greedily (epsilon = 0.1, alpha = 0.5, no discount).

Q-learning learns the values of the greedy policy, whose best path runs along the
edge (return -13); exploring there, it falls now and then, so its return during
training is poor. SARSA learns the values of the exploring policy itself and
chooses a safer path further from the cliff: a worse greedy path, a better online
return (Figure 6.4 of the book).
"""

# %%
import matplotlib

matplotlib.use("Agg")

import os
import time
from collections import Counter
from pathlib import Path

import gymnasium as gym
import matplotlib.pyplot as plt
import numpy as np

from sklearn_lecture.reinforcement import SARSA, QLearning

output_root = Path(os.environ.get("SKLEARN_LECTURE_OUTPUT", "lecture_plots"))
output_dir = output_root / "examples"
output_dir.mkdir(parents=True, exist_ok=True)

# %%
# Twenty runs of 500 episodes per agent. A greedy SARSA policy learned with a
# constant alpha can loop; ``rollout`` and ``evaluate`` stop an episode after
# ``max_steps`` so that it still ends (and scores -max_steps).
env = gym.make("CliffWalking-v1")
params = dict(n_episodes=500, learning_rate=0.5, discount=1.0, epsilon=0.1)
n_runs, max_steps = 20, 200
agents = {"Q-learning": [], "SARSA": []}
start = time.perf_counter()
for name, cls in [("Q-learning", QLearning), ("SARSA", SARSA)]:
    agents[name] = [cls(random_state=seed, **params).fit(env) for seed in range(n_runs)]
elapsed = time.perf_counter() - start
n_steps = sum(a.episode_lengths_.sum() for runs in agents.values() for a in runs)
print(
    f"{2 * n_runs} fits of {params['n_episodes']} episodes in {elapsed:.2f} s: "
    f"{2 * n_runs * params['n_episodes'] / elapsed:.0f} episodes/s, "
    f"{n_steps / elapsed:.0f} steps/s"
)

ARROWS = "^>v<"


def draw_path(states, actions):
    """The grid as text: C cliff, S start, G goal, arrows along the path."""
    grid = [["." for _ in range(12)] for _ in range(4)]
    for col in range(1, 11):
        grid[3][col] = "C"
    for state, action in zip(states, actions):
        grid[state // 12][state % 12] = ARROWS[action]
    grid[3][0], grid[3][11] = "S", "G"
    return ["    " + " ".join(row) for row in grid]


paths = {}
for name, runs in agents.items():
    outcomes = Counter()
    for agent in runs:
        states, actions, rewards, reached = agent.rollout(env, max_steps=max_steps)
        outcomes["loops" if not reached else int(sum(rewards))] += 1
        if reached and name not in paths:
            paths[name] = (states, actions, sum(rewards))
    online = np.mean([a.episode_rewards_[-100:].mean() for a in runs])
    summary = ", ".join(
        f"{k} ({v})" for k, v in sorted(outcomes.items(), key=lambda kv: str(kv[0]))
    )
    print(f"\n{name}: mean online return over the last 100 episodes {online:.1f}")
    print(f"  greedy path return over {n_runs} runs: {summary}")
    states, actions, ret = paths[name]
    print(f"  the path of the first run that reaches the goal (return {ret:g}):")
    print("\n".join(draw_path(states, actions)))

# %%
# Left: the online return per episode, averaged over the runs and smoothed over
# ten episodes, as in the book's figure. Right: the two greedy paths.
fig, (ax, ax_grid) = plt.subplots(
    1, 2, figsize=(14, 4.2), gridspec_kw={"width_ratios": [1, 1.3]}
)
window = 10
for name, runs in agents.items():
    mean_return = np.mean([a.episode_rewards_ for a in runs], axis=0)
    smooth = np.convolve(mean_return, np.ones(window) / window, mode="valid")
    ax.plot(np.arange(window, len(mean_return) + 1), smooth, label=name)
ax.set_ylim(-100, 0)
ax.set_xlabel("episode")
ax.set_ylabel("sum of rewards during episode")
ax.set_title(f"online return, mean of {n_runs} runs")
ax.legend()

cells = np.zeros((4, 12))
cells[3, 1:11] = 1
ax_grid.imshow(cells, cmap="Greys", vmin=0, vmax=2.5)
for name, colour, offset in [("Q-learning", "C0", 0.1), ("SARSA", "C1", -0.1)]:
    states, _, ret = paths[name]
    rows, cols = np.divmod(np.asarray(states), 12)
    label = f"{name} ({ret:g})"
    ax_grid.plot(cols, rows + offset, "-o", color=colour, ms=3, label=label)
ax_grid.text(0, 3, "S", ha="center", va="center", fontsize=12, weight="bold")
ax_grid.text(11, 3, "G", ha="center", va="center", fontsize=12, weight="bold")
ax_grid.text(5.5, 3, "the cliff", ha="center", va="center", color="white")
ax_grid.set_xticks(np.arange(-0.5, 12), minor=True)
ax_grid.set_yticks(np.arange(-0.5, 4), minor=True)
ax_grid.grid(which="minor", color="k", lw=0.5)
ax_grid.set_xticks([])
ax_grid.set_yticks([])
ax_grid.legend(loc="upper center", bbox_to_anchor=(0.5, -0.02), ncol=2)
ax_grid.set_title("greedy paths after training")
fig.tight_layout()
fig.savefig(output_dir / "cliff_walking.png", dpi=80)
print(f"\nwrote {output_dir / 'cliff_walking.png'}")
