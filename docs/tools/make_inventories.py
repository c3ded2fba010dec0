"""Write the intersphinx inventories of ``docs/_inventories`` (run by hand).

The documentation is built without network, so intersphinx cannot download the
``objects.inv`` of scikit-learn, numpy and the others. This script writes small
inventories instead, with sphobjinv, for the names these pages use: the types
and references of the docstrings (those inherited from scikit-learn included),
the names of the user guide, and the code objects of the gallery examples
(read from the ``*.codeobj.json`` files sphinx-gallery leaves in
``docs/auto_examples`` after a build). Every Python name is imported from the
installed package first, so an entry never names an object that does not
exist, and its role (class, function, method...) comes from the object itself.
The addresses follow each project's documentation layout, so the links work
for a reader who is online.

Usage, from the repository root after a ``make docs``::

    .venv/bin/python docs/tools/make_inventories.py [-v]

(``-v`` lists the names that were not found).
then build again; commit the changed ``docs/_inventories/*.inv``.
"""

import importlib
import inspect
import json
import sys
from pathlib import Path

import sphobjinv as soi

DOCS = Path(__file__).resolve().parents[1]
OUT = DOCS / "_inventories"

#: Project name, version label and the Python packages it documents.
PROJECTS = {
    "python": ("Python", "3", ()),
    "numpy": ("NumPy", "stable", ("numpy",)),
    "scipy": ("SciPy", "stable", ("scipy",)),
    "sklearn": ("scikit-learn", "stable", ("sklearn",)),
    "matplotlib": ("Matplotlib", "stable", ("matplotlib",)),
    "pandas": ("pandas", "stable", ("pandas",)),
    "torch": ("PyTorch", "stable", ("torch",)),
    "skorch": ("skorch", "stable", ("skorch",)),
    "gymnasium": ("Gymnasium", "stable", ("gymnasium",)),
}

#: Python names the docstrings and the user guide refer to, by project.
NAMES = {
    "numpy": [
        "numpy.ndarray", "numpy.random.RandomState", "numpy.random.Generator",
        "numpy.random.default_rng", "numpy.linalg.matrix_rank", "numpy.linalg.eigh",
        "numpy.dtype",
    ],
    "scipy": ["scipy.linalg.pinvh", "scipy.linalg.eigh", "scipy.sparse.csr_matrix",
              "scipy.stats.norm", "scipy.optimize.minimize"],
    "sklearn": [
        "sklearn.set_config", "sklearn.base.BaseEstimator", "sklearn.base.clone",
        "sklearn.pipeline.Pipeline", "sklearn.pipeline.make_pipeline",
        "sklearn.model_selection.GridSearchCV",
        "sklearn.model_selection.cross_val_score",
        "sklearn.utils.Bunch", "sklearn.utils.metadata_routing.MetadataRequest",
        "sklearn.utils.estimator_checks.check_estimator",
        "sklearn.utils.estimator_checks.parametrize_with_checks",
        "sklearn.cluster.KMeans", "sklearn.cluster.MiniBatchKMeans",
        "sklearn.cluster.FeatureAgglomeration", "sklearn.metrics.silhouette_score",
        "sklearn.decomposition.PCA", "sklearn.decomposition.IncrementalPCA",
        "sklearn.decomposition.FactorAnalysis",
        "sklearn.discriminant_analysis.LinearDiscriminantAnalysis",
        "sklearn.covariance.ledoit_wolf", "sklearn.mixture.GaussianMixture",
        "sklearn.neighbors.KernelDensity", "sklearn.neural_network.MLPClassifier",
        "sklearn.preprocessing.StandardScaler", "sklearn.preprocessing.MinMaxScaler",
        "sklearn.linear_model.LogisticRegression",
    ],
    "matplotlib": [
        "matplotlib.axes.Axes", "matplotlib.figure.Figure", "matplotlib.lines.Line2D",
        "matplotlib.container.BarContainer", "matplotlib.pyplot.subplots",
    ],
    "pandas": ["pandas.DataFrame", "pandas.Series"],
    "torch": [
        "torch.nn.Module", "torch.Tensor", "torch.device", "torch.dtype",
        "torch.optim.Optimizer", "torch.optim.SGD", "torch.optim.Adagrad",
        "torch.optim.RMSprop", "torch.optim.Adam", "torch.nn.LSTM", "torch.nn.GRU",
        "torch.nn.RNN", "torch.nn.BatchNorm1d", "torch.set_num_threads",
    ],
    "skorch": ["skorch.NeuralNet", "skorch.net.NeuralNet",
               "skorch.callbacks.LRScheduler", "skorch.callbacks.EarlyStopping"],
    "gymnasium": ["gymnasium.Env", "gymnasium.Env.reset", "gymnasium.Env.step",
                  "gymnasium.make", "gymnasium.register", "gymnasium.spaces.Discrete"],
}

#: Entries that are not Python objects: (name, domain, role, uri, display name).
OTHER = {
    "python": [
        ("True", "py", "data", "library/constants.html#True", "-"),
        ("False", "py", "data", "library/constants.html#False", "-"),
        ("None", "py", "data", "library/constants.html#None", "-"),
        ("int", "py", "class", "library/functions.html#int", "-"),
        ("float", "py", "class", "library/functions.html#float", "-"),
        ("bool", "py", "class", "library/functions.html#bool", "-"),
        ("str", "py", "class", "library/stdtypes.html#str", "-"),
        ("dict", "py", "class", "library/stdtypes.html#dict", "-"),
        ("list", "py", "class", "library/stdtypes.html#list", "-"),
        ("tuple", "py", "class", "library/stdtypes.html#tuple", "-"),
        ("object", "py", "class", "library/functions.html#object", "-"),
        ("callable", "py", "function", "library/functions.html#callable", "-"),
        ("iterable", "std", "term", "glossary.html#term-iterable", "iterable"),
        ("sequence", "std", "term", "glossary.html#term-sequence", "sequence"),
    ],
    "sklearn": [
        ("array-like", "std", "term", "glossary.html#term-array-like", "array-like"),
        ("estimator", "std", "term", "glossary.html#term-estimator", "estimator"),
        ("meta-estimator", "std", "term", "glossary.html#term-meta-estimator",
         "meta-estimator"),
        ("sparse matrix", "std", "term", "glossary.html#term-sparse-matrix",
         "sparse matrix"),
        ("metadata_routing", "std", "label", "metadata_routing.html#metadata-routing",
         "Metadata Routing"),
        ("df_output_transform", "std", "label",
         "modules/df_output_transform.html#df-output-transform",
         "Pandas/Polars Output for Transformers with set_output API"),
        ("sphx_glr_auto_examples_miscellaneous_plot_set_output.py", "std", "label",
         "auto_examples/miscellaneous/plot_set_output.html"
         "#sphx-glr-auto-examples-miscellaneous-plot-set-output-py",
         "Introducing the set_output API"),
        ("accuracy_score", "std", "label",
         "modules/model_evaluation.html#accuracy-score", "Accuracy score"),
    ],
}


def _resolve(name):
    """The object a dotted name denotes, importing the longest module prefix."""
    parts = name.split(".")
    for i in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:i]))
        except Exception:
            continue
        try:
            parent = None
            for part in parts[i:]:
                parent, obj = obj, getattr(obj, part)
        except AttributeError:
            return None
        return obj, parent
    return None


def _role(name, obj, parent):
    if inspect.ismodule(obj):
        return "module"
    if inspect.isclass(obj):
        return "exception" if issubclass(obj, BaseException) else "class"
    if inspect.isclass(parent):
        static = inspect.getattr_static(parent, name.rsplit(".", 1)[-1], None)
        if isinstance(static, property) or not callable(obj):
            return "attribute"
        return "method"
    if callable(obj):
        return "function"
    return "data"


def _keep(project, name, obj):
    """Whether a name from the gallery is documented at its own address."""
    parts = name.split(".")
    if project == "numpy":
        return "mtrand" not in parts
    if project == "sklearn":
        if len(parts) == 2:
            return parts[1] in sklearn_all()
        module = importlib.import_module(".".join(parts[:2]))
        if parts[1] == "base":
            defined_in = getattr(getattr(module, parts[2]), "__module__", "")
            return defined_in == "sklearn.base"
        return parts[2] in getattr(module, "__all__", ())
    return True


def sklearn_all():
    import sklearn

    return set(sklearn.__all__)


def _uri(project, name, role, obj=None):
    """The address of ``name`` in the project's documentation (relative to its base)."""
    parts = name.split(".")
    if project == "numpy":
        import numpy

        if inspect.isclass(obj) and issubclass(obj, numpy.generic):
            return f"reference/arrays.scalars.html#{name}"
        if role == "data" and isinstance(obj, (float, type(None))):
            return f"reference/constants.html#{name}"
        alias = getattr(obj, "__name__", parts[-1])
        if role == "function" and len(parts) == 2 and alias != parts[1]:
            # An alias (numpy.abs is numpy.absolute): its page bears the real name.
            real = f"numpy.{obj.__name__}"
            return f"reference/generated/{real}.html#{real}"
        if name in ("numpy.random.RandomState",):
            return "reference/random/legacy.html#numpy.random.RandomState"
        if name in ("numpy.random.Generator", "numpy.random.default_rng"):
            return f"reference/random/generator.html#{name}"
        if name.startswith("numpy.random."):
            return f"reference/random/generated/{name}.html#{name}"
        return f"reference/generated/{name}.html#{name}"
    if project == "scipy":
        return f"reference/generated/{name}.html#{name}"
    if project == "sklearn":
        page = ".".join(parts[:-1]) if role in ("method", "attribute") else name
        return f"modules/generated/{page}.html#{name}"
    if project == "matplotlib":
        if name == "matplotlib.axes.Axes":
            return "api/axes_api.html#matplotlib.axes.Axes"
        if name.startswith("matplotlib.container."):
            return f"api/container_api.html#{name}"
        if name == "matplotlib.use":
            return "api/matplotlib_configuration_api.html#matplotlib.use"
        return f"api/_as_gen/{name}.html#{name}"
    if project == "pandas":
        return f"reference/api/{name}.html#{name}"
    if project == "torch":
        if name.startswith("torch.Tensor"):
            return f"tensors.html#{name}" if name == "torch.Tensor" else (
                f"generated/{name}.html#{name}")
        if name in ("torch.device", "torch.dtype"):
            return f"tensor_attributes.html#{name}"
        if name == "torch.optim.Optimizer":
            return "optim.html#torch.optim.Optimizer"
        return f"generated/{name}.html#{name}"
    if project == "skorch":
        if name in ("skorch.NeuralNet", "skorch.net.NeuralNet"):
            return "net.html#skorch.net.NeuralNet"
        if name.startswith("skorch.callbacks."):
            return f"callbacks.html#{name}"
        return f"{parts[1]}.html#{name}"
    if project == "gymnasium":
        if name.startswith("gymnasium.Env"):
            return f"api/env/#{name}"
        if name in ("gymnasium.make", "gymnasium.register"):
            return f"api/registry/#{name}"
        if name.startswith("gymnasium.spaces."):
            return f"api/spaces/fundamental/#{name}"
        if name.startswith("gymnasium.wrappers."):
            return f"api/wrappers/misc_wrappers/#{name}"
        return f"api/env/#{name}"
    raise ValueError(project)


#: Names of the gallery's code the projects document at a predictable address.
_CODE_PREFIXES = {
    "numpy": ("numpy.",),
    "scipy": ("scipy.stats.", "scipy.linalg."),
    "sklearn": ("sklearn.",),
    "matplotlib": ("matplotlib.pyplot.", "matplotlib.axes.Axes.",
                   "matplotlib.figure.Figure."),
    "torch": ("torch.nn.", "torch.optim."),
    "gymnasium": ("gymnasium.make", "gymnasium.Env."),
}


def _gallery_names():
    """Public dotted names of the gallery's code objects, from sphinx-gallery."""
    found = set()
    for path in (DOCS / "auto_examples").rglob("*.codeobj.json"):
        for entries in json.loads(path.read_text()).values():
            for entry in entries:
                for module in (entry.get("module_short"), entry.get("module")):
                    if module:
                        full = f"{module}.{entry['name']}"
                        if not any(p.startswith("_") for p in full.split(".")):
                            found.add(full)
    return found


def _project_of(name):
    for project, (_, _, packages) in PROJECTS.items():
        if name.split(".")[0] in packages:
            return project
    return None


def main():
    wanted = {project: set(names) for project, names in NAMES.items()}
    gallery = {}
    for name in _gallery_names():
        project = _project_of(name)
        if project and name.startswith(_CODE_PREFIXES.get(project, ("\0",))):
            gallery.setdefault(project, set()).add(name)
    OUT.mkdir(exist_ok=True)
    for project, (title, version, _) in PROJECTS.items():
        inventory = soi.Inventory()
        inventory.project, inventory.version = title, version
        entries = {}
        skipped = []
        names = wanted.get(project, set()) | gallery.get(project, set())
        for name in sorted(names):
            found = _resolve(name)
            # sphinx-gallery also records the names an object is reached through
            # (base classes, mixins, private modules) that are not public paths.
            explicit = name in wanted.get(project, ())
            if found is None or not (explicit or _keep(project, name, found[0])):
                skipped.append(name)
                continue
            role = _role(name, *found)
            if role == "module":
                continue
            entries[name] = ("py", role, _uri(project, name, role, found[0]), "-")
        for name, domain, role, uri, display in OTHER.get(project, ()):
            entries[name] = (domain, role, uri, display)
        for name, (domain, role, uri, display) in sorted(entries.items()):
            inventory.objects.append(soi.DataObjStr(
                name=name, domain=domain, role=role, priority="1", uri=uri,
                dispname=display,
            ))
        data = soi.compress(inventory.data_file(contract=True))
        soi.writebytes(str(OUT / f"{project}.inv"), data)
        print(f"{project}: {len(entries)} entries ({len(skipped)} names not found)")
        if skipped and "-v" in sys.argv:
            print("    " + "\n    ".join(skipped))


if __name__ == "__main__":
    main()
