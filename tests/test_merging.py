"""CorrelationMerging against a from-the-data recomputation and FeatureAgglomeration."""

import numpy as np
import pytest
from numpy.testing import assert_allclose
from sklearn.cluster import FeatureAgglomeration
from sklearn.datasets import load_wine
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import adjusted_rand_score
from sklearn.model_selection import cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_lecture.decomposition import CommonFactorAnalysis, CorrelationMerging


def _naive_merging(X, n_groups, threshold=None):
    """The lecture's procedure on the data themselves: build every merged
    variable from the samples and recompute all correlations at each step."""
    Z = (X - X.mean(axis=0)) / X.std(axis=0, ddof=1)
    groups = [[i] for i in range(X.shape[1])]
    signs = np.ones(X.shape[1])
    history = []
    while len(groups) > n_groups:
        variables = np.column_stack(
            [(Z[:, g] * signs[g]).mean(axis=1) for g in groups]
        )
        corr = np.corrcoef(variables.T)
        best, pair = -1.0, None
        for a in range(len(groups)):
            for b in range(a + 1, len(groups)):
                if abs(corr[a, b]) > best:
                    best, pair = abs(corr[a, b]), (a, b)
        a, b = pair
        if threshold is not None and best <= threshold:
            break
        history.append((tuple(groups[a]), tuple(groups[b]), corr[a, b]))
        if corr[a, b] < 0:
            signs[groups[b]] *= -1
        groups[a] = groups[a] + groups[b]
        del groups[b]
    groups = sorted(sorted(g) for g in groups)
    for g in groups:
        signs[g] *= signs[g[0]]
    outputs = np.column_stack([(Z[:, g] * signs[g]).mean(axis=1) for g in groups])
    return groups, signs, history, outputs


def _block_data(n_samples=400, seed=0):
    """Three blocks of four variables, one of them negatively loaded."""
    rng = np.random.default_rng(seed)
    factors = rng.standard_normal((n_samples, 3))
    loadings = np.zeros((12, 3))
    loadings[np.arange(12), np.repeat([0, 1, 2], 4)] = rng.uniform(0.6, 0.9, 12)
    loadings[5] *= -1
    noise = rng.standard_normal((n_samples, 12)) * np.sqrt(
        1 - (loadings**2).sum(axis=1)
    )
    order = rng.permutation(12)
    X = (factors @ loadings.T + noise)[:, order] * rng.uniform(0.5, 5.0, 12)
    return X, np.repeat([0, 1, 2], 4)[order]


@pytest.mark.parametrize("n_factors", [1, 3, 6, 12])
def test_matches_the_naive_recomputation(n_factors):
    X, _ = load_wine(return_X_y=True)
    merging = CorrelationMerging(n_factors).fit(X)
    groups, signs, history, outputs = _naive_merging(X, n_factors)
    assert [g.tolist() for g in merging.groups_] == groups
    assert_allclose(merging.signs_, signs)
    assert len(merging.merge_history_) == len(history) == 13 - n_factors
    for (a, b, r), (a_ref, b_ref, r_ref) in zip(merging.merge_history_, history):
        assert (set(a), set(b)) == (set(a_ref), set(b_ref))
        assert r == pytest.approx(r_ref, abs=1e-12)
    assert_allclose(merging.transform(X), outputs, atol=1e-12)
    assert merging.n_factors_ == n_factors
    assert_allclose(merging.correlation_, np.corrcoef(X.T), atol=1e-12)


def test_threshold_stops_merging():
    X, _ = load_wine(return_X_y=True)
    merging = CorrelationMerging(threshold=0.5).fit(X)
    groups, _, history, _ = _naive_merging(X, 1, threshold=0.5)
    assert [g.tolist() for g in merging.groups_] == groups
    assert all(abs(r) > 0.5 for _, _, r in merging.merge_history_)
    # The remaining variables correlate by at most the threshold.
    remaining = np.corrcoef(merging.transform(X).T)
    np.fill_diagonal(remaining, 0.0)
    assert np.abs(remaining).max() <= 0.5
    # With both set, whichever comes first.
    assert CorrelationMerging(8, threshold=0.5).fit(X).n_factors_ == 8
    assert CorrelationMerging(2, threshold=0.5).fit(X).n_factors_ == len(groups)


def test_default_keeps_kaisers_count():
    X, _ = load_wine(return_X_y=True)
    expected = np.count_nonzero(np.linalg.eigvalsh(np.corrcoef(X.T)) > 1)
    assert CorrelationMerging().fit(X).n_factors_ == expected == 3


def test_signs_align_negative_members():
    X, blocks = _block_data()
    merging = CorrelationMerging(3).fit(X)
    outputs = merging.transform(X)
    for row, members in enumerate(merging.groups_):
        corr = [np.corrcoef(outputs[:, row], merging.signs_[i] * X[:, i])[0, 1]
                for i in members]
        assert min(corr) > 0.5
        assert merging.signs_[members[0]] == 1
    assert_allclose(
        np.abs(merging.components_).sum(axis=1), 1.0
    )


def test_agrees_with_feature_agglomeration_and_factor_analysis_on_blocks():
    X, blocks = _block_data()
    merging = CorrelationMerging(3).fit(X)
    labels = np.empty(12, dtype=int)
    for g, members in enumerate(merging.groups_):
        labels[members] = g
    assert adjusted_rand_score(blocks, labels) == 1.0
    # FeatureAgglomeration needs standardized, sign-free data to find them;
    # the negatively loaded variable is what the sign alignment is for.
    agglo = FeatureAgglomeration(3, metric="precomputed", linkage="average")
    agglo.fit(1 - np.abs(np.corrcoef(X.T)))
    assert adjusted_rand_score(blocks, agglo.labels_) == 1.0
    fa = CommonFactorAnalysis(3, method="minres").fit(X)
    assert adjusted_rand_score(blocks, np.argmax(np.abs(fa.loadings_), axis=1)) == 1.0


def test_in_a_pipeline():
    X, y = load_wine(return_X_y=True)
    pipe = make_pipeline(CorrelationMerging(4), LogisticRegression(max_iter=1000))
    assert cross_val_score(pipe, X, y, cv=3).mean() > 0.85
    names = CorrelationMerging(2).fit(X).get_feature_names_out()
    assert list(names) == ["correlationmerging0", "correlationmerging1"]


def test_scale_invariance():
    X, _ = _block_data()
    a = CorrelationMerging(3).fit(X)
    b = CorrelationMerging(3).fit(StandardScaler().fit_transform(X) * 7.0 - 2.0)
    assert [g.tolist() for g in a.groups_] == [g.tolist() for g in b.groups_]


def test_bad_input():
    X, _ = load_wine(return_X_y=True)
    with pytest.raises(ValueError, match="at most n_features=13"):
        CorrelationMerging(14).fit(X)
    constant = X.copy()
    constant[:, 2] = 1.0
    with pytest.raises(ValueError, match=r"constant column\(s\) \[2\]"):
        CorrelationMerging(2).fit(constant)
    single = CorrelationMerging().fit(X[:, :1])
    assert single.n_factors_ == 1 and single.merge_history_ == []


@pytest.mark.parametrize(
    "factor",
    [1e100, 1e-100, np.logspace(-100, 100, 13), 1e170, 1e-170,
     np.logspace(-200, 200, 13)],
)
def test_merging_is_scale_free_at_extreme_magnitudes(factor):
    # Squares beyond float64 made every column look constant: now a clear error.
    X = load_wine().data
    if np.max(np.abs(np.log10(factor))) > 154:
        with pytest.raises(ValueError, match="(overflow|underflow).*[Ss]cale"):
            CorrelationMerging(3).fit(X * factor)
        return
    ref = CorrelationMerging(3).fit(X)
    merged = CorrelationMerging(3).fit(X * factor)
    assert [g.tolist() for g in merged.groups_] == [g.tolist() for g in ref.groups_]
    assert_allclose(merged.correlation_, ref.correlation_, atol=1e-12)
    assert_allclose(merged.scale_ / factor, ref.scale_, rtol=1e-12)
    assert_allclose(merged.transform(X * factor), ref.transform(X), atol=1e-12)
