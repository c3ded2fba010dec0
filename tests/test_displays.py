"""ElbowDisplay and ScreeDisplay follow one convention: ax, figure, ImportError."""

import inspect
import sys

import numpy as np
import pytest
from numpy.testing import assert_allclose
from sklearn.datasets import load_wine, make_blobs

from sklearn_lecture import PCA, ElbowDisplay, ElbowKMeans, ScreeDisplay

plt = pytest.importorskip("matplotlib.pyplot")


@pytest.fixture(scope="module")
def fitted():
    X, _ = make_blobs(200, centers=3, cluster_std=0.5, random_state=0)
    wine = load_wine().data
    return {
        ElbowDisplay: ElbowKMeans(k_max=6, random_state=0).fit(X),
        ScreeDisplay: PCA("kaiser", standardize=True).fit(wine),
    }


DISPLAYS = [ElbowDisplay, ScreeDisplay]


@pytest.mark.parametrize("Display", DISPLAYS)
def test_ax_is_keyword_only_in_from_estimator_and_first_in_plot(Display):
    from_estimator = inspect.signature(Display.from_estimator).parameters
    assert from_estimator["ax"].kind is inspect.Parameter.KEYWORD_ONLY
    assert from_estimator["ax"].default is None
    plot = list(inspect.signature(Display.plot).parameters.values())
    assert plot[1].name == "ax" and plot[1].default is None
    assert plot[1].kind is inspect.Parameter.POSITIONAL_OR_KEYWORD


@pytest.mark.parametrize("Display", DISPLAYS)
def test_draws_on_the_given_axes_or_a_new_figure(Display, fitted):
    fig, ax = plt.subplots()
    disp = Display.from_estimator(fitted[Display], ax=ax, name="given")
    assert disp.ax_ is ax and disp.figure_ is fig
    assert "given" in ax.get_title()
    n_figures = len(plt.get_fignums())
    fresh = Display.from_estimator(fitted[Display])
    assert len(plt.get_fignums()) == n_figures + 1
    assert fresh.ax_ is not ax and fresh.figure_ is fresh.ax_.figure
    # plot() again on other axes, as scikit-learn's Displays allow.
    _, ax2 = plt.subplots()
    assert disp.plot(ax2).ax_ is ax2
    plt.close("all")


def test_same_import_error_without_matplotlib(monkeypatch, fitted):
    elbow, pca = fitted[ElbowDisplay], fitted[ScreeDisplay]
    displays = {
        "ElbowDisplay": ElbowDisplay(
            elbow.k_values_, elbow.distortions_, elbow.n_clusters_
        ),
        "ScreeDisplay": ScreeDisplay(pca.eigenvalues_),
    }
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    messages = {}
    for name, display in displays.items():
        with pytest.raises(ImportError, match=f"{name}.plot requires matplotlib") as e:
            display.plot()
        assert "pip install 'sklearn_lecture[plot]'" in str(e.value)
        messages[name] = str(e.value).replace(name, "<Display>")
    assert messages["ElbowDisplay"] == messages["ScreeDisplay"]
    for Display in DISPLAYS:
        with pytest.raises(ImportError, match="requires matplotlib"):
            Display.from_estimator(fitted[Display])



def test_scree_cumulative_is_the_share_of_the_trace_after_the_randomized_solver():
    # The randomized solver computes only the leading eigenvalues: their sum is
    # not the total variance (the plot showed 100 % at the fifth of 100 axes).
    X = np.random.RandomState(0).randn(1000, 100) @ np.diag(np.linspace(1, 3, 100))
    pca = PCA(5, svd_solver="randomized", random_state=0).fit(X)
    assert len(pca.eigenvalues_) < X.shape[1]
    display = ScreeDisplay.from_estimator(pca)
    table = pca.contribution_table()
    assert_allclose(display.line_.get_ydata(), table.cumulative_percent)
    share = 100 * np.cumsum(pca.eigenvalues_) / np.trace(np.cov(X.T))
    assert_allclose(display.line_.get_ydata(), share, rtol=1e-3)
    kept = [text.get_text() for text in display.ax_cumulative_.texts]
    assert kept == [f"5 kept: {share[4]:.1f} %"]
    plt.close("all")
