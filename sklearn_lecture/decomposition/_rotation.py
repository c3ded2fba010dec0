"""Rotations of a factor loading matrix: varimax, quartimax, promax and oblimin.

Every function takes the unrotated loadings ``A`` (n_features, n_factors) and
returns ``(loadings, rotation, phi, converged)`` with ``loadings = A @ rotation``
and ``phi`` the factor correlation matrix (None for an orthogonal rotation), so
that ``A A^T = loadings phi loadings^T`` in every case.

The iterations run to a tight convergence (a loose stop leaves the loadings
short of the optimum in the third decimal on some data).
"""

import numpy as np
from scipy import linalg

ORTHOGONAL_ROTATIONS = ("varimax", "quartimax")
OBLIQUE_ROTATIONS = ("promax", "oblimin")

_MAX_ITER = 2000
_VARIMAX_TOL = 1e-12
_GPA_TOL = 1e-9
# Near the optimum the line search's sufficient decrease 0.5 s^2 step falls
# below the rounding of the criterion; when no step passes, a projected
# gradient under this bound is as converged as double precision allows.
_GPA_STALL_TOL = 1e-6
# Halvings of the step in the gradient-projection line search (as GPArotation).
_LINE_SEARCH_STEPS = 11


def _row_norms(A):
    """Kaiser's normalisation weights, the square roots of the communalities."""
    norms = np.sqrt(np.einsum("ij,ij->i", A, A))
    # A variable with no common variance has nothing to rotate.
    norms[norms == 0] = 1.0
    return norms


def varimax_criterion(loadings, normalize=True):
    """Kaiser's varimax criterion ``sum_j [mean_i(b_ij^4) - mean_i(b_ij^2)^2]``,
    b the loadings (rows Kaiser-normalised when ``normalize``)."""
    B = loadings / _row_norms(loadings)[:, None] if normalize else loadings
    squared = B**2
    return float(np.sum(np.mean(squared**2, axis=0) - np.mean(squared, axis=0) ** 2))


def varimax(A, *, normalize=True, tol=_VARIMAX_TOL, max_iter=_MAX_ITER):
    """Kaiser's varimax rotation by the SVD iteration (R's ``varimax``).

    Each step solves for the orthogonal matrix closest to the criterion's
    gradient, ``R = U V^T`` from the SVD of ``X^T (B^3 - B diag(mean B^2))``;
    the sum of singular values grows monotonically to the optimum.
    """
    n_features, n_factors = A.shape
    norms = _row_norms(A) if normalize else np.ones(n_features)
    X = A / norms[:, None]
    rotation = np.eye(n_factors)
    previous = 0.0
    converged = False
    for _ in range(max_iter):
        B = X @ rotation
        gradient = X.T @ (B**3 - B * np.mean(B**2, axis=0))
        U, s, Vt = linalg.svd(gradient, check_finite=False)
        rotation = U @ Vt
        gain = s.sum()
        if gain <= previous * (1.0 + tol):
            converged = True
            break
        previous = gain
    return A @ rotation, rotation, None, converged


def _quartimax(L):
    """Quartimax criterion (to minimise) and its gradient, as GPArotation."""
    return -np.sum(L**4) / 4.0, -(L**3)


def _oblimin(L, gamma=0.0):
    """Oblimin criterion (to minimise) and its gradient; gamma=0 is quartimin."""
    n_features, n_factors = L.shape
    squared = L**2
    # Each loading's square times the squares of the other factors in its row.
    cross = squared.sum(axis=1, keepdims=True) - squared
    if gamma != 0:
        cross = cross - gamma * cross.mean(axis=0, keepdims=True)
    return np.sum(squared * cross) / 4.0, L * cross


def _gpa(A, criterion, *, oblique, tol=_GPA_TOL, max_iter=_MAX_ITER):
    """Gradient projection rotation (Jennrich 2001, 2002; GPArotation's GPForth and
    GPFoblq)."""

    def pattern(T):
        T_inv = linalg.inv(T, check_finite=False) if oblique else None
        return (A @ T_inv.T if oblique else A @ T), T_inv

    def gradient(L, G_L, T_inv):
        return -(L.T @ G_L @ T_inv).T if oblique else A.T @ G_L

    def project(T, G):
        if oblique:
            return G - T * np.sum(T * G, axis=0)
        M = T.T @ G
        return G - T @ ((M + M.T) / 2.0)

    def retract(X):
        if oblique:
            return X / np.sqrt(np.sum(X**2, axis=0))
        U, _, Vt = linalg.svd(X, check_finite=False)
        return U @ Vt

    T = np.eye(A.shape[1])
    L, T_inv = pattern(T)
    f, G_L = criterion(L)
    G = gradient(L, G_L, T_inv)
    step = 1.0
    converged = False
    for _ in range(max_iter):
        projected = project(T, G)
        s = np.linalg.norm(projected)
        if s < tol:
            converged = True
            break
        step *= 2.0
        for _ in range(_LINE_SEARCH_STEPS):
            T_new = retract(T - step * projected)
            L, T_inv = pattern(T_new)
            f_new, G_L = criterion(L)
            if f_new < f - 0.5 * s**2 * step:
                break
            step /= 2.0
        else:
            converged = s < _GPA_STALL_TOL
            break
        T, f = T_new, f_new
        G = gradient(L, G_L, T_inv)
    # Recomputed from the last accepted T: a failed line search leaves trial
    # values behind.
    if oblique:
        rotation = linalg.inv(T, check_finite=False).T
        return A @ rotation, rotation, T.T @ T, converged
    return A @ T, T, None, converged


def promax(A, *, power=4):
    """Promax: varimax, then a least-squares fit to the powered loadings.

    Kaiser-normalised (as R and factor_analyzer): ``Y = V |V|^(power-1)`` fitted
    by least squares, ``U`` rescaled to unit factor variances.
    """
    norms = _row_norms(A)
    V, rotation, _, converged = varimax(A / norms[:, None], normalize=False)
    target = V * np.abs(V) ** (power - 1)
    U = linalg.lstsq(V, target, check_finite=False)[0]
    U = U * np.sqrt(np.diag(linalg.pinvh(U.T @ U)))
    U_inv = linalg.inv(U, check_finite=False)
    loadings = (V @ U) * norms[:, None]
    return loadings, rotation @ U, U_inv @ U_inv.T, converged


def rotate(A, method):
    """``(loadings, rotation, phi, converged)`` of ``A`` rotated by ``method``
    (None: unchanged, identity rotation); see the module docstring."""
    n_factors = A.shape[1]
    oblique = method in OBLIQUE_ROTATIONS
    if method is None or n_factors <= 1:
        return A.copy(), np.eye(n_factors), np.eye(n_factors) if oblique else None, True
    if method == "varimax":
        return varimax(A)
    if method == "promax":
        return promax(A)
    if method in ("quartimax", "oblimin"):
        # The criteria are quartic: the tolerances hold for loadings of order
        # one, so A is rotated in units of its root mean square.
        unit = np.sqrt(np.mean(A**2))
        unit = unit if unit > 0 else 1.0
        criterion = _quartimax if method == "quartimax" else _oblimin
        loadings, rotation, phi, converged = _gpa(A / unit, criterion, oblique=oblique)
        return loadings * unit, rotation, phi, converged
    raise ValueError(f"Unknown rotation {method!r}.")
