# The two commands: `make run` and `make test`. Everything else is set up on the way.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
WORKERS ?= 1

.PHONY: install migrate run test test-browser lint format demo clean bench bench-scale bench-clusters

$(VENV)/.installed: pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed (set PYTHON=python3.11)")'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e ".[dev]"
	touch $@

install: $(VENV)/.installed

migrate: install
	$(BIN)/python -m clustermarket migrate

# Migrates, loads the demo data on the first start (an empty database), then serves.
# In production (APP_ENV=production) it first refuses to start on a `check --deploy` error.
run: install
	@if [ "$${APP_ENV:-}" = production ]; then \
	  WEB_CONCURRENCY=$(WORKERS) $(BIN)/python -m clustermarket check --deploy \
	  || { echo "Refusing to start in production: fix the errors above."; exit 1; }; fi
	$(BIN)/python -m clustermarket migrate
	$(BIN)/python -m clustermarket demo --if-empty
	$(BIN)/uvicorn app:app --host $(HOST) --port $(PORT) --workers $(WORKERS) --proxy-headers --no-access-log

test: install
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# Only the real-browser tests (Debian's chromium; their own server on SQLite).
test-browser: install
	env -u DATABASE_URL $(BIN)/python -m pytest tests/browser $(PYTEST_ARGS)

# The benchmarks (bench/), each beside a bare Litestar route in the same run: public pages and
# static files (with page weights and Lighthouse scores), the signed-in pages, and the sale tap.
# BENCH_ARGS=--smoke for a few seconds each; BENCH_DATABASE_URL=postgresql://... for PostgreSQL.
# `make bench-scale` builds 10,000 products / 100,000 sales and times every page (minutes);
# `make bench-clusters` builds 300 clusters of 10 schools and 50 products (BENCH_ARGS=--smoke: 5).
bench: install
	$(BIN)/python bench/pages.py $(BENCH_ARGS)
	$(BIN)/python bench/signed_in.py $(BENCH_ARGS)
	$(BIN)/python bench/stall_sales.py $(BENCH_ARGS)

bench-scale: install
	$(BIN)/python bench/scale.py $(BENCH_ARGS)

bench-clusters: install
	$(BIN)/python bench/scale_clusters.py $(BENCH_ARGS)

lint: install
	$(BIN)/ruff check src tests app.py piccolo_conf.py
	$(BIN)/ruff format --check src tests app.py piccolo_conf.py

format: install
	$(BIN)/ruff format src tests app.py piccolo_conf.py
	$(BIN)/ruff check --fix src tests app.py piccolo_conf.py

clean:
	rm -rf $(VENV) .pytest_cache test-output
