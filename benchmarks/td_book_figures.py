"""Sutton & Barto's Figures 6.3 and 6.5 with the package's agents.

Figure 6.3 (cliff walking, epsilon = 0.1, undiscounted): the mean return per
episode during training of Q-learning, SARSA and Expected SARSA for step sizes
alpha from 0.1 to 1, over the first 100 episodes ("interim", the book averages
50,000 runs) and over longer runs ("asymptotic", the book's 100,000 episodes
shortened to ``--long-episodes``), each episode cut at 1,000 steps (a greedy SARSA
policy at a large alpha can loop for long). Figure 6.5 (the maximization-bias MDP,
epsilon = 0.1, alpha = 0.1, undiscounted): the share of runs going left from A in
each of 300 episodes, Q-learning against Double Q-learning, over 10,000 runs as in
the book; the optimum goes left only when exploring, epsilon / 2 = 5 %.
``tests/test_reinforcement.py`` and ``tests/test_td_agents.py`` check shorter
forms of both.

Run: ``python benchmarks/td_book_figures.py [--runs 50] [--long-runs 10]
[--long-episodes 1000] [--bias-runs 10000] [--only cliff|bias] [--plot FILE]``.
Measured with the defaults (2 shared CPU cores, about six minutes):

Figure 6.3, return per episode at alpha = 0.5: interim Q-learning -79.7, SARSA
-70.8, Expected SARSA -56.0; over 1,000 episodes -53.7, -31.9 and -24.4. Expected
SARSA is the best at every alpha, and improves up to alpha = 1 (interim -43.5, over
1,000 episodes -22.9), where SARSA's return collapses (-73.8 and -132.9) and
Q-learning's stays near -54 over 1,000 episodes from alpha = 0.2 on.

Figure 6.5, share going left from A (10,000 runs): Q-learning 50 % in episode 1,
94 % at its peak (episode 23), 88 % over episodes 1-50, 17 % over 201-300; Double
Q-learning 50 %, 60 % at its peak (episode 13), 47 % and 6.9 %, down to 5 % as the
runs grow longer (4.9 % over episodes 951-1000 of 200 runs).
"""

import argparse
import time

import numpy as np

from sklearn_lecture.reinforcement import (
    SARSA,
    DoubleQLearning,
    ExpectedSARSA,
    MaximizationBiasEnv,
    QLearning,
)

ALPHAS = np.round(np.arange(0.1, 1.01, 0.1), 1)
CLIFF_AGENTS = (QLearning, SARSA, ExpectedSARSA)


def cliff_figure(runs, long_runs, long_episodes):
    import gymnasium as gym

    env = gym.make("CliffWalking-v1")
    table = {}
    for label, n_runs, n_episodes in (
        ("interim (100 episodes)", runs, 100),
        (f"over {long_episodes} episodes", long_runs, long_episodes),
    ):
        print(f"\nFigure 6.3, {label}, {n_runs} runs: mean return per episode")
        print("alpha  " + "".join(f"{cls.__name__:>16s}" for cls in CLIFF_AGENTS))
        for alpha in ALPHAS:
            row = []
            for cls in CLIFF_AGENTS:
                params = dict(
                    n_episodes=n_episodes,
                    learning_rate=float(alpha),
                    discount=1.0,
                    epsilon=0.1,
                    max_steps_per_episode=1000,
                )
                returns = [
                    cls(random_state=seed, **params).fit(env).episode_rewards_.mean()
                    for seed in range(n_runs)
                ]
                row.append(float(np.mean(returns)))
            table[label, alpha] = row
            print(f"{alpha:5.1f}  " + "".join(f"{value:16.1f}" for value in row))
    return table


def bias_figure(runs, n_episodes=300):
    env = MaximizationBiasEnv()
    params = dict(n_episodes=n_episodes, learning_rate=0.1, discount=1.0, epsilon=0.1)
    shares = {}
    print(f"\nFigure 6.5, {runs} runs: share going left from A")
    for cls in (QLearning, DoubleQLearning):
        start = time.perf_counter()
        left = np.zeros(n_episodes)
        for seed in range(runs):
            left += cls(random_state=seed, **params).fit(env).episode_lengths_ == 2
        left /= runs
        shares[cls.__name__] = left
        print(
            f"{cls.__name__:16s} episode 1 {left[0]:.3f}, peak {left.max():.3f} "
            f"(episode {left.argmax() + 1}), 1-50 {left[:50].mean():.3f}, "
            f"51-100 {left[50:100].mean():.3f}, 101-200 {left[100:200].mean():.3f}, "
            f"201-300 {left[200:300].mean():.3f} ({time.perf_counter() - start:.0f} s)"
        )
        print("  every 10th episode:", " ".join(f"{x:.2f}" for x in left[::10]))
    return shares


def plot(cliff, bias, path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(11, 4))
    if cliff:
        for label, style in zip(sorted({k[0] for k in cliff}), ("--", "-")):
            for i, cls in enumerate(CLIFF_AGENTS):
                axes[0].plot(
                    ALPHAS,
                    [cliff[label, a][i] for a in ALPHAS],
                    style,
                    color=f"C{i}",
                    label=f"{cls.__name__}, {label}",
                )
        axes[0].set(xlabel="alpha", ylabel="return per episode", title="Figure 6.3")
        axes[0].legend(fontsize=7)
    if bias:
        for name, left in bias.items():
            axes[1].plot(np.arange(1, len(left) + 1), 100 * left, label=name)
        axes[1].axhline(5, color="k", ls=":", label="optimal")
        axes[1].set(xlabel="episode", ylabel="% left from A", title="Figure 6.5")
        axes[1].legend()
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    print(f"\nwrote {path}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--long-runs", type=int, default=10)
    parser.add_argument("--long-episodes", type=int, default=1000)
    parser.add_argument("--bias-runs", type=int, default=10_000)
    parser.add_argument("--only", choices=["cliff", "bias"])
    parser.add_argument("--plot", metavar="FILE")
    args = parser.parse_args()
    cliff = bias = None
    if args.only != "bias":
        cliff = cliff_figure(args.runs, args.long_runs, args.long_episodes)
    if args.only != "cliff":
        bias = bias_figure(args.bias_runs)
    if args.plot:
        plot(cliff, bias, args.plot)


if __name__ == "__main__":
    main()
