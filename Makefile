# learnnet — the README's two commands, and the rest.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
FLASK := $(VENV)/bin/flask
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test bench install install-test translations clean

$(VENV)/.installed: setup.cfg pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -e '.[test,postgres]'
	touch $@

install: $(VENV)/.installed

test: $(VENV)/.installed
	$(PY) -m pytest

bench: $(VENV)/.installed
	@for f in tests/benchmarks/bench_*.py; do [ -f "$$f" ] && $(PY) "$$f" || exit 1; done

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache
