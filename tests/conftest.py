import numpy as np
import pytest


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
