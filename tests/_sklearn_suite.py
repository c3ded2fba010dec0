"""scikit-learn's own test files, run against this package's estimators.

:func:`load_suite` executes one of the test modules that scikit-learn installs
with its package (``sklearn/.../tests/test_*.py``), unchanged but for its imports:
after each ``from sklearn... import`` that names a parallel estimator, ours is
imported under scikit-learn's name. A ``tests/test_sklearn_*.py`` file puts the
namespace into its globals, so that pytest collects scikit-learn's tests there,
and lists those that do not apply, each with its reason, in ``NOT_APPLICABLE``
(a test's name, or its name with a parametrization id: ``test_x[arpack]``).
"""

import ast
import importlib.util
import sys
import types

import numpy as np
import pytest


@pytest.fixture
def global_random_seed():
    """scikit-learn's default seed (its conftest reads an environment variable)."""
    return 42


@pytest.fixture(params=[np.float64])
def global_dtype(request):
    """float64: scikit-learn runs its float32 variant only on request, too."""
    return request.param


def _substituted(tree, names):
    """``tree`` with ``from sklearn_lecture import ours as theirs`` after each
    scikit-learn import of a name in ``names``."""
    body = []
    for node in tree.body:
        body.append(node)
        if isinstance(node, ast.ImportFrom) and (node.level or (
                node.module or "").startswith("sklearn")):
            ours = [ast.alias(names[a.name], a.asname or a.name)
                    for a in node.names if a.name in names]
            if ours:
                body.append(ast.ImportFrom("sklearn_lecture", ours, 0))
    tree.body = body
    return ast.fix_missing_locations(tree)


def load_suite(module, names, not_applicable):
    """The namespace of scikit-learn's test ``module`` run with ``names``
    (``{scikit-learn's name: ours}``) imported from sklearn_lecture, without
    the tests of ``not_applicable`` (each must name a test of the module)."""
    spec = importlib.util.find_spec(module)
    with open(spec.origin, encoding="utf-8") as f:
        tree = _substituted(ast.parse(f.read(), spec.origin), names)
    name = f"sklearn_lecture_suite.{module}"
    namespace = types.ModuleType(name)
    namespace.__file__, namespace.__package__ = spec.origin, spec.parent
    sys.modules[name] = namespace
    exec(compile(tree, spec.origin, "exec"), namespace.__dict__)
    tests = {key for key in vars(namespace) if key.startswith("test_")}
    unknown = {key.split("[")[0] for key in not_applicable} - tests
    if unknown:
        raise ValueError(f"NOT_APPLICABLE names no test of {module}: {sorted(unknown)}")
    whole = {key for key in not_applicable if "[" not in key}
    return {"global_random_seed": global_random_seed, "global_dtype": global_dtype,
            **{key: value for key, value in vars(namespace).items()
               if not key.startswith("__") and key not in whole}}


def deselect_not_applicable(config, items):
    """The pytest hook's work: parametrizations named in a module's
    ``NOT_APPLICABLE`` deselected."""
    kept, dropped = [], []
    for item in items:
        listed = getattr(getattr(item, "module", None), "NOT_APPLICABLE", {})
        (dropped if item.name in listed else kept).append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept
