"""scikit-learn's FactorAnalysis tests, run against CommonFactorAnalysis."""

from _sklearn_suite import load_suite

NOT_APPLICABLE = {}

globals().update(load_suite("sklearn.decomposition.tests.test_factor_analysis",
                            {"FactorAnalysis": "CommonFactorAnalysis"}, NOT_APPLICABLE))
