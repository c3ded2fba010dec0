"""What the Displays share: matplotlib checked and imported only when drawing."""

from ._compat import check_matplotlib_support


def _get_axes(ax, caller_name):
    """``ax``, or a new figure's axes; without matplotlib, an ImportError naming
    this package's ``plot`` extra."""
    try:
        check_matplotlib_support(caller_name)
    except ImportError as exc:
        raise ImportError(
            f"{exc}, or with this package's extra: pip install 'sklearn_lecture[plot]'."
        ) from exc.__cause__
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots()
    return ax
