"""scikit-learn's k-means tests, run against KMeans and MiniBatchKMeans."""

from _sklearn_suite import load_suite

_PRIVATE = "calls scikit-learn's private {} directly, not an estimator"
_FUNCTION = "tests scikit-learn's function {}, which the package does not parallel"

NOT_APPLICABLE = {
    "test_minibatch_update_consistency": _PRIVATE.format("_mini_batch_step"),
    "test_minibatch_reassign": _PRIVATE.format("_mini_batch_step"),
    "test_relocate_empty_clusters": _PRIVATE.format("_relocate_empty_clusters_*"),
    "test_euclidean_distance": _PRIVATE.format("_euclidean_*_wrapper"),
    "test_inertia": _PRIVATE.format("_inertia_dense/_inertia_sparse"),
    "test_is_same_clustering": _PRIVATE.format("_is_same_clustering"),
    "test_sample_weight_init": _PRIVATE.format("KMeans._init_centroids method"),
    "test_sample_weight_zero": _PRIVATE.format("KMeans._init_centroids method"),
    "test_k_means_function": _FUNCTION.format("k_means"),
    "test_kmeans_plusplus_wrong_params": _FUNCTION.format("kmeans_plusplus"),
    "test_kmeans_plusplus_output": _FUNCTION.format("kmeans_plusplus"),
    "test_kmeans_plusplus_norms": _FUNCTION.format("kmeans_plusplus"),
    "test_kmeans_plusplus_dataorder": _FUNCTION.format("kmeans_plusplus"),
}

globals().update(load_suite("sklearn.cluster.tests.test_k_means",
                            {"KMeans": "KMeans", "MiniBatchKMeans": "MiniBatchKMeans"},
                            NOT_APPLICABLE))
