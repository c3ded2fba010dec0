"""The documentation site: its build inputs, and the built pages in a real browser.

``make docs`` builds the site into ``docs/_build/html``; ``make docs-check``
installs Debian's ``chromium`` when it is missing and runs this file with
``SKLEARN_LECTURE_DOCS_CHECK=1``, so that a missing build or browser fails
instead of skipping. Headless Chromium opens four pages through a web server on
the loopback interface (Chromium refuses web fonts to ``file://`` pages) and
checks that each one renders: its title, the navigation bar, a figure loaded
with a non-zero size, the formulas typeset by the bundled MathJax, no request
leaving the machine, and no error in the console. A screenshot of each page
goes to ``docs/_build/screenshots``. Without a browser, the built API pages are
checked to link every public name to a gallery example.
"""

import functools
import importlib
import inspect
import os
import shutil
import sys
import threading
import zlib
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import pytest

ROOT = Path(__file__).parents[1]
DOCS = ROOT / "docs"
HTML = DOCS / "_build" / "html"
SCREENSHOTS = DOCS / "_build" / "screenshots"
REQUIRED = os.environ.get("SKLEARN_LECTURE_DOCS_CHECK") == "1"

#: name -> (page, words of its title, whether it holds formulas, what the
#: screenshot scrolls to)
PAGES = {
    "index": ("index.html", "sklearn_lecture", True, None),
    "user_guide": ("user_guide/clustering.html", "k-means and choosing K", True, None),
    "api": (
        "api/generated/sklearn_lecture.FuzzyKMeans.html", "FuzzyKMeans", True, None
    ),
    "gallery": (
        "auto_examples/01_clustering/plot_elbow.html",
        "The elbow method",
        False,
        "img.sphx-glr-single-img",
    ),
}


def _skip_or_fail(reason):
    if REQUIRED:
        pytest.fail(reason)
    pytest.skip(reason)


# -- The build's inputs (no build, no browser needed) ---------------------------


def _inventory_names(path):
    """The names of a Sphinx ``objects.inv`` (version 2), without sphobjinv."""
    data = path.read_bytes()
    header_end = 0
    for _ in range(4):
        header_end = data.index(b"\n", header_end) + 1
    assert data[:header_end].startswith(b"# Sphinx inventory version 2")
    lines = zlib.decompress(data[header_end:]).decode().splitlines()
    return {line.split(" ")[0]: line.split(" ")[1] for line in lines if line}


def test_the_inventories_hold_the_names_the_pages_link_to():
    # The build reads these instead of downloading the projects' inventories.
    expected = {
        "python": {"None": "py:data", "iterable": "std:term"},
        "numpy": {"numpy.ndarray": "py:class"},
        "sklearn": {
            "sklearn.cluster.KMeans": "py:class",
            "array-like": "std:term",
            "metadata_routing": "std:label",
        },
        "scipy": {"scipy.linalg.pinvh": "py:function"},
        "matplotlib": {"matplotlib.axes.Axes": "py:class"},
        "pandas": {"pandas.DataFrame": "py:class"},
        "torch": {"torch.nn.Module": "py:class"},
        "skorch": {"skorch.NeuralNet": "py:class"},
        "gymnasium": {"gymnasium.Env": "py:class"},
    }
    conf = (DOCS / "conf.py").read_text()
    for project, names in expected.items():
        path = DOCS / "_inventories" / f"{project}.inv"
        assert f'"{project}.inv"' in conf
        found = _inventory_names(path)
        for name, role in names.items():
            assert found.get(name) == role, (project, name)


def test_the_gallery_is_staged_in_the_tours_chapters(tmp_path):
    sys.path.insert(0, str(DOCS / "_ext"))
    try:
        lecture_docs = importlib.import_module("lecture_docs")
    finally:
        sys.path.remove(str(DOCS / "_ext"))
    from sklearn_lecture._tour import CHAPTERS

    lecture_docs.stage_gallery(ROOT / "examples", tmp_path)
    (tmp_path / "01_clustering" / "stale.py").write_text("")
    lecture_docs.stage_gallery(ROOT / "examples", tmp_path)  # removes what is stale
    folders = sorted(p.name for p in tmp_path.iterdir() if p.is_dir())
    assert len(folders) == len(CHAPTERS) and folders[0] == "01_clustering"
    staged = {p.stem for p in tmp_path.glob("*/plot_*.py")}
    assert staged == {name for _, _, names in CHAPTERS for name in names}
    assert not (tmp_path / "01_clustering" / "stale.py").exists()
    # The gallery links each chapter to the user-guide pages of its examples.
    assert set(lecture_docs.GUIDE_PAGES) <= staged
    for page in set(lecture_docs.GUIDE_PAGES.values()):
        assert (DOCS / "user_guide" / f"{page}.rst").is_file()
    # A title's rules are at least as long as the title, as reStructuredText needs.
    for path in tmp_path.glob("*/plot_*.py"):
        lines = path.read_text().splitlines()
        assert lines[1] == lines[3] and len(lines[1]) >= len(lines[2]), path.name


def test_the_examples_title_rules_are_as_long_as_their_titles():
    # The staged copies are fixed, but the scripts are read as they are too
    # (the tour, an editor's reStructuredText preview).
    for path in sorted((ROOT / "examples").glob("plot_*.py")):
        lines = path.read_text().splitlines()
        assert lines[0] == '"""', path.name
        assert set(lines[1]) == {"="} and lines[1] == lines[3], path.name
        assert len(lines[1]) >= len(lines[2].rstrip()), path.name


def _documented_names():
    """The full names listed by the autosummary tables of ``docs/api/index.rst``."""
    names, module, in_table = set(), None, False
    for line in (DOCS / "api" / "index.rst").read_text().splitlines():
        stripped = line.strip()
        if stripped.startswith((".. currentmodule::", ".. py:module::")):
            module = stripped.split("::")[1].strip()
            in_table = False
        elif stripped == ".. autosummary::":
            in_table = True
        elif in_table and line.startswith("   ") and stripped and ":" not in stripped:
            names.add(f"{module}.{stripped}")
        elif in_table and stripped and not line.startswith(" "):
            in_table = False
    return names


def test_every_public_name_has_an_api_page():
    import sklearn_lecture

    public = {
        f"sklearn_lecture.{name}"
        for name in sklearn_lecture.__all__
        if not inspect.ismodule(getattr(sklearn_lecture, name))
    }
    subpackages = ["cluster", "decomposition", "discriminant_analysis", "datasets",
                   "metrics", "utils", "neural", "reinforcement"]
    for subpackage in subpackages:
        try:
            module = importlib.import_module(f"sklearn_lecture.{subpackage}")
        except ImportError:  # an optional extra is missing
            continue
        public |= {
            f"sklearn_lecture.{subpackage}.{name}"
            for name in module.__all__
            if name not in sklearn_lecture.__all__
        }
    missing = public - _documented_names()
    where = "an autosummary table of docs/api/index.rst"
    assert not missing, f"add them to {where}: {sorted(missing)}"


# -- The built site --------------------------------------------------------------


def test_every_public_name_has_a_gallery_example():
    """Each API page shows at least one example that uses its name.

    Sphinx-Gallery records which names each example uses (its backreferences,
    written to ``docs/api/generated/*.examples`` during the build); the
    ``minigallery`` directive of the API templates (``docs/_templates``) shows
    them on the name's page, for a class with those of its methods.
    """
    if not (HTML / "index.html").is_file():
        _skip_or_fail("the documentation is not built (make docs)")
    without = []
    for name in sorted(_documented_names()):
        page = HTML / "api" / "generated" / f"{name}.html"
        assert page.is_file(), f"no API page for {name}"
        if "sphx-glr-thumbcontainer" not in page.read_text(encoding="utf-8"):
            without.append(name)
    assert not without, f"use them in an example of examples/: {without}"


# -- The built site in headless Chromium ----------------------------------------


def _chromium():
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    return None


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format, *args):
        pass


@pytest.fixture(scope="module")
def site():
    """The built site, served on 127.0.0.1 for the length of the module."""
    if not (HTML / "index.html").is_file():
        _skip_or_fail("the documentation is not built (make docs)")
    handler = functools.partial(_QuietHandler, directory=str(HTML))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def browser():
    executable = _chromium()
    if executable is None:
        _skip_or_fail("no Chromium (make docs-check installs Debian's chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _skip_or_fail("playwright is not installed (pip install '.[docs]')")
    with sync_playwright() as playwright:
        # --no-sandbox: CI runs as root, where Chromium's sandbox cannot start.
        chromium = playwright.chromium.launch(
            executable_path=executable, args=["--no-sandbox"]
        )
        yield chromium
        chromium.close()


@pytest.mark.parametrize("name", PAGES)
def test_page_renders_offline_in_chromium(site, browser, name):
    path, title_words, has_math, scroll_to = PAGES[name]
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    outside, console_errors, failed = [], [], []

    def route(route):
        host = urlsplit(route.request.url).hostname
        if route.request.url.startswith(("data:", "blob:")) or host == "127.0.0.1":
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    page.route("**/*", route)
    page.on("console", lambda m: m.type == "error" and console_errors.append(m.text))
    page.on("pageerror", lambda error: console_errors.append(str(error)))
    page.on("requestfailed", lambda request: failed.append(request.url))
    page.on(
        "response", lambda r: r.status >= 400 and failed.append(f"{r.status} {r.url}")
    )
    page.goto(f"{site}/{path}", wait_until="load")
    page.wait_for_load_state("networkidle")
    if has_math:
        # MathJax 3 typesets the page once it has started; wait for that.
        page.wait_for_function("() => window.MathJax && MathJax.startup")
        page.evaluate("() => MathJax.startup.promise")
    page.evaluate("() => document.fonts.ready")
    if scroll_to:
        page.locator(scroll_to).first.scroll_into_view_if_needed()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"))

    assert title_words in page.title() and "sklearn_lecture" in page.title()
    # The navigation bar, with the site's sections.
    navbar = page.locator(".bd-header .navbar-header-items")
    assert navbar.is_visible()
    for section in ("User guide", "API reference", "Examples"):
        assert page.locator(".bd-header a", has_text=section).count() > 0, section
    # A figure, loaded, with a non-zero size on the page.
    images = page.evaluate(
        """() => Array.from(document.querySelectorAll('main img')).map(img => ({
            src: img.src, complete: img.complete, natural: img.naturalWidth,
            width: img.getBoundingClientRect().width}))"""
    )
    assert images, "no figure on the page"
    assert all(i["complete"] and i["natural"] > 0 for i in images), images
    assert any(i["width"] > 50 for i in images), images
    # Formulas typeset by MathJax: no raw TeX delimiters left, no TeX error.
    text = page.inner_text("main")
    for delimiter in ("$$", "\\(", "\\["):
        assert delimiter not in text, delimiter
    assert page.locator("mjx-merror").count() == 0
    if has_math:
        assert page.locator("mjx-container").count() > 0
        scripts = page.evaluate(
            "() => Array.from(document.scripts).map(s => s.src).filter(Boolean)"
        )
        mathjax = [s for s in scripts if "mathjax" in s.lower()]
        assert mathjax and all(s.startswith(site) for s in mathjax), mathjax
    assert outside == [], f"requests leaving the machine: {outside}"
    assert failed == [], f"failed requests: {failed}"
    assert console_errors == [], console_errors
    page.close()
