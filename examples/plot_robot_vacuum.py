"""
=====================================================
The robot vacuum: exploration against exploitation
=====================================================

The lecture's vacuum robot stands at its outlet with 30 % battery left. Going back
on the charger is safe (+9 in this world); the kitchen it knows is a little dirty
(+11 all told); the new room is unexplored: 19 % of battery to get there, 10 % to
come back, 29 % of the 30 %, and more dirt than the robot knows (+26, the optimum,
which :class:`~sklearn_lecture.reinforcement.ValueIteration` computes from the
model).

Four Q-learning agents learn it from experience. A purely greedy one starting from
zero values docks at once for ever: docking is the first thing that paid, and
every other action scored below zero the one time it was tried. Exploration finds
the new room: epsilon-greedy (random actions now and then), softmax (Boltzmann),
or a greedy agent with optimistic initial values, which tries everything because
everything looks better than what it has tried.
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
    ROBOT_VACUUM_ID,
    QLearning,
    RobotVacuumEnv,
    VacuumState,
    ValueIteration,
)

output_root = Path(os.environ.get("SKLEARN_LECTURE_OUTPUT", "lecture_plots"))
output_dir = output_root / "examples"
output_dir.mkdir(parents=True, exist_ok=True)

env = gym.make(ROBOT_VACUUM_ID)
world = env.unwrapped
ACTIONS = world.action_names
start_view = RobotVacuumEnv(render_mode="ansi")
start_view.reset(seed=0)
print("The start:")
print(start_view.render())


def describe(agent):
    """The greedy episode from the start as 'room (battery) -action->' text."""
    states, actions, rewards, _ = agent.rollout(env)
    steps = [
        f"{world.decode(s).room} ({world.decode(s).battery}%) -{ACTIONS[a]}->"
        for s, a in zip(states, actions)
    ]
    return " ".join(steps) + f" end: return {sum(rewards):g}"


optimum = ValueIteration(discount=0.99).fit(env)
best = optimum.evaluate(env, n_episodes=1)[0]
print("ValueIteration, the optimum:")
print("  " + describe(optimum))

# %%
# The agents see a state as an index; ``encode`` and ``decode`` translate it to
# and from a ``VacuumState``: the room, the battery in % and the rooms still
# dirty. What the optimal policy does in a few of them, and their value
# (discounted with 0.99):
for state in [
    VacuumState("outlet", 30, ("kitchen", "new room")),
    VacuumState("new room", 11, ("kitchen", "new room")),
    VacuumState("new room", 11, ("kitchen",)),
    VacuumState("kitchen", 20, ("kitchen",)),
    VacuumState("outlet", 1, ("kitchen",)),
]:
    index = world.encode(*state)
    assert world.decode(index) == state
    print(
        f"  state {index:4d} = {state}: {ACTIONS[optimum.policy_[index]]}, "
        f"value {optimum.value_[index]:.1f}"
    )

# %%
# Ten runs of 1,000 episodes for each exploration strategy.
strategies = {
    "greedy, Q0 = 0": dict(exploration="greedy"),
    "greedy, optimistic Q0 = 30": dict(exploration="greedy", initial_q=30.0),
    "epsilon-greedy, epsilon = 0.1": dict(exploration="epsilon_greedy", epsilon=0.1),
    "softmax, temperature = 2": dict(exploration="softmax", temperature=2.0),
}
n_runs = 10
runs = {
    name: [
        QLearning(n_episodes=1000, learning_rate=0.2, random_state=seed, **kw).fit(env)
        for seed in range(n_runs)
    ]
    for name, kw in strategies.items()
}
print(f"\nQ-learning, {n_runs} runs of 1000 episodes per strategy:")
for name, agents in runs.items():
    greedy_returns = [agent.evaluate(env, n_episodes=1)[0] for agent in agents]
    online = np.mean([a.episode_rewards_[-200:].mean() for a in agents])
    found = sum(r == best for r in greedy_returns)
    print(
        f"  {name:30s} greedy return after training: "
        f"mean {np.mean(greedy_returns):5.1f}"
        f" (optimum in {found}/{n_runs} runs); online return, last 200: {online:5.1f}"
    )
    print("    run 0: " + describe(agents[0]))

# %%
# Left: the online return per episode (exploration included), mean of the runs,
# smoothed. Right: the world as ``render()`` draws it.
fig, (ax, ax_world) = plt.subplots(
    1, 2, figsize=(13, 4.5), gridspec_kw={"width_ratios": [1.6, 1]}
)
window = 20
for name, agents in runs.items():
    mean_return = np.mean([a.episode_rewards_ for a in agents], axis=0)
    smooth = np.convolve(mean_return, np.ones(window) / window, mode="valid")
    ax.plot(np.arange(window, len(mean_return) + 1), smooth, label=name)
ax.axhline(best, color="k", ls=":", label="optimum (ValueIteration)")
ax.set_ylim(-40, 30)
ax.set_xlabel("episode")
ax.set_ylabel("return during training")
ax.set_title(f"Q-learning on the robot vacuum, mean of {n_runs} runs")
ax.legend(fontsize=8, loc="lower right")

picture = RobotVacuumEnv(render_mode="rgb_array")
picture.reset(seed=0)
ax_world.imshow(picture.render())
for (row, col), label in zip(
    [(0, 0), (0, 1), (1, 0), (1, 1)], ["outlet", "new room (19 %)", "kitchen", "hall"]
):
    ax_world.text(col * 96 + 48, row * 96 + 88, label, ha="center", fontsize=9)
ax_world.set_title("the start: 30 % battery, both rooms dirty")
ax_world.axis("off")
fig.tight_layout()
fig.savefig(output_dir / "robot_vacuum.png", dpi=80)
print(f"\nwrote {output_dir / 'robot_vacuum.png'}")
