"""Placeholder."""


def make_adding_problem(n_samples, n_timesteps, random_state=None):
    raise NotImplementedError


def make_mackey_glass(n_samples, tau=17, random_state=None):
    raise NotImplementedError
