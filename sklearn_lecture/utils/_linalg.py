"""Linear-algebra helpers shared by the clustering, PCA and Fisher estimators.

Like scikit-learn's ``utils/extmath.py``: small numerical kernels that more than
one family needs, so that no family imports another family's private module.
"""

import numpy as np
import scipy.sparse as sp
from scipy import linalg
from sklearn.utils.validation import assert_all_finite, validate_data

# The dtypes the estimators compute in (float32 input stays float32).
_FLOATS = [np.float64, np.float32]

# Gram-then-subtract (X'X - n m m') loses about log10(E[x^2] / Var[x]) digits to
# cancellation. Beyond these ratios the scatter is recomputed from centred blocks.
_CANCELLATION_LIMIT = {np.dtype(np.float64): 1e4, np.dtype(np.float32): 1e1}

# Rows per block when the scatter is recomputed from centred data: a block of a few
# MiB stays in cache between the subtraction and the matrix product.
_BLOCK_BYTES = 4 * 2**20

# Up to this many entries the group indicator of :func:`group_sums` is a dense
# matrix; beyond, a sparse one (building it would cost more than it saves).
_DENSE_INDICATOR_SIZE = 2**16


def row_norms(X, squared=False):
    """Euclidean norm of every row of X, in the dtype of X.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
    squared : bool, default=False
        Return the squared norms.

    Returns
    -------
    norms : ndarray of shape (n_samples,)
    """
    norms = np.einsum("ij,ij->i", X, X)
    return norms if squared else np.sqrt(norms, out=norms)


def squared_distances(X, Y, *, X_sq=None, Y_sq=None, out=None):
    """Squared Euclidean distances ``||x||^2 - 2 x.y + ||y||^2`` between rows.

    One matrix product and two broadcast additions, clipped at zero (rounding
    can undershoot for a row sitting on another). Computed in the dtype of the
    inputs; callers that need more digits pass float64.

    Parameters
    ----------
    X : ndarray of shape (n_x, n_features)
    Y : ndarray of shape (n_y, n_features)
    X_sq : ndarray of shape (n_x,) or 0, default=None
        ``||x||^2`` of the rows of X when the caller has them (computed when
        None). ``0`` leaves the term out: the result is then the score
        ``||y||^2 - 2 x.y``, whose argmin over Y is the nearest row of Y, not
        clipped (what an assignment step needs, without a pass over the result).
    Y_sq : ndarray of shape (n_y,), default=None
        ``||y||^2`` of the rows of Y (computed when None).
    out : ndarray of shape (n_x, n_y), default=None
        Where to write the result.

    Returns
    -------
    distances : ndarray of shape (n_x, n_y)
    """
    # The factor -2 is exact in floating point: put it on the smaller operand.
    if X.shape[0] <= Y.shape[0]:
        D = np.matmul(-2.0 * X, Y.T, out=out)
    else:
        D = np.matmul(X, (-2.0 * Y).T, out=out)
    D += row_norms(Y, squared=True) if Y_sq is None else Y_sq
    if isinstance(X_sq, (int, float)) and X_sq == 0:
        return D
    D += (row_norms(X, squared=True) if X_sq is None else X_sq)[:, None]
    return np.maximum(D, 0, out=D)


def group_sums(X, labels, n_groups, weights=None):
    """Weighted sum of the rows of each group, as float64.

    One indicator product ``G @ X`` with ``G[k, t] = w_t [labels_t = k]``: a
    dense G for small problems, a sparse one (one entry per column) beyond.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
    labels : ndarray of shape (n_samples,) of int in ``range(n_groups)``
    n_groups : int
    weights : ndarray of shape (n_samples,), default=None
        None means unit weights.

    Returns
    -------
    sums : ndarray of shape (n_groups, n_features)
    """
    n = X.shape[0]
    w = np.ones(n, dtype=X.dtype) if weights is None else weights
    if n * n_groups <= _DENSE_INDICATOR_SIZE:
        # float64 on small problems: float32 sums of a few thousand rows lose
        # about 1e-5 of their value, and k-means' J = sum ||x||^2 - sum ||S||^2/W
        # would inherit it.
        indicator = np.zeros((n_groups, n))
        indicator[labels, np.arange(n)] = w
    else:
        indicator = sp.csc_array((w, labels, np.arange(n + 1)), shape=(n_groups, n))
    return np.asarray(indicator @ X, dtype=np.float64)


def scatter_matrix(X, centers, counts, labels=None, *, raw=None):
    """Scatter of ``X`` around per-sample centres, as float64.

    Returns ``sum_t (x_t - c_t)(x_t - c_t)^T`` where ``c_t = centers[labels[t]]``
    (``labels=None`` means one centre for every sample). The fast path is one
    Gram matrix ``X^T X - sum_k counts_k c_k c_k^T`` without copying ``X``; when
    the data sit so far from their centres that this subtraction would cancel
    most digits, the scatter is recomputed from centred blocks instead.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
        Data, float32 or float64; never modified.
    centers : ndarray of shape (n_centers, n_features)
        Centres (float64), the means of the samples carrying each label.
    counts : ndarray of shape (n_centers,)
        Number of samples per centre.
    labels : ndarray of shape (n_samples,) of int, default=None
        Index of each sample's centre; None when there is a single centre.
    raw : ndarray of shape (n_features, n_features), default=None
        ``X^T X`` when the caller already has it.

    Returns
    -------
    scatter : ndarray of shape (n_features, n_features)
        Symmetric, float64.
    """
    n_samples, n_features = X.shape
    if raw is None:
        raw = X.T @ X
    scatter = np.asarray(raw, dtype=np.float64)
    if scatter is raw:
        scatter = scatter.copy()
    second_moment = np.diag(scatter).copy()
    scatter -= (centers * counts[:, None]).T @ centers
    variance = np.diag(scatter)
    limit = _CANCELLATION_LIMIT.get(X.dtype, 1e4)
    if np.all(second_moment <= limit * variance):
        return scatter

    # Precise path: centre block by block, each block reused from cache.
    scatter = np.zeros((n_features, n_features))
    block = max(1, _BLOCK_BYTES // (X.itemsize * n_features))
    centers_x = centers.astype(X.dtype, copy=False)
    for start in range(0, n_samples, block):
        stop = min(start + block, n_samples)
        if labels is None:
            Z = X[start:stop] - centers_x[0]
        else:
            Z = X[start:stop] - centers_x[labels[start:stop]]
        scatter += Z.T @ Z
    return scatter


def constant_features(variance, second_moment, n_samples, dtype):
    """Mask of features whose variance is only rounding noise.

    The same bound as scikit-learn's StandardScaler: a variance below what the
    summation error of the mean could produce counts as zero. The callers sum
    the mean in float64 whatever the dtype of the data, so the bound uses
    float64's epsilon: with float32's, the bound ``(n eps)^2 E[x^2]`` grows so
    fast with n and the mean that real features of float32 data far from the
    origin (n = 2000, mean 1000, std 0.2) were taken for constants.

    Parameters
    ----------
    variance : ndarray of shape (n_features,)
    second_moment : ndarray of shape (n_features,)
        Mean of the squared values of each feature.
    n_samples : int
    dtype : numpy dtype
        The dtype of the data. A constant float32 column centred on its
        float64 mean rounded to float32 gives exactly zero, so the dtype does
        not widen the bound.

    Returns
    -------
    mask : ndarray of shape (n_features,) of bool
    """
    eps = np.finfo(np.float64).eps
    return variance <= (n_samples * eps) ** 2 * second_moment + np.finfo(
        np.float64
    ).tiny


def is_singular(S):
    """Whether a symmetric positive semi-definite matrix is numerically singular.

    The rule of :func:`numpy.linalg.matrix_rank` and :func:`scipy.linalg.pinvh`:
    an eigenvalue at most ``max|eigenvalue| * p * eps`` counts as zero. Whether
    a Cholesky factorisation succeeds is no test: on a correlation matrix with a
    collinear column, the smallest eigenvalue comes out as a few units of
    rounding of either sign, depending on the BLAS kernel.

    Parameters
    ----------
    S : ndarray of shape (p, p)
        Symmetric, finite.

    Returns
    -------
    singular : bool
    eigenvalues : ndarray of shape (p,)
        In increasing order.
    """
    eigenvalues = linalg.eigvalsh(S, check_finite=False)
    scale = np.abs(eigenvalues).max(initial=0.0)
    tolerance = scale * S.shape[0] * np.finfo(np.float64).eps
    return bool(eigenvalues[0] <= tolerance), eigenvalues


def thin_svd(A):
    """Thin SVD ``A = U diag(s) Vt`` (LAPACK gesdd, gesvd if it fails).

    numpy's LAPACK, not scipy's: the callers multiply the factors with numpy
    right away, and numpy and scipy each bring their own OpenBLAS, whose thread
    pools fight for the cores when a caller alternates between them (FisherLDA on
    100 x 2000 data took 25-35 ms with scipy's SVD, 9 ms with numpy's).

    Parameters
    ----------
    A : ndarray of shape (m, n)
        Finite values.

    Returns
    -------
    U, s, Vt : ndarrays of shapes (m, k), (k,), (k, n), k = min(m, n)
    """
    if A.shape[0] < A.shape[1]:
        # LAPACK's tall path (QR first) on the transpose, a view in Fortran
        # order, is faster than its wide path (6 ms against 7.6 ms on a
        # 100 x 2000 matrix); the factors are the same.
        vt, s, u = thin_svd(A.T)
        return u.T, s, vt.T
    try:
        return np.linalg.svd(A, full_matrices=False)
    except np.linalg.LinAlgError:
        # gesdd occasionally fails to converge; gesvd is slower but robust.
        return linalg.svd(
            A, full_matrices=False, check_finite=False, lapack_driver="gesvd"
        )


def checked_product(X, M, shift, estimator_name):
    """``X @ M + shift``, raising as scikit-learn's input validation when X is
    not finite.

    The finiteness test is a matrix product instead of a reduction over X: the
    sum of each row, NaN or infinite whenever the row holds a NaN or an
    infinity (a multiplication by one cannot be skipped or lose it). With
    many more samples and features than outputs it rides on the product
    itself, as a column of ones appended to M, which saves a pass over X;
    otherwise (X narrow, its second pass from cache, or M nearly as large as
    X, its copy costing that pass) a separate matrix-vector product with ones
    is cheaper. Only when a sum is not finite, which finite rows reach only by
    overflow, is X itself checked.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
        Validated but not yet checked for NaN and infinity.
    M : ndarray of shape (n_features, n_outputs)
    shift : ndarray of shape (n_outputs,)
        Added to every row.
    estimator_name : str
        Named in the error message.

    Returns
    -------
    product : ndarray of shape (n_samples, n_outputs)
        C-contiguous.
    """
    n_features, n_outputs = M.shape
    # The sum of a finite row may overflow where its projections do not.
    with np.errstate(over="ignore", invalid="ignore"):
        if min(X.shape) > 8 * (n_outputs + 1):
            # An even number of columns: GEMM's odd edge is slower. Laid out
            # as M is, so that copying M into it is a plain copy.
            width = n_outputs + 1 + (n_outputs + 1) % 2
            if M.flags.f_contiguous:
                augmented = np.zeros((width, n_features), dtype=M.dtype).T
            else:
                augmented = np.zeros((n_features, width), dtype=M.dtype)
            augmented[:, :n_outputs] = M
            augmented[:, n_outputs] = 1
            full = X @ augmented
            sums = full[:, n_outputs]
            product = np.add(full[:, :n_outputs], shift)
        else:
            product = X @ M
            sums = X @ np.ones(n_features, dtype=X.dtype)
            product += shift
    if not np.all(np.isfinite(sums)):
        assert_all_finite(X, input_name="X", estimator_name=estimator_name)
    return product


def affine_scores(
    estimator,
    X,
    weights,
    *,
    mean=None,
    scale=None,
    intercept=None,
    dtype=_FLOATS,
    preserve_dtype=False,
):
    """``((X - mean) / scale) @ weights + intercept`` of new X, for a fitted estimator.

    The linear maps of PCA, FisherLDA, CommonFactorAnalysis and
    CorrelationMerging: X is validated against the fit (``reset=False``) in
    ``dtype`` and computed on as ``X @ W + (intercept - mean @ W)`` with ``W =
    weights / scale``, so that no centred copy of X is made; its finiteness is
    checked on the product (:func:`checked_product`), which saves a pass over X.

    Parameters
    ----------
    estimator : fitted estimator
    X : array-like of shape (n_samples, n_features)
    weights : ndarray of shape (n_features, n_outputs)
    mean, scale : ndarray of shape (n_features,) or None
        Subtracted from, then dividing, each feature; None for neither.
    intercept : ndarray of shape (n_outputs,) or None
        Added to every row of scores.
    dtype : dtype or list of dtypes
        What X is validated to (a list keeps float32 input float32).
    preserve_dtype : bool, default=False
        Compute in the dtype of X (the weights cast to it), as a transformer
        that preserves float32 does; else in the wider of the two dtypes.

    Returns
    -------
    scores : ndarray of shape (n_samples, n_outputs)
    """
    X = validate_data(estimator, X, dtype=dtype, reset=False, ensure_all_finite=False)
    if scale is not None:
        weights = weights / scale[:, None]
    if preserve_dtype:
        weights = weights.astype(X.dtype, copy=False)
    shift = np.zeros(weights.shape[1]) if intercept is None else intercept
    if mean is not None:
        shift = shift - mean @ weights
    shift = shift.astype(np.result_type(X, weights), copy=False)
    return checked_product(X, weights, shift, type(estimator).__name__)


def randomized_svd(
    A, n_components, *, n_iter, random_state, n_oversamples=10, return_captured=False
):
    """Leading singular values and right singular vectors of A (Halko et al.).

    A Gaussian sketch of ``n_components + n_oversamples`` columns, ``n_iter``
    power iterations, each half-step orthonormalised by a QR (numpy's LAPACK
    throughout, so that the products and factorisations share one BLAS pool),
    then the thin SVD of the small projected matrix.

    Parameters
    ----------
    A : ndarray of shape (m, n)
    n_components : int
        At most ``min(m, n)``.
    n_iter : int
        Power iterations.
    random_state : numpy.random.RandomState
        Draws the sketch.
    n_oversamples : int, default=10
    return_captured : bool, default=False
        Also return ``||Q^T A||_F^2``, the squared Frobenius norm the sketch's
        range captures: with ``||A||_F^2`` it bounds what the range misses,
        ``||A - Q Q^T A||_2^2 <= ||A||_F^2 - ||Q^T A||_F^2``.

    Returns
    -------
    s, Vt : ndarrays of shapes (n_components,) and (n_components, n)
        Decreasing singular values and their right singular vectors. Each
        ``s[j]`` is at most the j-th singular value of A (the sketch's range is
        a subspace) and, by Weyl's inequality, at least that value minus
        ``||A - Q Q^T A||_2``.
    captured : float
        Only with ``return_captured``.

    References
    ----------
    N. Halko, P. G. Martinsson, J. A. Tropp, "Finding structure with
    randomness", SIAM Review 53(2), 217-288, 2011 (algorithm 4.4).
    """
    size = min(n_components + n_oversamples, *A.shape)
    sketch = random_state.standard_normal((A.shape[1], size)).astype(A.dtype)
    Q = A @ sketch
    for _ in range(n_iter):
        Q = np.linalg.qr(Q)[0]
        Q = np.linalg.qr(A.T @ Q)[0]
        Q = A @ Q
    Q = np.linalg.qr(Q)[0]
    _, s, vt = thin_svd(Q.T @ A)
    if return_captured:
        captured = float(np.sum(s.astype(np.float64) ** 2))
        return s[:n_components], vt[:n_components], captured
    return s[:n_components], vt[:n_components]


def flip_signs(components):
    """Make the largest-magnitude entry of every row positive (deterministic).

    Of entries within 1e-5 (relative) of the largest magnitude, the first.

    Parameters
    ----------
    components : ndarray of shape (n_components, n_features)

    Returns
    -------
    components : ndarray of shape (n_components, n_features)
        A copy with some rows negated.
    """
    if components.size == 0:
        return components
    magnitude = np.abs(components)
    # Entries tied within rounding (two standardized features loading equally,
    # +-1/sqrt(2)) go to the first: otherwise the rounding of the data, its
    # dtype or a shift of it would decide the sign.
    near_max = magnitude >= magnitude.max(axis=1, keepdims=True) * (1 - 1e-5)
    idx = np.argmax(near_max, axis=1)
    signs = np.sign(components[np.arange(components.shape[0]), idx])
    signs[signs == 0] = 1
    return components * signs[:, None]
