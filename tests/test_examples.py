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


#: What an example's printed report must say (the tour shows these reports).
CLAIMS = {
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
