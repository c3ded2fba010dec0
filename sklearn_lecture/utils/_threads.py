"""BLAS thread limits shared by the families."""

_CONTROLLER = None


def blas_single_thread():
    """Context manager limiting BLAS to one thread.

    numpy and scipy each bring their own OpenBLAS, with its own thread pool;
    alternating small products and eigensolvers between the two makes the
    pools fight for the cores (seconds instead of milliseconds on a 2-core
    machine). The threadpoolctl controller inspects the loaded libraries once,
    which takes milliseconds, so it is created lazily and kept.
    """
    global _CONTROLLER
    if _CONTROLLER is None:
        from threadpoolctl import ThreadpoolController

        _CONTROLLER = ThreadpoolController()
    return _CONTROLLER.limit(limits=1, user_api="blas")
