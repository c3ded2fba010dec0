"""Scores of a generative model's samples that need no downloaded network.

The Inception score (Salimans et al. 2016) rates samples with a classifier
trained on ImageNet; :func:`classifier_score` is the same formula with any fitted
scikit-learn classifier of the data's own classes. :func:`two_sample_score` is
the 1-nearest-neighbour two-sample test of Lopez-Paz & Oquab (2017): how well can
one tell real from generated rows?
"""

from numbers import Integral

import numpy as np
from scipy.special import xlogy
from sklearn.base import clone
from sklearn.decomposition import PCA
from sklearn.model_selection import StratifiedKFold, cross_val_score
from sklearn.neighbors import KNeighborsClassifier
from sklearn.utils import Bunch, check_array, check_random_state
from sklearn.utils.validation import check_is_fitted

from ..utils._moments import check_magnitude

__all__ = ["classifier_score", "two_sample_score"]


def classifier_score(samples, classifier, *, return_details=False):
    """The Inception-score analogue of samples under a fitted classifier.

    With p(y|x) the classifier's class probabilities and p(y) their mean over the
    samples, the score is ``exp(E_x KL(p(y|x) ‖ p(y)))``: high when each sample
    is confidently one class (sharp p(y|x)) and the classes are used evenly (flat
    p(y)). It lies between 1 and the number of classes. Real data scores close to
    the classifier's own confidence on held-out rows; a model that draws one
    class only, or blurry rows no class claims, scores near 1.

    Parameters
    ----------
    samples : array-like of shape (n_samples, n_features)
        Generated (or real, for reference) rows, in the classifier's input space;
        handed to ``classifier.predict_proba`` as they are, so a DataFrame keeps
        its column names for the classifier to check.
    classifier : fitted classifier with ``predict_proba``
        For instance a logistic regression trained on the real data.
    return_details : bool, default=False
        Also return the class shares (mode coverage) and mean confidence.

    Returns
    -------
    score : float
        exp(E_x KL(p(y|x) ‖ p(y))), returned alone unless ``return_details``.
    details : Bunch
        With ``return_details=True``, instead of the float: ``score``;
        ``classes`` (the classifier's ``classes_``); ``class_shares`` (share of
        the samples predicted as each class, mode coverage); ``min_class_share``;
        ``confidence`` (mean of max_y p(y|x)).

    References
    ----------
    T. Salimans et al., "Improved techniques for training GANs", NeurIPS 2016.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.preprocessing import StandardScaler
    >>> from sklearn_lecture.metrics import classifier_score
    >>> X, y = load_digits(return_X_y=True)
    >>> clf = make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000))
    >>> clf = clf.fit(X[::2], y[::2])
    >>> details = classifier_score(X[1::2], clf, return_details=True)
    >>> round(details.score, 1), round(details.min_class_share, 3)
    (8.3, 0.092)
    """
    check_is_fitted(classifier)
    if not hasattr(classifier, "predict_proba"):
        raise ValueError(
            f"classifier_score needs a classifier with predict_proba; "
            f"{type(classifier).__name__} has none."
        )
    proba = check_array(classifier.predict_proba(samples), dtype=np.float64)
    marginal = proba.mean(axis=0)
    kl = (xlogy(proba, proba) - xlogy(proba, marginal)).sum(axis=1)
    score = float(np.exp(kl.mean()))
    if not return_details:
        return score
    n_classes = proba.shape[1]
    shares = np.bincount(proba.argmax(axis=1), minlength=n_classes) / len(proba)
    return Bunch(
        score=score,
        classes=np.asarray(classifier.classes_),
        class_shares=shares,
        min_class_share=float(shares.min()),
        confidence=float(proba.max(axis=1).mean()),
    )


def two_sample_score(
    X_real,
    X_generated,
    *,
    features="pca",
    n_components=10,
    cv=5,
    random_state=None,
):
    """Cross-validated accuracy of a 1-NN classifier telling real from generated.

    The two sets are pooled (the larger one subsampled to the size of the
    smaller, so chance is 0.5), labelled real/generated, and a 1-nearest-neighbour
    classifier is scored by stratified k-fold cross-validation in a feature space.
    0.5 means the two samples are indistinguishable to 1-NN. Values well above
    0.5 say the generated rows lie apart from the real ones (mode collapse, blur,
    artefacts). Values well below 0.5 say they lie too close: a model that copies
    its training rows scores far under 0.5 against those rows (each copy's
    nearest neighbour is its twin, of the other label) and about 0.5 against
    held-out real rows, so compare with held-out rows to tell memorisation from
    a good fit. The score is the same for the data in any scale.

    Parameters
    ----------
    X_real : array-like of shape (n_real, n_features)
    X_generated : array-like of shape (n_generated, n_features)
    features : "pca", None or a fitted transformer, default="pca"
        The space the neighbours are found in: ``"pca"`` the first
        ``n_components`` principal components of the real rows (fitted here),
        None the raw features, or any fitted object with ``transform``.
    n_components : int, default=10
        Components of the ``"pca"`` space (>= 1; clipped to what the real data
        allows).
    cv : int, default=5
        Number of stratified folds.
    random_state : int, RandomState instance or None, default=None
        Seeds the subsampling and the folds.

    Returns
    -------
    accuracy : float
        In [0, 1]; 0.5 is chance.

    References
    ----------
    D. Lopez-Paz and M. Oquab, "Revisiting classifier two-sample tests",
    ICLR 2017.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_lecture.metrics import two_sample_score
    >>> rng = np.random.RandomState(0)
    >>> a, b = rng.randn(200, 5), rng.randn(200, 5)
    >>> 0.4 < two_sample_score(a, b, random_state=0) < 0.6
    True
    >>> two_sample_score(a, b + 3, random_state=0)
    1.0
    """
    X_real = check_array(X_real, dtype=[np.float64, np.float32])
    X_generated = check_array(X_generated, dtype=[np.float64, np.float32])
    if X_real.shape[1] != X_generated.shape[1]:
        raise ValueError(
            f"X_real has {X_real.shape[1]} features but X_generated has "
            f"{X_generated.shape[1]}."
        )
    if not isinstance(cv, Integral) or cv < 2:
        raise ValueError(f"cv must be an integer >= 2, got {cv!r}.")
    if not isinstance(n_components, Integral) or isinstance(n_components, bool) or (
        n_components < 1
    ):
        raise ValueError(f"n_components must be an integer >= 1, got {n_components!r}.")
    n = min(len(X_real), len(X_generated))
    if n < cv:
        raise ValueError(
            f"two_sample_score needs at least cv={cv} rows in each set; got "
            f"{len(X_real)} real and {len(X_generated)} generated."
        )
    # Compared as a string only when it is one: an array == "pca" compares its
    # elements.
    use_pca = isinstance(features, str) and features == "pca"
    if not (use_pca or features is None or hasattr(features, "transform")):
        got = (
            repr(features)
            if isinstance(features, str)
            else f"an object of type {type(features).__name__}"
        )
        raise ValueError(
            "features must be 'pca', None or a fitted transformer (an object with "
            f"transform); got {got}."
        )
    rng = check_random_state(random_state)
    if use_pca:
        _check_squares(np.vstack([X_real, X_generated]))
        k = min(int(n_components), X_real.shape[1], len(X_real) - 1)
        transformer = PCA(n_components=max(1, k), random_state=rng).fit(X_real)
    else:
        transformer = features
    real = X_real[np.sort(rng.permutation(len(X_real))[:n])]
    generated = X_generated[np.sort(rng.permutation(len(X_generated))[:n])]
    pooled = np.vstack([real, generated])
    if transformer is not None:
        pooled = check_array(
            transformer.transform(pooled), dtype=[np.float64, np.float32]
        )
    # 1-NN compares squared distances: squares beyond the dtype would tie them.
    _check_squares(pooled)
    labels = np.repeat([0, 1], n)
    folds = StratifiedKFold(n_splits=cv, shuffle=True, random_state=rng)
    scores = cross_val_score(
        clone(KNeighborsClassifier(n_neighbors=1)), pooled, labels, cv=folds
    )
    return float(scores.mean())


def _check_squares(Z):
    squares = np.einsum("ij,ij->j", Z, Z, dtype=np.float64)
    check_magnitude(squares, Z.sum(axis=0, dtype=np.float64), len(Z), Z.dtype)
