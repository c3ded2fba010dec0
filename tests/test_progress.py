"""scikit-learn's callback API (``sklearn.callback``) on the classical
estimators: KMeans' runs and iterations, ElbowKMeans' scan over K (each KMeans
nested under its K), FuzzyKMeans' and CommonFactorAnalysis' iterations."""

import numpy as np
import pytest
from sklearn.datasets import load_iris, make_blobs
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_lecture import CommonFactorAnalysis, ElbowKMeans, FuzzyKMeans, KMeans
from sklearn_lecture.utils._callbacks import has_callback_api

pytestmark = pytest.mark.skipif(
    not has_callback_api, reason="scikit-learn without sklearn.callback"
)


class _Recorder:
    """Records the tasks that begin and end; asks to stop after ``stop_after``
    ends of a task named ``stop_name``."""

    def __init__(self, stop_name=None, stop_after=None):
        self.stop_name, self.stop_after = stop_name, stop_after
        self.begun, self.ended, self.totals, self.torn_down = [], [], {}, 0

    def setup(self, estimator, context):
        self.totals[context.task_name] = context.max_subtasks

    def on_fit_task_begin(self, estimator, context):
        self.begun.append(context.task_name)
        self.totals.setdefault(context.task_name, context.max_subtasks)

    def on_fit_task_end(self, estimator, context):
        self.ended.append(context.task_name)
        return (context.task_name == self.stop_name
                and self.ended.count(self.stop_name) == self.stop_after)

    def teardown(self, estimator, context):
        self.torn_down += 1


@pytest.fixture(scope="module")
def blobs():
    return make_blobs(400, 2, centers=3, cluster_std=0.8, random_state=0)[0]


def test_kmeans_reports_its_runs_and_iterations(blobs):
    recorder = _Recorder()
    km = KMeans(3, n_init=2, max_iter=50, tol=0, random_state=0)
    km.set_callbacks(recorder).fit(blobs)
    assert recorder.totals["fit"] == 2 and recorder.totals["run"] == 50
    assert recorder.ended.count("run") == 2 and recorder.ended[-1] == "fit"
    # One "iteration" task per iteration of every run (n_iter_ is the kept run's).
    assert recorder.ended.count("iteration") >= km.n_iter_
    assert recorder.begun.count("iteration") == recorder.ended.count("iteration")
    assert recorder.torn_down == 1


@pytest.mark.parametrize("algorithm", ["hamerly", "lloyd"])
def test_a_callback_can_stop_kmeans_iterations(blobs, algorithm):
    stopper = _Recorder(stop_name="iteration", stop_after=2)
    km = KMeans(3, n_init=1, tol=0, algorithm=algorithm, random_state=0)
    km.set_callbacks(stopper).fit(blobs)
    assert km.n_iter_ == 2 and len(km.distortion_history_) == 2
    # The fit is complete all the same: labels_ are predict of the centroids.
    np.testing.assert_array_equal(km.labels_, km.predict(blobs))


def test_fuzzy_kmeans_reports_and_stops_its_iterations(blobs):
    recorder = _Recorder()
    fkm = FuzzyKMeans(3, method="fcm", max_iter=40, random_state=0)
    fkm.set_callbacks(recorder).fit(blobs)
    assert recorder.totals["fit"] == 40
    assert recorder.ended.count("iteration") == fkm.n_iter_
    stopper = _Recorder(stop_name="iteration", stop_after=3)
    fkm = FuzzyKMeans(3, method="fcm", tol=0, random_state=0)
    assert fkm.set_callbacks(stopper).fit(blobs).n_iter_ == 3


def test_elbow_scan_nests_each_kmeans_under_its_k(blobs):
    recorder = _Recorder()
    ElbowKMeans(1, 5, random_state=0).set_callbacks(recorder).fit(blobs)
    assert recorder.totals["fit"] == 5
    assert [t for t in recorder.begun if t.startswith("K=")] == [
        f"K={k}" for k in range(1, 6)
    ]


@pytest.mark.parametrize("method", ["principal_axis", "minres", "ml"])
def test_factor_analysis_reports_and_stops_its_iterations(method):
    X = load_iris().data
    recorder = _Recorder()
    fa = CommonFactorAnalysis(1, method=method).set_callbacks(recorder).fit(X)
    assert recorder.totals["fit"] == fa.max_iter and recorder.ended[-1] == "fit"
    assert recorder.ended.count("iteration") == fa.n_iter_
    assert recorder.torn_down == 1
    stopper = _Recorder(stop_name="iteration", stop_after=2)
    with pytest.warns(ConvergenceWarning):
        fa = CommonFactorAnalysis(1, method=method, tol=0).set_callbacks(stopper)
        fa.fit(X)
    assert fa.n_iter_ == 2


def test_progress_bar_on_the_classical_estimators(blobs, capsys):
    pytest.importorskip("rich")
    from sklearn.callback import ProgressBar

    for est in (KMeans(3, n_init=2), FuzzyKMeans(3), ElbowKMeans(1, 3)):
        out = _progress_of(est, blobs, capsys)
        assert f"{type(est).__name__} - fit" in out and "100%" in out, out
    assert "ElbowKMeans - K=3 | KMeans - fit" in out
    out = _progress_of(CommonFactorAnalysis(1), load_iris().data, capsys)
    assert "CommonFactorAnalysis - fit" in out and "100%" in out
    search = GridSearchCV(make_pipeline(StandardScaler(), KMeans(random_state=0)),
                          {"kmeans__n_clusters": [2, 3]}, cv=2)
    search.set_callbacks(ProgressBar(max_propagation_depth=None)).fit(blobs)
    out = capsys.readouterr().out
    assert "GridSearchCV - fit" in out and "KMeans - run" in out and "100%" in out


def _progress_of(est, X, capsys):
    from sklearn.callback import ProgressBar

    est.set_params(random_state=0).set_callbacks(
        ProgressBar(max_propagation_depth=None)).fit(X)
    return capsys.readouterr().out
