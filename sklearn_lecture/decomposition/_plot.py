"""Scree plot of a fitted PCA, following scikit-learn's Display convention."""

import numpy as np
from sklearn.utils.validation import check_is_fitted

from ..utils._params import store_params
from ..utils._plotting import _get_axes


class ScreeDisplay:
    """Scree plot: eigenvalues in decreasing order and cumulative contribution.

    Bars for every eigenvalue of a fitted :class:`PCA` (the kept ones stronger),
    the cumulative contribution in percent on a twin axis, a dashed line after
    the kept components. Build it with :meth:`from_estimator`.

    Parameters
    ----------
    eigenvalues : array-like of shape (n_eigenvalues,)
        Eigenvalues in decreasing order.
    n_components : int or None, default=None
        Number of kept components to mark; None marks none.
    estimator_name : str or None, default=None
        Shown in the title when given.
    kaiser_line : float or None, default=None
        Kaiser's threshold, drawn as a horizontal line (1 for a correlation
        matrix); None draws none.
    reference_eigenvalues : array-like of shape (n_eigenvalues,) or None, \
            default=None
        A reference curve such as parallel analysis' eigenvalues; or None.
    total_variance : float or None, default=None
        The trace, when ``eigenvalues`` holds only the leading eigenvalues (the
        randomized solver); None sums ``eigenvalues``.

    Attributes
    ----------
    ax_, ax_cumulative_ : matplotlib Axes
        The eigenvalue bars' axes and the cumulative line's twin axes.
    figure_ : matplotlib Figure
    bars_ : matplotlib BarContainer
    line_ : matplotlib Line2D
        The cumulative-contribution line.
    kaiser_line_, reference_line_ : matplotlib Line2D or None
        Kaiser's threshold and the reference curve, when drawn.

    See Also
    --------
    PCA : The estimator whose eigenvalues are drawn.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from sklearn.datasets import load_wine
    >>> from sklearn_lecture import PCA, ScreeDisplay
    >>> X, _ = load_wine(return_X_y=True)
    >>> pca = PCA(n_components="kaiser", standardize=True).fit(X)
    >>> display = ScreeDisplay.from_estimator(pca)
    >>> len(display.bars_)
    13
    """

    def __init__(self, eigenvalues, *, n_components=None, estimator_name=None,
                 kaiser_line=None, reference_eigenvalues=None, total_variance=None):
        store_params(self, locals())

    @classmethod
    def from_estimator(cls, estimator, *, ax=None, name=None, **kwargs):
        """Draw the scree plot of a fitted PCA or CommonFactorAnalysis.

        For a factor analysis the kept factors are marked, Kaiser's line drawn
        at 1 and, after parallel analysis, ``parallel_eigenvalues_``.

        Parameters
        ----------
        estimator : PCA or CommonFactorAnalysis
            Fitted estimator with ``eigenvalues_`` and ``n_components_`` (or
            ``n_factors_``).
        ax : matplotlib Axes, default=None
            Axes to draw on; a new figure is created when None.
        name : str, default=None
            Title; the estimator's class name when None.
        **kwargs : dict
            Passed to :meth:`plot`.

        Returns
        -------
        display : ScreeDisplay
        """
        factor_model = hasattr(estimator, "n_factors_")
        kept = "n_factors_" if factor_model else "n_components_"
        check_is_fitted(estimator, ["eigenvalues_", kept])
        display = cls(
            estimator.eigenvalues_,
            n_components=getattr(estimator, kept),
            estimator_name=name or type(estimator).__name__,
            kaiser_line=1.0 if factor_model else None,
            reference_eigenvalues=getattr(estimator, "parallel_eigenvalues_", None),
            # The trace (more than sum(eigenvalues_) after the randomized solver).
            total_variance=getattr(estimator, "_total_variance", None),
        )
        return display.plot(ax=ax, **kwargs)

    def plot(self, ax=None, *, bar_kwargs=None, line_kwargs=None):
        """Draw the plot.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Axes to draw on; a new figure is created when None.
        bar_kwargs : dict, default=None
            Passed to ``ax.bar``.
        line_kwargs : dict, default=None
            Passed to the cumulative line's ``plot``.

        Returns
        -------
        self : ScreeDisplay
            With ``ax_``, ``ax_cumulative_``, ``figure_``, ``bars_``, ``line_``.
        """
        ax = _get_axes(ax, "ScreeDisplay.plot")
        eigenvalues = np.asarray(self.eigenvalues, dtype=np.float64)
        positions = np.arange(1, eigenvalues.shape[0] + 1)
        total = self.total_variance
        total = eigenvalues.sum() if total is None else total
        cumulative = 100.0 * np.cumsum(eigenvalues) / total if total > 0 else (
            np.zeros_like(eigenvalues))
        kept = self.n_components if self.n_components is not None else 0

        colors = np.where(positions <= kept, "tab:blue", "lightsteelblue")
        bar_kwargs = {"color": list(colors), **(bar_kwargs or {})}
        self.bars_ = ax.bar(positions, eigenvalues, **bar_kwargs)
        if positions.shape[0] <= 30:
            ax.set_xticks(positions)
        ax.set_xlabel("component")
        ax.set_ylabel("eigenvalue")
        if self.estimator_name:
            ax.set_title(f"Scree plot ({self.estimator_name})")

        ax_cumulative = ax.twinx()
        line_kwargs = {"color": "tab:red", "marker": "o", **(line_kwargs or {})}
        (self.line_,) = ax_cumulative.plot(
            positions, cumulative, label="cumulative %", **line_kwargs
        )
        ax_cumulative.set_ylim(0, 105)
        ax_cumulative.set_ylabel("cumulative contribution (%)")
        if 0 < kept < positions.shape[0]:
            ax.axvline(kept + 0.5, color="gray", linestyle="--")
        self.kaiser_line_ = self.reference_line_ = None
        if self.kaiser_line is not None:
            self.kaiser_line_ = ax.axhline(
                self.kaiser_line, color="tab:green", linestyle=":", label="Kaiser"
            )
        if self.reference_eigenvalues is not None:
            (self.reference_line_,) = ax.plot(
                positions, np.asarray(self.reference_eigenvalues, dtype=np.float64),
                color="tab:orange", marker="x", label="parallel analysis",
            )
        if self.kaiser_line_ is not None or self.reference_line_ is not None:
            ax.legend(loc="center right")
        if kept:
            ax_cumulative.annotate(
                f"{kept} kept: {cumulative[kept - 1]:.1f} %",
                xy=(kept, cumulative[kept - 1]), xytext=(6, -14),
                textcoords="offset points",
            )

        self.ax_, self.ax_cumulative_, self.figure_ = ax, ax_cumulative, ax.figure
        return self
