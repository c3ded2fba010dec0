"""scikit-learn's discriminant-analysis tests, run against FisherLDA."""

from _sklearn_suite import load_suite

NOT_APPLICABLE = {
    "test_get_feature_names_out": "the output names carry the estimator's class "
    "name, 'fisherlda0', where the test expects 'lineardiscriminantanalysis0'",
}

globals().update(load_suite("sklearn.tests.test_discriminant_analysis",
                            {"LinearDiscriminantAnalysis": "FisherLDA"},
                            NOT_APPLICABLE))
