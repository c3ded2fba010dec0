"""The tour behind ``make demo`` runs the examples, chapter by chapter."""

import pytest

from sklearn_lecture._tour import CHAPTERS, examples_dir, main


def test_every_example_is_in_the_tour_and_every_tour_entry_exists():
    in_tour = {name for _, _, names in CHAPTERS for name in names}
    on_disk = {p.stem for p in examples_dir().glob("plot_*.py")}
    assert in_tour == on_disk


def test_tour_runs_the_examples_and_shows_their_reports(tmp_path, capsys):
    pytest.importorskip("matplotlib")
    only = "plot_elbow,plot_pca_contribution,plot_fisher_vs_pca"
    assert main(["--no-neural", "--only", only, "--output-dir", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    # Chapter and example titles, then each example's own report, indented.
    assert "1. Clustering" in out and "2. Dimensionality reduction" in out
    assert "The elbow method: choosing K on blobs and on iris" in out
    assert "  iris (3 species): elbow at K=3" in out
    assert "cumulative %" in out
    assert "FisherLDA" in out
    assert "3. Neural" not in out  # no example of that chapter was asked for
    pngs = sorted(p.name for p in (tmp_path / "examples").glob("*.png"))
    assert pngs == ["elbow.png", "fisher_vs_pca_wine.png", "pca_contribution_scree.png"]
    assert pngs == sorted(line.strip() for line in out.splitlines()[-3:])


def test_tour_says_why_a_chapter_is_skipped(tmp_path, capsys):
    pytest.importorskip("matplotlib")
    main(["--no-neural", "--only", "plot_rnn_adding_problem", "--output-dir",
          str(tmp_path)])
    assert "skipped (--no-neural)" in capsys.readouterr().out


def test_tour_refuses_an_unknown_example_name(tmp_path, capsys):
    pytest.importorskip("matplotlib")
    # Before: a typo ran nothing and reported "0 plots" with exit status 0.
    with pytest.raises(SystemExit) as exit_info:
        main(["--only", "plot_elbw", "--output-dir", str(tmp_path)])
    assert exit_info.value.code == 2
    assert "names no example plot_elbw" in capsys.readouterr().err
