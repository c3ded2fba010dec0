"""scikit-learn's IncrementalPCA tests, run against IncrementalPCA and PCA."""

from _sklearn_suite import load_suite

NOT_APPLICABLE = {
    "test_incremental_pca_set_params": (
        "expects an error when n_components changes between partial_fit calls: "
        "scikit-learn's incremental SVD keeps only n_components directions, ours "
        "the exact moments of every sample seen, so the new n_components is "
        "honoured (tests/test_pca.py::test_incremental_pca_n_components_may_change)"),
}

globals().update(load_suite("sklearn.decomposition.tests.test_incremental_pca",
                            {"IncrementalPCA": "IncrementalPCA", "PCA": "PCA"},
                            NOT_APPLICABLE))
