"""Plot of the elbow method: J(K) with the chosen K marked."""

import numpy as np
from sklearn.utils.validation import check_is_fitted

from ..utils._params import store_params
from ..utils._plotting import _get_axes


class ElbowDisplay:
    """Distortion curve J(K) of an :class:`ElbowKMeans`, with the chosen K marked.

    :meth:`from_estimator`, or the numbers then :meth:`plot` (as scikit-learn).

    Parameters
    ----------
    k_values : array-like of shape (n_k,)
        The values of K.
    distortions : array-like of shape (n_k,)
        J(K) for each K.
    n_clusters : int
        The chosen K.
    silhouette_scores : dict of int to float, default=None
        Silhouette per K, drawn on a second y axis when given and not empty.
    elbow_found : bool, default=True
        Whether ``n_clusters`` is an elbow or a fallback (the legend says which).
    estimator_name : str, default=None
        Title of the axes.

    Attributes
    ----------
    line_ : matplotlib Line2D
        The J(K) curve.
    chosen_marker_ : matplotlib Line2D
        The marker on the chosen K.
    vline_ : matplotlib Line2D
        Vertical dashed line at the chosen K.
    silhouette_line_ : matplotlib Line2D or None
        The silhouette curve, None when not drawn.
    ax_silhouette_ : matplotlib Axes or None
        The second y axis of the silhouette.
    ax_ : matplotlib Axes
        The axes of J(K).
    figure_ : matplotlib Figure
        The figure holding ``ax_``.

    See Also
    --------
    ElbowKMeans : The estimator it draws.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from sklearn.datasets import make_blobs
    >>> from sklearn_lecture import ElbowDisplay, ElbowKMeans
    >>> X, _ = make_blobs(n_samples=200, centers=3, cluster_std=0.5, random_state=0)
    >>> elbow = ElbowKMeans(k_max=6, random_state=0).fit(X)
    >>> disp = ElbowDisplay.from_estimator(elbow)
    >>> disp.ax_.get_xlabel()
    'number of clusters K'
    >>> disp.line_.get_xdata().tolist()
    [1, 2, 3, 4, 5, 6]
    """

    def __init__(
        self, k_values, distortions, n_clusters, *, silhouette_scores=None,
        elbow_found=True, estimator_name=None,
    ):
        store_params(self, locals())

    def plot(self, ax=None, *, show_silhouette=True):
        """Draw J(K), the chosen K and, if given, the silhouette.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Axes to draw on; a new figure when None.
        show_silhouette : bool, default=True
            Draw the silhouette on a second y axis.

        Returns
        -------
        display : ElbowDisplay
            Self, with the matplotlib objects stored.
        """
        ax = _get_axes(ax, "ElbowDisplay.plot")
        k, J = np.asarray(self.k_values), np.asarray(self.distortions)
        (self.line_,) = ax.plot(k, J, "o-", color="C0", label="distortion J(K)")
        chosen = np.flatnonzero(k == self.n_clusters)
        what = "elbow" if self.elbow_found else "fallback"
        (self.chosen_marker_,) = ax.plot(
            k[chosen], J[chosen], "o", markersize=14, markerfacecolor="none",
            markeredgewidth=2, color="C3", label=f"{what}: K={self.n_clusters}",
        )
        self.vline_ = ax.axvline(self.n_clusters, color="C3", linestyle="--", alpha=0.5)
        ax.set_xlabel("number of clusters K")
        ax.set_ylabel("distortion J(K)")
        ax.set_xticks(k)
        handles = [self.line_, self.chosen_marker_]
        self.silhouette_line_ = self.ax_silhouette_ = None
        if show_silhouette and self.silhouette_scores:
            ks = sorted(self.silhouette_scores)
            self.ax_silhouette_ = ax.twinx()
            (self.silhouette_line_,) = self.ax_silhouette_.plot(
                ks, [self.silhouette_scores[q] for q in ks], "s--", color="C2",
                label="silhouette",
            )
            self.ax_silhouette_.set_ylabel("silhouette")
            handles.append(self.silhouette_line_)
        ax.legend(handles=handles, loc="upper right")
        if self.estimator_name is not None:
            ax.set_title(self.estimator_name)
        self.ax_, self.figure_ = ax, ax.figure
        return self

    @classmethod
    def from_estimator(cls, estimator, *, ax=None, show_silhouette=True, name=None):
        """Plot the elbow curve of a fitted :class:`ElbowKMeans`.

        Parameters
        ----------
        estimator : ElbowKMeans
            A fitted elbow estimator.
        ax : matplotlib Axes, default=None
            Axes to draw on; a new figure when None.
        show_silhouette : bool, default=True
            Draw the silhouette on a second y axis.
        name : str, default=None
            Title of the axes; the estimator's class name when None.

        Returns
        -------
        display : ElbowDisplay
            The display, drawn.
        """
        check_is_fitted(estimator, "distortions_")
        return cls(
            estimator.k_values_, estimator.distortions_, estimator.n_clusters_,
            silhouette_scores=getattr(estimator, "silhouette_scores_", None),
            elbow_found=getattr(estimator, "elbow_found_", True),
            estimator_name=name if name is not None else type(estimator).__name__,
        ).plot(ax=ax, show_silhouette=show_silhouette)
