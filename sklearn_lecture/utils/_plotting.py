"""What the Displays share: matplotlib checked and imported only when drawing."""

from ._compat import check_matplotlib_support


def _get_axes(ax, caller_name):
    """The axes to draw on: ``ax``, or those of a new figure when None.

    Raises scikit-learn's ImportError (``"<caller_name> requires matplotlib"``),
    with the name of this package's extra added, when matplotlib is missing.
    """
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
