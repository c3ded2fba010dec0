"""The lecture's rules for how many components, factors or clusters to keep.

Each rule is written once, for PCA, CommonFactorAnalysis, CorrelationMerging and
ElbowKMeans. An elbow is read on Kneedle's (Satopää et al., 2011) difference
curve: the scree rule takes its maximum, ElbowKMeans its first confirmed local
maximum on ``log J(K)``.
"""

import numpy as np
from scipy.special import gammaln

__all__ = [
    "contribution_fraction", "difference_curve", "kaiser", "kneedle", "minka_dimension"
]

# Rounding can leave the full cumulative sum at 0.9999999999999998: without this
# tolerance, "1.0" would ask for one component more than exist.
RATIO_TOL = 1e-10


def kaiser(eigenvalues, mean):
    """Kaiser's rule: the eigenvalues above the average variance of a variable.

    ``mean`` is ``trace / n_features`` (1 on a correlation matrix). At least one.
    """
    return max(1, int(np.count_nonzero(eigenvalues > mean)))


def contribution_fraction(eigenvalues, fraction, total=None):
    """The fewest leading eigenvalues whose share of ``total`` reaches ``fraction``.

    ``total`` is the trace when ``eigenvalues`` holds only the leading ones (None
    sums them). At least one, at most ``len(eigenvalues)``.
    """
    total = eigenvalues.sum() if total is None else total
    if total <= 0:
        return 1
    cumulative = np.cumsum(eigenvalues) / total
    k = int(np.searchsorted(cumulative, fraction - RATIO_TOL, side="left")) + 1
    return min(k, eigenvalues.shape[0])


def _minka_log_evidence(eigenvalues, k, n_samples):
    """Minka's Laplace approximation of log p(X | k) for probabilistic PCA."""
    d, n = eigenvalues.shape[0], n_samples
    tiny = 1e-15
    if eigenvalues[k - 1] < tiny:
        return -np.inf  # a kept direction without variance
    noise = max(tiny, eigenvalues[k:].sum() / (d - k))
    free = d - np.arange(k)  # d - i + 1 for i = 1 .. k
    log_prior = -k * np.log(2.0) + np.sum(
        gammaln(free / 2.0) - free / 2.0 * np.log(np.pi)
    )
    m = d * k - k * (k + 1) / 2.0
    # The Hessian's log-determinant: pairs i < k, j > i, the discarded
    # eigenvalues replaced by the noise variance in the inverse terms.
    inverse = 1.0 / np.concatenate([eigenvalues[:k], np.full(d - k, noise)])
    with np.errstate(divide="ignore", invalid="ignore"):
        gaps = eigenvalues[:k, None] - eigenvalues
        pairs = np.log(gaps * (inverse - inverse[:k, None]))
    pairs = np.triu(pairs + np.log(n), 1)
    return (
        log_prior - n / 2.0 * np.sum(np.log(eigenvalues[:k]))
        - n * (d - k) / 2.0 * np.log(noise) + np.log(2.0 * np.pi) * (m + k) / 2.0
        - pairs.sum() / 2.0 - k * np.log(n) / 2.0
    )


def minka_dimension(eigenvalues, n_samples):
    """Minka's (2000) maximum-evidence dimension of probabilistic PCA, in [1, d - 1].

    ``eigenvalues``: all ``d`` covariance eigenvalues, decreasing; 0 when no
    dimension has a finite evidence.
    """
    eigenvalues = np.asarray(eigenvalues, dtype=np.float64)
    evidence = [-np.inf] + [
        _minka_log_evidence(eigenvalues, k, n_samples)
        for k in range(1, eigenvalues.shape[0])
    ]
    return int(np.argmax(np.nan_to_num(evidence, nan=-np.inf)))


def difference_curve(x, y):
    """Kneedle's difference curve ``(1 - y) - x`` of a decreasing curve.

    Both axes scaled to [0, 1]: how far each point lies below the chord joining
    the ends. None with fewer than three points or a flat curve.
    """
    x, y = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
    span = y.max() - y.min() if y.size else 0.0
    if x.shape[0] < 3 or not span > 0:
        return None
    return (1.0 - (y - y.min()) / span) - (x - x[0]) / (x[-1] - x[0])


def scree_elbow(eigenvalues):
    """The scree rule: the components up to the point farthest below the chord.

    One when there is no elbow (fewer than three eigenvalues, none below it).
    """
    gap = difference_curve(np.arange(eigenvalues.shape[0]), eigenvalues)
    if gap is None or gap.max() <= 1e-12:
        return 1
    return int(np.argmax(gap)) + 1


def log_difference_curve(k_values, distortions):
    """The difference curve of ``log J(K)``, or None and why there is none.

    J values of 0 (as many clusters as distinct samples) are floored at ``1e-12
    max J`` before the logarithm.
    """
    J = np.asarray(distortions, dtype=np.float64)
    if len(J) < 3:
        return None, f"only {len(J)} value(s) of K, a knee needs at least three"
    if not J.max() > 0:
        return None, "J(K) is flat"
    diff = difference_curve(k_values, np.log(np.maximum(J, 1e-12 * J.max())))
    return (None, "J(K) is flat") if diff is None else (diff, None)


def kneedle(k_values, distortions, sensitivity=1.0):
    """Index of the knee of a decreasing J(K) by Kneedle on log J, or None and why.

    A local maximum of the difference curve of ``log J`` is a knee once the
    curve drops below ``max - S / (m - 1)`` (S the sensitivity, ``1 / (m - 1)``
    the mean step of the scaled K) before the next local maximum; the first
    such maximum is the knee. The logarithm judges each added cluster by the
    fraction of J it removes, so that a huge first drop (K=1 to 2) does not hide
    a later elbow; a straight or concave curve has no knee.
    """
    diff, reason = log_difference_curve(k_values, distortions)
    if diff is None:
        return None, reason
    m = len(diff)
    maxima = [
        i for i in range(1, m - 1) if diff[i] >= diff[i - 1] and diff[i] > diff[i + 1]
    ]
    for n, i in enumerate(maxima):
        threshold = diff[i] - sensitivity / (m - 1)
        stop = maxima[n + 1] if n + 1 < len(maxima) else m
        if np.any(diff[i + 1 : stop] < threshold):
            return i, None
    return None, "log J(K) bends nowhere more than a straight line would"
