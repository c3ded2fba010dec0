import numpy as np
import pytest


@pytest.fixture(scope="session", autouse=True)
def _one_torch_thread():
    # The test nets are tiny: on a 2-core machine a second intra-op thread only adds
    # synchronisation (measured 9-30x slower when the other core is busy).
    try:
        import torch
    except ImportError:
        yield
        return
    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(previous)


@pytest.fixture(autouse=True)
def _seed():
    # Seed the global generators so that a test that forgets a random_state still
    # repeats; the estimators themselves never rely on this.
    np.random.seed(0)
    try:
        import torch
    except ImportError:
        return
    torch.manual_seed(0)
