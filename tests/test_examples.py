"""Run every example so that none rots, and check what each one claims."""

import re
from pathlib import Path

import pytest

from sklearn_lecture._tour import run_example

EXAMPLES = sorted((Path(__file__).parents[1] / "examples").glob("plot_*.py"))


def _numbers(out, label):
    """The first number after ``label`` on each line that starts with it."""
    pattern = re.compile(rf"^\s*{re.escape(label)}\D*?([0-9.]+(?:e[-+]?\d+)?)", re.M)
    return [float(m) for m in pattern.findall(out)]


def _rnn_claims(out):
    # The lecture's vanishing gradient: gated cells solve the adding problem,
    # the plain RNN stays near the MSE of predicting the mean.
    (lstm,), (gru,), (rnn,) = (_numbers(out, c) for c in ("lstm", "gru", "rnn"))
    assert lstm < 0.01 and gru < 0.01
    assert rnn > 0.1


def _autoencoder_claims(out):
    (pca,), (ae,) = _numbers(out, "PCA(8)"), _numbers(out, "Autoencoder(128, 8)")
    assert ae < pca


def _pca_network_claims(out):
    # The network's units are PCA's axes and its codes' variances the eigenvalues.
    cosines = [float(c) for c in re.findall(r"\|cos\(w_j, e_j\)\| = ([0-9.]+)", out)]
    pairs = re.findall(r"Var\(y_j\) = ([0-9.]+), lambda_j = ([0-9.]+)", out)
    assert len(cosines) == len(pairs) == 3
    assert min(cosines) > 0.99
    for var, lam in pairs:
        assert abs(float(var) - float(lam)) < 0.05 * float(lam)


def _maximization_bias_claims(out):
    # Figure 6.5: Q-learning's bias, Double Q-learning near the optimal 5 %.
    pattern = r"^\s*(.+?): left .*,\s+([0-9.]+)% over 201"
    late = {name: float(share) for name, share in re.findall(pattern, out, re.M)}
    assert late["Double Q-learning"] < 10 < late["Q-learning"]


def _model_selection_claims(out):
    # The slide's specificity is corrected, and at a learning rate of 1 batch
    # normalisation trains the sigmoid net where the plain one stalls at chance.
    assert "TN/(TN+FP); the slide's TN/(TN+FN) is the negative" in out
    pattern = r"Sigmoid net, lr=1, batch_norm=(\w+)\s*: cost after 10 epochs ([0-9.]+)"
    cost = {norm: float(value) for norm, value in re.findall(pattern, out)}
    assert cost["False"] > 2.2 and cost["True"] < 1.0
    assert re.search(r"alpha <= [0-9.]+: high variance", out)
    assert re.search(r"alpha >= [0-9.]+: high bias", out)


#: What an example's printed report must say (the tour shows these reports).
CLAIMS = {
    "plot_model_selection": _model_selection_claims,
    "plot_pca_network": _pca_network_claims,
    "plot_maximization_bias": _maximization_bias_claims,
    "plot_elbow": lambda out: "iris (3 species): elbow at K=3" in out,
    "plot_pca_contribution": lambda out: "cumulative %" in out,
    "plot_fisher_vs_pca": lambda out: "FisherLDA" in out,
    "plot_rnn_adding_problem": _rnn_claims,
    "plot_autoencoder_vs_pca": _autoencoder_claims,
}


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_example_runs_and_writes_its_figure(path, tmp_path, monkeypatch, capsys):
    pytest.importorskip("matplotlib.pyplot")
    source = path.read_text()
    if "neural" in source or "torch" in source:
        pytest.importorskip("skorch")
    if "gymnasium" in source or "QLearning" in source:
        pytest.importorskip("gymnasium")
    monkeypatch.chdir(tmp_path)
    run_example(path, tmp_path)
    out = capsys.readouterr().out
    written = list((tmp_path / "examples").glob("*.png"))
    assert written, f"{path.name} wrote no figure"
    assert all(p.stat().st_size > 1000 for p in written)
    assert out.strip(), f"{path.name} printed no report"
    claim = CLAIMS.get(path.stem)
    if claim is not None:
        assert claim(out) is not False, out


def test_there_are_examples():
    assert len(EXAMPLES) >= 7
