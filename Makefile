# GroupLake: the Makefile is the interface. `make demo` runs the platform, `make test` proves it.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PYTEST_ARGS ?=
# pytest-xdist workers for `make test` (2 cores); tests that share state are grouped (tests/README.md)
TEST_WORKERS ?= 2
XDIST := -n $(TEST_WORKERS) --dist loadgroup
# The tests' scratch files (SQLite databases, Dagster's event log, the session's demo lake) go on
# tmpfs where there is one: a commit there is not an fsync to disk (Dagster's SQLite event log
# writes ~4x faster). Only the tests' own temporary directory moves; `TEST_TMPDIR=/tmp` restores it.
TEST_TMPDIR ?= $(shell test -d /dev/shm -a -w /dev/shm && echo /dev/shm || echo $${TMPDIR:-/tmp})

.PHONY: setup demo run up test test-fast bench docs data-docs lint clean help jdbc-jars cjk-fonts browser

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/' | column -t -s $$'\t'

$(STAMP): requirements.lock pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(BIN)/python -m pip install -q --disable-pip-version-check uv 2>/dev/null || true
	@if [ -x $(BIN)/uv ]; then \
	  $(BIN)/uv pip install -q --python $(BIN)/python -r requirements.lock && \
	  $(BIN)/uv pip install -q --python $(BIN)/python --no-deps -e . ; \
	else \
	  $(BIN)/python -m pip install -q -r requirements.lock && \
	  $(BIN)/python -m pip install -q --no-deps -e . ; \
	fi
	@touch $(STAMP)

setup: $(STAMP)  ## create .venv from the lock file and prepare dbt / migrations (idempotent)
	@$(BIN)/grouplake setup

run: setup cjk-fonts  ## materialize the whole asset graph once (demo group unless sources are configured)
	@$(BIN)/grouplake run

up: setup  ## start every registered service (Dagster UI, APIs, MLflow UI)
	@$(BIN)/grouplake up

demo: setup cjk-fonts  ## setup, run the whole graph, then start the services
	@$(BIN)/grouplake run
	@$(BIN)/grouplake up

jdbc-jars:  ## JDBC driver jars for the Spark engine (Debian packages; idempotent)
	@bash infra/install_jdbc_jars.sh

cjk-fonts:  ## a CJK font for the generated documents of the OCR tests and the demo (Debian; idempotent)
	@bash infra/install_cjk_fonts.sh

browser:  ## Debian's headless chromium for the browser tests (idempotent)
	@bash infra/install_chromium.sh

test: setup jdbc-jars cjk-fonts browser  ## run the whole test suite (services skipped locally, required with CI=true)
	@TMPDIR=$(TEST_TMPDIR) $(BIN)/python -m pytest $(XDIST) $(PYTEST_ARGS)

test-fast: setup cjk-fonts  ## unit tests only
	@TMPDIR=$(TEST_TMPDIR) $(BIN)/python -m pytest $(XDIST) -m "not (postgres or mariadb or mqtt or spark or s3 or browser or e2e or slow)" $(PYTEST_ARGS)

bench: setup cjk-fonts  ## benchmarks -> tests/benchmarks/results/*.json (BENCH=name for one; BENCH_QUICK=1: smallest config, results/quick/)
	@$(BIN)/python -m tests.benchmarks $(BENCH)

docs: setup  ## generate and serve the dbt docs
	@$(BIN)/grouplake docs

data-docs: setup  ## build Great Expectations Data Docs
	@$(BIN)/grouplake expectations data-docs

lint: setup  ## ruff
	@$(BIN)/ruff check .

clean:  ## remove local state (the lake, demo data, databases); keeps .venv
	rm -rf .grouplake
