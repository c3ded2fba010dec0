"""Sphinx configuration of the sklearn_lecture documentation.

Built offline: the cross-references to other projects resolve through the
inventories kept in ``docs/_inventories`` (``docs/tools/make_inventories.py``
writes them), and MathJax is served from the built site
(``sphinx-mathjax-offline`` copies MathJax 3 into ``_static/mathjax``).
Build with ``make docs``.
"""

import os
import sys
from pathlib import Path

DOCS = Path(__file__).resolve().parent
ROOT = DOCS.parent
BUILD = DOCS / "_build"

# Document the checkout, whatever else is installed.
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(DOCS / "_ext"))

from lecture_docs import stage_gallery  # noqa: E402

import sklearn_lecture  # noqa: E402

# -- Project -----------------------------------------------------------------

project = "sklearn_lecture"
author = "the sklearn_lecture developers"
copyright = "the sklearn_lecture developers, BSD-3-Clause"
release = sklearn_lecture.__version__
version = release

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "numpydoc",
    "lecture_docs",
    "sphinx.ext.intersphinx",
    "sphinx.ext.mathjax",
    "sphinx-mathjax-offline",
    "sphinx_gallery.gen_gallery",
    "myst_parser",
]

templates_path = ["_templates"]
exclude_patterns = ["_build", "_ext", "_inventories", "tools", "Thumbs.db", ".DS_Store"]
source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
root_doc = "index"
default_role = "literal"
pygments_style = "sphinx"

# -- autodoc, autosummary, numpydoc ------------------------------------------

autosummary_generate = True
autodoc_default_options = {"members": True, "inherited-members": True}
autodoc_typehints = "none"
# numpydoc lists the members through autodoc; its own tables would repeat them.
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_attributes_as_param_list = True
# Link the types of the Parameters/Returns sections (only the words below).
numpydoc_xref_param_type = True
numpydoc_xref_ignore = "all"
numpydoc_xref_aliases = {
    "ndarray": "numpy.ndarray",
    "array-like": ":term:`array-like`",
    "sparse matrix": ":term:`sparse matrix`",
    "RandomState": "numpy.random.RandomState",
    "DataFrame": "pandas.DataFrame",
    "Tensor": "torch.Tensor",
    "torch.Tensor": "torch.Tensor",
    "torch.nn.Module": "torch.nn.Module",
    "Bunch": "sklearn.utils.Bunch",
    "Axes": "matplotlib.axes.Axes",
    "Figure": "matplotlib.figure.Figure",
    "Line2D": "matplotlib.lines.Line2D",
    "BarContainer": "matplotlib.container.BarContainer",
    "estimator": ":term:`estimator`",
    "int": "int",
    "float": "float",
    "str": "str",
    "bool": "bool",
    "dict": "dict",
    "list": "list",
    "tuple": "tuple",
    "callable": "callable",
    "None": "None",
}

# -- Cross-references to other projects, offline -----------------------------

_INV = DOCS / "_inventories"
intersphinx_mapping = {
    "python": ("https://docs.python.org/3", str(_INV / "python.inv")),
    "numpy": ("https://numpy.org/doc/stable", str(_INV / "numpy.inv")),
    "scipy": ("https://docs.scipy.org/doc/scipy", str(_INV / "scipy.inv")),
    "sklearn": ("https://scikit-learn.org/stable", str(_INV / "sklearn.inv")),
    "matplotlib": ("https://matplotlib.org/stable", str(_INV / "matplotlib.inv")),
    "pandas": ("https://pandas.pydata.org/docs", str(_INV / "pandas.inv")),
    "torch": ("https://docs.pytorch.org/docs/stable", str(_INV / "torch.inv")),
    "skorch": ("https://skorch.readthedocs.io/en/stable", str(_INV / "skorch.inv")),
    "gymnasium": ("https://gymnasium.farama.org", str(_INV / "gymnasium.inv")),
}
intersphinx_timeout = 1

# -- Gallery -----------------------------------------------------------------

# The examples write their figures to lecture_plots/ of the folder they run in
# (their default, as in make demo), where lecture_docs.png_scraper finds them.
os.environ.pop("SKLEARN_LECTURE_OUTPUT", None)
stage_gallery(ROOT / "examples", BUILD / "gallery_src")

sphinx_gallery_conf = {
    "examples_dirs": str(BUILD / "gallery_src"),
    "gallery_dirs": "auto_examples",
    "filename_pattern": r"/plot_",
    "within_subsection_order": "lecture_docs.TourOrder",
    "image_scrapers": ("lecture_docs.png_scraper",),
    "reset_modules": ("matplotlib", "lecture_docs.before_example"),
    "doc_module": ("sklearn_lecture",),
    "backreferences_dir": "api/generated",
    "inspect_global_variables": True,
    "remove_config_comments": True,
    "show_memory": False,
    "min_reported_time": 5,
    "matplotlib_animations": False,
    "download_all_examples": True,
    "plot_gallery": "True",
}

# -- HTML --------------------------------------------------------------------

html_theme = "pydata_sphinx_theme"
html_title = f"sklearn_lecture {release}"
html_static_path = ["_static"]
html_favicon = "_static/favicon.svg"
html_css_files = ["lecture.css"]
html_theme_options = {
    "navbar_align": "left",
    "show_toc_level": 2,
    "navigation_with_keys": False,
    "header_links_before_dropdown": 6,
    "footer_start": ["copyright"],
    "footer_end": ["sphinx-version"],
    "secondary_sidebar_items": ["page-toc", "sourcelink"],
}
# Without it a first visit logs "Got invalid theme mode" in the console.
html_context = {"default_mode": "auto"}
html_sidebars = {"index": [], "install": [], "getting_started": []}
html_show_sourcelink = True
html_last_updated_fmt = None

# The changelog, the benchmarks and the architecture are the repository's
# Markdown files, included as they are.
myst_enable_extensions = []
myst_heading_anchors = 3
# They are written for GitHub: their headings may skip a level, and a relative
# link to a file that is not a page here (benchmarks/NOTES.md) is fine there.
suppress_warnings = ["myst.header", "myst.xref_missing"]
