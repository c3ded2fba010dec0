"""scikit-learn's PCA tests, run against PCA."""

from _sklearn_suite import load_suite

_ARRAY_API = ("array API namespaces (torch, cupy, array_api_strict) are not "
              "supported: PCA computes on numpy, scipy.sparse and dask arrays")
_PRIVATE = ("tests scikit-learn's private _assess_dimension/_infer_dimension "
            "alone, no PCA; the same rule of ours (utils._rules.minka_dimension) "
            "is tested in tests/test_pca.py")
NOT_APPLICABLE = {
    "test_pca_array_api_compliance": _ARRAY_API,
    "test_pca_mle_array_api_compliance": _ARRAY_API,
    "test_array_api_error_and_warnings_on_unsupported_params": _ARRAY_API,
    "test_assess_dimension_bad_rank": _PRIVATE,
    "test_small_eigenvalues_mle": _PRIVATE,
    "test_assess_dimension_rank_one": _PRIVATE,
    "test_pca_zero_noise_variance_edge_cases": (
        "scores a model of every component of 3 samples in 100 dimensions, whose "
        "covariance is singular (no density): scikit-learn returns a number, ours "
        "raises a ValueError by design (tests/test_pca.py::"
        "test_singular_probabilistic_model_has_no_density)"),
    "test_pca_n_components_mostly_explained_variance_ratio": (
        "n_components equal to a cumulative ratio: the lecture's rule keeps the "
        "fewest components reaching *at least* the fraction (so 3 here, tests/"
        "test_pca.py::test_fraction_at_an_exact_cumulative_value), scikit-learn's "
        "more than it (4); they differ only at such ties"),
}

globals().update(load_suite("sklearn.decomposition.tests.test_pca",
                            {"PCA": "PCA"}, NOT_APPLICABLE))
