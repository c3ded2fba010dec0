PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
PLOTS ?= lecture_plots
DOCS_STAMP := $(VENV)/.installed-docs
DOCS_HTML := docs/_build/html

.PHONY: install demo test lint bench clean docs docs-check clean-docs

$(STAMP): setup.cfg pyproject.toml constraints.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c constraints.txt -e ".[neural,rl,dask,plot,progress,test]"
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(PY) -m sklearn_lecture --output-dir $(PLOTS)

test: $(STAMP)
	$(PY) -m ruff check sklearn_lecture tests examples benchmarks conftest.py
	$(PY) -m pytest -q -n 2 --dist loadfile

# The peers measured against (scikit-fuzzy, scikit-learn-intelex) on top.
bench: $(STAMP)
	$(PY) -m pip install --quiet -c constraints.txt -e ".[bench]"
	$(PY) benchmarks/run.py

$(DOCS_STAMP): $(STAMP)
	$(PY) -m pip install --quiet -c constraints.txt -e ".[neural,rl,dask,plot,progress,test,docs]"
	touch $(DOCS_STAMP)

# The site, warnings as errors; the gallery runs examples/ (about 2 minutes).
docs: $(DOCS_STAMP)
	$(PY) -m sphinx -W --keep-going -b html docs $(DOCS_HTML)

# Opens the built site in headless Chromium (Debian's package, installed when
# missing and run as root) and fails, rather than skips, without a browser.
docs-check: $(DOCS_STAMP)
	command -v chromium >/dev/null 2>&1 || [ "$$(id -u)" != 0 ] || \
		{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
		  apt-get install -y -qq chromium >/dev/null; }
	SKLEARN_LECTURE_DOCS_CHECK=1 $(PY) -m pytest -q tests/test_docs.py

clean-docs:
	rm -rf docs/_build docs/auto_examples docs/api/generated docs/sg_execution_times.rst

clean:
	rm -rf $(VENV) $(PLOTS) build *.egg-info
