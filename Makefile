# learnnet — the README's two commands, and the rest.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
FLASK := $(VENV)/bin/flask
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test test-ahead bench bench-web install install-test translations clean

$(VENV)/.installed: setup.cfg pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -e '.[test,postgres]'
	touch $@

install: $(VENV)/.installed

export FLASK_APP := wsgi.py

# Upgrade the SQLite database in instance/, load the demo county if it is empty, and serve it.
run: $(VENV)/.installed
	$(FLASK) db upgrade
	$(FLASK) demo load --if-empty
	@echo
	@echo "learnnet runs on http://$(HOST):$(PORT)/  (stop it with Ctrl-C)"
	@$(FLASK) demo logins
	@echo
	LEARNNET_BIND=$(HOST):$(PORT) $(VENV)/bin/gunicorn -c python:learnnet.gunicorn_conf wsgi:app

# The whole suite on SQLite; then, when TEST_DATABASE_URL names a PostgreSQL server, every test that
# touches a database again on PostgreSQL (the statistics and chart tests do not).
test: $(VENV)/.installed
	env -u TEST_DATABASE_URL $(PY) -m pytest
	@if [ -n "$$TEST_DATABASE_URL" ]; then \
		echo "== again on PostgreSQL ($$TEST_DATABASE_URL)"; \
		$(PY) -m pytest tests/learnnet tests/browser; \
	fi

# The tests that need no browser once more, on SQLite, with the clock frozen more than two years ahead
# (and in another month of the year than today), so a test that only passes this month cannot land.
AHEAD ?= $(shell $(PYTHON) -c "import datetime as d; t = d.date.today(); print(d.date(t.year + 2, t.month, min(t.day, 28)) + d.timedelta(days=200))")
test-ahead: $(VENV)/.installed
	@echo "== the suite without the browser tests, on $(AHEAD)"
	env -u TEST_DATABASE_URL LEARNNET_TEST_TODAY=$(AHEAD) $(PY) -m pytest --ignore=tests/browser

bench: $(VENV)/.installed
	@for f in tests/benchmarks/bench_*.py; do [ -f "$$f" ] && $(PY) "$$f" || exit 1; done

# Extract every UI string, merge it into the catalogues, and compile them (the .mo files are committed).
translations: $(VENV)/.installed
	$(VENV)/bin/pybabel -q extract -w 100 -F learnnet/translations/babel.cfg -k _l -k lazy_gettext \
		--no-location --sort-output --project learnnet -o learnnet/translations/messages.pot .
	$(VENV)/bin/pybabel -q update -w 100 -i learnnet/translations/messages.pot -d learnnet/translations --no-fuzzy-matching
	$(VENV)/bin/pybabel -q compile -d learnnet/translations

# Load test: gunicorn with PostgreSQL (TEST_DATABASE_URL or the local server) and the demo county.
bench-web: $(VENV)/.installed
	$(PIP) install --quiet -e '.[bench]'
	$(PY) tests/benchmarks/web_load.py

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache
