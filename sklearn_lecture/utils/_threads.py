"""BLAS thread limits shared by the families."""

_CONTROLLER = None


def blas_single_thread():
    """Context manager limiting BLAS to one thread.

    numpy's and scipy's OpenBLAS pools otherwise fight for the cores. The
    threadpoolctl controller (milliseconds to create) is created once, lazily.
    """
    global _CONTROLLER
    if _CONTROLLER is None:
        from threadpoolctl import ThreadpoolController

        _CONTROLLER = ThreadpoolController()
    return _CONTROLLER.limit(limits=1, user_api="blas")
