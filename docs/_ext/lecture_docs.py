"""Build helpers of the documentation: the gallery in the lecture's chapters.

The gallery and the tour (``python -m sklearn_lecture``) are one source: the
scripts of ``examples/``, grouped by ``sklearn_lecture._tour.CHAPTERS``. Sphinx-
Gallery groups examples by sub-folder, so :func:`stage_gallery` copies each
script into a folder per chapter under ``docs/_build/gallery_src`` (a copy is
rewritten only when its source changed, so unchanged examples are not run
again).

The examples save their figures as PNG files (under ``lecture_plots/examples``
of the folder they run in) and close them, as ``make demo`` needs;
:func:`png_scraper` shows in the gallery the files each code block wrote, where
matplotlib's own scraper would find no open figure.
"""

import glob
import re
import shutil
from pathlib import Path

from sklearn_lecture._tour import CHAPTERS

#: The user-guide page that explains each example (linked from the gallery).
GUIDE_PAGES = {
    "plot_elbow": "clustering",
    "plot_market_criterion": "clustering",
    "plot_image_segmentation": "clustering",
    "plot_fuzzy_memberships": "fuzzy",
    "plot_curse_of_dimensionality": "curse_of_dimensionality",
    "plot_factor_analysis": "factor_analysis",
    "plot_pca_contribution": "pca",
    "plot_pca_digits_reconstruction": "pca",
    "plot_fisher_vs_pca": "fisher",
    "plot_autoencoder_vs_pca": "autoencoders",
    "plot_sparse_activations": "autoencoders",
    "plot_denoising": "autoencoders",
    "plot_stacked_pretraining": "autoencoders",
    "plot_rnn_adding_problem": "recurrent",
    "plot_mackey_glass": "recurrent",
    "plot_temporal_order": "recurrent",
    "plot_optimizers": "optimization",
    "plot_model_selection": "optimization",
    "plot_cliff_walking": "reinforcement",
    "plot_robot_vacuum": "reinforcement",
    "plot_gan_1d": "gans",
    "plot_gan_digits": "gans",
    "plot_latent_interpolation": "gans",
    "plot_style_losses": "style_transfer",
    "plot_style_transfer": "style_transfer",
}

GALLERY_HEADER = """\
.. _gallery:

Examples
========

The scripts of the repository's ``examples/`` folder, chapter by chapter in the
lecture's order: the same scripts that ``python -m sklearn_lecture`` (``make
demo``) runs. Every example uses data bundled with scikit-learn or generated on
the spot, runs on a CPU in seconds to a minute, prints what it measures and
draws its figures. Each page below shows that report and those figures, and
offers the script for download.
"""


def chapter_folder(number, title):
    """``01_clustering`` for chapter 1, "Clustering: ...": a stable folder name."""
    head = re.split(r"[:(]", title)[0]
    slug = re.sub(r"[^a-z0-9]+", "_", head.lower()).strip("_")
    return f"{number:02d}_{slug}"


def _write_if_changed(path, text):
    if not path.is_file() or path.read_text(encoding="utf-8") != text:
        path.write_text(text, encoding="utf-8")


def stage_gallery(examples_dir, target):
    """Copy ``examples/`` into one folder per chapter of the tour under ``target``."""
    examples_dir, target = Path(examples_dir), Path(target)
    target.mkdir(parents=True, exist_ok=True)
    _write_if_changed(target / "GALLERY_HEADER.rst", GALLERY_HEADER)
    wanted = {target / "GALLERY_HEADER.rst"}
    for number, (title, extra, names) in enumerate(CHAPTERS, start=1):
        folder = target / chapter_folder(number, title)
        folder.mkdir(exist_ok=True)
        order = list(GUIDE_PAGES.values())
        pages = sorted({GUIDE_PAGES[n] for n in names if n in GUIDE_PAGES},
                       key=order.index)
        needs = f" They need the ``{extra}`` extra." if extra else ""
        guide = ", ".join(f":doc:`/user_guide/{page}`" for page in pages)
        header = (
            f"{title}\n{'-' * len(title)}\n\n"
            f"Chapter {number} of the tour.{needs}"
            + (f" The user guide explains the methods: {guide}." if guide else "")
            + "\n"
        )
        _write_if_changed(folder / "GALLERY_HEADER.rst", header)
        wanted.add(folder / "GALLERY_HEADER.rst")
        for name in names:
            source = examples_dir / f"{name}.py"
            text = _fit_title_rules(source.read_text(encoding="utf-8"))
            _write_if_changed(folder / source.name, text)
            wanted.add(folder / source.name)
    # An example removed or moved to another chapter leaves no stale copy.
    for path in [*target.glob("*/*.py"), *target.glob("*/GALLERY_HEADER.rst")]:
        if path not in wanted:
            path.unlink()


def _fit_title_rules(text):
    """Make the ``====`` lines around an example's title as long as the title.

    reStructuredText rejects an overline shorter than its title; the tour reads
    the title the same way whatever the length of the rules.
    """
    lines = text.split("\n")
    for i in range(1, len(lines) - 1):
        above, title, below = lines[i - 1], lines[i], lines[i + 1]
        if (
            above and set(above) == {"="} and below and set(below) == {"="}
            and title.strip()
        ):
            lines[i - 1] = lines[i + 1] = "=" * max(len(title), len(above))
            break
    return "\n".join(lines)


class TourOrder:
    """Sphinx-Gallery sort key: the examples of a chapter in the tour's order."""

    _order = [name for _, _, names in CHAPTERS for name in names]

    def __init__(self, src_dir):
        self.src_dir = src_dir

    def __repr__(self):
        return "<TourOrder>"

    def __call__(self, filename):
        stem = Path(filename).stem
        return (self._order.index(stem) if stem in self._order else len(self._order),
                filename)


# Figures already on disk before the running example: path -> (mtime_ns, size).
_shown = {}


def _snapshot(paths):
    return {path: (path.stat().st_mtime_ns, path.stat().st_size) for path in paths}


def png_scraper(block, block_vars, gallery_conf):
    """Show the PNG files that a code block wrote.

    The examples write to ``lecture_plots/examples/`` beside themselves (their
    default, as in ``make demo``; sphinx-gallery runs each one in its folder).
    """
    from sphinx_gallery.scrapers import figure_rst

    folder = Path(block_vars["src_file"]).parent / "lecture_plots" / "examples"
    current = _snapshot(sorted(folder.glob("*.png")))
    written = [path for path, stamp in current.items() if _shown.get(path) != stamp]
    _shown.update(current)
    image_path_iterator = block_vars["image_path_iterator"]
    image_names = []
    for path in written:
        destination = image_path_iterator.next()
        shutil.copyfile(path, destination)
        image_names.append(destination)
    return figure_rst(image_names, gallery_conf["src_dir"])


def before_example(gallery_conf, fname):
    """Reset before each example: the figures already on disk are not its own.

    Also one intra-op torch thread for every example, as the tour uses: the
    examples' nets are small, and on a busy 2-core machine a second thread only
    adds synchronisation (it made fits many times slower).
    """
    from importlib.util import find_spec

    roots = gallery_conf["examples_dirs"]
    roots = [roots] if isinstance(roots, (str, Path)) else roots
    _shown.clear()
    for root in roots:
        _shown.update(_snapshot(sorted(Path(root).glob("*/lecture_plots/examples/*.png"))))
    if find_spec("torch") is not None:
        import torch

        torch.set_num_threads(1)


# -- Docstrings ---------------------------------------------------------------

# Inline markup left alone: literals, roles, interpreted text, hyperlinks.
_INLINE = re.compile(r"``.+?``|:[\w:.+-]+:`[^`]*`|`[^`]*`_{0,2}", re.S)
# A bare name ending in an underscore, as in "ndarray of shape (n_iter_,)", reads
# as a hyperlink reference in reStructuredText; scikit-learn quotes it.
_BARE_FITTED_NAME = re.compile(r"(?<![\w`<.*:/\\|-])([A-Za-z]\w*_)(?=[\s,.;:)\]]|$)")
# A lone "|" (as in "pi(a'|s')") starts a substitution reference.
_BAR = re.compile(r"(?<!\\)\|")


def _fix_plain_text(text):
    def fix(part):
        part = _BARE_FITTED_NAME.sub(r"``\1``", part)
        return _BAR.sub(r"\\|", part)

    pieces, position = [], 0
    for match in _INLINE.finditer(text):
        pieces += [fix(text[position:match.start()]), match.group(0)]
        position = match.end()
    return "".join([*pieces, fix(text[position:])])


def _indent(line):
    return len(line) - len(line.lstrip())


def join_continued_lines(app, what, name, obj, options, lines):
    """Join a line ending in a backslash with the next, as Python would.

    In a raw docstring ``r\"\"\"...\"\"\"`` the backslash that continues a
    long type line stays, and the continuation's own indentation breaks the
    section; scikit-learn's docstrings rely on the non-raw join.
    """
    joined = False
    i = 0
    while i < len(lines) - 1:
        if lines[i].endswith("\\"):
            lines[i] = lines[i][:-1].rstrip() + " " + lines[i + 1].strip()
            del lines[i + 1]
            joined = True
        else:
            i += 1
    if joined and len(lines) > 1:
        import textwrap

        lines[1:] = textwrap.dedent("\n".join(lines[1:])).split("\n")


def fix_plain_text(app, what, name, obj, options, lines):
    """Quote bare ``n_iter_``-like names and escape lone bars in rendered docstrings.

    Runs after numpydoc, on its reStructuredText. Paragraph by paragraph (an
    inline literal may span lines), outside inline markup, literal blocks,
    directives and doctests.
    """
    skip_deeper_than = None
    i = 0
    while i < len(lines):
        if not lines[i].strip():
            i += 1
            continue
        end = i
        while end < len(lines) and lines[end].strip():
            end += 1
        paragraph = lines[i:end]
        indent = _indent(paragraph[0])
        if skip_deeper_than is not None and indent > skip_deeper_than:
            i = end
            continue
        skip_deeper_than = None
        first = paragraph[0].strip()
        if first.startswith(".. "):
            skip_deeper_than = indent
        elif not first.startswith(">>>"):
            lines[i:end] = _fix_plain_text("\n".join(paragraph)).split("\n")
            if paragraph[-1].rstrip().endswith("::"):
                skip_deeper_than = indent
        i = end


def resolve_own_names(app, env, node, contnode):
    """Resolve a short or re-exported name of a documented sklearn_lecture object.

    The docstrings name objects as their module sees them (``RandomVGG``,
    ``sklearn_lecture.reinforcement.ValueIteration``); the API documents each
    once, under its public path. A target that ends exactly one documented
    name links there.
    """
    if node.get("refdomain") != "py":
        return None
    target = node.get("reftarget", "").lstrip(".~")
    parts = target.split(".")
    if parts[0] == "sklearn_lecture":
        first_class = next((i for i, p in enumerate(parts) if p[:1].isupper()), None)
        suffix = ".".join(parts[first_class:]) if first_class else parts[-1]
    elif parts[0][:1].isupper() or len(parts) == 1:
        suffix = target
    else:
        return None
    if not suffix:
        return None
    domain = env.get_domain("py")
    candidates = [
        full for full, entry in domain.objects.items()
        if full.startswith("sklearn_lecture.") and not entry.aliased
        and full.endswith("." + suffix)
    ]
    if len(candidates) != 1:
        return None
    return domain.resolve_xref(env, node.get("refdoc"), app.builder, "obj",
                               candidates[0], node, contnode)


def note_backreferences(app, docname, source):
    """Re-read an API page when the examples that use its name change.

    Sphinx-Gallery writes the thumbnails of the examples that use a name (or a
    method of a class) to ``api/generated/<name>.examples``, and the page's
    ``minigallery`` includes them; Sphinx-Gallery rewrites such a file only when
    its content changes. Recorded as dependencies of the page, they make Sphinx
    read it again after an example starts (or stops) using the name, where it
    would otherwise keep the previous build's list.
    """
    prefix = "api/generated/"
    if not docname.startswith(prefix):
        return
    folder = Path(app.srcdir, prefix)
    name = docname[len(prefix):]
    for path in sorted(
        [folder / f"{name}.examples", *folder.glob(f"{glob.escape(name)}.*.examples")]
    ):
        if path.is_file():
            app.env.note_dependency(str(path))


def setup(app):
    app.connect("source-read", note_backreferences)
    app.connect("autodoc-process-docstring", join_continued_lines, priority=400)
    app.connect("autodoc-process-docstring", fix_plain_text, priority=600)
    app.connect("missing-reference", resolve_own_names)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
