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


@pytest.fixture(scope="session")
def client():
    """A real distributed.LocalCluster with two worker processes, for the dask tests.

    One for the session: every dask test file shares it.
    """
    distributed = pytest.importorskip("distributed")
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        yield client


def pytest_collection_modifyitems(config, items):
    from _sklearn_suite import deselect_not_applicable

    deselect_not_applicable(config, items)
