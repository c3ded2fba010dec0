"""Settings for every test, the doctests under ``sklearn_lecture/`` included."""

import pytest


@pytest.fixture(scope="session", autouse=True)
def _one_torch_thread():
    # The test nets are tiny: on a 2-core machine a second intra-op thread only adds
    # synchronisation (measured 4-30x slower when the other core is busy).
    try:
        import torch
    except ImportError:
        yield
        return
    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(previous)


def _missing(*modules):
    from importlib.util import find_spec

    return any(find_spec(module) is None for module in modules)


# The doctests of an optional subpackage need its extra.
collect_ignore = []
if _missing("torch", "skorch"):
    collect_ignore.append("sklearn_lecture/neural")
if _missing("gymnasium"):
    collect_ignore.append("sklearn_lecture/reinforcement")
