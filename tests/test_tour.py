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
