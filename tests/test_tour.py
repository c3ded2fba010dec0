"""The tour behind ``make demo`` runs and writes its plots."""

import pytest

from sklearn_lecture._tour import main


def test_tour_classical_part(tmp_path, capsys):
    pytest.importorskip("matplotlib")
    assert main(["--no-neural", "--output-dir", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "elbow chooses K = 3" in out
    assert "cumulative %" in out
    assert "FisherLDA" in out
    pngs = sorted(p.name for p in tmp_path.glob("*.png"))
    assert pngs == [
        "elbow_iris.png",
        "fisher_vs_pca_wine.png",
        "scree_wine.png",
        "segmentation_china.png",
    ]


def test_tour_neural_part(tmp_path, capsys):
    pytest.importorskip("matplotlib")
    pytest.importorskip("skorch")
    from sklearn_lecture._tour import _Plots, tour_neural

    plots = _Plots(tmp_path)
    tour_neural(plots)
    out = capsys.readouterr().out
    mse = {
        line.split(":")[0].strip(): float(line.rsplit(" ", 1)[1])
        for line in out.splitlines()
        if "test MSE" in line
    }
    # The tour's claim, checked: gated cells solve the short adding problem, the
    # plain RNN stays near the 1/6 of predicting the mean.
    assert mse["lstm"] < 0.01 and mse["gru"] < 0.01
    assert mse["rnn"] > 0.1
    assert {p.name for p in plots.written} == {
        "autoencoder_vs_pca_digits.png",
        "rnn_adding_problem.png",
    }
