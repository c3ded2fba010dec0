"""BLAS thread limits shared by the families."""

_CONTROLLER = None


def blas_single_thread():
    """Limit BLAS to one thread (threadpoolctl's controller, created once)."""
    global _CONTROLLER
    if _CONTROLLER is None:
        from threadpoolctl import ThreadpoolController

        _CONTROLLER = ThreadpoolController()
    return _CONTROLLER.limit(limits=1, user_api="blas")
