"""Run every example so that none rots."""

import runpy
from pathlib import Path

import pytest

EXAMPLES = sorted((Path(__file__).parents[1] / "examples").glob("plot_*.py"))


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_example_runs_and_writes_its_figure(path, tmp_path, monkeypatch):
    plt = pytest.importorskip("matplotlib.pyplot")
    if "neural" in path.read_text() or "torch" in path.read_text():
        pytest.importorskip("skorch")
    monkeypatch.setenv("SKLEARN_LECTURE_OUTPUT", str(tmp_path))
    monkeypatch.chdir(tmp_path)
    try:
        runpy.run_path(str(path), run_name="__main__")
    finally:
        plt.close("all")
    written = list((tmp_path / "examples").glob("*.png"))
    assert written, f"{path.name} wrote no figure"
    assert all(p.stat().st_size > 1000 for p in written)


def test_there_are_examples():
    assert len(EXAMPLES) >= 7
