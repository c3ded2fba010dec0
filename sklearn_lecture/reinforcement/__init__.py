"""Tabular reinforcement learning on Gymnasium environments.

Q-learning, SARSA, Expected SARSA and Double Q-learning agents with
epsilon-greedy, softmax or greedy exploration, value iteration on an environment's
model, the lecture's robot vacuum (registered with Gymnasium as
``sklearn_lecture/RobotVacuum-v0``) and Sutton & Barto's maximization-bias MDP
(``sklearn_lecture/MaximizationBias-v0``).

This subpackage is the only part of sklearn_lecture that imports Gymnasium.
Install it with ``pip install "sklearn_lecture[rl]"``.
"""

from ..utils._optional import import_optional

(gymnasium,) = import_optional(
    ["gymnasium"], extra="rl", needed_by="The reinforcement-learning part"
)

from ._agents import SARSA, DoubleQLearning, ExpectedSARSA, QLearning
from ._maximization_bias import MaximizationBiasEnv
from ._vacuum import RobotVacuumEnv, VacuumState
from ._value_iteration import ValueIteration

#: Gymnasium id of :class:`RobotVacuumEnv`, registered on import (episodes cut
#: at 100 steps): ``gymnasium.make(ROBOT_VACUUM_ID)`` builds the environment.
ROBOT_VACUUM_ID = "sklearn_lecture/RobotVacuum-v0"
#: Gymnasium id of :class:`MaximizationBiasEnv`, registered on import (no time
#: limit: every episode ends within two steps);
#: ``gymnasium.make(MAXIMIZATION_BIAS_ID)`` builds the environment.
MAXIMIZATION_BIAS_ID = "sklearn_lecture/MaximizationBias-v0"

if ROBOT_VACUUM_ID not in gymnasium.registry:
    gymnasium.register(
        id=ROBOT_VACUUM_ID,
        entry_point="sklearn_lecture.reinforcement._vacuum:RobotVacuumEnv",
        max_episode_steps=100,
    )
if MAXIMIZATION_BIAS_ID not in gymnasium.registry:
    # No time limit: every episode ends within two steps.
    gymnasium.register(
        id=MAXIMIZATION_BIAS_ID,
        entry_point=(
            "sklearn_lecture.reinforcement._maximization_bias:MaximizationBiasEnv"
        ),
    )

__all__ = [
    "QLearning",
    "SARSA",
    "ExpectedSARSA",
    "DoubleQLearning",
    "ValueIteration",
    "RobotVacuumEnv",
    "VacuumState",
    "ROBOT_VACUUM_ID",
    "MaximizationBiasEnv",
    "MAXIMIZATION_BIAS_ID",
]
