PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
PLOTS ?= lecture_plots

.PHONY: install demo test lint bench clean

$(STAMP): setup.cfg pyproject.toml constraints.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c constraints.txt -e ".[neural,rl,dask,plot,test,bench]"
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(PY) -m sklearn_lecture --output-dir $(PLOTS)

test: $(STAMP)
	$(PY) -m ruff check sklearn_lecture tests examples benchmarks conftest.py
	$(PY) -m pytest -q

bench: $(STAMP)
	$(PY) benchmarks/run.py

clean:
	rm -rf $(VENV) $(PLOTS) build *.egg-info
