"""The lecture's robot vacuum: exploring a new room or going back to charge."""

from collections import namedtuple

import gymnasium as gym
import numpy as np
from gymnasium.spaces import Discrete

__all__ = ["RobotVacuumEnv", "VacuumState"]

#: The rooms, row by row on a 2 x 2 grid.
ROOMS = ("outlet", "new room", "kitchen", "hall")
_GRID = 2

#: Actions 0-3 move (Gymnasium's grid order: up, right, down, left).
ACTIONS = ("up", "right", "down", "left", "clean", "dock")
_MOVES = ((-1, 0), (0, 1), (1, 0), (0, -1))
_CLEAN, _DOCK = 4, 5

#: The dirty rooms (one bit each in the state) and the reward for cleaning them.
DIRT_REWARDS = {"kitchen": 5.0, "new room": 20.0}
_DIRTY_ROOMS = tuple(DIRT_REWARDS)

#: Battery (in %) that a move into the room uses: the new room is unexplored.
ENTRY_COST = {"outlet": 10, "new room": 19, "kitchen": 10, "hall": 10}

STEP_REWARD = -1.0
DOCK_REWARD = 10.0
EMPTY_BATTERY_REWARD = -100.0
_LEVELS = 101
_N_STATES = len(ROOMS) * _LEVELS * 2 ** len(_DIRTY_ROOMS)

VacuumState = namedtuple("VacuumState", ["room", "battery", "dirty"])
VacuumState.__doc__ = """A decoded state: the room (a name of ``ROOMS``), the battery
in % and the tuple of the rooms still dirty."""


def _check_battery(battery):
    """The battery in % as an int, from 0 to 100, or a ValueError."""
    if isinstance(battery, bool) or not isinstance(battery, (int, np.integer)):
        raise ValueError(f"battery should be an int from 0 to 100; got {battery!r}.")
    if not 0 <= battery <= 100:
        raise ValueError(f"battery should be from 0 to 100 (%); got {battery}.")
    return int(battery)


class RobotVacuumEnv(gym.Env):
    """The lecture's robot vacuum: explore the new room or go back to charge?

    A vacuum robot stands at its charging outlet with 30 % battery left. It knows
    the kitchen next door, a little dirty; the room to its right is new to it:
    unexplored, it takes 19 % of battery to reach, and it comes back to the
    outlet with 10 %. That is 29 % of the 30 %: going is tight but possible, and
    the new room, unknown to the robot, holds the most dirt. Going back to
    charge is the safe exploitation; the new room is the exploration that pays.
    An agent that only exploits (greedy, with pessimistic initial values) docks at
    once and never learns what the new room holds.

    The rooms lie on a 2 x 2 grid::

        +----------+----------+
        |  outlet  | new room |
        +----------+----------+
        | kitchen  |   hall   |
        +----------+----------+

    **State.** The room (4), the battery in % (0 to 100) and which of the kitchen
    and the new room are still dirty (4 combinations): ``n_states = 4 * 101 * 4 =
    1616``, the index ``(dirt * 4 + room) * 101 + battery`` with ``dirt`` the bits
    kitchen = 1, new room = 2 and ``room`` the position in ``ROOMS``.
    :meth:`decode` and :meth:`encode` translate. Every episode starts at the outlet
    with ``battery`` % and both rooms dirty.

    **Actions.** 0 up, 1 right, 2 down, 3 left (move to the next room; into a wall,
    the robot stays and uses no battery), 4 clean, 5 dock.

    **Rewards and battery.** Every action costs -1 (time). A move uses the entry
    cost of the room it goes to (10 %, the new room 19 %). Cleaning a dirty room
    adds +5 (kitchen) or +20 (new room) and leaves it clean; cleaning uses no
    battery. Docking at the outlet adds +10 (charged) and ends the episode;
    docking elsewhere does nothing. A move that needs more battery than is left
    empties the battery on the way: reward -100 and the episode ends.

    **Termination.** Docking at the outlet, or an empty battery. Registered as
    ``sklearn_lecture/RobotVacuum-v0`` with a time limit of 100 steps; built
    directly it has none (the agents then cut a training episode at 10,000
    steps, see their ``max_steps_per_episode``).

    From the start, docking at once returns 9, cleaning the kitchen first 11 and
    cleaning the new room first 26, the optimum (the battery never allows both).
    With a full battery (``battery=100``) the robot cleans both rooms: 28.

    The model is exposed as ``P[s][a] = [(1.0, next_state, reward, terminated)]``,
    as in Gymnasium's toy-text environments, so that
    :class:`~sklearn_lecture.reinforcement.ValueIteration` solves it exactly.

    Parameters
    ----------
    battery : int, default=30
        The battery in % at the start of an episode, 0 to 100 (``reset`` also
        takes it as ``options={"battery": ...}``).

    render_mode : {"ansi", "rgb_array"} or None, default=None
        ``render()`` returns the grid as text or as an RGB array (for
        ``matplotlib.pyplot.imshow``).

    Examples
    --------
    >>> from sklearn_lecture.reinforcement import RobotVacuumEnv
    >>> env = RobotVacuumEnv()
    >>> state, info = env.reset(seed=0)
    >>> env.decode(state)
    VacuumState(room='outlet', battery=30, dirty=('kitchen', 'new room'))
    >>> state, reward, terminated, truncated, info = env.step(1)  # right
    >>> env.decode(state), reward
    (VacuumState(room='new room', battery=11, dirty=('kitchen', 'new room')), -1.0)
    """

    metadata = {"render_modes": ["ansi", "rgb_array"], "render_fps": 4}
    #: The names of the rooms (by position) and of the actions (by index).
    room_names = ROOMS
    action_names = ACTIONS

    def __init__(self, battery=30, render_mode=None):
        battery = _check_battery(battery)
        if render_mode is not None and render_mode not in self.metadata["render_modes"]:
            raise ValueError(
                f"render_mode should be one of {self.metadata['render_modes']} or "
                f"None; got {render_mode!r}."
            )
        self.battery = battery
        self.render_mode = render_mode
        self.n_rooms = len(ROOMS)
        self.observation_space = Discrete(_N_STATES)
        self.action_space = Discrete(len(ACTIONS))
        self.P = {
            s: {a: [self._transition(s, a)] for a in range(len(ACTIONS))}
            for s in range(self.observation_space.n)
        }
        self.s = self.encode("outlet", self.battery, _DIRTY_ROOMS)
        self.last_action = None

    # -- the state index ------------------------------------------------------
    def encode(self, room, battery, dirty):
        """The state index of ``room`` (a name of ``room_names``), ``battery``
        (an int from 0 to 100, in %) and the rooms ``dirty`` (an iterable of the
        names "kitchen" and "new room").

        Raises
        ------
        ValueError
            For an unknown room, a battery that is not an int from 0 to 100, or
            a dirty room that cannot be dirty (a string is refused: pass a tuple
            of names).
        """
        if not (isinstance(room, str) and room in ROOMS):
            raise ValueError(f"room should be one of {ROOMS}; got {room!r}.")
        battery = _check_battery(battery)
        if isinstance(dirty, str):
            raise ValueError(
                f"dirty should be an iterable of room names, not the string "
                f"{dirty!r}; write ({dirty!r},)."
            )
        for name in dirty:
            if not (isinstance(name, str) and name in _DIRTY_ROOMS):
                raise ValueError(
                    f"dirty should hold rooms that get dirty, {_DIRTY_ROOMS}; got "
                    f"{name!r}."
                )
        dirt = sum(1 << _DIRTY_ROOMS.index(name) for name in set(dirty))
        return (dirt * self.n_rooms + ROOMS.index(room)) * _LEVELS + battery

    def decode(self, state):
        """The :class:`VacuumState` ``(room, battery, dirty)`` of a state index.

        Raises
        ------
        ValueError
            For a state that is not an int in ``[0, observation_space.n)``.
        """
        if (
            isinstance(state, bool)
            or not isinstance(state, (int, np.integer))
            or not 0 <= state < _N_STATES
        ):
            raise ValueError(
                f"state should be an int in [0, {_N_STATES}); got {state!r}."
            )
        state = int(state)
        battery = state % _LEVELS
        room = (state // _LEVELS) % self.n_rooms
        dirt = state // (_LEVELS * self.n_rooms)
        dirty = tuple(n for i, n in enumerate(_DIRTY_ROOMS) if dirt >> i & 1)
        return VacuumState(ROOMS[room], battery, dirty)

    def _transition(self, state, action):
        """``(1.0, next_state, reward, terminated)`` of one state and action."""
        room, battery, dirty = self.decode(state)
        if action < _CLEAN:
            row, col = divmod(ROOMS.index(room), _GRID)
            d_row, d_col = _MOVES[action]
            row, col = row + d_row, col + d_col
            if not (0 <= row < _GRID and 0 <= col < _GRID):
                return (1.0, state, STEP_REWARD, False)
            target = ROOMS[row * _GRID + col]
            cost = ENTRY_COST[target]
            if cost > battery:
                return (1.0, self.encode(room, 0, dirty), EMPTY_BATTERY_REWARD, True)
            return (1.0, self.encode(target, battery - cost, dirty), STEP_REWARD, False)
        if action == _CLEAN:
            if room in dirty:
                cleaned = tuple(n for n in dirty if n != room)
                reward = STEP_REWARD + DIRT_REWARDS[room]
                return (1.0, self.encode(room, battery, cleaned), reward, False)
            return (1.0, state, STEP_REWARD, False)
        if room == "outlet":
            return (1.0, state, STEP_REWARD + DOCK_REWARD, True)
        return (1.0, state, STEP_REWARD, False)

    # -- the Gymnasium API ----------------------------------------------------
    def reset(self, *, seed=None, options=None):
        """Start at the outlet with every room dirty.

        ``options={"battery": b}`` starts with ``b`` % instead of the
        constructor's ``battery``. Returns ``(state, info)``; ``info`` holds the
        decoded ``room``, ``battery`` and ``dirty`` rooms.
        """
        super().reset(seed=seed)
        battery = self.battery
        if options and "battery" in options:
            battery = _check_battery(options["battery"])
        self.s = self.encode("outlet", battery, _DIRTY_ROOMS)
        self.last_action = None
        return self.s, self._info()

    def step(self, action):
        """Take ``action`` (an index of ``ACTIONS``): ``(state, reward,
        terminated, truncated, info)``, as Gymnasium's ``Env.step``."""
        # A bad index would otherwise surface as a bare KeyError of P. A plain int
        # is checked first: action_space.contains alone doubles the cost of a step.
        valid = type(action) is int and 0 <= action < len(ACTIONS)
        if not valid and not self.action_space.contains(action):
            raise ValueError(
                f"action should be an int from 0 to {len(ACTIONS) - 1} ("
                + ", ".join(f"{i} {name}" for i, name in enumerate(ACTIONS))
                + f"); got {action!r}."
            )
        _, self.s, reward, terminated = self.P[self.s][int(action)][0]
        self.last_action = int(action)
        return self.s, reward, terminated, False, self._info()

    def _info(self):
        room, battery, dirty = self.decode(self.s)
        return {"room": room, "battery": battery, "dirty": dirty}

    def render(self):
        """The room map as text (``"ansi"``) or an RGB array (``"rgb_array"``)."""
        if self.render_mode is None:
            gym.logger.warn(
                "RobotVacuumEnv.render() needs a render_mode: 'ansi' or 'rgb_array'."
            )
            return None
        if self.render_mode == "ansi":
            return self._render_text()
        return self._render_rgb()

    def _render_text(self):
        room, battery, dirty = self.decode(self.s)
        width = 12
        line = "+" + "+".join(["-" * width] * _GRID) + "+"
        out = [line]
        for row in range(_GRID):
            names = ROOMS[row * _GRID : (row + 1) * _GRID]
            out.append("|" + "|".join(f" {n:<{width - 1}}" for n in names) + "|")
            cells = []
            for name in names:
                marks = []
                if name == room:
                    marks.append("[robot]")
                if name in dirty:
                    marks.append(f"dirt+{DIRT_REWARDS[name]:g}")
                cells.append(f" {' '.join(marks):<{width - 1}}"[:width])
            out.append("|" + "|".join(cells) + "|")
            out.append(line)
        bar = "#" * (battery // 5) + "." * (20 - battery // 5)
        out.append(f"battery [{bar}] {battery:3d}%")
        if self.last_action is not None:
            out[-1] += f"  (last action: {ACTIONS[self.last_action]})"
        return "\n".join(out) + "\n"

    def _render_rgb(self):
        room, battery, dirty = self.decode(self.s)
        cell, bar_height = 96, 20
        size = cell * _GRID
        image = np.full((size + bar_height, size, 3), 255, dtype=np.uint8)
        y, x = np.mgrid[0:cell, 0:cell]
        colours = {
            "outlet": (255, 244, 196),
            "new room": (214, 220, 232),
            "kitchen": (232, 244, 226),
            "hall": (246, 240, 232),
        }
        for index, name in enumerate(ROOMS):
            r0, c0 = (index // _GRID) * cell, (index % _GRID) * cell
            tile = image[r0 : r0 + cell, c0 : c0 + cell]
            tile[:] = colours[name]
            if name == "outlet":
                tile[8:24, 8:20] = (60, 60, 60)  # the plug
            if name in dirty:
                # Fixed spots, one speck per point of reward.
                spots = np.random.RandomState(index).randint(
                    12, cell - 12, size=(int(DIRT_REWARDS[name]), 2)
                )
                for cy, cx in spots:
                    tile[(y - cy) ** 2 + (x - cx) ** 2 <= 16] = (130, 90, 50)
            if name == room:
                disc = (y - cell // 2) ** 2 + (x - cell // 2) ** 2 <= (cell // 4) ** 2
                tile[disc] = (40, 70, 160)
        for k in range(_GRID + 1):  # walls
            edge = min(k * cell, size - 2)
            image[edge : edge + 2, :size] = 0
            image[:size, edge : edge + 2] = 0
        filled = int(round(battery / 100 * (size - 8)))
        image[size + 4 : size + bar_height - 4, 4 : 4 + filled] = (
            (60, 170, 80) if battery >= 20 else (210, 60, 50)
        )
        return image
