"""Linear-algebra helpers shared by the clustering, PCA and Fisher estimators.

Like scikit-learn's ``utils/extmath.py``: small numerical kernels that more than
one family needs, so that no family imports another family's private module.
"""

import numpy as np
import scipy.sparse as sp
from scipy import linalg
from sklearn.utils.validation import assert_all_finite, validate_data

from ._threads import blas_single_thread

# The dtypes the estimators compute in (float32 input stays float32).
_FLOATS = [np.float64, np.float32]

# Gram-then-subtract (X'X - n m m') loses about log10(E[x^2] / Var[x]) digits to
# cancellation. Beyond these ratios the scatter is recomputed from centred blocks.
_CANCELLATION_LIMIT = {np.dtype(np.float64): 1e4, np.dtype(np.float32): 1e1}

# Rows per block when the scatter is recomputed from centred data (in cache).
_BLOCK_BYTES = 4 * 2**20

# Up to this many entries the group indicator of :func:`group_sums` is dense.
_DENSE_INDICATOR_SIZE = 2**16


def row_norms(X, squared=False):
    """Euclidean norm (or its square) of every row of X, in the dtype of X."""
    norms = np.einsum("ij,ij->i", X, X)
    return norms if squared else np.sqrt(norms, out=norms)


def squared_distances(X, Y, *, X_sq=None, Y_sq=None, out=None):
    """Squared Euclidean distances ``||x||^2 - 2 x.y + ||y||^2``, clipped at zero.

    ``X_sq``/``Y_sq`` are the squared row norms when the caller has them;
    ``X_sq=0`` leaves the term out and returns the unclipped score
    ``||y||^2 - 2 x.y``, whose argmin is the nearest row of Y.
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
    """Weighted sum of the rows of each group, as float64 (one indicator product)."""
    n = X.shape[0]
    w = np.ones(n, dtype=X.dtype) if weights is None else weights
    if n * n_groups <= _DENSE_INDICATOR_SIZE:
        # A float64 indicator: float32 sums would lose digits that k-means'
        # J = sum ||x||^2 - sum ||S||^2/W inherits.
        indicator = np.zeros((n_groups, n))
        indicator[labels, np.arange(n)] = w
    else:
        indicator = sp.csc_array((w, labels, np.arange(n + 1)), shape=(n_groups, n))
    return np.asarray(indicator @ X, dtype=np.float64)


def scatter_matrix(X, centers, counts, labels=None, *, raw=None):
    """``sum_t (x_t - c_t)(x_t - c_t)^T``, ``c_t = centers[labels[t]]``, as float64.

    ``X^T X - sum_k counts_k c_k c_k^T`` (``raw`` is ``X^T X`` when known),
    recomputed from centred blocks when that subtraction would cancel most digits.
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
    """Mask of features whose variance is only rounding noise (StandardScaler's bound).

    The mean is summed in float64 whatever ``dtype``, so the bound uses float64's
    epsilon (float32's took real features of far-off float32 data for constants).
    """
    eps = np.finfo(np.float64).eps
    return variance <= (n_samples * eps) ** 2 * second_moment + np.finfo(
        np.float64
    ).tiny


def is_singular(S):
    """``(singular, eigenvalues)`` of a symmetric PSD matrix, matrix_rank's rule.

    An eigenvalue at most ``max|eigenvalue| * p * eps`` counts as zero (whether a
    Cholesky factorisation succeeds depends on the sign of rounding).
    """
    eigenvalues = linalg.eigvalsh(S, check_finite=False)
    scale = np.abs(eigenvalues).max(initial=0.0)
    tolerance = scale * S.shape[0] * np.finfo(np.float64).eps
    return bool(eigenvalues[0] <= tolerance), eigenvalues


def thin_svd(A):
    """Thin SVD ``A = U diag(s) Vt`` with numpy's LAPACK (gesdd, gesvd if it fails).

    numpy's, not scipy's (their two BLAS pools fight for the cores), and on one
    BLAS thread: threaded LAPACK waits at every panel when the cores are busy.
    """
    if A.shape[0] < A.shape[1]:
        # LAPACK's tall path on the transpose is faster than its wide path.
        vt, s, u = thin_svd(A.T)
        return u.T, s, vt.T
    with blas_single_thread():
        try:
            return np.linalg.svd(A, full_matrices=False)
        except np.linalg.LinAlgError:
            return linalg.svd(A, full_matrices=False, lapack_driver="gesvd")


def checked_product(X, M, shift, estimator_name):
    """``X @ M + shift``, raising as scikit-learn's validation when X is not finite.

    Finiteness is read from the row sums (a column of ones appended to M when X
    is large), so that X is checked only when a sum is not finite.
    """
    n_features, n_outputs = M.shape
    # The sum of a finite row may overflow where its projections do not.
    with np.errstate(over="ignore", invalid="ignore"):
        if min(X.shape) > 8 * (n_outputs + 1):
            # An even number of columns (GEMM's odd edge is slower), laid out as M.
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


def affine_scores(estimator, X, weights, *, mean=None, scale=None, intercept=None,
                  dtype=_FLOATS, preserve_dtype=False):
    """``((X - mean) / scale) @ weights + intercept`` of new X, for a fitted estimator.

    X is validated against the fit and computed on as ``X @ W + shift`` (no
    centred copy); ``preserve_dtype`` computes in X's dtype, else in the wider.
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


def flip_signs(components):
    """A copy of the rows signed so that the largest-magnitude entry is positive.

    Of entries within 1e-5 (relative) of the largest, the first decides, so that
    rounding, dtype or a shift of the data does not.
    """
    if components.size == 0:
        return components
    magnitude = np.abs(components)
    near_max = magnitude >= magnitude.max(axis=1, keepdims=True) * (1 - 1e-5)
    idx = np.argmax(near_max, axis=1)
    signs = np.sign(components[np.arange(components.shape[0]), idx])
    signs[signs == 0] = 1
    return components * signs[:, None]
