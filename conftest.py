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
