"""Trunk's two-Gaussian problem, the classic illustration of the peaking phenomenon."""

import numpy as np
from scipy import special, stats
from sklearn.utils import check_random_state

from ._sequences import _check_int

__all__ = ["make_trunk", "trunk_bayes_error"]


def _trunk_mean(n_features):
    return 1.0 / np.sqrt(np.arange(1, n_features + 1))


def make_trunk(n_samples, n_features, random_state=None):
    """Generate Trunk's (1979) two-class Gaussian problem.

    Two classes of equal prior with identity covariance and opposite means
    ``μ₁ = -μ₀ = (1, 1/√2, 1/√3, ..., 1/√d)``. Every added feature separates
    the classes a little more, so the Bayes error (:func:`trunk_bayes_error`)
    falls to 0 as d grows; but a classifier that must estimate the means from
    a fixed number of samples gains less from each new feature than its
    estimation noise costs, and its error rises again past some dimension:
    the peaking phenomenon.

    Parameters
    ----------
    n_samples : int
        Number of samples (>= 1), split as evenly as possible between the
        classes (class 1 gets the extra one of an odd count), in random order.
    n_features : int
        Dimension d (>= 1).
    random_state : int, RandomState instance or None, default=None
        Seed of the labels' order and of the noise.

    Returns
    -------
    X : ndarray of shape (n_samples, n_features)
        Samples, float64.
    y : ndarray of shape (n_samples,)
        Labels 0 (mean ``-μ``) and 1 (mean ``μ``).

    See Also
    --------
    trunk_bayes_error : The exact Bayes error of this problem.

    References
    ----------
    .. [1] G. V. Trunk, "A problem of dimensionality: a simple example", IEEE
       Transactions on Pattern Analysis and Machine Intelligence 1(3), 1979.

    Examples
    --------
    >>> from sklearn_lecture.datasets import make_trunk
    >>> X, y = make_trunk(1000, 3, random_state=0)
    >>> X.shape, int(y.sum())
    ((1000, 3), 500)
    >>> X[y == 1].mean(axis=0).round(1)
    array([1. , 0.7, 0.6])
    """
    n_samples = _check_int("n_samples", n_samples, 1)
    n_features = _check_int("n_features", n_features, 1)
    rng = check_random_state(random_state)
    # Even positions are class 1, so an odd count gives class 1 the extra one.
    y = rng.permutation(np.arange(n_samples) % 2 == 0).astype(np.int64)
    mean = _trunk_mean(n_features)
    X = rng.standard_normal((n_samples, n_features))
    X += np.where(y[:, None] == 1, mean, -mean)
    return X, y


def trunk_bayes_error(n_features):
    """Exact Bayes error of :func:`make_trunk` in dimension d.

    The optimal rule assigns x to the nearer mean; with identity covariance the
    Mahalanobis distance between the means is ``γ = 2 sqrt(H_d)``, ``H_d =
    Σ_{i<=d} 1/i`` the harmonic number, and the error is the lecture's
    ``P(e) = ∫_{γ/2}^∞ N(z; 0, 1) dz = Φ(-sqrt(H_d))``. It falls to 0, but only
    as fast as ``sqrt(ln d)`` grows.

    Parameters
    ----------
    n_features : int or array-like of int
        Dimension(s) d >= 1.

    Returns
    -------
    error : float or ndarray
        The Bayes error, with the shape of ``n_features``.

    Examples
    --------
    >>> from sklearn_lecture.datasets import trunk_bayes_error
    >>> round(trunk_bayes_error(1), 4)  # Φ(-1)
    0.1587
    >>> trunk_bayes_error([10, 100, 1000]).round(4)
    array([0.0435, 0.0114, 0.0031])
    """
    d = np.asarray(n_features)
    if d.dtype.kind not in "iu" or np.any(d < 1):
        raise ValueError(
            f"n_features must be integers >= 1, got {n_features!r}."
        )
    # H_d = ψ(d + 1) + γ_Euler, exact and vectorised for any d.
    harmonic = special.digamma(d + 1.0) + np.euler_gamma
    error = stats.norm.sf(np.sqrt(harmonic))
    return float(error) if error.ndim == 0 else error
