"""Trunk's problem: definition, exact Bayes error, and the peaking it illustrates."""

import numpy as np
import pytest
from numpy.testing import assert_allclose
from scipy import integrate, stats

from sklearn_lecture.datasets import make_trunk, trunk_bayes_error


def _linear_error(w, b, mean):
    """Exact error of the rule 'class 1 when w.x + b > 0' on Trunk's classes."""
    spread = np.linalg.norm(w, axis=-1)
    shift = w @ mean
    return 0.5 * (
        stats.norm.cdf(-(shift + b) / spread) + stats.norm.cdf((b - shift) / spread)
    )


def test_definition():
    X, y = make_trunk(20001, 4, random_state=0)
    assert X.shape == (20001, 4) and X.dtype == np.float64
    assert set(np.unique(y)) == {0, 1}
    assert np.count_nonzero(y) == 10001
    mean = 1 / np.sqrt(np.arange(1, 5))
    assert_allclose(X[y == 1].mean(axis=0), mean, atol=0.03)
    assert_allclose(X[y == 0].mean(axis=0), -mean, atol=0.03)
    for label in (0, 1):
        assert_allclose(np.cov(X[y == label].T), np.eye(4), atol=0.05)
    again, y_again = make_trunk(20001, 4, random_state=0)
    assert_allclose(again, X)
    assert np.array_equal(y_again, y)


def test_bayes_error_closed_form():
    d = np.array([1, 2, 3, 10, 100, 1000])
    harmonic = np.array([np.sum(1 / np.arange(1, k + 1)) for k in d])
    assert_allclose(trunk_bayes_error(d), stats.norm.sf(np.sqrt(harmonic)), rtol=1e-12)
    # The lecture's integral of the standard normal from gamma / 2 to infinity,
    # gamma = 2 sqrt(H_d) the Mahalanobis distance between the means.
    for k, h in zip(d, harmonic):
        integral, _ = integrate.quad(stats.norm.pdf, np.sqrt(h), np.inf)
        assert trunk_bayes_error(int(k)) == pytest.approx(integral, rel=1e-8)
    assert isinstance(trunk_bayes_error(5), float)
    assert np.all(np.diff(trunk_bayes_error(np.arange(1, 200))) < 0)


def test_bayes_error_matches_the_optimal_rule_on_samples():
    # The Bayes rule assigns x to class 1 when mu.x > 0.
    for d in (1, 7, 50):
        X, y = make_trunk(200_000, d, random_state=d)
        mean = 1 / np.sqrt(np.arange(1, d + 1))
        error = np.mean((X @ mean > 0) != (y == 1))
        expected = trunk_bayes_error(d)
        assert abs(error - expected) < 4 * np.sqrt(expected * (1 - expected) / 200_000)


def test_estimated_means_peak():
    # Trunk's result: with the means estimated from n = 20 samples, the error
    # of the nearest-mean rule first falls with d, then rises towards 1/2.
    dims = [1, 10, 50, 2000]
    errors = []
    for d in dims:
        mean = 1 / np.sqrt(np.arange(1, d + 1))
        runs = []
        for rep in range(40):
            X, y = make_trunk(20, d, random_state=rep)
            m1, m0 = X[y == 1].mean(axis=0), X[y == 0].mean(axis=0)
            w = m1 - m0
            runs.append(_linear_error(w, -w @ (m1 + m0) / 2, mean))
        errors.append(np.mean(runs))
    assert errors[1] < errors[0] and errors[2] < errors[0]
    assert errors[3] > 2 * min(errors[1:3])
    assert all(e > b for e, b in zip(errors, trunk_bayes_error(dims)))


def test_bad_input():
    with pytest.raises(ValueError, match="n_samples must be >= 1"):
        make_trunk(0, 3)
    with pytest.raises(ValueError, match="n_features must be an integer"):
        make_trunk(10, 2.5)
    with pytest.raises(ValueError, match="integers >= 1"):
        trunk_bayes_error(0)
    with pytest.raises(ValueError, match="integers >= 1"):
        trunk_bayes_error([1.5])
