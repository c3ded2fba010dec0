"""The lecture's merging procedure: join the two most correlated variables, repeat."""

from numbers import Integral, Real

import numpy as np
from sklearn.utils.validation import check_is_fitted

from ..utils._compat import Interval
from ..utils._linalg import affine_scores
from ..utils._params import store_params
from ..utils._rules import kaiser
from ._base import (
    _correlation_from_covariance,
    _covariance,
    _MomentModel,
    fill_moment_doc,
)


@fill_moment_doc
class CorrelationMerging(_MomentModel):
    """Merge the two most correlated variables, again and again.

    The lecture's description of common factor analysis: repeatedly merge the
    pair of current variables with the highest absolute correlation into the
    mean of their standardized members (signs flipped so the two sides correlate
    positively), until ``n_factors`` remain or no absolute correlation exceeds
    ``threshold``. The merges need the correlation matrix alone (exact moments:
    ``fit`` on dask and ``partial_fit`` give the model of ``fit``).

    Parameters
    ----------
    n_factors : int or None, default=None
        Number of variables to keep. None: Kaiser's rule (the eigenvalues of
        the correlation matrix above 1) without a threshold, else down to one.
    threshold : float in [0, 1] or None, default=None
        Stop once no absolute correlation between current variables exceeds
        it (or ``n_factors`` remain, whichever comes first).

    Attributes
    ----------
    groups_ : list of ndarray of int
        The input variables held by each output variable, ordered by their
        smallest member.
    signs_ : ndarray of shape (n_features,)
        The sign (+1 or -1) of each input in its group (+1 for the smallest).
    merge_history_ : list of tuple
        ``(members_a, members_b, correlation)`` for every merge, in order (the
        correlation before the merge, negative when one side was flipped).
    components_ : ndarray of shape (`n_factors_`, n_features)
        Weights on the standardized inputs: ``sign / group size`` for a
        member, 0 elsewhere.
    n_factors_ : int
        Number of output variables.
    correlation_ : ndarray of shape (n_features, n_features)
        Correlation matrix of the training data.
    mean_ : ndarray of shape (n_features,)
        Per-feature mean.
    scale_ : ndarray of shape (n_features,)
        Per-feature standard deviation (ddof=1).
    {input_attributes}

    See Also
    --------
    sklearn.cluster.FeatureAgglomeration : Ward (or other) agglomeration of
        features; averages unstandardized, unaligned members.
    CommonFactorAnalysis : The factor model that the merging approximates.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_lecture.decomposition import CorrelationMerging
    >>> rng = np.random.default_rng(0)
    >>> f = rng.standard_normal((200, 2))
    >>> X = np.column_stack([f[:, 0], -f[:, 0], f[:, 1], f[:, 1], f[:, 0]])
    >>> X = X + 0.3 * rng.standard_normal(X.shape)
    >>> merging = CorrelationMerging(n_factors=2).fit(X)
    >>> [g.tolist() for g in merging.groups_]
    [[0, 1, 4], [2, 3]]
    >>> merging.signs_
    array([ 1., -1.,  1.,  1.,  1.])
    >>> merging.transform(X).shape
    (200, 2)
    """

    _parameter_constraints: dict = {
        "n_factors": [Interval(Integral, 1, None, closed="left"), None],
        "threshold": [Interval(Real, 0, 1, closed="both"), None],
    }

    def __init__(self, n_factors=None, *, threshold=None):
        store_params(self, locals())

    def _fit_moments(self, moments, dtype=None):
        """Merge the variables whose statistics ``moments`` holds."""
        covariance = _covariance(moments, type(self).__name__)
        corr = _correlation_from_covariance(covariance)
        n_features = corr.shape[0]
        target = self._target(corr, n_features)

        # cov[a, b]: covariance of the merged variables of groups a and b
        # (means of their signed standardized members), kept for all slots;
        # a merge writes into slot a and retires slot b.
        cov = corr.copy()
        sizes = np.ones(n_features)
        signs = np.ones(n_features)
        label = np.arange(n_features)
        active = np.ones(n_features, dtype=bool)
        history = []
        for _ in range(n_features - target):
            scale = 1.0 / np.sqrt(np.diag(cov))
            strength = np.abs(cov * np.outer(scale, scale))
            strength[~active, :] = -1.0
            strength[:, ~active] = -1.0
            strength[np.tril_indices(n_features)] = -1.0
            a, b = np.unravel_index(np.argmax(strength), strength.shape)
            r = cov[a, b] * scale[a] * scale[b]
            if self.threshold is not None and abs(r) <= self.threshold:
                break
            members = [tuple(np.flatnonzero(label == g).tolist()) for g in (a, b)]
            history.append((*members, float(r)))
            flip = -1.0 if r < 0 else 1.0
            signs[label == b] *= flip
            n_a, n_b = sizes[a], sizes[b]
            n = n_a + n_b
            # The merged variable is (n_a v_a + flip n_b v_b) / n: linear in
            # the old ones, so is its covariance with every other group.
            new_aa = (
                n_a**2 * cov[a, a]
                + 2 * flip * n_a * n_b * cov[a, b]
                + n_b**2 * cov[b, b]
            ) / n**2
            row = (n_a * cov[a] + flip * n_b * cov[b]) / n
            cov[a, :] = row
            cov[:, a] = row
            cov[a, a] = new_aa
            sizes[a] = n
            label[label == b] = a
            active[b] = False

        groups = [np.flatnonzero(label == g) for g in np.flatnonzero(active)]
        groups.sort(key=lambda members: members[0])
        components = np.zeros((len(groups), n_features))
        for row, members in enumerate(groups):
            # Orient each group by its smallest member.
            signs[members] *= signs[members[0]]
            components[row, members] = signs[members] / members.shape[0]

        self.groups_ = groups
        self.signs_ = signs
        self.merge_history_ = history
        self.components_ = components
        self.n_factors_ = len(groups)
        self.correlation_ = corr
        self.mean_ = moments.means[0]
        self.scale_ = np.sqrt(np.diag(covariance))

    def _target(self, corr, n_features):
        """Number of groups at which merging stops regardless of the threshold."""
        if self.n_factors is not None:
            if self.n_factors > n_features:
                raise ValueError(
                    f"n_factors={self.n_factors} must be at most "
                    f"n_features={n_features}."
                )
            return self.n_factors
        if self.threshold is not None:
            return 1
        return kaiser(np.linalg.eigvalsh(corr), 1.0)

    def transform(self, X):
        """The merged variables: means of the signed standardized members.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Data to transform.

        Returns
        -------
        X_new : ndarray of shape (n_samples, `n_factors_`)
        """
        check_is_fitted(self)
        return affine_scores(self, X, self.components_.T, mean=self.mean_,
                             scale=self.scale_, dtype=np.float64)

    @property
    def _n_features_out(self):
        return self.n_factors_
